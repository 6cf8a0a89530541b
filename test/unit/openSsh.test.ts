import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/like';
import { AskpassServer, type SshPrompter, classifyPrompt } from '../../src/core/hosts/openssh/askpass';
import { exitArguments, forwardArguments, forwardTarget, masterArguments, remoteCommandArguments, resolveArguments } from '../../src/core/hosts/openssh/sshArguments';
import { translateSshFailure } from '../../src/core/hosts/openssh/sshErrors';
import { chooseTunnelMaster, listenerGone, openSshFiles } from '../../src/core/hosts/openssh/openSshConnection';
import { describeSshRoute, parseSshG } from '../../src/core/hosts/openssh/sshResolve';
import { chooseSshClient, findSshBinary } from '../../src/core/hosts/openssh/sshClientChoice';
import { connectRequest } from '../../src/core/hosts/openssh/socks';

describe('OpenSSH client (unit)', () => {
  describe('argument lists', () => {
    const destination = { host: 'build-box', user: 'dev', port: 2222, identityFile: '/keys/id' };

    it('posix: one ControlMaster with keepalive, its control socket via -S, BatchMode without askpass', () => {
      const args = masterArguments({ platform: 'posix', destination, controlPath: '/tmp/d x/ctl', batchMode: true, configFile: '/cfg' });
      assert.deepEqual(args, [
        '-N',
        '-T',
        '-o',
        'ExitOnForwardFailure=yes',
        '-o',
        'ServerAliveInterval=10',
        '-o',
        'ServerAliveCountMax=3',
        '-o',
        'ConnectTimeout=10',
        '-o',
        'BatchMode=yes',
        '-F',
        '/cfg',
        '-M',
        '-S',
        '/tmp/d x/ctl',
        '-o',
        'ControlPersist=no',
        '-l',
        'dev',
        '-p',
        '2222',
        '-i',
        '/keys/id',
        '--',
        'build-box',
      ]);
      assert.ok(!args.includes('-D'), 'no SOCKS listener where Unix sockets do');
    });

    it("follows $HOME's ssh files where they are not the account's (ssh reads passwd's home); a chosen config decides itself", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-home-'));
      const account = { accountHome: '/home/dev', platform: 'posix' } as const;
      assert.deepEqual(openSshFiles({ ...account, env: { HOME: '/home/dev/' } }), {}, 'the same home: ssh as in a terminal');
      assert.deepEqual(openSshFiles({ ...account, env: { HOME: path.join(dir, 'h') } }), {
        configFile: '/dev/null',
        knownHostsFiles: [path.join(dir, 'h/.ssh/known_hosts'), path.join(dir, 'h/.ssh/known_hosts2')],
      });
      fs.mkdirSync(path.join(dir, 'h/.ssh'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'h/.ssh/config'), 'Host *\n');
      assert.equal(openSshFiles({ ...account, env: { HOME: path.join(dir, 'h') } }).configFile, path.join(dir, 'h/.ssh/config'));
      assert.deepEqual(openSshFiles({ ...account, env: { HOME: dir, CROSSLINK_SSH_CONFIG: '/env.cfg' } }), { configFile: '/env.cfg' });
      assert.deepEqual(openSshFiles({ ...account, configFile: '/setting.cfg', env: { HOME: dir, CROSSLINK_SSH_CONFIG: '/env.cfg' } }), { configFile: '/setting.cfg' });
      assert.deepEqual(openSshFiles({ accountHome: 'C:\\Users\\dev', platform: 'win32', env: { HOME: dir } }), {});
      const args = masterArguments({
        platform: 'posix',
        destination,
        controlPath: '/c',
        batchMode: false,
        configFile: '/dev/null',
        knownHostsFiles: ['/t/a b/known_hosts', '/t/k2'],
      });
      assert.deepEqual(args.slice(args.indexOf('-F'), args.indexOf('-F') + 4), ['-F', '/dev/null', '-o', 'UserKnownHostsFile="/t/a b/known_hosts" /t/k2']);
      const remote = remoteCommandArguments('win32', undefined, { host: 'h' }, 'true', { batchMode: true, knownHostsFiles: ['/k'] });
      assert.ok(remote.includes('UserKnownHostsFile=/k'), 'a connection of its own (win32) reads the same files');
    });

    it('win32: no ControlMaster (forced off), a -D SOCKS and the Docker socket on loopback only', () => {
      const args = masterArguments({
        platform: 'win32',
        destination: { host: 'box' },
        socksPort: 50123,
        docker: { port: 50124, remoteSocket: '/var/run/docker.sock' },
        batchMode: false,
      });
      assert.deepEqual(args, [
        '-N',
        '-T',
        '-o',
        'ExitOnForwardFailure=yes',
        '-o',
        'ServerAliveInterval=10',
        '-o',
        'ServerAliveCountMax=3',
        '-o',
        'ConnectTimeout=10',
        '-o',
        'ControlMaster=no',
        '-o',
        'ControlPath=none',
        '-D',
        '127.0.0.1:50123',
        '-L',
        '127.0.0.1:50124:/var/run/docker.sock',
        '--',
        'box',
      ]);
      assert.ok(!args.includes('-M') && !args.includes('-S'));
      assert.throws(() => masterArguments({ platform: 'win32', destination, batchMode: true }));
      assert.throws(() => masterArguments({ platform: 'posix', destination, batchMode: true }));
    });

    it('forwards, exits and remote commands go through the control socket and never become a master', () => {
      assert.deepEqual(forwardArguments('/d/ctl', '/d/t-0.sock', forwardTarget('172.17.0.2', 80), { host: 'h' }, { configFile: '/cfg' }), [
        '-S',
        '/d/ctl',
        '-o',
        'ControlMaster=no',
        '-F',
        '/cfg',
        '-O',
        'forward',
        '-L',
        '/d/t-0.sock:172.17.0.2:80',
        '--',
        'h',
      ]);
      assert.equal(forwardTarget('fd00::5', 443), '[fd00::5]:443');
      assert.deepEqual(exitArguments('/d/ctl'), ['-F', '/dev/null', '-S', '/d/ctl', '-o', 'ControlMaster=no', '-O', 'exit', '--', 'crosslink-leftover']);
      assert.deepEqual(remoteCommandArguments('posix', '/d/ctl', { host: 'h', user: 'u' }, 'docker system dial-stdio', { batchMode: true }), [
        '-S',
        '/d/ctl',
        '-o',
        'ControlMaster=no',
        '-T',
        '-o',
        'BatchMode=yes',
        '-l',
        'u',
        '--',
        'h',
        'docker system dial-stdio',
      ]);
      // win32: a connection of its own, with any inherited ControlMaster forced off.
      assert.deepEqual(remoteCommandArguments('win32', undefined, { host: 'h' }, 'printenv DOCKER_HOST', { batchMode: false }).slice(0, 4), [
        '-o',
        'ControlMaster=no',
        '-o',
        'ControlPath=none',
      ]);
      assert.deepEqual(resolveArguments({ host: 'h', port: 2200 }, { configFile: '/cfg', verbose: true }), ['-G', '-F', '/cfg', '-p', '2200', '--', 'h']);
    });

    it('only a refused or vanished forwarded socket means the master is gone; running out of descriptors does not', () => {
      const failure = (code: string) => Object.assign(new Error(code), { code });
      assert.ok(listenerGone(failure('ECONNREFUSED')) && listenerGone(failure('ENOENT')));
      for (const code of ['EMFILE', 'ENFILE', 'EAGAIN', 'ETIMEDOUT']) {
        assert.ok(!listenerGone(failure(code)), code);
      }
      assert.ok(!listenerGone(new Error('no code')) && !listenerGone(undefined));
    });

    it('builds SOCKS5 CONNECT requests for IPv4 and IPv6 targets', () => {
      assert.deepEqual([...connectRequest('172.17.0.2', 8080)], [5, 1, 0, 1, 172, 17, 0, 2, 0x1f, 0x90]);
      const v6 = connectRequest('fd00::2', 80);
      assert.equal(v6[3], 4);
      assert.deepEqual([...v6.subarray(4, 20)], [0xfd, 0, ...Array(13).fill(0), 2]);
    });
  });

  describe('ssh stderr → HostError reasons', () => {
    const cases: Array<[string, string, string]> = [
      ['ssh: connect to host 10.0.0.9 port 22: Connection refused', 'refused', 'refused'],
      ['ssh: connect to host 10.0.0.9 port 22: Connection timed out', 'timeout', 'firewall'],
      ['ssh: Could not resolve hostname nowhere: Name or service not known', 'unreachable', 'host name'],
      ['ssh: connect to host 10.0.0.9 port 22: No route to host', 'unreachable', 'network'],
      ['root@10.0.0.9: Permission denied (publickey).', 'auth', 'authentication'],
      ['Warning: Identity file /nope/id not accessible: No such file or directory.\nroot@10.0.0.9: Permission denied (publickey).', 'credentials', '/nope/id'],
      ['No ED25519 host key is known for 10.0.0.9 and you have requested strict checking.\nHost key verification failed.', 'hostKey', 'Trust and Connect'],
      [
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n' +
          '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n' +
          'Offending ED25519 key in /home/u/.ssh/known_hosts:3\n  remove with:\n  ssh-keygen -f "/home/u/.ssh/known_hosts" -R "10.0.0.9"\n' +
          'Host key for 10.0.0.9 has changed and you have requested strict checking.\nHost key verification failed.',
        'hostKey',
        'ssh-keygen -f "/home/u/.ssh/known_hosts" -R "10.0.0.9"',
      ],
      [
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@       WARNING: REVOKED HOST KEY DETECTED!               @\n' +
          '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nThe ED25519 host key for 10.0.0.9 is marked as revoked.\nHost key verification failed.',
        'hostKey',
        '@revoked',
      ],
      ['kex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535', 'unreachable', 'ProxyCommand'],
      ['bash: line 1: docker: command not found', 'protocol', 'no `docker` command'],
      ['kex_exchange_identification: read: Connection reset by peer', 'closed', 'closed'],
    ];
    for (const [stderr, reason, mention] of cases) {
      it(`${stderr.split('\n').find((line) => !line.startsWith('@')) ?? ''} → ${reason}`, () => {
        const error = translateSshFailure('beta', 'root@10.0.0.9', stderr);
        assert.ok(HostError.is(error, reason as never), `got ${error.reason}: ${error.message}`);
        assert.ok(error.message.startsWith('beta: '), error.message);
        assert.ok(error.message.includes(mention), error.message);
      });
    }
  });

  it('reads ssh -G output for display', () => {
    const route = parseSshG('host jumped\nhostname 10.231.0.12\nuser root\nport 2222\nproxyjump testbed-jump\nproxycommand none\nidentityfile ~/.ssh/id_rsa\nidentityfile /k\n');
    assert.deepEqual(route, { hostName: '10.231.0.12', user: 'root', port: 2222, proxyJump: 'testbed-jump', proxyCommand: undefined, identityFiles: ['~/.ssh/id_rsa', '/k'] });
    assert.equal(describeSshRoute(route), 'root@10.231.0.12:2222 via ProxyJump testbed-jump');
  });

  it('chooses the client: auto and openssh need a binary, builtin never uses one', () => {
    assert.deepEqual(chooseSshClient('auto', '/usr/bin/ssh', silentLogger), { client: 'openssh', sshBinary: '/usr/bin/ssh' });
    assert.deepEqual(chooseSshClient('auto', undefined, silentLogger), { client: 'builtin' });
    assert.deepEqual(chooseSshClient('openssh', undefined, silentLogger), { client: 'builtin' });
    assert.deepEqual(chooseSshClient('builtin', '/usr/bin/ssh', silentLogger), { client: 'builtin' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-path-'));
    assert.equal(findSshBinary({ PATH: dir }, 'linux'), undefined);
    fs.writeFileSync(path.join(dir, 'ssh'), '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(findSshBinary({ PATH: `/nonexistent:${dir}` }, 'linux'), path.join(dir, 'ssh'));
  });

  describe('askpass', function () {
    this.timeout(20_000);
    it('recognises the host key question, FIDO notices and secrets', () => {
      const hostKey =
        "The authenticity of host '10.231.0.12 (10.231.0.12)' can't be established.\nED25519 key fingerprint is SHA256:abcDEF123+/xyz.\n" +
        'This key is not known by any other names.\nAre you sure you want to continue connecting (yes/no/[fingerprint])? ';
      assert.deepEqual(classifyPrompt(hostKey, ''), { kind: 'hostKey', fingerprint: 'SHA256:abcDEF123+/xyz' });
      assert.deepEqual(classifyPrompt('Confirm user presence for key ED25519-SK SHA256:x', 'none'), { kind: 'notice' });
      assert.deepEqual(classifyPrompt("Enter passphrase for key '/k/id': ", ''), { kind: 'secret' });
    });

    it('answers the helper through the private socket, only with a valid token, and never logs the secret', async () => {
      const asked: string[] = [];
      const prompter: SshPrompter = {
        secret: async ({ host, message }) => {
          asked.push(`${host}: ${message}`);
          return 's3cret passphrase';
        },
        trustHostKey: async ({ fingerprint }) => fingerprint === 'SHA256:good',
      };
      const lines: string[] = [];
      const logger = { ...silentLogger, info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) };
      const server = new AskpassServer(prompter, logger);
      try {
        await server.ready();
        assert.equal(fs.statSync(server.dir).mode & 0o777, 0o700, 'private directory');
        const session = server.session('beta');
        const run = (prompt: string, env: Record<string, string> = session.env) => runHelper(env.SSH_ASKPASS, prompt, env);
        assert.deepEqual(await run("Enter passphrase for key '/k/id': "), { code: 0, stdout: 's3cret passphrase\n' });
        assert.deepEqual(asked, ["beta: Enter passphrase for key '/k/id':"]);
        assert.deepEqual(await run("authenticity of host 'x' can't be established.\nkey fingerprint is SHA256:good.\n(yes/no/[fingerprint])?"), { code: 0, stdout: 'yes\n' });
        const evil = "authenticity of host 'x' can't be established.\nkey fingerprint is SHA256:evil.\n(yes/no/[fingerprint])?";
        let trustAsked = 0;
        const countingTrust = prompter.trustHostKey;
        prompter.trustHostKey = (request) => {
          trustAsked++;
          return countingTrust(request);
        };
        assert.deepEqual(await run(evil), { code: 0, stdout: 'no\n' });
        assert.deepEqual(await run(evil), { code: 0, stdout: 'no\n' });
        assert.equal(trustAsked, 1, 'a declined key is not asked again by reconnects');
        server.forgetDeclines('beta');
        await run(evil);
        assert.equal(trustAsked, 2, 'until the user retries');
        assert.equal((await run('Password:', { ...session.env, CROSSLINK_ASKPASS_TOKEN: 'forged' })).code, 1, 'a wrong token gets nothing');
        session.dispose();
        assert.equal((await run('Password:')).code, 1, 'a finished session gets nothing');
        assert.ok(!lines.some((line) => line.includes('s3cret')), 'the secret is not logged');
      } finally {
        server.dispose();
      }
      assert.ok(!fs.existsSync(server.dir));
    });
  });

  describe('which master carries the next tunnel connection', () => {
    it('the least loaded while it has room; another master only when all are full and one may start', () => {
      assert.equal(chooseTunnelMaster([0], 1000, true), 0);
      assert.equal(chooseTunnelMaster([999], 1000, true), 0);
      assert.equal(chooseTunnelMaster([1000], 1000, true), 'startAnother');
      assert.equal(chooseTunnelMaster([1000, 400, 12], 1000, true), 2);
      assert.equal(chooseTunnelMaster([1000, 1000], 1000, true), 'startAnother');
      assert.equal(chooseTunnelMaster([1200, 1000], 1000, false), 1, 'after a failed start: the least loaded, over the limit');
    });
  });

  describe('master process guard', function () {
    this.timeout(15_000);
    /** A stand-in for ssh: listens on the -S control path, like a master after authentication. */
    function fakeSsh(dir: string): string {
      const file = path.join(dir, 'fake-ssh');
      fs.writeFileSync(
        file,
        `#!${process.execPath}\nconst args = process.argv.slice(2);\nif (args.includes('-O')) process.exit(0);\n` +
          `const ctl = args[args.indexOf('-S') + 1];\nrequire('net').createServer().listen(ctl);\nsetInterval(() => undefined, 1000);\n`,
        { mode: 0o755 },
      );
      return file;
    }

    it('ends ssh when its parent is SIGKILLed, and the sweep removes what is left', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-guard-'));
      const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-runtime-'));
      const sshBinary = fakeSsh(dir);
      // A parent like the extension host: it starts a master, prints the ssh pid, then waits to be killed.
      const parentScript = path.join(dir, 'parent.js');
      const connectionModule = path.resolve(__dirname, '../../src/core/hosts/openssh/openSshConnection.js');
      fs.writeFileSync(
        parentScript,
        `const { OpenSshConnection } = require(${JSON.stringify(connectionModule)});\n` +
          `const c = new OpenSshConnection('fake', { host: 'h' }, { info() {}, debug() {}, warn() {}, trace() {}, error() {} }, ` +
          `{ sshBinary: ${JSON.stringify(sshBinary)}, runtimeDir: ${JSON.stringify(runtimeDir)}, platform: 'posix' });\n` +
          `c.connect().then((m) => setTimeout(() => console.log(require('fs').readFileSync(m.dir + '/ssh.pid', 'utf8').trim()), 200), (e) => { console.error(e); process.exit(1); });\n` +
          `setInterval(() => undefined, 1000);\n`,
      );
      const parent = spawn(process.execPath, [parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
      const sshPid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      assert.ok(alive(sshPid), 'the fake master runs');
      parent.kill('SIGKILL');
      await waitUntil(() => !alive(sshPid), 5000, 'the master ended with its parent');
      // The guard could not remove the directory; the next start's sweep does, as its owner is gone.
      const { sweepLeftoverMasters } = await import('../../src/core/hosts/openssh/sshClientChoice');
      assert.equal(fs.readdirSync(runtimeDir).length, 1);
      assert.equal(sweepLeftoverMasters(runtimeDir, sshBinary, silentLogger), 1);
      assert.deepEqual(fs.readdirSync(runtimeDir), []);
    });

    it("dispose ends ssh and removes the private directory; a live owner's directory is not swept", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-guard-'));
      const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-runtime-'));
      const sshBinary = fakeSsh(dir);
      const { OpenSshConnection } = await import('../../src/core/hosts/openssh/openSshConnection');
      const { sweepLeftoverMasters } = await import('../../src/core/hosts/openssh/sshClientChoice');
      const connection = new OpenSshConnection('fake', { host: 'h' }, silentLogger, { sshBinary, runtimeDir, platform: 'posix' });
      const master = await connection.connect();
      await waitUntil(() => fs.existsSync(path.join(master.dir, 'ssh.pid')), 2000, 'pid recorded');
      const sshPid = Number(fs.readFileSync(path.join(master.dir, 'ssh.pid'), 'utf8'));
      assert.equal(fs.statSync(master.dir).mode & 0o777, 0o700, 'private directory');
      assert.equal(sweepLeftoverMasters(runtimeDir, sshBinary, silentLogger), 0, "a running window's master is left alone");
      connection.dispose();
      await waitUntil(() => !alive(sshPid) && !fs.existsSync(master.dir), 5000, 'ssh gone and directory removed');
      await assert.rejects(connection.connect(), (error: unknown) => HostError.is(error, 'closed'));
    });

    it('win32: ssh runs in BatchMode without the askpass environment, even when a prompt server is given', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-guard-'));
      const recorded = path.join(dir, 'invocation.json');
      const recording = path.join(dir, 'recording-ssh');
      fs.writeFileSync(
        recording,
        // Every invocation appends a line: the connection may also run ssh for other work (a cleanup), in any order.
        `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(recorded)}, JSON.stringify({ args: process.argv.slice(2), askpass: process.env.SSH_ASKPASS ?? null }) + '\\n');\n` +
          `process.stderr.write('me@h: Permission denied (publickey).\\n');\nprocess.exit(255);\n`,
        { mode: 0o755 },
      );
      const { OpenSshConnection } = await import('../../src/core/hosts/openssh/openSshConnection');
      const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-runtime-'));
      const askpass = new AskpassServer({ secret: async () => 'never', trustHostKey: async () => true }, silentLogger, { runtimeDir });
      const connection = new OpenSshConnection('win', { host: 'h', user: 'me' }, silentLogger, { sshBinary: recording, runtimeDir, platform: 'win32', askpass });
      try {
        await assert.rejects(connection.connect(), (error: unknown) => HostError.is(error, 'auth'));
        const invocations = fs
          .readFileSync(recorded, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { args: string[]; askpass: string | null });
        const { args, askpass: askpassEnv } = invocations.find((invocation) => invocation.args.includes('-D')) ?? invocations[0];
        assert.equal(askpassEnv, process.env.SSH_ASKPASS ?? null, 'no SSH_ASKPASS of ours');
        for (const option of ['BatchMode=yes', 'ControlMaster=no', 'ControlPath=none']) {
          assert.equal(args[args.indexOf(option) - 1], '-o', option);
        }
        assert.ok(!args.includes('-M') && args.includes('-D'));
      } finally {
        connection.dispose();
        askpass.dispose();
      }
    });

    it('reports a master that exits during setup with the translated reason', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-guard-'));
      const failing = path.join(dir, 'failing-ssh');
      fs.writeFileSync(failing, '#!/bin/sh\necho "ssh: connect to host 10.0.0.9 port 22: Connection refused" >&2\nexit 255\n', { mode: 0o755 });
      const { OpenSshConnection } = await import('../../src/core/hosts/openssh/openSshConnection');
      const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-runtime-'));
      const connection = new OpenSshConnection('fake', { host: 'h' }, silentLogger, { sshBinary: failing, runtimeDir, platform: 'posix' });
      await assert.rejects(connection.connect(), (error: unknown) => HostError.is(error, 'refused'));
      assert.deepEqual(fs.readdirSync(runtimeDir), [], 'nothing left behind');
      connection.dispose();
    });
  });
});

function runHelper(helper: string, prompt: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(helper, [prompt], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
