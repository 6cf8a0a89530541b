import * as assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { defaultSshFiles } from '../../src/core/hosts/sshConnection';
import { fingerprint, keyTypeOf, parseKnownHosts, verifyHostKey } from '../../src/core/hosts/knownHosts';

/** An ssh-ed25519 public key in SSH wire format, as ssh2 hands it to hostVerifier. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(type.length);
  const keyLength = Buffer.alloc(4);
  keyLength.writeUInt32BE(raw.length);
  return Buffer.concat([header, type, keyLength, raw]);
}

describe('knownHosts (unit)', () => {
  const key = ed25519Blob();
  const other = ed25519Blob();
  const line = (names: string, blob: Buffer) => `${names} ssh-ed25519 ${blob.toString('base64')}`;

  it('trusts a listed key, plain or in a list of names', () => {
    assert.equal(verifyHostKey(parseKnownHosts(line('10.231.0.12', key)), '10.231.0.12', 22, key), 'trusted');
    assert.equal(verifyHostKey(parseKnownHosts(line('beta,10.231.0.12', key)), '10.231.0.12', 22, key), 'trusted');
  });

  it('uses [host]:port for other ports', () => {
    const lines = parseKnownHosts(line('[h]:2222', key));
    assert.equal(verifyHostKey(lines, 'h', 2222, key), 'trusted');
    assert.equal(verifyHostKey(lines, 'h', 22, key), 'unknown');
  });

  it('matches hashed names', () => {
    const salt = Buffer.from('0123456789abcdef0123');
    const hash = createHmac('sha1', salt).update('staging').digest('base64');
    assert.equal(verifyHostKey(parseKnownHosts(line(`|1|${salt.toString('base64')}|${hash}`, key)), 'staging', 22, key), 'trusted');
  });

  it('reports a changed key of the same type, an unknown host, and revoked keys', () => {
    assert.equal(verifyHostKey(parseKnownHosts(line('h', other)), 'h', 22, key), 'changed');
    assert.equal(verifyHostKey(parseKnownHosts(line('elsewhere', key)), 'h', 22, key), 'unknown');
    assert.equal(verifyHostKey(parseKnownHosts(`@revoked ${line('*', key)}\n${line('h', key)}`), 'h', 22, key), 'revoked');
  });

  describe('@revoked wins over any trust, in any order', () => {
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = (name: string) => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    const cases: Array<[string, string, string, number]> = [
      ['trusted then revoked', `${line('h', key)}\n@revoked ${line('h', key)}`, 'h', 22],
      ['revoked then trusted', `@revoked ${line('h', key)}\n${line('h', key)}`, 'h', 22],
      ['revoked by wildcard after trust', `${line('h', key)}\n@revoked ${line('*', key)}`, 'h', 22],
      ['hashed names on both lines', `${line(hashed('h'), key)}\n@revoked ${line(hashed('h'), key)}`, 'h', 22],
      ['hashed trust, plain revocation', `${line(hashed('h'), key)}\n@revoked ${line('h', key)}`, 'h', 22],
      ['[host]:port', `${line('[h]:2222', key)}\n@revoked ${line('[h]:2222', key)}`, 'h', 2222],
      ['hashed [host]:port', `${line(hashed('[h]:2222'), key)}\n@revoked ${line(hashed('[h]:2222'), key)}`, 'h', 2222],
    ];
    for (const [name, text, host, port] of cases) {
      it(name, () => assert.equal(verifyHostKey(parseKnownHosts(text), host, port, key), 'revoked'));
    }

    it('across files: the lines of all files are checked together', () => {
      const userFile = parseKnownHosts(line('h', key));
      const globalFile = parseKnownHosts(`@revoked ${line('h', key)}`);
      assert.equal(verifyHostKey([...userFile, ...globalFile], 'h', 22, key), 'revoked');
      assert.equal(verifyHostKey([...globalFile, ...userFile], 'h', 22, key), 'revoked');
    });

    it('only for that key and a matching host', () => {
      assert.equal(verifyHostKey(parseKnownHosts(`${line('h', key)}\n@revoked ${line('h', other)}`), 'h', 22, key), 'trusted');
      assert.equal(verifyHostKey(parseKnownHosts(`${line('h', key)}\n@revoked ${line('elsewhere', key)}`), 'h', 22, key), 'trusted');
      assert.equal(verifyHostKey(parseKnownHosts(`${line('[h]:2222', key)}\n@revoked ${line('h', key)}`), 'h', 2222, key), 'trusted');
    });
  });

  describe('@cert-authority', () => {
    const ca = `@cert-authority ${line('*.example', other)}`;
    it('is its own verdict when it is the only match for the host', () => {
      assert.equal(verifyHostKey(parseKnownHosts(ca), 'db.example', 22, key), 'certAuthority');
    });
    it('does not matter when the key itself is trusted, changed or revoked', () => {
      assert.equal(verifyHostKey(parseKnownHosts(`${ca}\n${line('db.example', key)}`), 'db.example', 22, key), 'trusted');
      assert.equal(verifyHostKey(parseKnownHosts(`${ca}\n${line('db.example', ed25519Blob())}`), 'db.example', 22, key), 'changed');
      assert.equal(verifyHostKey(parseKnownHosts(`${ca}\n@revoked ${line('*', key)}`), 'db.example', 22, key), 'revoked');
    });
    it('never trusts the CA key itself as a host key', () => {
      assert.equal(verifyHostKey(parseKnownHosts(`@cert-authority ${line('h', key)}`), 'h', 22, key), 'certAuthority');
    });
    it('for other hosts is no match', () => {
      assert.equal(verifyHostKey(parseKnownHosts(ca), 'h', 22, key), 'unknown');
    });
  });

  it('honours wildcards and negation', () => {
    const lines = parseKnownHosts(line('*.example,!bad.example', key));
    assert.equal(verifyHostKey(lines, 'good.example', 22, key), 'trusted');
    assert.equal(verifyHostKey(lines, 'bad.example', 22, key), 'unknown');
  });

  it('reads the user files and the system-wide files OpenSSH reads, from an injectable directory', () => {
    assert.deepEqual(defaultSshFiles({}, '/home/u', '/etc-test/ssh').knownHostsFiles, [
      '/home/u/.ssh/known_hosts',
      '/home/u/.ssh/known_hosts2',
      '/etc-test/ssh/ssh_known_hosts',
      '/etc-test/ssh/ssh_known_hosts2',
    ]);
  });

  it('prints the key type and an OpenSSH fingerprint', () => {
    assert.equal(keyTypeOf(key), 'ssh-ed25519');
    assert.match(fingerprint(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
