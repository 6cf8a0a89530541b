import * as assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
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

  it('honours wildcards and negation', () => {
    const lines = parseKnownHosts(line('*.example,!bad.example', key));
    assert.equal(verifyHostKey(lines, 'good.example', 22, key), 'trusted');
    assert.equal(verifyHostKey(lines, 'bad.example', 22, key), 'unknown');
  });

  it('prints the key type and an OpenSSH fingerprint', () => {
    assert.equal(keyTypeOf(key), 'ssh-ed25519');
    assert.match(fingerprint(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
