import * as assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors';
import { describeEndpoint, expandPath, hostNameProblem, parseHostEntries, parseHostEntry, parseHostUrl } from '../../src/core/hosts/hostSpec';
import { dialStdioCommand } from '../../src/core/hosts/sshConnection';

describe('hostSpec (unit)', () => {
  describe('parseHostUrl', () => {
    const valid: Array<[string, unknown]> = [
      ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
      ['tcp://10.0.0.5:2376', { kind: 'tcp', host: '10.0.0.5', port: 2376, tls: undefined }],
      ['tcp://build-box', { kind: 'tcp', host: 'build-box', port: 2375, tls: undefined }],
      ['tcp://[fd00::5]:2375', { kind: 'tcp', host: 'fd00::5', port: 2375, tls: undefined }],
      ['ssh://root@10.231.0.12', { kind: 'ssh', host: '10.231.0.12', user: 'root', port: undefined }],
      ['ssh://deploy@staging:2222', { kind: 'ssh', host: 'staging', user: 'deploy', port: 2222 }],
      ['ssh://staging', { kind: 'ssh', host: 'staging', user: undefined, port: undefined }],
      ['  ssh://a@b  ', { kind: 'ssh', host: 'b', user: 'a', port: undefined }],
      ['ssh://a@b/', { kind: 'ssh', host: 'b', user: 'a', port: undefined }],
      ['ssh://core@vm:2222/run/podman/podman.sock', { kind: 'ssh', host: 'vm', user: 'core', port: 2222, socketPath: '/run/podman/podman.sock' }],
      ['npipe:////./pipe/docker_engine', { kind: 'unix', socketPath: '//./pipe/docker_engine' }],
      ['npipe:////./pipe/podman-machine-default', { kind: 'unix', socketPath: '//./pipe/podman-machine-default' }],
      ['npipe://\\\\.\\pipe\\docker_engine', { kind: 'unix', socketPath: '\\\\.\\pipe\\docker_engine' }],
    ];
    for (const [url, expected] of valid) {
      it(`parses ${url.trim()}`, () => assert.deepEqual(parseHostUrl(url), expected));
    }

    it('defaults tcp to 2376 when TLS files are given', () => {
      assert.deepEqual(parseHostUrl('tcp://h', { tls: { ca: 'c' } }), { kind: 'tcp', host: 'h', port: 2376, tls: { ca: 'c' } });
    });

    const invalid: Array<[string, RegExp]> = [
      ['', /Use unix/],
      ['build-box:2375', /Use unix/],
      ['http://h:2375', /"http:\/\/" is not supported/],
      ['unix://var/run/docker.sock', /absolute path/],
      ['tcp://h:0', /Port "0"/],
      ['tcp://h:65536', /Port "65536"/],
      ['tcp://h:abc', /malformed|Port "abc"/],
      ['tcp://user@h:2375', /no user name/],
      ['ssh://u:secret@h', /password/],
      ['ssh://', /host name is missing|malformed/],
      ['tcp://h:2375/path', /Remove "\/path"/],
      ['ssh://h/sock?x=1', /Remove "\?x=1"/],
      ['npipe://docker_engine', /npipe:\/\/\/\/\.\/pipe\/docker_engine/],
      ['npipe:////./pipe/', /named pipe/],
    ];
    for (const [url, message] of invalid) {
      it(`rejects "${url}" with a hint`, () => {
        assert.throws(
          () => parseHostUrl(url),
          (error: unknown) => ConfigError.is(error) && error.reason === 'invalidUrl' && message.test(error.message),
        );
      });
    }
  });

  it('runs the remote CLI stdio bridge against the socket an ssh:// URL names', () => {
    assert.equal(dialStdioCommand(undefined), 'docker system dial-stdio');
    assert.equal(dialStdioCommand('/run/user/1000/docker.sock'), 'docker --host unix:///run/user/1000/docker.sock system dial-stdio');
    assert.equal(dialStdioCommand("/tmp/it's.sock"), "docker --host 'unix:///tmp/it'\\''s.sock' system dial-stdio");
  });

  describe('expandPath', () => {
    const context = { env: { CERTS: '/srv/certs', HOME: '/home/u' }, homeDir: '/home/u' };
    const cases: Array<[string, string]> = [
      ['~', '/home/u'],
      ['~/certs/ca.pem', '/home/u/certs/ca.pem'],
      ['~\\certs\\ca.pem', '/home/u\\certs\\ca.pem'],
      ['${env:CERTS}/ca.pem', '/srv/certs/ca.pem'],
      ['${env:HOME}/.ssh/id_ed25519', '/home/u/.ssh/id_ed25519'],
      ['${env:UNSET}/x', '/x'],
      ['/abs/~/x', '/abs/~/x'],
      ['~other/x', '~other/x'],
    ];
    for (const [input, output] of cases) {
      it(`expands ${input}`, () => assert.equal(expandPath(input, context), output));
    }

    it('expands every path setting of a host entry', () => {
      const tcp = parseHostEntry({ name: 'a', url: 'tcp://h:2376', tls: { ca: '~/c/ca.pem', cert: '${env:CERTS}/cert.pem', key: 'key.pem' } }, 'settings', context);
      assert.deepEqual(tcp.endpoint, { kind: 'tcp', host: 'h', port: 2376, tls: { ca: '/home/u/c/ca.pem', cert: '/srv/certs/cert.pem', key: 'key.pem' } });
      const ssh = parseHostEntry({ name: 'b', url: 'ssh://h', identityFile: '~/.ssh/k' }, 'settings', context);
      assert.equal(ssh.endpoint.kind === 'ssh' && ssh.endpoint.identityFile, '/home/u/.ssh/k');
      const unix = parseHostEntry({ name: 'c', url: 'unix://~/.colima/default/docker.sock' }, 'settings', context);
      assert.deepEqual(unix.endpoint, { kind: 'unix', socketPath: '/home/u/.colima/default/docker.sock' });
      assert.equal(unix.url, 'unix://~/.colima/default/docker.sock', 'the URL is kept as the user wrote it');
    });
  });

  describe('parseHostEntry', () => {
    it('applies identityFile to ssh and keeps the URL host as address', () => {
      const spec = parseHostEntry({ name: 'beta', url: 'ssh://root@10.231.0.12', identityFile: '/k' });
      assert.deepEqual(spec.endpoint, { kind: 'ssh', host: '10.231.0.12', user: 'root', port: undefined, identityFile: '/k' });
      assert.equal(spec.address, '10.231.0.12');
    });

    it('uses an explicit address for other hosts', () => {
      assert.equal(parseHostEntry({ name: 'a', url: 'tcp://localhost:2375', address: '192.0.2.1' }).address, '192.0.2.1');
    });

    it('has no address for unix sockets', () => {
      assert.equal(parseHostEntry({ name: 'local', url: 'unix:///var/run/docker.sock' }).address, undefined);
    });

    it('refuses options that do not fit the scheme', () => {
      const refused = (reason: string) => (error: unknown) => ConfigError.is(error) && error.reason === reason;
      assert.throws(() => parseHostEntry({ name: 'a', url: 'tcp://h', identityFile: '/k' }), refused('optionNotForScheme'));
      assert.throws(() => parseHostEntry({ name: 'a', url: 'ssh://h', tls: { ca: '/ca' } }), refused('optionNotForScheme'));
      assert.throws(() => parseHostEntry({ name: 'a', url: 'tcp://h', tls: 'yes' }), refused('invalidOption'));
      assert.throws(() => parseHostEntry({ name: 'a', url: 'tcp://h', adress: '10.0.0.1' }), refused('unknownKey'));
    });

    it('refuses bad names', () => {
      for (const name of ['', 'has/slash', '-dash', 'a b', 'x'.repeat(64)]) {
        assert.throws(
          () => parseHostEntry({ name, url: 'tcp://h' }),
          (error: unknown) => ConfigError.is(error) && error.reason === 'invalidName',
        );
      }
      assert.equal(hostNameProblem('build-box.1'), undefined);
    });

    it('keeps good entries and reports bad and duplicate ones', () => {
      const { hosts, problems } = parseHostEntries([
        { name: 'a', url: 'tcp://h' },
        { name: 'a', url: 'tcp://other' },
        { name: 'b', url: 'ftp://h' },
        'not an object',
        { name: 'c', url: 'ssh://u@c' },
      ]);
      assert.deepEqual(
        hosts.map((host) => host.name),
        ['a', 'c'],
      );
      assert.deepEqual(
        problems.map((problem) => problem.reason),
        ['duplicateName', 'invalidUrl', 'invalidEntry'],
      );
    });
  });

  it('describes endpoints without secrets', () => {
    assert.equal(describeEndpoint(parseHostUrl('tcp://h:2376', { tls: {} })), 'tcp+tls://h:2376');
    assert.equal(describeEndpoint(parseHostUrl('ssh://u@h:2222')), 'ssh://u@h:2222');
    assert.equal(describeEndpoint(parseHostUrl('tcp://[fd00::1]:2375')), 'tcp://[fd00::1]:2375');
  });
});
