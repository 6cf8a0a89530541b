import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { FileJournal } from '../../src/core/planning/journal';
import { IncompleteChangeError } from '../../src/core/planning/planExecutor';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { type Inspect, assertSameContainer } from './inspectFidelity';
import { killAtStep, recoverFromJournal } from './interruptedChange';
import { losingReplies, mutatingCalls } from './lostReplies';
import { RecordingLogger, inNamespace, settingFor, tempDir, testbed, testbedOpenSsh, testbedSshFiles, uniqueName } from './harness';

type Host = ReturnType<typeof testbedHost>;

const hosts: Record<string, Host> = { alpha: testbedHost(testbed, 'alpha', 0), beta: testbedHost(testbed, 'beta', 1) };
const image = testbed.images.fixture;

describe('Crash-safe changes (integration)', function () {
  this.timeout(180_000);
  const logger = new RecordingLogger();
  const clients: Record<string, DockerodeClient> = Object.fromEntries(
    ['alpha', 'beta'].map((name) => [name, new DockerodeClient(parseHostEntry(settingFor(name)), logger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() })]),
  );
  const made: Array<[Host, string]> = [];
  const volumes: Array<[Host, string]> = [];
  const networks: Array<[Host, string]> = [];
  const inspect = (host: Host, container: string) => JSON.parse(docker(host, ['inspect', container]))[0] as Inspect;
  const sh = (host: Host, container: string, script: string) => docker(host, ['exec', container, 'sh', '-c', script]);

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-60).join('\n'));
    }
  });

  after(() => {
    for (const [host, name] of made) {
      for (const leftover of docker(host, ['ps', '-a', '--filter', `name=^/${name}`, '--format', '{{.Names}}'])
        .split('\n')
        .filter(Boolean)) {
        removeContainer(host, leftover);
      }
    }
    for (const [host, network] of networks) {
      docker(host, ['network', 'rm', network]);
    }
    for (const [host, volume] of volumes) {
      docker(host, ['volume', 'rm', '-f', volume]);
    }
    Object.values(clients).forEach((client) => client.dispose());
  });

  /** A container with settings and data in a named and an anonymous volume, on a user network with an alias; and a database to link to. */
  function seed(host: Host, running = true): { web: string; database: string } {
    const database = uniqueName('database');
    const web = uniqueName('web');
    made.push([host, database], [host, web]);
    const data = uniqueName('web-data');
    const network = uniqueName('web-net');
    volumes.push([host, data]);
    networks.push([host, network]);
    docker(host, ['network', 'create', network]);
    docker(host, ['run', '-d', '--name', database, '--stop-timeout', '1', image, 'sleep', '86400']);
    docker(host, [
      'run',
      '-d',
      '--name',
      web,
      '-e',
      'APP_MODE=production',
      '--label',
      'team=payments',
      '--hostname',
      'web-host',
      '-v',
      `${data}:/data`,
      '-v',
      '/anon',
      '--restart',
      'unless-stopped',
      '--stop-timeout',
      '1',
      '--memory',
      '64m',
      image,
      'sh',
      '-c',
      'exec sleep 86400',
    ]);
    docker(host, ['network', 'connect', '--alias', 'frontend', network, web]);
    sh(host, web, 'echo named > /data/kept.txt && echo anonymous > /anon/kept.txt');
    if (!running) {
      docker(host, ['stop', web]);
    }
    return { web, database };
  }

  const recover = (host: string, container: string, journalDir: string, action: 'finish' | 'rollBack') =>
    recoverFromJournal(clients[host], { host, container, journalDir, action, logger });

  const cases = [
    { host: 'alpha', operation: 'link' as const, steps: ['renameContainer', 'stopContainer', 'createContainer', 'connectNetwork', 'startContainer', 'removeContainer'] },
    {
      host: 'beta',
      operation: 'share' as const,
      steps: ['createVolume', 'renameContainer', 'stopContainer', 'createContainer', 'connectNetwork', 'startContainer', 'removeContainer'],
    },
  ];
  for (const { host: hostName, operation, steps } of cases) {
    for (const [index, kind] of steps.entries()) {
      const action = index % 2 === 0 ? 'finish' : 'rollBack';
      it(`${hostName}: ${operation === 'link' ? 'Link Containers' : 'Share a Volume'} killed (SIGKILL) before step ${index} (${kind}), then ${action}: the container is as before, data included`, async () => {
        const host = hosts[hostName];
        const { web, database } = seed(host);
        const volume = uniqueName('shared');
        volumes.push([host, volume]);
        const before = inspect(host, web);
        const journalDir = tempDir('crosslink-journal-');
        const request = operation === 'link' ? { client: web, target: database, alias: 'db' } : { containers: [web], volume, mountPath: '/shared' };
        assert.equal(await killAtStep({ host: hostName, operation, request, journalDir, pauseAt: index }), kind);

        await recover(hostName, web, journalDir, action);
        const after = inspect(host, web);
        assertSameContainer(before, after, action === 'finish' ? 'recreated' : 'original', operation === 'link' ? ['Links'] : ['Mounts']);
        if (action === 'finish') {
          assert.deepEqual(
            operation === 'link' ? after.HostConfig.Links : after.Mounts.filter((mount: { Name?: string }) => mount.Name === volume).length,
            operation === 'link' ? [`/${database}:/${web}/db`] : 1,
          );
        }
        assert.equal(sh(host, web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous', 'data kept');
        assert.equal(docker(host, ['ps', '-a', '--filter', `name=^/${web}`, '--format', '{{.Names}}']), web, 'nothing parked or discarded is left');
      });
    }
  }

  it('alpha: a removal that keeps failing leaves the new container running and says what is left; Finish completes it', async () => {
    const host = hosts.alpha;
    const { web, database } = seed(host);
    const before = inspect(host, web);
    const journalDir = tempDir('crosslink-journal-');
    const operations = new LinkOperations('alpha', clients.alpha, logger, new FileJournal(journalDir));
    const error = await operations
      .linkContainers(
        { client: web, target: database, alias: 'db' },
        {
          retry: { attempts: 2, delayMs: 200 },
          beforeStep: (step) => {
            if (step.kind === 'removeContainer') {
              throw new Error('injected: the engine cannot remove the original');
            }
          },
        },
      )
      .catch((caught: unknown) => caught);
    assert.ok(IncompleteChangeError.is(error) && error.reason === 'incomplete', String(error));
    const parked = `${web}-crosslink-replaced-${before.Id.slice(0, 8)}`;
    assert.deepEqual(error.remaining, [`alpha: remove ${parked}`]);
    const now = inspect(host, web);
    assert.notEqual(now.Id, before.Id);
    assert.equal(now.State.Running, true, 'the new container runs');
    assert.equal(inspect(host, parked).Id, before.Id, 'the original is parked, not deleted');
    assert.equal(sh(host, web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');

    const done = await recover('alpha', web, journalDir, 'finish');
    assert.deepEqual(done, [`remove ${parked}`]);
    assertSameContainer(before, inspect(host, web), 'recreated', ['Links']);
    assert.equal(docker(host, ['ps', '-a', '--filter', `name=^/${web}`, '--format', '{{.Names}}']), web);
  });

  it("alpha: a removal the engine really refuses (an immutable file in the original's layer) leaves the new container running; Finish completes it once fixed", async () => {
    const host = hosts.alpha;
    const { web, database } = seed(host);
    sh(host, web, 'touch /pin');
    const before = inspect(host, web);
    const pinned = path.join(before.GraphDriver.Data.UpperDir, 'pin');
    const journalDir = tempDir('crosslink-journal-');
    execFileSync('chattr', ['+i', pinned]);
    let error: unknown;
    try {
      error = await new LinkOperations('alpha', clients.alpha, logger, new FileJournal(journalDir))
        // /pin is in the writable layer on purpose (it pins the original); the recreation may drop it.
        .linkContainers({ client: web, target: database, alias: 'db', writableLayer: 'discard' }, { retry: { attempts: 2, delayMs: 200 } })
        .catch((caught: unknown) => caught);
    } finally {
      execFileSync('chattr', ['-i', pinned]);
    }
    assert.ok(IncompleteChangeError.is(error) && error.reason === 'incomplete', String(error));
    const now = inspect(host, web);
    assert.notEqual(now.Id, before.Id);
    assert.equal(now.State.Running, true, 'the new container runs');
    assert.equal(sh(host, web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');

    await recover('alpha', web, journalDir, 'finish');
    assertSameContainer(before, inspect(host, web), 'recreated', ['Links']);
    assert.equal(docker(host, ['ps', '-a', '--filter', `name=^/${web}`, '--format', '{{.Names}}']), web);
  });

  it('beta (ssh): every reply lost after the engine acted: the executor looks again and completes the change', async () => {
    const host = hosts.beta;
    const { web } = seed(host);
    const before = inspect(host, web);
    const volume = uniqueName('shared');
    volumes.push([host, volume]);
    const lost: string[] = [];
    const operations = new LinkOperations(
      'beta',
      losingReplies(clients.beta, (call) => mutatingCalls.has(call), lost),
      logger,
    );
    await operations.shareVolume({ containers: [web], volume, mountPath: '/shared' }, { retry: { attempts: 3, delayMs: 200 } });
    assert.deepEqual(lost, ['createVolume', 'renameContainer', 'stopContainer', 'createContainer', 'connectNetwork', 'startContainer', 'removeContainer']);
    assertSameContainer(before, inspect(host, web), 'recreated', ['Mounts']);
    assert.equal(sh(host, web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');
    assert.equal(docker(host, ['ps', '-a', '--filter', `name=^/${web}`, '--format', '{{.Names}}']), web);
  });

  it('beta (ssh): the create reply is dropped on the wire (iptables); the executor looks again once the host answers, and the container ends intact', async function () {
    // Retries take about 20 s; a hang must fail the test, not hold the whole suite for the file's 10 minutes.
    this.timeout(120_000);
    const host = hosts.beta;
    const { web, database } = seed(host);
    const before = inspect(host, web);
    // Over the OpenSSH client (what "auto" picks where ssh is installed). Over the builtin client, in about one full run
    // of this file in three, every call still timed out for some 40 s after the outage although TCP had recovered
    // within 3 s (ss) and the engine answered on its own socket: not understood yet, and not what this test is about.
    const shortCalls = new DockerodeClient(parseHostEntry(settingFor('beta')), logger, { callTimeoutMs: 3_000, sshFiles: testbedSshFiles(), openSsh: testbedOpenSsh() });
    // sshd's larger packets out of beta are dropped: the request reaches the engine, its answer does not come back.
    // Small ones (ACKs, the confirmation of a new channel) pass: dropping those too held a request that needed a
    // fresh channel on this side of the wire, so the engine never saw it and the test saw a correct rollback instead.
    const rule = ['OUTPUT', '-p', 'tcp', '--sport', '22', '-m', 'length', '--length', '300:65535', '-j', 'DROP'];
    let timer: NodeJS.Timeout | undefined;
    let ruleIn = false;
    const removeRule = () => {
      if (ruleIn) {
        ruleIn = false;
        inNamespace('beta', ['iptables', '-D', ...rule]);
      }
    };
    try {
      await new LinkOperations('beta', shortCalls, logger).linkContainers(
        { client: web, target: database, alias: 'db' },
        {
          retry: { attempts: 3, delayMs: 3_000 },
          beforeStep: (step) => {
            if (step.kind === 'createContainer' && !timer) {
              inNamespace('beta', ['iptables', '-I', ...rule]);
              ruleIn = true;
              timer = setTimeout(removeRule, 4_000);
            }
          },
        },
      );
    } finally {
      if (timer) {
        clearTimeout(timer);
      }
      removeRule();
      shortCalls.dispose();
    }
    assert.ok(
      logger.lines.some((line) => /create .*but the host shows it done/.test(line)),
      'the create reply was lost and the executor looked again',
    );
    assertSameContainer(before, inspect(host, web), 'recreated', ['Links']);
    assert.equal(sh(host, web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');
    assert.equal(docker(host, ['ps', '-a', '--filter', `name=^/${web}`, '--format', '{{.Names}}']), web);
  });
});
