import * as assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors';
import { AmbassadorNetworkKeeper } from '../../src/core/ambassadors/networkKeeper';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { PortInUseError } from '../../src/core/ambassadors/crossLinkPlanner';
import { PlanError } from '../../src/core/planning/planExecutor';
import { UnsavedChangesError } from '../../src/core/planning/recreate';
import { docker, dockerAsync, removeContainer, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, newModel, settingFor, specs, testbed, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);
const gammaHost = testbedHost(testbed, 'gamma', 2);
type Host = typeof alphaHost;
const image = testbed.images.fixture;

/** gamma runs Podman's Docker-compatible service; where it behaves differently, the tests below say so. */
const isPodman = (host: Host) => (host as { engine?: string }).engine === 'podman';
/** The default network a container is on: Podman's is called `podman` in a container's inspect. */
const defaultNetwork = (host: Host) => (isPodman(host) ? 'podman' : 'bridge');

/**
 * oracle answers "oracle-data" to a connection; to a first line "halfclose" it reads until the
 * client's FIN, waits 2 s, then replies — the reply socat's default -t 0.5 would lose.
 */
const oracleScript = `read -r line; if [ "$line" = halfclose ]; then cat >/dev/null; sleep 2; echo late-reply; else echo oracle-data; fi`;

function runOracle(host: Host, name: string, extra: string[] = []): void {
  docker(host, ['run', '-d', '--name', name, '--stop-timeout', '1', ...extra, image, 'socat', '-t', '10', 'TCP-LISTEN:1521,fork,reuseaddr', `SYSTEM:${oracleScript}`]);
}

/**
 * Containers, networks and volumes of a host that `ours` accepts (by a line naming them), to compare
 * before and after: other suites change the shared hosts at the same time.
 */
function snapshot(host: Host, ours: (line: string) => boolean): string {
  const lines = (text: string) =>
    text
      .split('\n')
      .filter((line) => line && ours(line))
      .sort();
  const containers = lines(docker(host, ['ps', '-a', '--format', '{{.ID}} {{.Names}} {{.Networks}}']))
    .map((line) => {
      const [id, name, networks = ''] = line.split(' ');
      return `${id} ${name} ${networks.split(',').sort().join(',')}`;
    })
    .sort();
  const networks = lines(docker(host, ['network', 'ls', '--format', '{{.Name}}']));
  const volumes = lines(docker(host, ['volume', 'ls', '--format', '{{.Name}}']));
  return JSON.stringify({ containers, networks, volumes }, null, 1);
}

/**
 * The same suite for dockerd on both sides and for Podman (gamma) on either side: a client on
 * `client` reads a target on `target`.
 */
for (const { client: clientHost, target: targetHost } of [
  { client: betaHost, target: alphaHost },
  { client: betaHost, target: gammaHost },
  { client: gammaHost, target: alphaHost },
]) {
  describe(`Cross-host links through ambassadors, ${clientHost.name} → ${targetHost.name} (integration)`, function () {
    this.timeout(180_000);
    const logger = new RecordingLogger();
    const { model } = newModel(logger);
    const provenance = testProvenance();
    const keeper = new AmbassadorNetworkKeeper(model, logger, provenance);
    const operations = new CrossLinkOperations(model, logger, () => testbed.images.socat, provenance);
    const oracle = uniqueName('oracle');
    const bw = uniqueName('bw');
    const created: Array<[Host, string]> = [
      [targetHost, oracle],
      [clientHost, bw],
    ];
    /** The test's containers and what Crosslink names after them (ambassadors, networks): the names are unique. */
    const ours = (line: string) => created.some(([, name]) => line.includes(name));
    const hostSnapshot = (host: Host) => snapshot(host, ours);
    // A port of its own on the target host: other suites' links publish 1521 there at the same time.
    const publish = 20_000 + Math.floor(Math.random() * 10_000);
    const sh = (host: Host, container: string, script: string) => docker(host, ['exec', container, 'sh', '-c', script]);
    /** Both hosts before the first link, for the removal test at the end. */
    let baseline = { targetBefore: '', clientBefore: '' };
    const ask = (container: string, alias = 'oracle') => sh(clientHost, container, `echo hello | socat -t 5 - TCP:${alias}:1521`);

    before(async () => {
      await model.setHosts(specs(settingFor(targetHost.name), settingFor(clientHost.name)));
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed') {
        console.log(logger.lines.slice(-60).join('\n'));
      }
    });

    after(async () => {
      for (const link of await operations.list()) {
        if (created.some(([, name]) => name === link.client.container)) {
          await operations.remove(link).catch(() => undefined);
        }
      }
      for (const [host, name] of created) {
        removeContainer(host, name);
      }
      keeper.dispose();
      model.dispose();
    });

    it(`the seed scenario: bw on ${clientHost.name} reads oracle on ${targetHost.name} as oracle:1521, and bw keeps its settings`, async () => {
      const targetBefore = hostSnapshot(targetHost);
      const clientBefore = hostSnapshot(clientHost);
      runOracle(targetHost, oracle);
      docker(clientHost, ['run', '-d', '--name', bw, '--stop-timeout', '1', '-e', 'APP=bw', '--label', 'team=billing', '--restart', 'unless-stopped', image, 'sleep', '86400']);
      const bwBefore = JSON.parse(docker(clientHost, ['inspect', bw]))[0];

      const result = await operations.link({ client: `${clientHost.name}/${bw}`, target: `${targetHost.name}/${oracle}`, port: 1521, alias: 'oracle', publish });
      assert.equal(result.serverRef, `${targetHost.name}/crosslink-srv-${oracle}-1521`);
      assert.equal(result.clientRef, `${clientHost.name}/crosslink-cli-${bw}-oracle`);
      assert.equal(ask(bw), 'oracle-data');

      const bwAfter = JSON.parse(docker(clientHost, ['inspect', bw]))[0];
      assert.equal(bwAfter.Id, bwBefore.Id, 'network mode does not recreate bw');
      assert.deepEqual(bwAfter.Config.Env, bwBefore.Config.Env);
      assert.deepEqual(bwAfter.Config.Labels, bwBefore.Config.Labels);
      assert.deepEqual(bwAfter.HostConfig.RestartPolicy, { Name: 'unless-stopped', MaximumRetryCount: 0 });

      const published = JSON.parse(docker(targetHost, ['inspect', `crosslink-srv-${oracle}-1521`]))[0].HostConfig.PortBindings['1521/tcp'];
      assert.deepEqual(published, [{ HostIp: targetHost.ip, HostPort: String(publish) }], `published on the address ${clientHost.name} uses, and only there`);

      const verified = await operations.verify((await operations.list()).find((link) => link.client.container === bw)!);
      assert.equal(verified.ok, true, verified.message);

      baseline = { targetBefore, clientBefore };
    });

    it('a reply sent 2 s after the client half-closes arrives through both ambassadors', () => {
      assert.equal(sh(clientHost, bw, 'echo halfclose | socat -t 10 - TCP:oracle:1521'), 'late-reply');
    });

    it('survives docker restart of the target and of both ambassadors', async () => {
      docker(targetHost, ['restart', '-t', '1', oracle]);
      assert.equal(ask(bw), 'oracle-data');
      docker(targetHost, ['restart', '-t', '1', `crosslink-srv-${oracle}-1521`]);
      docker(clientHost, ['restart', '-t', '1', `crosslink-cli-${bw}-oracle`]);
      // As below: no user action is the promise. A restarted ambassador on Podman gets its network alias back
      // from Podman's DNS, which took 45 s here (Podman 4.3), even on a quiet machine.
      await waitFor(async () => (await tryAsk(bw)) === 'oracle-data', 'traffic after restarting the ambassadors', 90_000);
    });

    it('survives a recreation of the target under the same name, without user action', async () => {
      docker(targetHost, ['rm', '-f', oracle]);
      runOracle(targetHost, oracle);
      // The promise is "without user action", not a deadline: the keeper acts on the start event. (It took
      // 15-45 s while this poll ran `docker exec` synchronously, which kept the keeper from running at all.)
      await waitFor(async () => (await tryAsk(bw)) === 'oracle-data', 'traffic to the recreated oracle', 45_000);
    });

    it('is idempotent, and lets a second client share the server ambassador', async () => {
      const again = await operations.link({ client: `${clientHost.name}/${bw}`, target: `${targetHost.name}/${oracle}`, port: 1521, alias: 'oracle', publish });
      assert.deepEqual([again.server.steps.length, again.client.steps.length], [0, 0]);
      const second = uniqueName('bw2');
      created.push([clientHost, second]);
      docker(clientHost, ['run', '-d', '--name', second, '--stop-timeout', '1', image, 'sleep', '86400']);
      sh(clientHost, second, 'echo precious > /root/notes');
      const request = { client: `${clientHost.name}/${second}`, target: `${targetHost.name}/${oracle}`, port: 1521, alias: 'db', mode: 'link' as const, publish };
      if (isPodman(clientHost)) {
        // Podman has no legacy links: the link mode is refused before anything changes (its
        // writable layer is not even looked at), and the network-alias mode shares the server ambassador.
        const id = () => docker(clientHost, ['inspect', '-f', '{{.Id}}', second]);
        const before = id();
        await assert.rejects(operations.link(request), (error: unknown) => ConfigError.is(error, 'engineUnsupported'));
        assert.equal(id(), before, 'the refusal changed nothing');
        const shared = await operations.link({ ...request, mode: 'network' });
        assert.equal(shared.server.steps.length, 0, 'the server ambassador is reused');
        assert.equal(ask(second, 'db'), 'oracle-data');
        assert.equal(id(), before, 'the network-alias mode recreates nothing');
        await operations.remove((await operations.list()).find((candidate) => candidate.client.container === second)!);
        assert.equal(ask(bw), 'oracle-data', 'the first client still works: the shared server ambassador stays');
        return;
      }
      await assert.rejects(
        operations.link(request),
        (error: unknown) => UnsavedChangesError.is(error) && error.reason === 'unsavedChanges' && error.containers[0].paths.join() === '/root/notes',
      );
      // The copy streams from the client's engine to this process and back (over SSH from beta).
      const shared = await operations.link({ ...request, writableLayer: 'copy' });
      assert.equal(sh(clientHost, second, 'cat /root/notes'), 'precious');
      assert.equal(shared.server.steps.length, 0, 'the server ambassador is reused');
      assert.equal(ask(second, 'db'), 'oracle-data');
      assert.equal(
        docker(targetHost, ['ps', '--filter', 'label=crosslink.role=server-ambassador', '--format', '{{.Names}}'])
          .split('\n')
          .filter((name) => name.includes(oracle)).length,
        1,
      );
      const link = (await operations.list()).find((candidate) => candidate.client.container === second)!;
      await assert.rejects(operations.remove(link), (error: unknown) => UnsavedChangesError.is(error));
      await operations.remove(link, {}, 'copy');
      assert.equal(JSON.parse(docker(clientHost, ['inspect', second]))[0].HostConfig.Links, null, 'the legacy link is gone again');
      assert.equal(sh(clientHost, second, 'cat /root/notes'), 'precious', 'and the file is still there');
      assert.equal(ask(bw), 'oracle-data', 'the first client still works: the shared server ambassador stays');
    });

    it('offers another port when the host port is taken, and changes nothing', async () => {
      const squatter = uniqueName('squatter');
      created.push([targetHost, squatter]);
      docker(targetHost, ['run', '-d', '--name', squatter, '--stop-timeout', '1', '-p', `${targetHost.ip}:1600:80`, image, 'sleep', '86400']);
      const target = uniqueName('svc');
      created.push([targetHost, target]);
      docker(targetHost, ['run', '-d', '--name', target, '--stop-timeout', '1', image, 'sleep', '86400']);
      const before = hostSnapshot(targetHost) + hostSnapshot(clientHost);
      await assert.rejects(
        operations.link({ client: `${clientHost.name}/${bw}`, target: `${targetHost.name}/${target}`, port: 80, alias: 'svc', publish: 1600 }),
        (error: unknown) => PortInUseError.is(error) && error.suggestedPort === 1601 && new RegExp(`published by ${squatter}`).test(error.message),
      );
      assert.equal(hostSnapshot(targetHost) + hostSnapshot(clientHost), before);
    });

    it('undoes both hosts when a step on the client host fails', async () => {
      const target = uniqueName('svc');
      created.push([targetHost, target]);
      docker(targetHost, ['run', '-d', '--name', target, '--stop-timeout', '1', image, 'sleep', '86400']);
      const before = hostSnapshot(targetHost) + hostSnapshot(clientHost);
      await assert.rejects(
        operations.link(
          { client: `${clientHost.name}/${bw}`, target: `${targetHost.name}/${target}`, port: 8080, alias: 'svc' },
          {
            beforeStep: (step) => {
              if (step.kind === 'startContainer' && step.name.startsWith('crosslink-cli-')) throw new Error('injected');
            },
          },
        ),
        (error: unknown) => PlanError.is(error) && error.rollbackFailures.length === 0,
      );
      assert.equal(hostSnapshot(targetHost) + hostSnapshot(clientHost), before);
    });

    it('Remove Link leaves both hosts exactly as before the link', async () => {
      const { targetBefore, clientBefore } = baseline;
      const link = (await operations.list()).find((candidate) => candidate.client.container === bw)!;
      await operations.remove(link);
      // The test's own containers (oracle, bw and the later ones) are not part of the comparison.
      const withoutTestContainers = (text: string) =>
        JSON.stringify({
          ...JSON.parse(text),
          containers: (JSON.parse(text).containers as string[])
            .filter((line) => !created.some(([, name]) => line.split(' ')[1] === name))
            .map((line) => line.split(' ').slice(0, 2).join(' ')),
        });
      assert.equal(withoutTestContainers(hostSnapshot(targetHost)), withoutTestContainers(targetBefore));
      assert.equal(withoutTestContainers(hostSnapshot(clientHost)), withoutTestContainers(clientBefore));
      assert.deepEqual(
        Object.keys(JSON.parse(docker(clientHost, ['inspect', bw]))[0].NetworkSettings.Networks),
        [defaultNetwork(clientHost)],
        'bw is back on its own network only',
      );
      assert.deepEqual(Object.keys(JSON.parse(docker(targetHost, ['inspect', oracle]))[0].NetworkSettings.Networks), [defaultNetwork(targetHost)], 'oracle too');
    });

    /** Polled while the keeper, in this process, must be free to act on events: never a synchronous `docker exec`. */
    async function tryAsk(container: string): Promise<string | undefined> {
      try {
        return await dockerAsync(clientHost, ['exec', container, 'sh', '-c', 'echo hello | socat -t 5 - TCP:oracle:1521']);
      } catch {
        return undefined;
      }
    }
  });
}
