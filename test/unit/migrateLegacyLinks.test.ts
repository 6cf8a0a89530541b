import * as assert from 'node:assert/strict';
import { ConfigError, type ConfigErrorReason } from '../../src/core/errors';
import { fixedLinkVariables, isLinkVariable, linkVariableUse } from '../../src/core/links/linkVariables';
import { type MigrateLinksRequest, planMigrateLegacyLinks, suggestedNetwork } from '../../src/core/links/migrateLegacyLinks';
import { UnsavedChangesError } from '../../src/core/planning/recreate';
import type { ContainerDetails, NetworkSummary } from '../../src/core/types';
import { inspectDocument, subject } from './fakes/inspectDocument';

const postgres = inspectDocument('postgres-1', {
  config: { Env: ['PATH=/bin', 'HOME=/root', 'POSTGRES_USER=app'], ExposedPorts: { '5432/tcp': {}, '8001/tcp': {}, '8000/tcp': {}, '53/udp': {} } },
});
const cache = inspectDocument('cache', { config: { Env: ['PATH=/bin'], ExposedPorts: { '6379/tcp': {} } } });
const web = (config: object = {}, hostConfig: object = {}) =>
  inspectDocument('web', { config: { Env: ['PATH=/bin', 'MODE=prod'], ...config }, hostConfig: { Links: ['/postgres-1:/web/db', '/cache:/web/cache'], ...hostConfig } });

const parked = `web-crosslink-replaced-${web().id.slice(0, 8)}`;

function request(overrides: Partial<MigrateLinksRequest> = {}, client: ContainerDetails = web()): MigrateLinksRequest {
  return { host: 'alpha', client: subject(client), targets: [postgres, cache], network: 'web-links', others: [], keepLinkVariables: false, ...overrides };
}

describe('Migrate Legacy Links (unit)', () => {
  describe('link variables', () => {
    it("are the engine's, with the alias where the engine wrote the target's address (ports sorted TCP first, ranges, name, env but HOME and PATH)", () => {
      assert.deepEqual(fixedLinkVariables('web', { target: 'postgres-1', alias: 'db' }, postgres), [
        'DB_PORT=tcp://db:5432',
        'DB_PORT_5432_TCP=tcp://db:5432',
        'DB_PORT_5432_TCP_ADDR=db',
        'DB_PORT_5432_TCP_PORT=5432',
        'DB_PORT_5432_TCP_PROTO=tcp',
        'DB_PORT_8000_TCP=tcp://db:8000',
        'DB_PORT_8000_TCP_ADDR=db',
        'DB_PORT_8000_TCP_PORT=8000',
        'DB_PORT_8000_TCP_PROTO=tcp',
        'DB_PORT_8001_TCP=tcp://db:8001',
        'DB_PORT_8001_TCP_ADDR=db',
        'DB_PORT_8001_TCP_PORT=8001',
        'DB_PORT_8001_TCP_PROTO=tcp',
        'DB_PORT_53_UDP=udp://db:53',
        'DB_PORT_53_UDP_ADDR=db',
        'DB_PORT_53_UDP_PORT=53',
        'DB_PORT_53_UDP_PROTO=udp',
        'DB_PORT_8000_TCP_START=tcp://db:8000',
        'DB_PORT_8000_TCP_PORT_START=8000',
        'DB_PORT_8000_TCP_END=tcp://db:8001',
        'DB_PORT_8000_TCP_PORT_END=8001',
        'DB_NAME=/web/db',
        'DB_ENV_POSTGRES_USER=app',
      ]);
      assert.deepEqual(
        fixedLinkVariables('web', { target: 'x', alias: 'my-db' }, inspectDocument('x', { config: { Env: null } })),
        ['MY_DB_NAME=/web/my-db'],
        'no ports, no env: only the name',
      );
    });

    it("are told apart from other variables by the alias's prefix and the engine's suffixes", () => {
      for (const name of ['DB_PORT', 'DB_PORT_5432_TCP', 'DB_PORT_5432_TCP_ADDR', 'DB_PORT_8000_TCP_PORT_END', 'DB_NAME', 'DB_ENV_POSTGRES_USER']) {
        assert.ok(isLinkVariable(name, 'db'), name);
      }
      for (const name of ['DB_HOST', 'DBX_PORT', 'DB_PORT_X', 'DB_ENV_', 'CACHE_PORT']) {
        assert.ok(!isLinkVariable(name, 'db'), name);
      }
      assert.ok(isLinkVariable('MY_DB_PORT', 'my-db'));
    });

    it('are present when the container sets them itself (not what its image sets), when its process has them, or (not looked at) on an engine before 29', () => {
      const facts = { imageEnv: ['PATH=/bin', 'DB_PORT=5432'], apiVersion: '1.52' };
      assert.deepEqual(
        linkVariableUse(web({ Env: ['PATH=/bin', 'DB_PORT=5432'] }), facts),
        { present: false, evidence: 'none', variables: [] },
        "the image's DB_PORT is not a link variable",
      );
      assert.deepEqual(linkVariableUse(web({ Env: ['PATH=/bin', 'DB_PORT_5432_TCP_ADDR=db'] }), facts), {
        present: true,
        evidence: 'config',
        variables: ['DB_PORT_5432_TCP_ADDR'],
      });
      assert.deepEqual(linkVariableUse(web(), { ...facts, processEnv: ['PATH=/bin', 'CACHE_NAME=/web/cache', 'HOSTNAME=x'] }), {
        present: true,
        evidence: 'process',
        variables: ['CACHE_NAME'],
      });
      assert.deepEqual(linkVariableUse(web(), { ...facts, apiVersion: '1.41' }), { present: true, evidence: 'engine', variables: [] }, 'Docker 20.10 injects them at start');
      assert.deepEqual(linkVariableUse(web(), facts), { present: false, evidence: 'none', variables: [] }, 'Docker 29 does not');
      assert.deepEqual(
        linkVariableUse(web(), { ...facts, apiVersion: '1.41', processEnv: ['PATH=/bin'] }),
        { present: false, evidence: 'none', variables: [] },
        'the process env, when read, decides',
      );
      assert.deepEqual(linkVariableUse(inspectDocument('plain'), { ...facts, apiVersion: '1.41' }).present, false, 'no links, no variables');
    });
  });

  describe('planner', () => {
    it('creates a managed network, connects the targets with the aliases (none for an alias that is the name), and recreates the client without links, on the network', () => {
      const { plan, moved, kept, env, network } = planMigrateLegacyLinks(request());
      assert.deepEqual(plan.description, [
        'create network web-links',
        'connect postgres-1 to web-links as db',
        'connect cache to web-links',
        `rename web to ${parked}`,
        'stop web',
        'create web',
        'connect web to web-links',
        'start web',
        `remove ${parked}`,
      ]);
      assert.deepEqual(plan.steps[0], { kind: 'createNetwork', name: 'web-links', labels: { 'crosslink.managed': 'true', 'crosslink.role': 'network' } });
      const create = plan.steps.find((step) => step.kind === 'createContainer')!;
      assert.ok(create.kind === 'createContainer');
      assert.equal(create.body.HostConfig?.Links, null, 'no legacy links left');
      assert.deepEqual(create.body.Env, ['PATH=/bin', 'MODE=prod'], 'no variables unless asked');
      assert.deepEqual(Object.keys(create.body.NetworkingConfig?.EndpointsConfig ?? {}), ['bridge'], 'API 1.41 creates on one network; the others are connected before start');
      assert.deepEqual(
        [moved, kept, env, network],
        [
          [
            { target: 'postgres-1', alias: 'db' },
            { target: 'cache', alias: 'cache' },
          ],
          [],
          [],
          'web-links',
        ],
      );
    });

    it('on API 1.44+ the client is created on the network right away', () => {
      const { plan } = planMigrateLegacyLinks({ ...request(), client: subject(web(), [], { apiVersion: '1.44' }) });
      const create = plan.steps.find((step) => step.kind === 'createContainer')!;
      assert.ok(create.kind === 'createContainer');
      assert.deepEqual(create.body.NetworkingConfig?.EndpointsConfig?.['web-links'], { Aliases: null });
      assert.ok(!plan.steps.some((step) => step.kind === 'connectNetwork' && step.name === 'web'));
    });

    it("with keepLinkVariables sets the links' variables, except names the container sets itself", () => {
      const { plan, env } = planMigrateLegacyLinks(request({ keepLinkVariables: true }, web({ Env: ['PATH=/bin', 'DB_PORT=tcp://legacy:1'] })));
      const create = plan.steps.find((step) => step.kind === 'createContainer')!;
      assert.ok(create.kind === 'createContainer');
      assert.ok(create.body.Env?.includes('DB_PORT=tcp://legacy:1'), 'its own value stays');
      assert.ok(!env.includes('DB_PORT'));
      assert.ok(create.body.Env?.includes('DB_PORT_5432_TCP_ADDR=db'));
      assert.ok(create.body.Env?.includes('CACHE_PORT=tcp://cache:6379'));
      assert.ok(create.body.Env?.includes('CACHE_NAME=/web/cache'));
      assert.deepEqual(env.length, create.body.Env!.length - 2);
    });

    it('reuses a network: targets there with the alias are left alone, the client already on it keeps its endpoint', () => {
      const onNet = (details: ContainerDetails, aliases: string[]) =>
        inspectDocument(details.name, {
          id: details.id,
          config: (details.raw as { Config: object }).Config,
          hostConfig: (details.raw as { HostConfig: object }).HostConfig,
          networks: { bridge: { IPAddress: '172.17.0.3' }, shared: { Aliases: aliases, IPAddress: '172.20.0.3' } },
        });
      const existing: NetworkSummary = { id: 'n1', name: 'shared', driver: 'bridge', labels: {}, containers: {} };
      const { plan } = planMigrateLegacyLinks(request({ network: 'shared', existing, targets: [onNet(postgres, ['db']), onNet(cache, [])] }, onNet(web(), [])));
      assert.deepEqual(plan.description.slice(0, 2), [`rename web to ${parked}`, 'stop web']);
      assert.equal(plan.description.filter((line) => line === 'connect web to shared').length, 1, "the client's own endpoint is carried, not added again");
      const withoutAlias = planMigrateLegacyLinks(request({ network: 'shared', existing, targets: [onNet(postgres, ['pg']), cache] }));
      assert.deepEqual(withoutAlias.plan.description.slice(0, 3), ['disconnect postgres-1 from shared', 'connect postgres-1 to shared as pg, db', 'connect cache to shared']);
    });

    it('refuses an alias another container answers to on the network, and says which', () => {
      const existing: NetworkSummary = { id: 'n1', name: 'shared', driver: 'bridge', labels: {}, containers: {} };
      for (const others of [[{ name: 'db', aliases: [] }], [{ name: 'other', aliases: ['db'] }]]) {
        assert.throws(
          () => planMigrateLegacyLinks(request({ network: 'shared', existing, others })),
          (error: unknown) => ConfigError.is(error, 'aliasTaken') && /"db" already names (db|other)/.test(error.message),
        );
      }
    });

    it("keeps links to Crosslink's ambassadors (their cross-host link owns them)", () => {
      const ambassador = { ...cache, labels: { 'crosslink.managed': 'true' } };
      const { moved, kept, plan } = planMigrateLegacyLinks(request({ targets: [postgres, ambassador] }));
      assert.deepEqual([moved, kept], [[{ target: 'postgres-1', alias: 'db' }], [{ target: 'cache', alias: 'cache' }]]);
      const create = plan.steps.find((step) => step.kind === 'createContainer')!;
      assert.ok(create.kind === 'createContainer');
      assert.deepEqual(create.body.HostConfig?.Links, ['cache:cache']);
    });

    it('refuses what it cannot migrate, each with what to do, changing nothing', () => {
      const refuses = (overrides: Partial<MigrateLinksRequest>, client: ContainerDetails | undefined, reason: ConfigErrorReason) =>
        assert.throws(
          () => planMigrateLegacyLinks(request(overrides, client)),
          (error: unknown) => ConfigError.is(error, reason),
        );
      refuses({}, inspectDocument('web'), 'noLegacyLinks');
      refuses({}, web({}, { NetworkMode: 'app-net' }), 'networkModeUnsupported');
      refuses({ network: 'bridge' }, undefined, 'invalidNetworkName');
      refuses({ existing: { id: 'o', name: 'web-links', driver: 'overlay', labels: {}, containers: {} } }, undefined, 'networkDriverUnsupported');
      refuses({ targets: [cache] }, undefined, 'containerNotFound');
      refuses({ targets: [postgres, { ...cache, labels: { 'crosslink.managed': 'true' } }] }, web({}, { Links: ['/cache:/web/cache'] }), 'linksOwnedByCrossLink');
      assert.throws(
        () => planMigrateLegacyLinks({ ...request(), client: subject(web(), [], { changes: [{ path: '/root/notes', kind: 'added' }] }) }),
        (error: unknown) => UnsavedChangesError.is(error) && error.reason === 'unsavedChanges',
      );
    });
  });

  it('suggests a bridge network every target is on, else one named after the client', () => {
    const networks: NetworkSummary[] = [
      { id: '1', name: 'bridge', driver: 'bridge', labels: {}, containers: {} },
      { id: '2', name: 'app-net', driver: 'bridge', labels: {}, containers: {} },
    ];
    const on = (...names: string[]) => ({ networks: names.map((name) => ({ name, aliases: [] })) });
    assert.equal(suggestedNetwork({ name: 'web' }, [on('bridge', 'app-net'), on('bridge', 'app-net')], networks), 'app-net');
    assert.equal(suggestedNetwork({ name: 'web' }, [on('bridge', 'app-net'), on('bridge')], networks), 'web-links');
  });
});
