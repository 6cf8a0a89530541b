import * as assert from 'node:assert/strict';
import { parseSshConfig, resolveSshHost } from '../../src/core/hosts/sshConfig';

describe('sshConfig (unit)', () => {
  const config = `
# global defaults come first in OpenSSH
ServerAliveInterval 30

Host staging staging-*
  HostName 10.0.0.7
  User deploy
  Port 2222
  IdentityFile ~/.ssh/staging_ed25519

Host !bastion *.internal
  User ops
  IdentityFile "~/keys/%h.pem"

Match host foo exec "true"
  User ignored

Host *
  User fallback
  Port 22
  IdentityFile ~/.ssh/id_ed25519
`;
  const blocks = parseSshConfig(config);

  it('resolves HostName, User, Port and every IdentityFile, first value winning', () => {
    assert.deepEqual(resolveSshHost(blocks, 'staging', '/home/me'), {
      hostName: '10.0.0.7',
      user: 'deploy',
      port: 2222,
      identityFiles: ['/home/me/.ssh/staging_ed25519', '/home/me/.ssh/id_ed25519'],
    });
  });

  it('matches wildcards and expands %h', () => {
    const resolved = resolveSshHost(blocks, 'db.internal', '/home/me');
    assert.equal(resolved.user, 'ops');
    assert.deepEqual(resolved.identityFiles, ['/home/me/keys/db.internal.pem', '/home/me/.ssh/id_ed25519']);
  });

  it('honours negated patterns and skips Match blocks', () => {
    const resolved = resolveSshHost(blocks, 'bastion', '/home/me');
    assert.equal(resolved.user, 'fallback');
    assert.equal(resolved.hostName, undefined);
  });

  it('accepts key=value syntax', () => {
    assert.deepEqual(resolveSshHost(parseSshConfig('Host x\n  Port=2200\n  User = bob'), 'x'), { user: 'bob', port: 2200, identityFiles: [] });
  });
});
