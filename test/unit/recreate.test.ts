import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { planShareVolume } from '../../src/core/links/volumePlanner';
import { silentLogger } from '../../src/core/like';
import { userAliases } from '../../src/core/values/aliases';
import { copyChangedPaths } from '../../src/core/planning/copyPaths';
import { newPlan } from '../../src/core/planning/plan';
import { executePlan } from '../../src/core/planning/planExecutor';
import { NamespaceDependentsError, UnsavedChangesError, recreateBody, recreateSteps, sharedNamespaces, versionAtLeast } from '../../src/core/planning/recreate';
import { ignoredPaths, unsavedChanges } from '../../src/core/planning/writableLayer';
import type { EndpointConfig, FilesystemChange } from '../../src/core/types';
import { FakeDockerClient } from './fakes/fakeDockerClient';
import { inspectDocument, subject } from './fakes/inspectDocument';
import { type RecordedVersion, anonymousVolume, imageVolume, recordedInspect, recordedVersions, shortId } from './fakes/recordedInspect';

const without = (record: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));

describe('recreate (unit)', () => {
  describe('create body from recorded inspect documents of Docker 20.10 to 29', () => {
    const appnet = { Aliases: ['frontend'], Links: null, IPAMConfig: { IPv4Address: '172.31.0.10' } };
    const backnet = { Aliases: ['second'], Links: null, IPAMConfig: null, DriverOpts: { 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.log_martians=1' } };
    const expected: Record<RecordedVersion, { containerMac?: string; inBody: Record<string, EndpointConfig>; connectedAfter: Record<string, EndpointConfig> }> = {
      // One network at create; the MAC only container-wide.
      '1.41': { containerMac: '02:42:ac:1f:00:0a', inBody: { appnet }, connectedAfter: { backnet } },
      // Every network at create; the configured MAC moves onto its endpoint; backnet's IP-derived MAC is not pinned.
      '1.44': { inBody: { appnet: { ...appnet, MacAddress: '02:42:ac:1f:00:0a' }, backnet }, connectedAfter: {} },
      // A MAC that is not derived from the IP was configured: pinned.
      '1.47': { inBody: { appnet: { ...appnet, MacAddress: '02:42:ac:1f:00:0a' }, backnet: { ...backnet, MacAddress: '02:00:00:00:be:ef' } }, connectedAfter: {} },
      '1.48': {
        inBody: { appnet: { ...appnet, MacAddress: '02:42:ac:1f:00:0a' }, backnet: { ...backnet, MacAddress: '02:00:00:00:be:ef', GwPriority: 10 } },
        connectedAfter: {},
      },
      // Random MACs, no Config.MacAddress: each address in use is pinned.
      '1.52': {
        inBody: { appnet: { ...appnet, MacAddress: '9e:21:4c:07:aa:01' }, backnet: { ...backnet, MacAddress: '5a:0c:93:e2:10:7f', GwPriority: 10 } },
        connectedAfter: {},
      },
    };

    for (const version of recordedVersions) {
      it(`API ${version}: every Config and HostConfig field, mounts, ports, networks and platform`, () => {
        const details = recordedInspect(version);
        const raw = details.raw as { Config: Record<string, unknown>; HostConfig: Record<string, unknown> };
        const { body, extraNetworks } = recreateBody(subject(details, [], { apiVersion: version, image: 'crosslink/fixture:latest', platform: 'linux/amd64' }), {});
        const { HostConfig: hostConfig, NetworkingConfig: networking, platform, MacAddress: containerMac, ...config } = body;

        assert.deepEqual(config, { ...without(raw.Config, ['MacAddress']), Image: 'crosslink/fixture:latest' }, 'every Config field but the MAC, as inspect shows it');
        assert.equal(containerMac, expected[version].containerMac, 'Config.MacAddress');
        assert.equal(platform, 'linux/amd64');
        const changed = ['Mounts', 'PortBindings', 'Links'];
        assert.deepEqual(without(hostConfig!, changed), without(raw.HostConfig, changed), 'every other HostConfig field as inspect shows it');
        assert.deepEqual(
          hostConfig!.Mounts,
          [
            { Type: 'volume', Target: '/cache', Source: anonymousVolume },
            { Type: 'volume', Source: imageVolume, Target: '/anon', ReadOnly: false },
          ],
          'the --mount anonymous volume named by its source, the image volume mounted explicitly',
        );
        assert.deepEqual(
          hostConfig!.PortBindings,
          {
            '7070/tcp': [{ HostIp: '', HostPort: '32768' }],
            '8080/tcp': [{ HostIp: '10.0.0.1', HostPort: '8080' }],
            '9090/tcp': [{ HostIp: '', HostPort: '32769' }],
          },
          'engine-chosen host ports (empty HostPort, -P) pinned to the ones in use',
        );
        assert.equal(hostConfig!.Links, null);
        assert.deepEqual(networking?.EndpointsConfig, expected[version].inBody);
        assert.deepEqual(Object.fromEntries(extraNetworks.map(({ network, endpoint }) => [network, endpoint])), expected[version].connectedAfter);
      });
    }

    it('NetworkMode "default" with a configured MAC: container-wide before 1.44, on the bridge endpoint from 1.44', () => {
      const details = inspectDocument('legacy', {
        config: { MacAddress: '02:42:ac:11:00:99' },
        networks: { bridge: { Aliases: null, Links: null, IPAMConfig: null, IPAddress: '172.17.0.5', MacAddress: '02:42:ac:11:00:99' } },
      });
      const old = recreateBody(subject(details), {}).body;
      assert.equal(old.MacAddress, '02:42:ac:11:00:99');
      assert.deepEqual(old.NetworkingConfig?.EndpointsConfig, { bridge: { Aliases: null, Links: null, IPAMConfig: null } });
      // 25+ refuses a container-wide MAC beside an endpoint keyed "bridge" while NetworkMode says "default".
      const current = recreateBody(subject(details, [], { apiVersion: '1.44' }), {}).body;
      assert.equal(current.MacAddress, undefined);
      assert.equal(current.HostConfig?.NetworkMode, 'default');
      assert.deepEqual(current.NetworkingConfig?.EndpointsConfig, { bridge: { Aliases: null, Links: null, IPAMConfig: null, MacAddress: '02:42:ac:11:00:99' } });
    });

    it('a container: sidecar drops what the engine refuses with that mode and joins no network', () => {
      const sidecar = inspectDocument('side', {
        config: { Hostname: 'vpn-host', Domainname: 'example.test', ExposedPorts: { '80/tcp': {} }, MacAddress: '02:42:ac:11:00:09' },
        hostConfig: {
          NetworkMode: `container:${'9'.repeat(64)}`,
          Dns: ['10.0.0.53'],
          DnsOptions: [],
          DnsSearch: [],
          ExtraHosts: ['a:10.0.0.1'],
          PortBindings: {},
          PublishAllPorts: false,
          IpcMode: 'private',
        },
        networks: {},
      });
      for (const apiVersion of ['1.41', '1.52']) {
        const { body, extraNetworks } = recreateBody(subject(sidecar, [], { apiVersion }), {});
        for (const key of ['Hostname', 'Domainname', 'ExposedPorts', 'MacAddress']) {
          assert.equal(key in body, false, `Config.${key}`);
        }
        for (const key of ['Dns', 'DnsOptions', 'DnsSearch', 'ExtraHosts', 'PortBindings', 'PublishAllPorts', 'Links']) {
          assert.equal(key in body.HostConfig!, false, `HostConfig.${key}`);
        }
        assert.equal(body.HostConfig?.NetworkMode, `container:${'9'.repeat(64)}`);
        assert.equal(body.HostConfig?.IpcMode, 'private');
        assert.equal(body.NetworkingConfig, undefined);
        assert.deepEqual(extraNetworks, []);
      }
    });

    it('a stopped container keeps its declared port bindings (none are in use to pin)', () => {
      const stopped = inspectDocument('idle', { running: false, hostConfig: { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] }, PublishAllPorts: true } });
      assert.deepEqual(recreateBody(subject(stopped), {}).body.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '' }] });
    });

    it("aliases are compared exactly: only the 12-character short id and the hostname are the engine's", () => {
      const id = `${shortId}${'5'.repeat(52)}`;
      assert.deepEqual(userAliases([shortId, '3f', shortId.slice(0, 11), 'web-host', 'api'], id, 'web-host'), ['3f', shortId.slice(0, 11), 'api']);
      const details = inspectDocument('web', { id, networks: { appnet: { Aliases: [shortId, '3f4e'], Links: null, IPAMConfig: null } }, hostConfig: { NetworkMode: 'appnet' } });
      assert.deepEqual(recreateBody(subject(details), {}).body.NetworkingConfig?.EndpointsConfig?.appnet.Aliases, ['3f4e']);
    });

    it("carries ulimits under the names create takes: Podman's inspect shows RLIMIT_NOFILE, its create takes nofile", () => {
      const ulimits = [
        { Name: 'RLIMIT_NOFILE', Soft: 20000, Hard: 20000 },
        { Name: 'RLIMIT_NPROC', Soft: 32768, Hard: 32768 },
        { Name: 'core', Soft: 0, Hard: 0 },
      ];
      const details = inspectDocument('web', { hostConfig: { Ulimits: ulimits } });
      assert.deepEqual(recreateBody(subject(details), {}).body.HostConfig?.Ulimits, [
        { Name: 'nofile', Soft: 20000, Hard: 20000 },
        { Name: 'nproc', Soft: 32768, Hard: 32768 },
        { Name: 'core', Soft: 0, Hard: 0 },
      ]);
      assert.equal(recreateBody(subject(inspectDocument('bare', { hostConfig: { Ulimits: null } })), {}).body.HostConfig?.Ulimits, null);
    });

    it('compares API versions numerically', () => {
      assert.deepEqual(
        ['1.9', '1.41', '1.44', '1.52', '2.0'].map((version) => versionAtLeast(version, '1.44')),
        [false, false, true, true, true],
      );
    });
  });

  describe('what stops or changes a recreation', () => {
    const vpn = inspectDocument('vpn');
    const joining = (hostConfig: object) => inspectDocument('app', { hostConfig });

    it('finds containers in its network, IPC or PID namespace by name, id or short id', () => {
      assert.deepEqual(sharedNamespaces(vpn, joining({ NetworkMode: 'container:vpn', IpcMode: `container:${vpn.id}`, PidMode: `container:${vpn.id.slice(0, 12)}` })), [
        'network',
        'ipc',
        'pid',
      ]);
      assert.deepEqual(sharedNamespaces(vpn, joining({ NetworkMode: 'container:other', IpcMode: 'shareable', PidMode: 'host' })), []);
      assert.deepEqual(sharedNamespaces(vpn, joining({ NetworkMode: `container:${'0'.repeat(64)}` })), []);
    });

    it('refuses, naming them, when others join its namespaces', () => {
      const namespaceUsers = [{ name: 'app', namespaces: ['network' as const, 'pid' as const] }];
      assert.throws(
        () => recreateSteps(subject(vpn, [], { namespaceUsers }), {}, 'n'),
        (error: unknown) => NamespaceDependentsError.is(error) && error.reason === 'namespaceDependents' && error.container === 'vpn' && error.dependents === namespaceUsers,
      );
    });

    const changes: FilesystemChange[] = [
      { path: '/root', kind: 'modified' },
      { path: '/root/notes', kind: 'added' },
      { path: '/etc', kind: 'modified' },
      { path: '/etc/motd', kind: 'deleted' },
    ];

    it('refuses, naming the paths, when files outside volumes would be lost and the caller did not choose', () => {
      assert.throws(
        () => recreateSteps(subject(vpn, [], { changes }), {}, 'n'),
        (error: unknown) =>
          UnsavedChangesError.is(error) &&
          error.reason === 'unsavedChanges' &&
          JSON.stringify(error.containers) === JSON.stringify([{ name: 'vpn', paths: ['/root/notes'], deleted: ['/etc/motd'] }]),
      );
    });

    it('copies the files after create and before the networks and start, or goes on without them', () => {
      const copied = recreateSteps(subject(inspectDocument('web', { networks: { bridge: {}, appnet: {} } }), [], { changes, writableLayer: 'copy' }), {}, 'n');
      assert.deepEqual(
        copied.map((step) => step.kind),
        ['renameContainer', 'stopContainer', 'createContainer', 'copyPaths', 'connectNetwork', 'startContainer', 'removeContainer'],
      );
      const copy = copied[3];
      assert.deepEqual(copy.kind === 'copyPaths' && [copy.from, copy.to, copy.paths], [{ id: inspectDocument('web').id }, { ref: 'n' }, ['/root/notes']]);
      const discarded = recreateSteps(subject(vpn, [], { changes, writableLayer: 'discard' }), {}, 'n');
      assert.equal(
        discarded.some((step) => step.kind === 'copyPaths'),
        false,
      );
    });

    it('Share a Volume names the files of every container in one refusal', () => {
      const containers = ['one', 'two'].map((name) => subject(inspectDocument(name), [], { changes: [{ path: `/${name}.txt`, kind: 'added' }] }));
      assert.throws(
        () => planShareVolume({ host: 'a', volumeName: 'shared', containers, mountPath: '/shared', readOnly: false }),
        (error: unknown) => UnsavedChangesError.is(error) && error.containers.map(({ name, paths }) => `${name}:${paths}`).join(' ') === 'one:/one.txt two:/two.txt',
      );
    });
  });

  describe('the writable layer', () => {
    const raw = {
      Config: { WorkingDir: '/srv/app' },
      HostConfig: { Binds: ['/host/logs:/var/log/app:rw'], Tmpfs: { '/run/t': '' }, Mounts: [{ Type: 'tmpfs', Target: '/scratch' }] },
      Mounts: [{ Type: 'volume', Name: 'data', Destination: '/data/db' }],
    };

    it("counts only what the container wrote itself: not mounts, mount points, the working directory or the engine's files", () => {
      const listed: Array<[string, FilesystemChange['kind']]> = [
        ['/data', 'added'], // the engine made it for the /data/db mount point
        ['/data/db', 'added'],
        ['/data/db/table', 'added'],
        ['/var', 'modified'],
        ['/var/log', 'modified'],
        ['/var/log/app', 'added'],
        ['/run', 'modified'],
        ['/run/t', 'added'],
        ['/scratch', 'added'],
        ['/srv', 'added'],
        ['/srv/app', 'added'],
        ['/srv/app/token', 'added'],
        ['/etc', 'modified'],
        ['/etc/hosts', 'modified'],
        ['/etc/app.conf', 'modified'],
        ['/etc/motd', 'deleted'],
        ['/usr', 'modified'],
        ['/usr/share', 'deleted'],
        ['/usr/share/doc', 'deleted'],
        ['/opt', 'added'],
        ['/opt/tool', 'added'],
        ['/opt/tool/bin', 'added'],
        ['/sbin/docker-init', 'added'],
        ['/root', 'modified'],
        ['/root/.ash_history', 'added'],
      ];
      const result = unsavedChanges(
        listed.map(([path, kind]) => ({ path, kind })),
        ignoredPaths(raw),
      );
      assert.deepEqual(result, {
        copy: ['/etc/app.conf', '/opt', '/root/.ash_history', '/srv/app/token'],
        deleted: ['/etc/motd', '/usr/share'],
        changed: ['/etc/app.conf', '/opt', '/opt/tool', '/opt/tool/bin', '/root/.ash_history', '/srv/app/token'],
      });
    });

    /** An engine whose original wrote /root/notes and a new directory /opt/app; `dropped` never arrives in the copy. */
    function copyingClient(dropped?: string) {
      const client = new FakeDockerClient('alpha');
      const calls: string[] = [];
      const source: FilesystemChange[] = [
        { path: '/root', kind: 'modified' },
        { path: '/root/notes', kind: 'added' },
        { path: '/opt', kind: 'added' },
        { path: '/opt/app', kind: 'added' },
        { path: '/data', kind: 'added' },
      ];
      const copied: FilesystemChange[] = [];
      Object.assign(client, {
        containerChanges: async (id: string) => (id === 'old' ? source : copied),
        getArchive: async (id: string, path: string) => {
          calls.push(`get ${id} ${path}`);
          return Readable.from([Buffer.from(path)]);
        },
        putArchive: async (id: string, directory: string, tar: Readable) => {
          const path = Buffer.concat(await tar.toArray()).toString();
          calls.push(`put ${id} ${directory} ${path}`);
          copied.push(...source.filter((change) => (change.path === path || change.path.startsWith(`${path}/`)) && change.path !== dropped));
        },
      });
      return { client, calls };
    }
    const ignored = { subtrees: ['/data'], directories: [] };

    it('copies each top-level path from the original into its directory in the new container, then checks they arrived', async () => {
      const { client, calls } = copyingClient();
      await copyChangedPaths(client, 'old', 'new', ignored);
      assert.deepEqual(calls, ['get old /opt', 'put new / /opt', 'get old /root/notes', 'put new /root /root/notes']);
    });

    it('fails the step when a copied path is missing from the new container', async () => {
      const { client } = copyingClient('/opt/app');
      await assert.rejects(copyChangedPaths(client, 'old', 'new', ignored), /1 of the copied paths did not arrive.*\/opt\/app/);
    });

    it('fails the step and frees the download when an upload fails', async () => {
      const { client } = copyingClient();
      const downloads: Readable[] = [];
      Object.assign(client, {
        getArchive: async () => {
          const tar = Readable.from([Buffer.from('tar')]);
          downloads.push(tar);
          return tar;
        },
        putArchive: async () => {
          throw new Error('no space left on device');
        },
      });
      await assert.rejects(copyChangedPaths(client, 'old', 'new', ignored), /no space left/);
      assert.deepEqual(
        downloads.map((tar) => tar.destroyed),
        [true],
      );
    });

    it('the executor runs a copyPaths step between create and start, on the ids it resolved', async () => {
      const { client, calls } = copyingClient();
      Object.assign(client, {
        createContainer: async () => 'new',
        startContainer: async () => calls.push('start'),
        inspectContainer: async () => ({ state: 'running', raw: {} }),
      });
      const plan = newPlan('alpha', [
        { kind: 'createContainer', ref: 'n', name: 'web', body: { Image: 'i' } },
        { kind: 'copyPaths', from: { id: 'old' }, to: { ref: 'n' }, name: 'web', paths: ['/opt', '/root/notes'], ignored },
        { kind: 'startContainer', container: { ref: 'n' }, name: 'web' },
      ]);
      assert.equal(plan.description[1], 'copy 2 changed paths from the original web to the new one');
      await executePlan(plan, client, silentLogger);
      assert.deepEqual(calls, ['get old /opt', 'put new / /opt', 'get old /root/notes', 'put new /root /root/notes', 'start']);
    });
  });
});
