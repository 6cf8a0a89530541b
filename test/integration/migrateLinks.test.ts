import * as assert from 'node:assert/strict';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { verifyLink } from '../../src/core/links/verifyLink';
import { PlanError } from '../../src/core/planning/planExecutor';
import { UnsavedChangesError } from '../../src/core/planning/recreate';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { RecordingLogger, settingFor, tempDir, testbed, testbedSshFiles, uniqueName } from './harness';
import { type Inspect, assertSameContainer } from './inspectFidelity';
import { killAtStep, recoverFromJournal } from './interruptedChange';
import { losingReplies } from './lostReplies';

const alpha = testbedHost(testbed, 'alpha', 0);
const image = testbed.images.fixture;

describe('Migrate Legacy Links (integration, alpha over tcp+TLS)', function () {
  this.timeout(180_000);
  const logger = new RecordingLogger();
  const client = new DockerodeClient(parseHostEntry(settingFor('alpha')), logger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() });
  const operations = new LinkOperations('alpha', client, logger);
  const containers: string[] = [];
  const networks: string[] = [];
  const volumes: string[] = [];
  const inspect = (name: string) => JSON.parse(docker(alpha, ['inspect', name]))[0] as Inspect;
  const sh = (container: string, script: string) => docker(alpha, ['exec', container, 'sh', '-c', script]);
  const networkExists = (name: string) => docker(alpha, ['network', 'ls', '--filter', `name=^${name}$`, '--format', '{{.Name}}']) === name;

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-60).join('\n'));
    }
  });

  after(() => {
    for (const name of containers) {
      for (const leftover of docker(alpha, ['ps', '-a', '--filter', `name=^/${name}`, '--format', '{{.Names}}'])
        .split('\n')
        .filter(Boolean)) {
        removeContainer(alpha, leftover);
      }
    }
    for (const network of networks.filter(networkExists)) {
      docker(alpha, ['network', 'rm', network]);
    }
    for (const volume of volumes) {
      docker(alpha, ['volume', 'rm', '-f', volume]);
    }
    client.dispose();
  });

  /**
   * Two servers that answer one line per connection, and a web container linked to both (as
   * "database" and "kv") with many settings, data in a named and an anonymous volume, and another
   * user network with an alias.
   */
  function seed(): { web: string; database: string; cache: string; network: string } {
    const [database, cache, web, data, userNetwork, network] = ['database', 'cache', 'web', 'web-data', 'web-net', 'migrated'].map(uniqueName);
    containers.push(database, cache, web);
    volumes.push(data);
    networks.push(userNetwork, network);
    docker(alpha, [
      'run',
      '-d',
      '--name',
      database,
      '--stop-timeout',
      '1',
      '--expose',
      '5432',
      '-e',
      'POSTGRES_USER=app',
      image,
      'sh',
      '-c',
      'while true; do echo db-ok | nc -l -p 5432; done',
    ]);
    docker(alpha, ['run', '-d', '--name', cache, '--stop-timeout', '1', '--expose', '6379', image, 'sh', '-c', 'while true; do echo cache-ok | nc -l -p 6379; done']);
    docker(alpha, ['network', 'create', userNetwork]);
    docker(alpha, [
      'run',
      '-d',
      '--name',
      web,
      '--link',
      `${database}:database`,
      '--link',
      `${cache}:kv`,
      '-e',
      'APP_MODE=production',
      '--label',
      'team=payments',
      '--hostname',
      'web-host',
      '--workdir',
      '/srv',
      '-v',
      `${data}:/data`,
      '-v',
      '/anon',
      '-p',
      `${alpha.ip}:${20000 + Math.floor(Math.random() * 5000)}:8080`,
      '--restart',
      'unless-stopped',
      '--memory',
      '64m',
      '--stop-timeout',
      '1',
      '--add-host',
      'legacy-db:10.0.0.9',
      image,
      'sh',
      '-c',
      'mkdir -p /srv && exec sleep 86400',
    ]);
    docker(alpha, ['network', 'connect', '--alias', 'frontend', userNetwork, web]);
    sh(web, 'echo named > /data/kept.txt && echo anonymous > /anon/kept.txt');
    return { web, database, cache, network };
  }

  it('moves a container with two --links to a network: both targets still answer by alias, every setting and its data kept, link variables set when asked', async () => {
    const { web, database, cache, network } = seed();
    sh(web, 'echo precious > /root/notes');
    const targetIds = [database, cache].map((name) => inspect(name).Id);

    const facts = await operations.legacyLinkFacts(web);
    assert.deepEqual(new Set(facts.links.map((link) => `${link.target}:${link.alias}`)), new Set([`${database}:database`, `${cache}:kv`]));
    assert.equal(facts.use.present, true, 'Docker 20.10 injected the link variables');
    assert.equal(facts.use.evidence, 'process');
    assert.ok(facts.use.variables.includes('DATABASE_PORT_5432_TCP_ADDR') && facts.use.variables.includes('KV_NAME'), facts.use.variables.join(', '));
    const scanned = (await operations.linkVariableDependents()).find((dependent) => dependent.container.name === web);
    assert.deepEqual([scanned?.use.present, scanned?.links.length], [true, 2], 'the host scan lists it');

    const before = inspect(web);
    await assert.rejects(
      operations.migrateLegacyLinks({ client: web, network, keepLinkVariables: true }),
      (error: unknown) => UnsavedChangesError.is(error) && error.reason === 'unsavedChanges' && JSON.stringify(error.containers[0].paths) === JSON.stringify(['/root/notes']),
    );
    assert.equal(inspect(web).Id, before.Id, 'the refusal changed nothing');
    assert.equal(networkExists(network), false, 'not even the network');

    const result = await operations.migrateLegacyLinks({ client: web, network, keepLinkVariables: true, writableLayer: 'copy' });
    const after = inspect(web);
    assert.equal(result.containerId, after.Id);
    assert.equal(after.HostConfig.Links, null, 'no legacy links left');
    const added: string[] = after.Config.Env.slice(before.Config.Env.length);
    assertSameContainer(before, after, 'recreated', ['Links'], added);
    assert.deepEqual(
      added.map((entry) => entry.split('=')[0]),
      result.env,
    );
    for (const expected of [
      'DATABASE_PORT=tcp://database:5432',
      'DATABASE_PORT_5432_TCP_ADDR=database',
      'DATABASE_ENV_POSTGRES_USER=app',
      `DATABASE_NAME=/${web}/database`,
      'KV_PORT_6379_TCP=tcp://kv:6379',
    ]) {
      assert.ok(added.includes(expected), `${expected} in ${added.join(' ')}`);
    }
    assert.deepEqual(Object.keys(after.NetworkSettings.Networks).sort(), Object.keys(before.NetworkSettings.Networks).concat(network).sort(), 'its networks, and the new one');
    assert.ok(after.NetworkSettings.Networks[Object.keys(before.NetworkSettings.Networks).find((name) => name !== 'bridge')!].Aliases.includes('frontend'), 'its other alias kept');
    assert.equal(JSON.parse(docker(alpha, ['network', 'inspect', network]))[0].Labels['crosslink.managed'], 'true');
    assert.deepEqual(
      [database, cache].map((name) => inspect(name).Id),
      targetIds,
      'the targets were connected, not recreated',
    );
    assert.ok(inspect(database).NetworkSettings.Networks[network].Aliases.includes('database'));
    assert.ok(inspect(cache).NetworkSettings.Networks[network].Aliases.includes('kv'));

    assert.match(sh(web, 'ping -c1 -W1 database | head -1'), /^PING database \(\d+\.\d+\.\d+\.\d+\)/);
    assert.equal(sh(web, 'nc database 5432 </dev/null'), 'db-ok');
    assert.equal(sh(web, 'nc kv 6379 </dev/null'), 'cache-ok');
    assert.equal(sh(web, 'echo "$DATABASE_PORT $KV_PORT_6379_TCP_ADDR"'), 'tcp://database:5432 kv', 'the fixed variables reach the process');
    assert.equal(sh(web, 'cat /data/kept.txt /anon/kept.txt /root/notes'), 'named\nanonymous\nprecious', 'volume data and the copied file');
    const verified = await verifyLink(client, logger, { client: await client.inspectContainer(web), alias: 'kv', port: 6379, helperImage: testbed.images.socat });
    assert.equal(verified.ok, true, verified.message);

    const rescanned = await operations.linkVariableDependents();
    assert.equal(
      rescanned.find((dependent) => dependent.container.name === web),
      undefined,
      'no legacy links left to list',
    );
  });

  it("rolls back when a step fails (a target's connect, the new container's start), then migrates without link variables", async () => {
    const { web, database, cache, network } = seed();
    const before = inspect(web);
    const targetsBefore = [database, cache].map((name) => Object.keys(inspect(name).NetworkSettings.Networks));
    for (const failAt of [
      (step: { kind: string; name?: string }) => step.kind === 'connectNetwork' && step.name === cache,
      (step: { kind: string }) => step.kind === 'startContainer',
    ]) {
      await assert.rejects(
        operations.migrateLegacyLinks(
          { client: web, network, keepLinkVariables: true },
          {
            beforeStep: (step) => {
              if (failAt(step)) {
                throw new Error('injected: the engine refused');
              }
            },
          },
        ),
        (error: unknown) => PlanError.is(error, 'stepFailed') && error.rollbackFailures.length === 0,
      );
      assertSameContainer(before, inspect(web), 'original', []);
      assert.deepEqual(
        [database, cache].map((name) => Object.keys(inspect(name).NetworkSettings.Networks)),
        targetsBefore,
        'the targets left the network again',
      );
      assert.equal(networkExists(network), false, 'the network it made is gone');
      assert.equal(sh(web, 'nc database 5432 </dev/null'), 'db-ok', 'the legacy link works again');
    }

    const result = await operations.migrateLegacyLinks({ client: web, network });
    assert.deepEqual(result.env, []);
    const after = inspect(web);
    assertSameContainer(before, after, 'recreated', ['Links']);
    assert.equal(sh(web, 'nc database 5432 </dev/null; nc kv 6379 </dev/null'), 'db-ok\ncache-ok');
    assert.equal(sh(web, 'echo "[$DATABASE_PORT]"'), '[]', 'no link variables any more');
    assert.equal(sh(web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');
  });

  it("the replies of the new container's create and of the original's removal never come: the executor looks again, and the move completes once", async () => {
    const { web, database, network } = seed();
    const before = inspect(web);
    const lost: string[] = [];
    const shown = logger.lines.length;
    const lossy = losingReplies(client, (call, args) => (call === 'createContainer' && args[0] === web) || (call === 'removeContainer' && args[0] === before.Id), lost);
    await new LinkOperations('alpha', lossy, logger).migrateLegacyLinks({ client: web, network }, { retry: { attempts: 3, delayMs: 500 } });
    assert.deepEqual(lost, ['createContainer', 'removeContainer']);
    assert.equal(logger.lines.slice(shown).filter((line) => line.includes('but the host shows it done')).length, 2, 'each step was checked again on the host');
    assertSameContainer(before, inspect(web), 'recreated', ['Links']);
    assert.equal(docker(alpha, ['ps', '-a', '--filter', `name=^/${web}`, '--format', '{{.Names}}']), web, 'one container: no second copy, no parked original');
    assert.equal(sh(web, 'nc database 5432 </dev/null; nc kv 6379 </dev/null'), 'db-ok\ncache-ok');
    assert.equal(sh(web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');
    assert.ok(inspect(database).NetworkSettings.Networks[network].Aliases.includes('database'));
  });

  it('killed (SIGKILL) with the original stopped and parked: Roll Back puts it and the targets back; killed before the new one starts: Finish completes the move', async () => {
    const { web, database, cache, network } = seed();
    const before = inspect(web);
    const targetsBefore = [database, cache].map((name) => Object.keys(inspect(name).NetworkSettings.Networks));
    const request = { client: web, network, keepLinkVariables: true };
    const journalDir = tempDir('crosslink-migrate-journal-');
    assert.equal(await killAtStep({ host: 'alpha', operation: 'migrate', request, journalDir, pauseAt: 5 }), 'createContainer');
    assert.equal(inspect(`${web}-crosslink-replaced-${before.Id.slice(0, 8)}`).State.Running, false, 'killed with the original parked and stopped');
    await recoverFromJournal(client, { host: 'alpha', container: web, journalDir, action: 'rollBack', logger });
    assertSameContainer(before, inspect(web), 'original', []);
    assert.deepEqual(
      [database, cache].map((name) => Object.keys(inspect(name).NetworkSettings.Networks)),
      targetsBefore,
      'the targets left the network',
    );
    assert.equal(networkExists(network), false, 'the network it made is gone');

    assert.equal(await killAtStep({ host: 'alpha', operation: 'migrate', request, journalDir, pauseAt: 8 }), 'startContainer');
    await recoverFromJournal(client, { host: 'alpha', container: web, journalDir, action: 'finish', logger });
    const after = inspect(web);
    assertSameContainer(before, after, 'recreated', ['Links'], after.Config.Env.slice(before.Config.Env.length));
    assert.equal(sh(web, 'nc database 5432 </dev/null; nc kv 6379 </dev/null'), 'db-ok\ncache-ok');
    assert.equal(sh(web, 'cat /data/kept.txt /anon/kept.txt'), 'named\nanonymous');
  });
});
