import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { includedFilesReader, parseSshConfig, resolveSshHost } from '../../src/core/hosts/sshConfig';
import { type SshFiles, resolveSshTarget } from '../../src/core/hosts/sshConnection';

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

  describe('Include', () => {
    let home: string;
    let sshDir: string;
    const write = (relative: string, text: string) => {
      const file = path.join(home, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    };
    const resolve = (config: string, alias: string) => resolveSshHost(parseSshConfig(config, includedFilesReader(sshDir, home)), alias, home);

    beforeEach(() => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-ssh-'));
      sshDir = path.join(home, '.ssh');
    });
    afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

    it('reads files relative to ~/.ssh and under ~, globs sorted, before the rest of the config', () => {
      write('.ssh/config.d/20-work', 'Host work\n  HostName 10.1.1.1\n  User second');
      write('.ssh/config.d/10-work', 'Host work\n  User first');
      write('.ssh/config.d/.hidden', 'Host work\n  Port 1');
      write('.colima/ssh_config', 'Host colima\n  HostName 127.0.0.1\n  Port 50022');
      const config = 'Include config.d/* ~/.colima/ssh_config\nHost *\n  User fallback';
      assert.deepEqual(resolve(config, 'work'), { hostName: '10.1.1.1', user: 'first', identityFiles: [] });
      assert.deepEqual(resolve(config, 'colima'), { hostName: '127.0.0.1', port: 50022, user: 'fallback', identityFiles: [] });
    });

    it('inside a Host block applies only to the hosts that block matches, and the block goes on after it', () => {
      write('.ssh/staging.conf', 'User from-file\nHost inner\n  Port 2201');
      const config = 'Host staging inner\n  Include staging.conf\n  User after\n  HostName 10.0.0.9\nHost other\n  Include staging.conf';
      assert.deepEqual(resolve(config, 'staging'), { hostName: '10.0.0.9', user: 'from-file', identityFiles: [] });
      assert.deepEqual(resolve(config, 'inner'), { hostName: '10.0.0.9', user: 'from-file', port: 2201, identityFiles: [] });
      assert.deepEqual(resolve('Host other\n  Include staging.conf', 'staging'), { identityFiles: [] });
    });

    it('skips missing files and stops an include loop', () => {
      write('.ssh/loop', 'Include loop\nHost looped\n  Port 2022');
      assert.deepEqual(resolve('Include missing.conf loop', 'looped'), { port: 2022, identityFiles: [] });
    });
  });

  describe('ProxyJump', () => {
    let home: string;
    const files = (): SshFiles => ({
      configFile: path.join(home, '.ssh', 'config'),
      knownHostsFiles: [],
      defaultIdentityFiles: [path.join(home, '.ssh', 'id_ed25519')],
      homeDir: home,
    });
    const target = (config: string, host: string) => {
      fs.writeFileSync(files().configFile, config);
      return resolveSshTarget({ kind: 'ssh', host }, files());
    };

    beforeEach(() => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-jump-'));
      fs.mkdirSync(path.join(home, '.ssh'));
    });
    afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

    it('resolves every hop through ~/.ssh/config, user@ and :port in the hop winning', () => {
      const config = [
        'Host staging',
        '  HostName 10.0.0.7',
        '  User deploy',
        '  ProxyJump bastion,ops@edge.example.com:2200',
        'Host bastion',
        '  HostName bastion.example.com',
        '  User jump',
        '  IdentityFile ~/.ssh/bastion_key',
        '  ProxyJump ignored-for-a-hop',
      ].join('\n');
      const resolved = target(config, 'staging');
      assert.equal(resolved.host, '10.0.0.7');
      assert.deepEqual(
        resolved.jumps.map(({ alias, host, port, user, identityFiles }) => ({ alias, host, port, user, identityFiles })),
        [
          { alias: 'bastion', host: 'bastion.example.com', port: 22, user: 'jump', identityFiles: [path.join(home, '.ssh', 'bastion_key')] },
          { alias: 'edge.example.com', host: 'edge.example.com', port: 2200, user: 'ops', identityFiles: [path.join(home, '.ssh', 'id_ed25519')] },
        ],
      );
      assert.ok(resolved.jumps.every((hop) => hop.jumps.length === 0));
    });

    it('takes ssh:// hops and IPv6 brackets, and "none" for no jump', () => {
      assert.deepEqual(
        target('Host a\n  ProxyJump ssh://root@[fd00::1]:2222', 'a').jumps.map(({ host, port, user }) => ({ host, port, user })),
        [{ host: 'fd00::1', port: 2222, user: 'root' }],
      );
      assert.deepEqual(target('Host a\n  ProxyJump none\nHost *\n  ProxyJump bastion', 'a').jumps, []);
    });
  });
});
