import * as assert from 'node:assert/strict';
import { ConfigError, type ConfigErrorReason } from '../../src/core/errors';
import { type CrossLinkRequest, planCrossLink } from '../../src/core/ambassadors/crossLinkPlanner';
import { planLegacyLink } from '../../src/core/links/linkPlanner';
import type { ContainerSummary } from '../../src/core/types';
import { planNetworkConnect } from '../../src/core/links/networkPlanner';
import { planShareVolume } from '../../src/core/links/volumePlanner';
import { recreateBody, recreateSteps } from '../../src/core/planning/recreate';
import { inspectDocument, subject } from './fakes/inspectDocument';

/** A refusal with this reason (tests check reasons, never message text). */
const refused = (reason: ConfigErrorReason) => (error: unknown) => ConfigError.is(error, reason);

describe('planners (unit)', () => {
  describe('recreate', () => {
    const web = inspectDocument('web', {
      config: { Env: ['A=1'], Labels: { team: 'payments' }, User: '1000', WorkingDir: '/srv', Hostname: 'web-host' },
      hostConfig: {
        Links: ['/cache:/web/cache'],
        Binds: ['data:/data'],
        RestartPolicy: { Name: 'unless-stopped' },
        PortBindings: { '8080/tcp': [{ HostIp: '10.0.0.1', HostPort: '18080' }] },
      },
      networks: {
        bridge: { Aliases: null, Links: null, IPAMConfig: null },
        appnet: { Aliases: ['aaaaaaaaaaaa', 'web-host', 'frontend'], Links: null, IPAMConfig: { IPv4Address: '172.29.0.10' } },
      },
      mounts: [
        { Type: 'volume', Name: 'data', Source: '/v/data', Destination: '/data', RW: true },
        { Type: 'volume', Name: '3f2a9c', Source: '/v/3f2a9c', Destination: '/anon', RW: false },
        { Type: 'bind', Source: '/etc/app', Destination: '/etc/app', RW: true },
      ],
      id: `aaaaaaaaaaaa${'b'.repeat(52)}`,
    });

    it('carries every Config and HostConfig setting, adding only the change', () => {
      const { body, extraNetworks } = recreateBody(subject(web), { addLinks: ['db:db'] });
      assert.deepEqual(body.Env, ['A=1']);
      assert.deepEqual(body.Labels, { team: 'payments' });
      assert.equal(body.User, '1000');
      assert.equal(body.Hostname, 'web-host');
      assert.deepEqual(body.HostConfig?.RestartPolicy, { Name: 'unless-stopped' });
      assert.deepEqual(body.HostConfig?.PortBindings, { '8080/tcp': [{ HostIp: '10.0.0.1', HostPort: '18080' }] });
      assert.deepEqual(body.HostConfig?.Binds, ['data:/data']);
      assert.deepEqual(body.HostConfig?.Links, ['cache:cache', 'db:db'], 'inspect links are rewritten to the create format, then the new one');
      assert.deepEqual(body.HostConfig?.Mounts, [{ Type: 'volume', Source: '3f2a9c', Target: '/anon', ReadOnly: true }], 'the anonymous volume follows');
      assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { bridge: { Aliases: null, Links: null, IPAMConfig: null } } });
      assert.deepEqual(extraNetworks, [{ network: 'appnet', endpoint: { Aliases: ['frontend'], Links: null, IPAMConfig: { IPv4Address: '172.29.0.10' } } }]);
    });

    it('parks the original until the new container runs, and removes it last', () => {
      const steps = recreateSteps(subject(web), { addLinks: ['db:db'] }, 'new');
      assert.deepEqual(
        steps.map((step) => step.kind),
        ['renameContainer', 'stopContainer', 'createContainer', 'connectNetwork', 'startContainer', 'removeContainer'],
      );
      const stopped = inspectDocument('idle', { running: false });
      assert.deepEqual(
        recreateSteps(subject(stopped), {}, 'new').map((step) => step.kind),
        ['renameContainer', 'createContainer', 'removeContainer'],
        'a stopped container stays stopped',
      );
    });

    it('refuses containers started with --rm and link targets', () => {
      assert.throws(() => recreateSteps(subject(inspectDocument('tmp', { hostConfig: { AutoRemove: true } })), {}, 'n'), refused('autoRemove'));
      assert.throws(() => recreateSteps(subject(web, ['proxy', 'worker']), {}, 'n'), refused('legacyLinkTarget'));
    });
  });

  describe('planCrossLink', () => {
    const squatter = (name: string): ContainerSummary =>
      ({ id: `id-${name}`, name, image: 'img', state: 'running', labels: {}, networks: [], ports: [] }) as unknown as ContainerSummary;
    const request = (overrides: Partial<CrossLinkRequest> = {}, client = inspectDocument('bw'), clientContainers: ContainerSummary[] = []): CrossLinkRequest => ({
      target: { details: inspectDocument('oracle'), port: 1521, host: { name: 'alpha', containers: [], networks: [] }, address: '10.231.0.11' },
      client: { subject: subject(client), host: { name: 'beta', containers: clientContainers, networks: [] } },
      alias: 'oracle',
      mode: 'network',
      image: 'socat',
      publish: 11521,
      ...overrides,
    });

    it('plans both sides of a valid request', () => {
      assert.equal(planCrossLink(request()).clientAmbassador, 'crosslink-cli-bw-oracle');
    });

    it('refuses each bad request with its own reason', () => {
      const base = request();
      assert.throws(() => planCrossLink({ ...base, alias: 'not a label' }), refused('invalidAlias'));
      assert.throws(() => planCrossLink({ ...base, target: { ...base.target, port: 0 } }), refused('invalidPort'));
      assert.throws(() => planCrossLink({ ...base, client: { ...base.client, host: { ...base.client.host, name: 'alpha' } } }), refused('sameHost'));
      assert.throws(() => planCrossLink({ ...base, publish: 'reuse' }), refused('portNotPublished'));
      assert.throws(
        () => planCrossLink({ ...base, target: { ...base.target, host: { ...base.target.host, containers: [squatter('crosslink-srv-oracle-1521')] } } }),
        refused('nameTaken'),
      );
      assert.throws(() => planCrossLink(request({}, inspectDocument('bw'), [squatter('crosslink-cli-bw-oracle')])), refused('aliasTaken'));
      assert.throws(() => planCrossLink(request({ mode: 'link' }, inspectDocument('bw', { hostConfig: { NetworkMode: 'appnet' } }))), refused('bridgeRequired'));
      assert.throws(() => planCrossLink(request({ mode: 'link' }, inspectDocument('bw', { networks: { podman: {} } }))), refused('engineUnsupported'));
    });
  });

  describe('planLegacyLink', () => {
    const client = inspectDocument('web');
    const target = inspectDocument('database');
    const plan = (overrides: Partial<Parameters<typeof planLegacyLink>[0]>) => planLegacyLink({ host: 'alpha', client: subject(client), target, alias: 'db', ...overrides });

    it('recreates the client with target:alias', () => {
      const create = plan({}).steps.find((step) => step.kind === 'createContainer');
      assert.deepEqual(create?.kind === 'createContainer' && create.body.HostConfig?.Links, ['database:db']);
    });

    const refusals: Array<[string, Partial<Parameters<typeof planLegacyLink>[0]>, ConfigErrorReason]> = [
      ['itself', { target: client }, 'selfLink'],
      ['an alias that is not a DNS label', { alias: 'db_1' }, 'invalidAlias'],
      ['a client on a user network', { client: subject(inspectDocument('web', { hostConfig: { NetworkMode: 'appnet' } })) }, 'bridgeRequired'],
      ['a target off the default bridge', { target: inspectDocument('database', { networks: { appnet: {} } }) }, 'bridgeRequired'],
      ['a target on Podman (no legacy links there)', { target: inspectDocument('database', { networks: { podman: {} } }) }, 'engineUnsupported'],
      ['an alias already used for another target', { client: subject(inspectDocument('web', { hostConfig: { Links: ['/other:/web/db'] } })) }, 'aliasTaken'],
    ];
    for (const [what, overrides, reason] of refusals) {
      it(`refuses ${what}`, () => assert.throws(() => plan(overrides), refused(reason)));
    }

    it('does nothing when the link exists', () => {
      assert.equal(plan({ client: subject(inspectDocument('web', { hostConfig: { Links: ['/database:/web/db'] } })) }).steps.length, 0);
    });
  });

  describe('planNetworkConnect', () => {
    const api = inspectDocument('api');
    const cache = inspectDocument('cache', { networks: { bridge: {}, appnet: { Aliases: ['redis'] } } });

    it('creates a managed network and connects only what is not connected yet', () => {
      const plan = planNetworkConnect({ host: 'alpha', networkName: 'appnet', containers: [api, cache], aliases: { api: 'backend' } });
      assert.deepEqual(plan.description, ['create network appnet', 'connect api to appnet as backend']);
      const create = plan.steps[0];
      assert.deepEqual(create.kind === 'createNetwork' && create.labels, { 'crosslink.managed': 'true', 'crosslink.role': 'network' });
    });

    it('reconnects to add an alias, keeping the old ones and restoring them on failure', () => {
      const plan = planNetworkConnect({
        host: 'alpha',
        networkName: 'appnet',
        existing: { id: 'n', name: 'appnet', driver: 'bridge', labels: {}, containers: {} },
        containers: [cache],
        aliases: { cache: 'kv' },
      });
      assert.deepEqual(plan.description, ['disconnect cache from appnet', 'connect cache to appnet as redis, kv']);
      assert.deepEqual(plan.steps[0].kind === 'disconnectNetwork' && plan.steps[0].restore, { Aliases: ['redis'] });
    });

    it('refuses built-in networks, other drivers, bad aliases and shared network stacks', () => {
      assert.throws(() => planNetworkConnect({ host: 'a', networkName: 'bridge', containers: [api], aliases: {} }), refused('invalidNetworkName'));
      assert.throws(
        () =>
          planNetworkConnect({ host: 'a', networkName: 'ov', existing: { id: 'n', name: 'ov', driver: 'overlay', labels: {}, containers: {} }, containers: [api], aliases: {} }),
        refused('networkDriverUnsupported'),
      );
      assert.throws(() => planNetworkConnect({ host: 'a', networkName: 'n1', containers: [api], aliases: { api: '-bad' } }), refused('invalidAlias'));
      assert.throws(
        () => planNetworkConnect({ host: 'a', networkName: 'n1', containers: [inspectDocument('side', { hostConfig: { NetworkMode: 'container:abc' } })], aliases: {} }),
        refused('networkModeUnsupported'),
      );
      assert.throws(() => planNetworkConnect({ host: 'a', networkName: 'n1', containers: [], aliases: {} }), refused('nothingPicked'));
    });
  });

  describe('planShareVolume', () => {
    it('creates the volume, skips containers that have it, and refuses a path in use', () => {
      const has = inspectDocument('has', { mounts: [{ Type: 'volume', Name: 'shared', Source: '/v', Destination: '/shared', RW: true }] });
      const lacks = inspectDocument('lacks');
      const plan = planShareVolume({ host: 'a', volumeName: 'shared', containers: [subject(has), subject(lacks)], mountPath: '/shared', readOnly: true });
      assert.equal(plan.description[0], 'create volume shared');
      const create = plan.steps.find((step) => step.kind === 'createContainer');
      assert.deepEqual(create?.kind === 'createContainer' && create.name, 'lacks');
      assert.deepEqual(create?.kind === 'createContainer' && create.body.HostConfig?.Mounts, [{ Type: 'volume', Source: 'shared', Target: '/shared', ReadOnly: true }]);
      const busy = inspectDocument('busy', { mounts: [{ Type: 'volume', Name: 'other', Source: '/v', Destination: '/shared', RW: true }] });
      assert.throws(() => planShareVolume({ host: 'a', volumeName: 'shared', containers: [subject(busy)], mountPath: '/shared', readOnly: false }), refused('mountPathTaken'));
      assert.throws(
        () => planShareVolume({ host: 'a', volumeName: 'Bad Name', containers: [subject(lacks)], mountPath: '/shared', readOnly: false }),
        refused('invalidVolumeName'),
      );
      assert.throws(() => planShareVolume({ host: 'a', volumeName: 'shared', containers: [subject(lacks)], mountPath: 'relative', readOnly: false }), refused('invalidMountPath'));
      assert.throws(() => planShareVolume({ host: 'a', volumeName: 'shared', containers: [], mountPath: '/shared', readOnly: false }), refused('nothingPicked'));
    });
  });
});
