import * as assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { verifyLink } from '../../src/core/links/verifyLink';
import { PlanError } from '../../src/core/planning/planExecutor';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { RecordingLogger, settingFor, testbed, testbedSshFiles, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const image = testbed.images.fixture;

type Inspect = Record<string, any>;

/**
 * Every top-level section of `docker inspect`, and what recreation may do to it. Anything not
 * listed here must be identical, so a new field in the engine's output is checked by default.
 */
const inspectExpectations: Array<[path: string, expectation: 'same' | 'engine-assigned' | 'link added']> = [
  ['Id', 'engine-assigned'],
  ['Created', 'engine-assigned'],
  ['State', 'engine-assigned'],
  ['ResolvConfPath', 'engine-assigned'],
  ['HostnamePath', 'engine-assigned'],
  ['HostsPath', 'engine-assigned'],
  ['LogPath', 'engine-assigned'],
  ['GraphDriver', 'engine-assigned'],
  ['RestartCount', 'engine-assigned'],
  ['NetworkSettings', 'engine-assigned'],
  ['HostConfig.Links', 'link added'],
  ['Name', 'same'],
  ['Config', 'same'],
  ['Image', 'same'],
  ['Mounts', 'same'], // but for Mode "" → "z" on anonymous volumes, now mounted explicitly so their data follows
  ['Platform', 'same'],
  ['Driver', 'same'],
  ['Args', 'same'],
  ['Path', 'same'],
];

function withoutPaths(document: Inspect, paths: string[]): Inspect {
  const copy = JSON.parse(JSON.stringify(document)) as Inspect;
  for (const path of paths) {
    const keys = path.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce((node, key) => node?.[key], copy);
    if (parent) {
      delete parent[last];
    }
  }
  return copy;
}

/** The engine lists Mounts in no fixed order (a Go map); sort them to compare documents. */
const withSortedMounts = (document: Inspect): Inspect => ({ ...document, Mounts: sortMounts(document.Mounts) });

const sortMounts = (mounts: Array<{ Destination: string; Mode: string }>) => [...mounts].sort((a, b) => a.Destination.localeCompare(b.Destination));

describe('Links on one host (integration)', function () {
  this.timeout(120_000);
  const logger = new RecordingLogger();
  const client = new DockerodeClient(parseHostEntry(settingFor('alpha')), logger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() });
  const operations = new LinkOperations('alpha', client, logger);
  const names: string[] = [];
  const networks: string[] = [];
  const volumes: string[] = [];
  const name = (prefix: string) => {
    const unique = uniqueName(prefix);
    names.push(unique);
    return unique;
  };
  const inspect = (container: string) => JSON.parse(docker(alphaHost, ['inspect', container]))[0] as Inspect;
  const sh = (container: string, script: string) => docker(alphaHost, ['exec', container, 'sh', '-c', script]);

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-40).join('\n'));
    }
  });

  after(() => {
    for (const container of names) {
      removeContainer(alphaHost, container);
      removeContainer(alphaHost, `${container}-crosslink-replaced`);
    }
    for (const network of networks) {
      docker(alphaHost, ['network', 'rm', network]);
    }
    for (const volume of volumes) {
      docker(alphaHost, ['volume', 'rm', '-f', volume]);
    }
    client.dispose();
  });

  /** Verify until it passes: a server started with exec -d needs a moment to listen. */
  async function waitForOk(check: () => Promise<{ ok: boolean; message: string }>): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const result = await check();
      if (result.ok) {
        return;
      }
      assert.ok(Date.now() < deadline, result.message);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** A database that answers one line per connection, and a web container with many settings and data in volumes. */
  function seedScenario() {
    const database = name('database');
    docker(alphaHost, ['run', '-d', '--name', database, '--expose', '3306', image, 'sh', '-c', 'while true; do echo db-ok | nc -l -p 3306; done']);
    const web = name('web');
    const dataVolume = uniqueName('web-data');
    volumes.push(dataVolume);
    const userNetwork = uniqueName('web-net');
    docker(alphaHost, ['network', 'create', userNetwork]);
    networks.push(userNetwork);
    docker(alphaHost, [
      'run', '-d', '--name', web,
      '-e', 'APP_MODE=production', '-e', 'GREETING=hello world',
      '--label', 'team=payments', '--label', 'tier=web',
      '--hostname', 'web-host', '--user', '0:0', '--workdir', '/srv',
      '-v', `${dataVolume}:/data`, '-v', '/anon',
      '-p', `${alphaHost.ip}:${18000 + Math.floor(Math.random() * 2000)}:8080`,
      '--restart', 'unless-stopped', '--memory', '64m', '--cpu-shares', '512', '--stop-timeout', '1',
      '--log-opt', 'max-size=1m', '--add-host', 'legacy-db:10.0.0.9', '--cap-add', 'NET_ADMIN',
      '--entrypoint', 'sh', image, '-c', 'mkdir -p /srv && exec sleep 86400',
    ]);
    docker(alphaHost, ['network', 'connect', '--alias', 'frontend', userNetwork, web]);
    sh(web, 'echo named > /data/kept.txt && echo anonymous > /anon/kept.txt');
    return { database, web, dataVolume, userNetwork };
  }

  it('links web → database: web resolves and reaches it by alias, and only the link changed in inspect', async () => {
    const { database, web } = seedScenario();
    const before = inspect(web);
    await operations.linkContainers({ client: web, target: database, alias: 'db' });
    const after = inspect(web);

    assert.notEqual(after.Id, before.Id, 'web was recreated');
    assert.equal(after.Name, before.Name, 'web keeps its name');
    assert.equal(after.State.Running, true);
    assert.deepEqual(after.HostConfig.Links, [`/${database}:/${web}/db`]);
    const engineAssigned = inspectExpectations.filter(([, expectation]) => expectation !== 'same').map(([path]) => path);
    // Anonymous volumes become explicit mounts so their data follows; everything else in HostConfig is equal.
    const hostConfigBefore = withoutPaths(before.HostConfig, ['Links', 'Mounts']);
    const hostConfigAfter = withoutPaths(after.HostConfig, ['Links', 'Mounts']);
    assert.deepEqual(hostConfigAfter, hostConfigBefore, 'HostConfig differs beyond the link');
    for (const [path, expectation] of inspectExpectations.filter(([, expectation]) => expectation === 'same')) {
      const pick = (document: Inspect) => (path === 'Mounts' ? sortMounts(document.Mounts).map(({ Mode: _mode, ...mount }) => mount) : document[path]);
      assert.deepEqual(pick(after), pick(before), `${path} should be ${expectation}`);
    }
    const rest = (document: Inspect) => withoutPaths(document, [...engineAssigned, ...inspectExpectations.map(([path]) => path), 'HostConfig']);
    assert.deepEqual(rest(after), rest(before), 'a section of inspect not in the table changed');
    assert.deepEqual(after.NetworkSettings.Networks[Object.keys(before.NetworkSettings.Networks).find((n) => n !== 'bridge')!].Aliases.filter((a: string) => a === 'frontend'), ['frontend'], 'user network alias kept');

    assert.match(sh(web, 'ping -c1 -W1 db | head -1'), /^PING db \(\d+\.\d+\.\d+\.\d+\)/);
    assert.equal(sh(web, 'nc db 3306 </dev/null'), 'db-ok');
    assert.equal(sh(web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');
    assert.equal(docker(alphaHost, ['ps', '-a', '--filter', `name=${web}-crosslink-replaced`, '--format', '{{.Names}}']), '', 'the original is gone');

    const verified = await verifyLink(client, logger, { client: await client.inspectContainer(web), alias: 'db', port: 3306, helperImage: testbed.images.socat });
    assert.equal(verified.ok, true, verified.message);
    assert.equal(verified.resolvedIp, inspect(database).NetworkSettings.Networks.bridge.IPAddress);
    assert.ok(verified.connectMs !== undefined && verified.connectMs >= 0);

    const again = await operations.linkContainers({ client: web, target: database, alias: 'db' });
    assert.equal(again.steps.length, 0, 'linking twice changes nothing');
  });

  it('verifies a link from a client without a shell through a helper in its network namespace, and reports the failing step', async () => {
    const { database } = seedScenario();
    const bare = name('bare');
    docker(alphaHost, ['run', '-d', '--name', bare, '--stop-timeout', '1', '--link', `${database}:db`, image, 'sleep', '600']);
    docker(alphaHost, ['exec', bare, 'rm', '/bin/sh', '/bin/ash']);
    const details = await client.inspectContainer(bare);
    const reached = await verifyLink(client, logger, { client: details, alias: 'db', port: 3306, helperImage: testbed.images.socat });
    assert.equal(reached.ok, true, reached.message);
    assert.equal(reached.resolvedIp, inspect(database).NetworkSettings.Networks.bridge.IPAddress);
    const closedPort = await verifyLink(client, logger, { client: details, alias: 'db', port: 3999, helperImage: testbed.images.socat });
    assert.deepEqual([closedPort.ok, closedPort.failedStep, closedPort.failedHop, closedPort.reason], [false, 'connect', 'target', 'notListening']);
    const unknown = await verifyLink(client, logger, { client: details, alias: 'nothing-here', port: 3306, helperImage: testbed.images.socat });
    assert.deepEqual([unknown.ok, unknown.failedStep, unknown.failedHop, unknown.reason], [false, 'resolve', 'resolve', 'notResolving']);
    const helpers = docker(alphaHost, ['ps', '-a', '--filter', 'label=crosslink.role=verify-helper', '--format', '{{.Names}}']);
    assert.equal(helpers, '', 'helpers are removed');
  });

  it('puts the original back, running and unchanged, when the new container fails to start', async () => {
    const { database, web } = seedScenario();
    const before = inspect(web);
    await assert.rejects(
      operations.linkContainers(
        { client: web, target: database, alias: 'db' },
        {
          beforeStep: (step) => {
            if (step.kind === 'startContainer') {
              throw new Error('injected: the engine refused to start the new container');
            }
          },
        },
      ),
      (error: unknown) => PlanError.is(error) && /could not start .*injected.*put back as it was/.test(error.message) && error.rollbackFailures.length === 0,
    );
    const after = inspect(web);
    assert.equal(after.Id, before.Id, 'the original container is back');
    assert.equal(after.Name, before.Name);
    assert.equal(after.State.Running, true);
    assert.deepEqual(after.HostConfig, before.HostConfig);
    assert.deepEqual(after.Config, before.Config);
    assert.equal(sh(web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');
    assert.equal(docker(alphaHost, ['ps', '-a', '--filter', `name=${web}`, '--format', '{{.Names}}']), web, 'no leftover container');
  });

  it('says exactly what it could not undo when the engine blocks the rollback too (port taken meanwhile)', async () => {
    const { database, web } = seedScenario();
    const before = inspect(web);
    const thief = name('port-thief');
    const publishedPort = before.NetworkSettings.Ports['8080/tcp'][0].HostPort;
    await assert.rejects(
      operations.linkContainers(
        { client: web, target: database, alias: 'db' },
        {
          // Once the original released its port, another container takes it: neither can start.
          beforeStep: (step) => {
            if (step.kind === 'startContainer') {
              docker(alphaHost, ['run', '-d', '--name', thief, '-p', `${alphaHost.ip}:${publishedPort}:9999`, image, 'sleep', '600']);
            }
          },
        },
      ),
      (error: unknown) =>
        PlanError.is(error) && error.rollbackFailures.length === 1 && /Undone, except: start .* again \(.*port is already allocated/.test(error.message),
    );
    const after = inspect(web);
    assert.equal(after.Id, before.Id, 'the original keeps its name and id');
    removeContainer(alphaHost, thief);
    docker(alphaHost, ['start', web]);
    assert.equal(sh(web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous', 'and its data');
  });

  it('refuses a missing target, an invalid alias and a self-link, changing nothing', async () => {
    const { web } = seedScenario();
    const before = inspect(web);
    await assert.rejects(operations.linkContainers({ client: web, target: 'no-such-container', alias: 'db' }), (error: unknown) => ConfigError.is(error) && /no container "no-such-container"/.test(error.message));
    await assert.rejects(operations.linkContainers({ client: web, target: web, alias: 'db' }), /cannot be linked to itself/);
    const { database } = seedScenario();
    await assert.rejects(operations.linkContainers({ client: web, target: database, alias: 'bad_alias!' }), /not a DNS label/);
    assert.deepEqual(withSortedMounts(inspect(web)), withSortedMounts(before));
  });

  it('connects two containers on a new network: they resolve each other by name and alias', async () => {
    const first = name('api');
    const second = name('cache');
    for (const container of [first, second]) {
      docker(alphaHost, ['run', '-d', '--name', container, image, 'sleep', '600']);
    }
    const network = uniqueName('crosslink-it');
    networks.push(network);
    const ids = [first, second].map((container) => inspect(container).Id);
    await operations.connectNetwork({ containers: [first, second], network, aliases: { [second]: 'redis' } });
    assert.deepEqual([first, second].map((container) => inspect(container).Id), ids, 'nothing recreated');
    assert.equal(JSON.parse(docker(alphaHost, ['network', 'inspect', network]))[0].Labels['crosslink.managed'], 'true');
    for (const [from, to] of [
      [first, second],
      [first, 'redis'],
      [second, first],
    ]) {
      assert.match(sh(from, `ping -c1 -W1 ${to} | head -1`), new RegExp(`^PING ${to} \\(\\d+`), `${from} resolves ${to}`);
    }
    const again = await operations.connectNetwork({ containers: [first, second], network, aliases: { [second]: 'redis' } });
    assert.equal(again.steps.length, 0, 'connecting twice changes nothing');

    // Verify through the alias: the target behind it is found by its address and asked whether it listens.
    const verify = async () => verifyLink(client, logger, { client: await client.inspectContainer(first), alias: 'redis', port: 6379, helperImage: testbed.images.socat });
    const silent = await verify();
    assert.deepEqual([silent.ok, silent.failedHop, silent.reason], [false, 'target', 'notListening']);
    docker(alphaHost, ['exec', '-d', second, 'socat', 'TCP-LISTEN:6379,fork,reuseaddr', 'SYSTEM:echo PONG']);
    await waitForOk(verify);
    docker(alphaHost, ['stop', '-t', '1', second]);
    const stopped = await verify();
    assert.deepEqual([stopped.ok, stopped.failedHop, stopped.reason], [false, 'resolve', 'notResolving'], 'a stopped container leaves the network: nothing tells whose alias it was');
  });

  it('shares a named volume: a file written by one container is read by the other, read-only where asked', async () => {
    const writer = name('writer');
    const reader = name('reader');
    for (const container of [writer, reader]) {
      docker(alphaHost, ['run', '-d', '--name', container, '--stop-timeout', '1', image, 'sleep', '600']);
    }
    const volume = uniqueName('shared');
    volumes.push(volume);
    await operations.shareVolume({ containers: [writer], volume, mountPath: '/shared' });
    await operations.shareVolume({ containers: [reader], volume, mountPath: '/shared', readOnly: true });
    sh(writer, 'echo shared-data > /shared/file.txt');
    assert.equal(sh(reader, 'cat /shared/file.txt'), 'shared-data');
    assert.throws(() => sh(reader, 'echo nope > /shared/other.txt'), /Read-only/);
    await assert.rejects(operations.shareVolume({ containers: [writer], volume, mountPath: 'relative' }), /must be absolute/);
  });
});
