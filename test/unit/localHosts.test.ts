import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/core/like';
import { contextDigest, discoverLocalHosts, watchDockerCliConfig } from '../../src/core/hosts/localHosts';
import { waitFor } from '../support/waitFor';

describe('localHosts (unit)', () => {
  let configDir: string;

  beforeEach(() => {
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-docker-'));
  });
  afterEach(() => fs.rmSync(configDir, { recursive: true, force: true }));

  function addContext(name: string, host: string, withTls = false): void {
    const metaDir = path.join(configDir, 'contexts', 'meta', contextDigest(name));
    fs.mkdirSync(metaDir, { recursive: true });
    fs.writeFileSync(path.join(metaDir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
    if (withTls) {
      const tlsDir = path.join(configDir, 'contexts', 'tls', contextDigest(name), 'docker');
      fs.mkdirSync(tlsDir, { recursive: true });
      for (const file of ['ca.pem', 'cert.pem', 'key.pem']) {
        fs.writeFileSync(path.join(tlsDir, file), 'x');
      }
    }
  }

  const names = (hosts: ReturnType<typeof discoverLocalHosts>) => hosts.map((host) => `${host.name}${host.current ? '*' : ''}`);

  it('shows the default socket when nothing is configured', () => {
    const hosts = discoverLocalHosts({ env: {}, configDir }, true, silentLogger);
    assert.deepEqual(names(hosts), ['local*']);
    assert.deepEqual(hosts[0].endpoint, { kind: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it('lists contexts with their TLS files, the current one first', () => {
    addContext('build', 'tcp://build:2376', true);
    addContext('staging', 'ssh://deploy@staging');
    fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: 'staging' }));
    const hosts = discoverLocalHosts({ env: {}, configDir }, true, silentLogger);
    assert.deepEqual(names(hosts), ['staging*', 'local', 'build']);
    const build = hosts.find((host) => host.name === 'build');
    assert.equal(build?.endpoint.kind === 'tcp' && build.endpoint.tls?.ca, path.join(configDir, 'contexts', 'tls', contextDigest('build'), 'docker', 'ca.pem'));
    assert.equal(build?.source, 'context');
  });

  it('ranks DOCKER_HOST over DOCKER_CONTEXT over currentContext', () => {
    addContext('build', 'tcp://build:2375');
    addContext('staging', 'ssh://staging');
    fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: 'staging' }));
    assert.deepEqual(names(discoverLocalHosts({ env: { DOCKER_CONTEXT: 'build' }, configDir }, true, silentLogger)), ['build*', 'local', 'staging']);
    const withHost = discoverLocalHosts({ env: { DOCKER_HOST: 'tcp://10.1.1.1:2375', DOCKER_CONTEXT: 'build' }, configDir }, true, silentLogger);
    assert.deepEqual(names(withHost), ['local*', 'build', 'staging']);
    assert.equal(withHost[0].url, 'tcp://10.1.1.1:2375');
    assert.equal(withHost[0].source, 'environment');
  });

  it('uses DOCKER_CERT_PATH with DOCKER_TLS_VERIFY for DOCKER_HOST', () => {
    const [local] = discoverLocalHosts({ env: { DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, configDir }, false, silentLogger);
    assert.deepEqual(local.endpoint, { kind: 'tcp', host: 'h', port: 2376, tls: { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' } });
  });

  it('falls back to the default socket when DOCKER_HOST is malformed, and skips broken contexts', () => {
    addContext('broken', 'npipe:////./pipe/docker_engine');
    const hosts = discoverLocalHosts({ env: { DOCKER_HOST: 'not a url' }, configDir }, true, silentLogger);
    assert.deepEqual(names(hosts), ['local*']);
    assert.equal(hosts[0].url, 'unix:///var/run/docker.sock');
  });

  it('leaves contexts out when asked', () => {
    addContext('build', 'tcp://build:2375');
    assert.deepEqual(names(discoverLocalHosts({ env: {}, configDir }, false, silentLogger)), ['local*']);
  });

  it('notices docker context use and create, and stays quiet otherwise', async () => {
    let changes = 0;
    const watcher = watchDockerCliConfig(configDir, () => changes++, 20);
    try {
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.equal(changes, 0);
      fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
      await waitFor(() => changes === 1, 'the current context change');
      addContext('remote', 'tcp://10.0.0.5:2375');
      await waitFor(() => changes === 2, 'the new context');
    } finally {
      watcher.dispose();
    }
  });
});
