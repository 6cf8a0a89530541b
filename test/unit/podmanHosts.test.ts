import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Logger, silentLogger } from '../../src/core/like';
import { discoverLocalHosts } from '../../src/core/hosts/localHosts';
import { discoverEngineSockets, rootfulPodmanSocket } from '../../src/core/hosts/podmanHosts';

describe('podmanHosts (unit)', () => {
  let home: string;
  let runtimeDir: string;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-home-'));
    runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-run-'));
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(runtimeDir, { recursive: true, force: true });
  });

  const sockets =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);
  const summary = (hosts: ReturnType<typeof discoverEngineSockets>) => hosts.map((host) => `${host.name} ${host.url} ${host.source}`);

  function writeConfig(file: string, text: string): void {
    fs.mkdirSync(path.join(home, '.config', 'containers'), { recursive: true });
    fs.writeFileSync(path.join(home, '.config', 'containers', file), text);
  }

  it('lists the rootful and rootless Podman sockets and rootless Docker while they exist', () => {
    const rootless = path.join(runtimeDir, 'podman', 'podman.sock');
    const dockerRootless = path.join(runtimeDir, 'docker.sock');
    const env = { XDG_RUNTIME_DIR: runtimeDir };
    assert.deepEqual(discoverEngineSockets({ env, homeDir: home, isSocket: sockets() }, [], true, silentLogger), []);
    const hosts = discoverEngineSockets({ env, homeDir: home, isSocket: sockets(rootfulPodmanSocket, rootless, dockerRootless) }, [], true, silentLogger);
    assert.deepEqual(summary(hosts), [
      `podman unix://${rootfulPodmanSocket} socket`,
      `podman-rootless unix://${rootless} socket`,
      `docker-rootless unix://${dockerRootless} socket`,
    ]);
    assert.deepEqual(hosts[1].endpoint, { kind: 'unix', socketPath: rootless });
    assert.equal(hosts[1].address, undefined, 'a local socket has no address of its own');
  });

  it('does not list a socket twice when the default Docker socket is a link to it (podman-docker)', async () => {
    const podmanSocket = path.join(runtimeDir, 'podman', 'podman.sock');
    fs.mkdirSync(path.dirname(podmanSocket));
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(podmanSocket, resolve));
    try {
      const dockerLink = path.join(runtimeDir, 'docker-link.sock');
      fs.symlinkSync(podmanSocket, dockerLink);
      const hosts = discoverEngineSockets({ env: { XDG_RUNTIME_DIR: runtimeDir }, homeDir: home }, [dockerLink], true, silentLogger);
      assert.deepEqual(hosts, []);
      const alone = discoverEngineSockets({ env: { XDG_RUNTIME_DIR: runtimeDir }, homeDir: home }, [], true, silentLogger);
      assert.deepEqual(summary(alone), [`podman-rootless unix://${podmanSocket} socket`], 'the real socket is found by stat');
    } finally {
      server.close();
    }
  });

  it('reads `podman system connection` entries from podman-connections.json and containers.conf, without the CLI', () => {
    writeConfig(
      'containers.conf',
      [
        '[engine]',
        'active_service = "build"',
        '',
        '[engine.service_destinations]',
        '  [engine.service_destinations.build]',
        '  uri = "tcp://10.0.0.5:8080" # comment',
        '  [engine.service_destinations."old-box"]',
        "  uri = 'unix:///run/old/podman.sock'",
        '  identity = ""',
        '[containers]',
        'uri = "unix:///not/a/connection.sock"',
      ].join('\n'),
    );
    writeConfig(
      'podman-connections.json',
      JSON.stringify({
        Connection: {
          Default: 'machine',
          Connections: {
            machine: { URI: 'ssh://core@127.0.0.1:50123', Identity: '/home/u/.local/share/containers/podman/machine/machine', IsMachine: true },
            build: { URI: 'unix:///run/build/podman.sock' },
          },
        },
        Farm: {},
      }),
    );
    const hosts = discoverEngineSockets({ env: {}, homeDir: home, isSocket: sockets() }, [], true, silentLogger);
    assert.deepEqual(summary(hosts), [
      'build unix:///run/build/podman.sock podmanConnection', // the JSON file wins over containers.conf
      'machine ssh://core@127.0.0.1:50123 podmanConnection',
      'old-box unix:///run/old/podman.sock podmanConnection',
    ]);
    const machine = hosts.find((host) => host.name === 'machine');
    assert.deepEqual(machine?.endpoint, {
      kind: 'ssh',
      host: '127.0.0.1',
      user: 'core',
      port: 50123,
      identityFile: '/home/u/.local/share/containers/podman/machine/machine',
    });
    assert.equal(machine?.address, '127.0.0.1');
    assert.deepEqual(discoverEngineSockets({ env: {}, homeDir: home, isSocket: sockets() }, [], false, silentLogger), [], 'connections only with contexts');
  });

  it('follows XDG_CONFIG_HOME, and reports an unreadable connection list without failing', () => {
    const configHome = path.join(home, 'elsewhere');
    fs.mkdirSync(path.join(configHome, 'containers'), { recursive: true });
    fs.writeFileSync(path.join(configHome, 'containers', 'podman-connections.json'), '{ not json');
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    assert.deepEqual(discoverEngineSockets({ env: { XDG_CONFIG_HOME: configHome }, homeDir: home, isSocket: sockets() }, [], true, logger), []);
    assert.ok(
      warnings.some((line) => line.includes('podman-connections.json')),
      warnings.join('\n'),
    );
  });

  it('appears in the hosts shown without crosslink.hosts, after the local engine and contexts, names kept unique', () => {
    writeConfig('podman-connections.json', JSON.stringify({ Connection: { Connections: { local: { URI: 'tcp://10.0.0.9:8080' }, lab: { URI: 'tcp://10.0.0.7:8080' } } } }));
    const hosts = discoverLocalHosts({ env: {}, configDir: path.join(home, '.docker'), homeDir: home, isSocket: sockets(rootfulPodmanSocket) }, true, silentLogger);
    assert.deepEqual(
      hosts.map((host) => `${host.name}${host.current ? '*' : ''}`),
      ['local*', 'podman', 'lab'],
      'a connection named like the local engine is not listed',
    );
  });
});
