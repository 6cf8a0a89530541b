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

  describe('Docker CLI environment, case by case (cli/flags and opts.ParseHost)', () => {
    // Each row: the environment, then the local engine the Docker CLI would dial. "<cfg>" is the
    // config dir (DOCKER_CONFIG, else ~/.docker), "<certs>" a DOCKER_CERT_PATH holding all three files.
    // cert.pem/key.pem exist in both; ca.pem too (a missing one fails at connect time, naming the file).
    const cases: Array<{ name: string; env: Record<string, string>; url: string; endpoint: unknown }> = [
      { name: 'nothing set: the default socket', env: {}, url: 'unix:///var/run/docker.sock', endpoint: { kind: 'unix', socketPath: '/var/run/docker.sock' } },
      { name: 'DOCKER_HOST tcp without TLS', env: { DOCKER_HOST: 'tcp://h:2375' }, url: 'tcp://h:2375', endpoint: { kind: 'tcp', host: 'h', port: 2375, tls: undefined } },
      {
        name: 'DOCKER_TLS_VERIFY without DOCKER_CERT_PATH: TLS with the files in the config dir',
        env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' },
        url: 'tcp://h:2376',
        endpoint: { kind: 'tcp', host: 'h', port: 2376, tls: { ca: '<cfg>/ca.pem', cert: '<cfg>/cert.pem', key: '<cfg>/key.pem' } },
      },
      {
        name: 'DOCKER_TLS_VERIFY with DOCKER_CERT_PATH',
        env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '<certs>' },
        url: 'tcp://h:2376',
        endpoint: { kind: 'tcp', host: 'h', port: 2376, tls: { ca: '<certs>/ca.pem', cert: '<certs>/cert.pem', key: '<certs>/key.pem' } },
      },
      {
        name: 'DOCKER_TLS_VERIFY=0 still means verify (any non-empty value)',
        env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: '<certs>' },
        url: 'tcp://h:2376',
        endpoint: { kind: 'tcp', host: 'h', port: 2376, tls: { ca: '<certs>/ca.pem', cert: '<certs>/cert.pem', key: '<certs>/key.pem' } },
      },
      {
        name: 'DOCKER_TLS_VERIFY empty: off',
        env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_TLS_VERIFY: '' },
        url: 'tcp://h:2375',
        endpoint: { kind: 'tcp', host: 'h', port: 2375, tls: undefined },
      },
      {
        name: 'DOCKER_TLS alone: TLS without checking the engine, CA left out',
        env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1', DOCKER_CERT_PATH: '<certs>' },
        url: 'tcp://h:2376',
        endpoint: { kind: 'tcp', host: 'h', port: 2376, tls: { cert: '<certs>/cert.pem', key: '<certs>/key.pem', skipVerify: true } },
      },
      {
        name: 'DOCKER_TLS and DOCKER_TLS_VERIFY: verify wins',
        env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '<certs>' },
        url: 'tcp://h:2376',
        endpoint: { kind: 'tcp', host: 'h', port: 2376, tls: { ca: '<certs>/ca.pem', cert: '<certs>/cert.pem', key: '<certs>/key.pem' } },
      },
      {
        name: 'DOCKER_CERT_PATH alone does not turn TLS on',
        env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_CERT_PATH: '<certs>' },
        url: 'tcp://h:2375',
        endpoint: { kind: 'tcp', host: 'h', port: 2375, tls: undefined },
      },
      {
        name: 'TLS without DOCKER_HOST: tcp://localhost:2376 (DefaultTLSHost)',
        env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '<certs>' },
        url: 'tcp://localhost:2376',
        endpoint: { kind: 'tcp', host: 'localhost', port: 2376, tls: { ca: '<certs>/ca.pem', cert: '<certs>/cert.pem', key: '<certs>/key.pem' } },
      },
      {
        name: 'a DOCKER_HOST without a port gets 2375 even with TLS (ParseTCPAddr with DefaultTCPHost)',
        env: { DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '<certs>' },
        url: 'tcp://h',
        endpoint: { kind: 'tcp', host: 'h', port: 2375, tls: { ca: '<certs>/ca.pem', cert: '<certs>/cert.pem', key: '<certs>/key.pem' } },
      },
      {
        name: 'TLS settings do not apply to a unix socket',
        env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock', DOCKER_TLS_VERIFY: '1' },
        url: 'unix:///run/user/1000/docker.sock',
        endpoint: { kind: 'unix', socketPath: '/run/user/1000/docker.sock' },
      },
      {
        name: 'npipe:// DOCKER_HOST (Windows)',
        env: { DOCKER_HOST: 'npipe:////./pipe/docker_engine' },
        url: 'npipe:////./pipe/docker_engine',
        endpoint: { kind: 'unix', socketPath: '//./pipe/docker_engine' },
      },
      {
        name: 'ssh:// DOCKER_HOST with the engine socket path',
        env: { DOCKER_HOST: 'ssh://me@h/run/user/1000/docker.sock' },
        url: 'ssh://me@h/run/user/1000/docker.sock',
        endpoint: { kind: 'ssh', host: 'h', user: 'me', port: undefined, socketPath: '/run/user/1000/docker.sock' },
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const certs = path.join(configDir, 'certs');
        for (const directory of [configDir, certs]) {
          fs.mkdirSync(directory, { recursive: true });
          for (const file of ['ca.pem', 'cert.pem', 'key.pem']) {
            fs.writeFileSync(path.join(directory, file), 'x');
          }
        }
        const fill = (text: string) => text.replace('<cfg>', configDir).replace('<certs>', certs);
        const fillAll = (value: unknown): unknown =>
          typeof value === 'string'
            ? fill(value)
            : value && typeof value === 'object'
              ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fillAll(inner)]))
              : value;
        const env = Object.fromEntries(Object.entries(testCase.env).map(([key, value]) => [key, fill(value)]));
        const [local] = discoverLocalHosts({ env, configDir }, false, silentLogger);
        assert.equal(local.url, testCase.url);
        assert.deepEqual(local.endpoint, fillAll(testCase.endpoint));
      });
    }

    it('leaves out a client certificate and key that do not exist, as the CLI does', () => {
      const [local] = discoverLocalHosts({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }, configDir }, false, silentLogger);
      assert.deepEqual(local.endpoint, { kind: 'tcp', host: 'h', port: 2376, tls: { ca: path.join(configDir, 'ca.pem'), cert: undefined, key: undefined } });
    });
  });

  it("honours a context's SkipTLSVerify: TLS, client certificate kept, engine not checked", () => {
    addContext('lab', 'tcp://lab:2376', true);
    const metaFile = path.join(configDir, 'contexts', 'meta', contextDigest('lab'), 'meta.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { Endpoints: { docker: { SkipTLSVerify: boolean } } };
    meta.Endpoints.docker.SkipTLSVerify = true;
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    addContext('bare', 'tcp://bare:2376');
    const bareMeta = path.join(configDir, 'contexts', 'meta', contextDigest('bare'), 'meta.json');
    fs.writeFileSync(bareMeta, JSON.stringify({ Name: 'bare', Endpoints: { docker: { Host: 'tcp://bare:2376', SkipTLSVerify: true } } }));
    const hosts = discoverLocalHosts({ env: {}, configDir }, true, silentLogger);
    const tlsDir = path.join(configDir, 'contexts', 'tls', contextDigest('lab'), 'docker');
    const lab = hosts.find((host) => host.name === 'lab');
    assert.deepEqual(lab?.endpoint, { kind: 'tcp', host: 'lab', port: 2376, tls: { cert: path.join(tlsDir, 'cert.pem'), key: path.join(tlsDir, 'key.pem'), skipVerify: true } });
    const bare = hosts.find((host) => host.name === 'bare');
    assert.deepEqual(bare?.endpoint, { kind: 'tcp', host: 'bare', port: 2376, tls: { cert: undefined, key: undefined, skipVerify: true } });
  });

  it('takes a context without TLS files or SkipTLSVerify as plain TCP', () => {
    addContext('plain', 'tcp://plain');
    const plain = discoverLocalHosts({ env: {}, configDir }, true, silentLogger).find((host) => host.name === 'plain');
    assert.deepEqual(plain?.endpoint, { kind: 'tcp', host: 'plain', port: 2375, tls: undefined });
  });

  it('falls back to the default socket when DOCKER_HOST is malformed, and skips broken contexts', () => {
    addContext('broken', 'http://old-style');
    const hosts = discoverLocalHosts({ env: { DOCKER_HOST: 'not a url' }, configDir }, true, silentLogger);
    assert.deepEqual(names(hosts), ['local*']);
    assert.equal(hosts[0].url, 'unix:///var/run/docker.sock');
  });

  it('leaves contexts out when asked', () => {
    addContext('build', 'tcp://build:2375');
    assert.deepEqual(names(discoverLocalHosts({ env: {}, configDir }, false, silentLogger)), ['local*']);
  });

  it('notices docker context use, create and update through file events, and stays quiet otherwise', async () => {
    let changes = 0;
    const watcher = watchDockerCliConfig(configDir, () => changes++, { settleMs: 20, fallbackPollMs: 60_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.equal(changes, 0);
      fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
      await waitFor(() => changes === 1, 'the current context change');
      addContext('remote', 'tcp://10.0.0.5:2375');
      await waitFor(() => changes === 2, 'the new context');
      await new Promise((resolve) => setTimeout(resolve, 50));
      addContext('remote', 'tcp://10.0.0.6:2375');
      await waitFor(() => changes === 3, 'the updated context (a file one directory down)');
      fs.writeFileSync(path.join(configDir, 'unrelated.txt'), 'x');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(changes, 3, 'a file that does not matter changes nothing');
    } finally {
      watcher.dispose();
    }
  });

  it('polls only where it cannot watch: a config dir created later is noticed', async () => {
    const later = path.join(configDir, 'later');
    let changes = 0;
    const watcher = watchDockerCliConfig(later, () => changes++, { settleMs: 20, fallbackPollMs: 20 });
    try {
      fs.mkdirSync(later);
      fs.writeFileSync(path.join(later, 'config.json'), JSON.stringify({ currentContext: 'x' }));
      await waitFor(() => changes === 1, 'the new config dir');
    } finally {
      watcher.dispose();
    }
  });
});
