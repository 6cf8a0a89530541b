import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { type TestbedHost, docker, removeContainer, replyServer, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, newModel, settingFor, specs, testbed, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);
const hostsByName: Record<string, TestbedHost> = { alpha: alphaHost, beta: betaHost };

/**
 * Runs copied commands through a real shell, as a user pasting them would, with `docker` meaning
 * `docker -H <that host>` (what each `# on host (url)` comment asks for).
 */
function runInShell(host: TestbedHost, lines: string[]): string {
  const engine = host.socket ? `unix://${host.socket}` : host.tcpUrl!;
  const script = `set -e\ndocker() { command docker -H '${engine}' "$@"; }\n${lines.join('\n')}\n`;
  try {
    return execFileSync('sh', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (error) {
    throw new Error(`the copied commands failed on ${host.name}: ${(error as { stderr?: string }).stderr ?? String(error)}\n${lines.join('\n')}`);
  }
}

/** The copied lines of each `# on host (url)` section, by host name. */
function sectionsByHost(lines: string[]): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const header = /^# on (\S+) \(/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1], current);
    } else {
      assert.ok(current, `a line before the first host comment: ${line}`);
      current.push(line);
    }
  }
  return sections;
}

const inspect = (host: TestbedHost, name: string) => JSON.parse(docker(host, ['inspect', name]))[0];

describe('Copy as Docker Commands, run against the testbed (integration)', function () {
  this.timeout(180_000);
  const logger = new RecordingLogger();
  const { model } = newModel(logger);
  const containers: Array<[TestbedHost, string]> = [];
  const networks: Array<[TestbedHost, string]> = [];
  const volumes: Array<[TestbedHost, string]> = [];

  before(async () => {
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-40).join('\n'));
    }
  });

  after(() => {
    for (const [host, name] of containers.reverse()) {
      removeContainer(host, name);
    }
    for (const [host, name] of networks) {
      try {
        docker(host, ['network', 'rm', name]);
      } catch {
        // Already gone (removed with its link).
      }
    }
    for (const [host, name] of volumes) {
      docker(host, ['volume', 'rm', '-f', name]);
    }
    model.dispose();
  });

  it('a container with many flags: its commands, run under a new name, give the same Config and HostConfig', async () => {
    const name = uniqueName('many-flags');
    const copy = `${name}-copy`;
    const [front, back, volume] = [uniqueName('front'), uniqueName('back'), uniqueName('vol')];
    containers.push([alphaHost, name], [alphaHost, copy]);
    networks.push([alphaHost, front], [alphaHost, back]);
    volumes.push([alphaHost, volume]);
    const subnet = `172.${30 + Math.floor(Math.random() * 30)}.${Math.floor(Math.random() * 250)}.0/24`;
    docker(alphaHost, ['network', 'create', '--subnet', subnet, front]);
    docker(alphaHost, ['network', 'create', back]);
    docker(alphaHost, ['volume', 'create', volume]);
    const staticIp = subnet.replace(/0\/24$/, '77');
    // Every flag the testbed engine (20.10, no GPUs, no userns-remap) can set.
    docker(alphaHost, [
      'run', '-d', '--name', name, '--pull', 'never',
      '--hostname', 'flags-host', '--domainname', 'example.test', '--user', '1000:1000', '--workdir', '/tmp',
      '-e', 'MODE=copy test', '-e', 'DB_PASSWORD=hunter2', '-l', 'team=platform', '-l', 'note=a "quoted" $value',
      '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', '--security-opt', 'no-new-privileges:true', '--read-only',
      '--pids-limit', '64', '--userns', 'host', '--device', '/dev/null:/dev/mynull:rwm', '--tmpfs', '/run:rw,size=1m',
      '--dns', '10.231.0.1', '--dns-search', 'corp.test', '--dns-option', 'ndots:2', '--add-host', 'db.local:10.231.0.99',
      '--health-cmd', 'test -e /tmp || exit 1', '--health-interval', '30s', '--health-timeout', '2s', '--health-retries', '4', '--health-start-period', '1s',
      '--log-driver', 'json-file', '--log-opt', 'max-size=1m', '--log-opt', 'max-file=2',
      '--entrypoint', '', '--init', '--ulimit', 'nofile=1024:2048', '--sysctl', 'net.ipv4.ip_unprivileged_port_start=0',
      '--ipc', 'shareable', '--shm-size', '32m', '--stop-signal', 'SIGINT', '--stop-timeout', '2',
      '--mount', 'type=volume,dst=/anon', '--mount', `type=volume,src=${volume},dst=/named,readonly`, '--mount', 'type=tmpfs,dst=/cache,tmpfs-size=1048576',
      '-v', '/etc/hostname:/host-hostname:ro',
      '--network', front, '--ip', staticIp, '--network-alias', 'flags-alias',
      '-p', `${alphaHost.ip}:18181:8080`, '-p', '127.0.0.1::8081/udp', '--expose', '9000',
      '--restart', 'on-failure:2', '--memory', '64m', '--memory-reservation', '32m', '--cpus', '0.5', '--cpu-shares', '512',
      '--oom-score-adj', '100', '--group-add', '123',
      testbed.images.socat, 'sleep', '600',
    ]); // prettier-ignore
    docker(alphaHost, ['network', 'connect', '--alias', 'back-alias', back, name]);

    const commands = await new LinkOperations('alpha', model.client('alpha')!, logger).dockerCommands(name);
    assert.equal(commands.maskedValues, 1, commands.lines.join('\n'));
    assert.ok(commands.lines.some((line) => line.includes('DB_PASSWORD=<redacted>')));
    const withSecrets = await new LinkOperations('alpha', model.client('alpha')!, logger).dockerCommands(name, { includeSecrets: true });
    // The original releases its fixed port and static IP; the copy takes them.
    docker(alphaHost, ['stop', '-t', '1', name]);
    const renamed = withSecrets.lines.map((line) => line.replace(`--name ${name} `, `--name ${copy} `).replace(new RegExp(` ${name}$`), ` ${copy}`));
    runInShell(alphaHost, renamed);

    const original = inspect(alphaHost, name);
    const copied = inspect(alphaHost, copy);
    // The anonymous volume is reproduced by its real source, so the copy has the same data.
    const anonymous = original.Mounts.find((mount: { Destination: string }) => mount.Destination === '/anon').Name;
    original.HostConfig.Mounts.find((mount: { Target: string }) => mount.Target === '/anon').Source = anonymous;
    // The docker CLI does not keep the order of -e flags in every run (seen on 28.x); keys are unique, so compare them as sets.
    const comparable = (field: string, value: unknown) => (field === 'Env' && Array.isArray(value) ? [...value].sort() : value);
    for (const field of new Set([...Object.keys(original.Config), ...Object.keys(copied.Config)])) {
      assert.deepEqual(comparable(field, copied.Config[field]), comparable(field, original.Config[field]), `Config.${field}`);
    }
    for (const field of new Set([...Object.keys(original.HostConfig), ...Object.keys(copied.HostConfig)])) {
      assert.deepEqual(copied.HostConfig[field], original.HostConfig[field], `HostConfig.${field}`);
    }
    for (const network of [front, back]) {
      const [before, after] = [original.NetworkSettings.Networks[network], copied.NetworkSettings.Networks[network]];
      assert.deepEqual(after.IPAMConfig, before.IPAMConfig, `IPAMConfig on ${network}`);
      const userAliases = (aliases: string[], id: string) => aliases.filter((alias) => !id.startsWith(alias) && alias !== 'flags-host').sort();
      assert.deepEqual(userAliases(after.Aliases, copied.Id), userAliases(before.Aliases, original.Id), `aliases on ${network}`);
    }
    assert.equal(copied.NetworkSettings.Networks[front].IPAddress, staticIp);
  });

  it('a legacy link on one host: its commands, run on a clean host, give a client that reaches the target by alias', async () => {
    const operations = new LinkOperations('alpha', model.client('alpha')!, logger);
    const [target, client] = [uniqueName('legacy-db'), uniqueName('legacy-web')];
    containers.push([alphaHost, target], [alphaHost, client]);
    docker(alphaHost, ['run', '-d', '--pull', 'never', '--name', target, '--stop-timeout', '1', testbed.images.fixture, ...replyServer(5432, 'from-the-db')]);
    docker(alphaHost, ['run', '-d', '--pull', 'never', '--name', client, '--stop-timeout', '1', '-e', 'API_KEY=k3y', testbed.images.fixture, 'sleep', '600']);
    await operations.linkContainers({ client, target, alias: 'pg' });
    const commands = await operations.legacyLinkDockerCommands(client, target, { includeSecrets: true });
    assert.equal(commands.lines.filter((line) => line.startsWith('docker run')).length, 2, commands.lines.join('\n'));
    removeContainer(alphaHost, client);
    removeContainer(alphaHost, target);
    runInShell(alphaHost, commands.lines);
    await waitFor(
      () => {
        try {
          return docker(alphaHost, ['exec', client, 'sh', '-c', 'echo hi | socat -t 5 - TCP:pg:5432']) === 'from-the-db';
        } catch {
          return false;
        }
      },
      'the client reaches the target as pg',
      10_000,
    );
    assert.deepEqual(
      inspect(alphaHost, client).Config.Env.filter((entry: string) => entry.startsWith('API_KEY=')),
      ['API_KEY=k3y'],
    );
  });

  it('a cross-host link: its commands, run after Remove Link, give a link that carries traffic by alias', async () => {
    const operations = new CrossLinkOperations(model, logger, () => testbed.images.socat, testProvenance());
    const [target, client] = [uniqueName('cmd-target'), uniqueName('cmd-client')];
    containers.push([alphaHost, target], [betaHost, client]);
    docker(alphaHost, ['run', '-d', '--pull', 'never', '--name', target, '--stop-timeout', '1', testbed.images.fixture, ...replyServer(7070, 'from-the-target')]);
    docker(betaHost, ['run', '-d', '--pull', 'never', '--name', client, '--stop-timeout', '1', testbed.images.fixture, 'sleep', '600']);
    const ask = () => docker(betaHost, ['exec', client, 'sh', '-c', 'echo hi | socat -t 5 - TCP:kv:7070']);

    // docker run returns before socat listens; a link to a target not yet listening answers nothing.
    await waitFor(
      () => {
        try {
          return docker(alphaHost, ['exec', target, 'sh', '-c', 'echo hi | socat -t 5 - TCP:127.0.0.1:7070']) === 'from-the-target';
        } catch {
          return false;
        }
      },
      'the target listens',
      10_000,
    );
    await operations.link({ client: `beta/${client}`, target: `alpha/${target}`, port: 7070, alias: 'kv' });
    assert.equal(ask(), 'from-the-target');
    const link = (await operations.list()).find((candidate) => candidate.client.container === client)!;
    const ambassadorsBefore = {
      server: inspect(alphaHost, `crosslink-srv-${target}-7070`),
      client: inspect(betaHost, `crosslink-cli-${client}-kv`),
    };
    const commands = await operations.dockerCommands(link);
    const sections = sectionsByHost(commands.lines);
    assert.deepEqual([...sections.keys()], ['alpha', 'beta']);
    assert.match(sections.get('alpha')!.join('\n'), new RegExp(`docker network connect crosslink-${target} ${target}`));
    assert.match(sections.get('beta')!.join('\n'), new RegExp(`docker network connect crosslink-${client} ${client}`));
    networks.push([alphaHost, `crosslink-${target}`], [betaHost, `crosslink-${client}`]);
    containers.push([alphaHost, `crosslink-srv-${target}-7070`], [betaHost, `crosslink-cli-${client}-kv`]);

    await operations.remove(link);
    // (Asking by alias now would wait for DNS timeouts: the ambassadors being gone says enough.)
    assert.throws(() => inspect(betaHost, `crosslink-cli-${client}-kv`));
    assert.throws(() => inspect(alphaHost, `crosslink-srv-${target}-7070`));
    for (const [host, lines] of sections) {
      runInShell(hostsByName[host], lines);
    }
    assert.equal(ask(), 'from-the-target');
    // The ambassadors are the same as Crosslink's (labels included), so Crosslink finds the link again.
    const ambassadorsAfter = {
      server: inspect(alphaHost, `crosslink-srv-${target}-7070`),
      client: inspect(betaHost, `crosslink-cli-${client}-kv`),
    };
    for (const side of ['server', 'client'] as const) {
      assert.deepEqual(ambassadorsAfter[side].Config.Labels, ambassadorsBefore[side].Config.Labels, `${side} ambassador labels`);
      assert.deepEqual(ambassadorsAfter[side].Config.Cmd, ambassadorsBefore[side].Config.Cmd, `${side} ambassador command`);
      assert.deepEqual(ambassadorsAfter[side].HostConfig.PortBindings ?? {}, ambassadorsBefore[side].HostConfig.PortBindings ?? {}, `${side} ambassador ports`);
    }
    const found = (await operations.list()).find((candidate) => candidate.client.container === client);
    assert.ok(found, 'the reproduced link is listed');
    // Ambassadors made by pasted commands are not this installation's: removing them needs consent.
    await operations.remove(found, { confirmForeign: true });
    assert.throws(() => inspect(betaHost, `crosslink-cli-${client}-kv`));
  });
});
