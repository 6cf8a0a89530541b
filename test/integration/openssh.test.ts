import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Duplex, PassThrough } from 'node:stream';
import { HostError } from '../../src/core/errors';
import { relayReusedBuffer } from '../../src/core/hosts/reusedBufferSocket';
import { AskpassServer, type SshPrompter } from '../../src/core/hosts/openssh/askpass';
import { OpenSshConnection, type OpenSshOptions, openSshFiles } from '../../src/core/hosts/openssh/openSshConnection';
import { resolveSshRoute } from '../../src/core/hosts/openssh/sshResolve';
import { sweepLeftoverMasters } from '../../src/core/hosts/openssh/sshClientChoice';
import type { HostSettingEntry } from '../../src/core/hosts/hostSpec';
import type { ContainerModel } from '../../src/core/model/containerModel';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, inNamespace, newModel, settingFor, specs, tempDir, testbed, testbedOpenSsh, uniqueName } from './harness';

const betaHost = testbedHost(testbed, 'beta', 1) as ReturnType<typeof testbedHost> & { identityFile: string; knownHostsFile: string; ip: string };
const sshDir = path.dirname(betaHost.identityFile);
const authorizedKeys = path.join(sshDir, 'authorized_keys');
const hostPublicKey = fs.readFileSync(path.join(sshDir, 'ssh_host_ed25519_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');

/** A Host block reaching beta as root with the testbed key, under `alias`, plus extra lines. */
const betaBlock = (alias: string, extra = '', identityFile = betaHost.identityFile) =>
  `Host ${alias}\n  HostName ${betaHost.ip}\n  User root\n  IdentityFile ${identityFile}\n${extra}`;

describe('OpenSSH client against the testbed (integration)', function () {
  this.timeout(60_000);
  let logger: RecordingLogger;
  let model: ContainerModel | undefined;
  const cleanups: Array<() => void> = [];

  beforeEach(() => {
    logger = new RecordingLogger();
  });

  afterEach(function () {
    model?.dispose();
    model = undefined;
    for (const cleanup of cleanups.splice(0).reverse()) {
      cleanup();
    }
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.join('\n'));
    }
  });

  async function connect(openSsh: OpenSshOptions, ...entries: HostSettingEntry[]): Promise<ContainerModel> {
    model = newModel(logger, { openSsh }).model;
    await model.setHosts(specs(...entries));
    return model;
  }

  /** A key authorized on beta for this test only (removed again in afterEach). */
  function authorizeNewKey(passphrase: string, options = ''): string {
    const dir = tempDir('crosslink-key-');
    const key = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', `crosslink-test-${path.basename(dir)}`, '-f', key]);
    const line = `${options ? `${options} ` : ''}${fs.readFileSync(`${key}.pub`, 'utf8').trim()}`;
    fs.appendFileSync(authorizedKeys, `${line}\n`);
    cleanups.push(() => {
      const kept = fs
        .readFileSync(authorizedKeys, 'utf8')
        .split('\n')
        .filter((entry) => entry && entry !== line);
      fs.writeFileSync(authorizedKeys, `${kept.join('\n')}\n`);
    });
    return key;
  }

  function scriptedPrompter(answers: { secret?: string; trust?: boolean }, asked: string[]): SshPrompter {
    return {
      secret: async ({ host, message }) => {
        asked.push(`secret ${host}: ${message}`);
        return answers.secret;
      },
      trustHostKey: async ({ host, fingerprint }) => {
        asked.push(`hostKey ${host}: ${fingerprint}`);
        return answers.trust ?? false;
      },
    };
  }

  function askpass(prompter: SshPrompter): AskpassServer {
    const server = new AskpassServer(prompter, logger);
    cleanups.push(() => server.dispose());
    return server;
  }

  it('follows a Match block (which the built-in client ignores), lists, sees events, and uses one ssh process', async () => {
    const openSsh = testbedOpenSsh({ hostBlocks: `Match originalhost openssh-match\n  HostName ${betaHost.ip}\n  User root\n  IdentityFile ${betaHost.identityFile}\n` });
    const live = await connect(openSsh, { name: 'matched', url: 'ssh://openssh-match' });
    assert.equal(live.host('matched')?.state, 'connected', live.host('matched')?.error?.message);
    assert.ok(
      logger.lines.some((line) => /Docker API through \/run\/crosslink-testbed\/beta\/docker\.sock \(forwarded to /.test(line)),
      'the remote DOCKER_HOST, forwarded as a Unix socket',
    );
    const name = uniqueName('ossh-evt');
    cleanups.push(() => removeContainer(betaHost, name));
    docker(betaHost, ['run', '-d', '--pull', 'never', '--name', name, testbed.images.fixture, 'sleep', '600']);
    await waitFor(() => live.findContainer('matched', name)?.state === 'running', `${name} in the model through events`, 2000);
    await Promise.all([live.client('matched')!.listContainers(), live.client('matched')!.version(), live.client('matched')!.listContainers()]);
    assert.equal(sshProcesses(openSsh.runtimeDir).length, 1, 'one ssh process for the host; API calls are channels of it');
    const [forwarded] = fs.readdirSync(openSsh.runtimeDir).filter((entry) => entry.startsWith('crosslink-ssh-'));
    const dir = path.join(openSsh.runtimeDir, forwarded);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700, 'private directory');
    assert.equal(fs.statSync(path.join(dir, 'docker.sock')).mode & 0o777, 0o600, "the forwarded socket is the user's only");

    // The built-in client reads no Match block: the same config fails there.
    const builtin = newModel(logger, {
      sshFiles: { configFile: openSsh.configFile!, knownHostsFiles: [betaHost.knownHostsFile], defaultIdentityFiles: [], homeDir: '/tmp' },
    }).model;
    try {
      await builtin.setHosts(specs({ name: 'matched', url: 'ssh://openssh-match' }));
      assert.notEqual(builtin.host('matched')?.state, 'connected');
    } finally {
      builtin.dispose();
    }
  });

  it('takes the remote socket from the URL path', async () => {
    const openSsh = testbedOpenSsh({ hostBlocks: betaBlock('openssh-path') });
    const live = await connect(openSsh, { name: 'by-path', url: 'ssh://openssh-path/run/crosslink-testbed/beta/docker.sock' });
    assert.equal(live.host('by-path')?.state, 'connected', live.host('by-path')?.error?.message);
    assert.ok(!logger.lines.some((line) => line.includes('printenv')));
  });

  it('runs a ProxyCommand, and reports a failing one as unreachable with what to check', async () => {
    const dir = tempDir('crosslink-proxy-');
    const marker = path.join(dir, 'proxy-ran');
    const openSsh = testbedOpenSsh({
      hostBlocks:
        betaBlock('openssh-proxied', `  ProxyCommand sh -c 'touch ${marker}; exec socat - TCP:%h:%p'\n`) + betaBlock('openssh-broken-proxy', '  ProxyCommand sh -c "exit 1"\n'),
    });
    const live = await connect(openSsh, { name: 'proxied', url: 'ssh://openssh-proxied' }, { name: 'broken', url: 'ssh://openssh-broken-proxy' });
    assert.equal(live.host('proxied')?.state, 'connected', live.host('proxied')?.error?.message);
    assert.ok(fs.existsSync(marker), 'the ProxyCommand ran');
    const error = live.host('broken')?.error;
    assert.ok(HostError.is(error, 'unreachable'), `${error?.reason}: ${error?.message}`);
    assert.match(error!.message, /ProxyCommand/);
  });

  it('reaches beta through a ProxyJump host, and ssh -G shows the route', async () => {
    const openSsh = testbedOpenSsh({ hostBlocks: betaBlock('openssh-behind-jump', '  ProxyJump openssh-jump\n') + betaBlock('openssh-jump') });
    const route = await resolveSshRoute('ssh', { host: 'openssh-behind-jump' }, { configFile: openSsh.configFile });
    assert.deepEqual([route.hostName, route.user, route.port, route.proxyJump], [betaHost.ip, 'root', 22, 'openssh-jump']);
    const live = await connect(openSsh, { name: 'jumped', url: 'ssh://openssh-behind-jump' });
    assert.equal(live.host('jumped')?.state, 'connected', live.host('jumped')?.error?.message);
    const fromInsideBeta = inNamespace('beta', ['ss', '-Htn', 'state', 'established', 'src', betaHost.ip, 'dst', `${betaHost.ip}:22`]);
    assert.notEqual(fromInsideBeta.trim(), '', 'the connection to sshd was opened from the jump host');
    await waitFor(() => live.client('jumped')?.sshRoute?.() !== undefined, 'the route for the tooltip', 5000);
    assert.equal(live.client('jumped')!.sshRoute!(), `root@${betaHost.ip}:22 via ProxyJump openssh-jump`);
  });

  it('asks for the passphrase of a protected key through askpass (scripted prompter), and a cancel is an auth failure', async () => {
    const key = authorizeNewKey('correct horse battery');
    const asked: string[] = [];
    const openSsh = testbedOpenSsh({ hostBlocks: betaBlock('openssh-passphrase', '', key), askpass: askpass(scriptedPrompter({ secret: 'correct horse battery' }, asked)) });
    const live = await connect(openSsh, { name: 'protected', url: 'ssh://openssh-passphrase' });
    assert.equal(live.host('protected')?.state, 'connected', live.host('protected')?.error?.message);
    assert.deepEqual(asked, [`secret protected: Enter passphrase for key '${key}':`]);
    assert.ok(!logger.lines.some((line) => line.includes('correct horse')), 'the passphrase is never logged');
    model?.dispose();

    const cancelled: string[] = [];
    const refused = await connect(
      testbedOpenSsh({ hostBlocks: betaBlock('openssh-passphrase', '  NumberOfPasswordPrompts 1\n', key), askpass: askpass(scriptedPrompter({}, cancelled)) }),
      { name: 'protected', url: 'ssh://openssh-passphrase' },
    );
    assert.ok(HostError.is(refused.host('protected')?.error, 'auth'), refused.host('protected')?.error?.message);
    assert.equal(cancelled.length, 1, 'a cancelled passphrase is not asked again by the reconnects');
  });

  it('authenticates with a key held only by ssh-agent (IdentityAgent)', async () => {
    const key = authorizeNewKey('');
    const agentDir = tempDir('crosslink-agent-');
    const agentSocket = path.join(agentDir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    cleanups.push(() => agent.kill());
    await waitFor(() => fs.existsSync(agentSocket), 'ssh-agent listening', 5000);
    execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'pipe' });
    fs.rmSync(key);
    // Agent only: no IdentityFile, IdentitiesOnly off for this host so the agent's keys are offered.
    const block = `Host openssh-agent\n  HostName ${betaHost.ip}\n  User root\n  IdentitiesOnly no\n  IdentityFile none\n  IdentityAgent ${agentSocket}\n`;
    const live = await connect(testbedOpenSsh({ hostBlocks: block }), { name: 'agent', url: 'ssh://openssh-agent' });
    assert.equal(live.host('agent')?.state, 'connected', live.host('agent')?.error?.message);
  });

  it('asks about an unknown host key with its SHA256 fingerprint; Trust and Connect writes it to known_hosts as ssh does', async () => {
    const knownHostsFile = path.join(tempDir('crosslink-kh-'), 'known_hosts');
    const asked: string[] = [];
    const fingerprint = execFileSync('ssh-keygen', ['-lf', path.join(sshDir, 'ssh_host_ed25519_key.pub')], { encoding: 'utf8' }).split(' ')[1];
    const declined = await connect(testbedOpenSsh({ hostBlocks: betaBlock('openssh-new-host'), knownHostsFile, askpass: askpass(scriptedPrompter({ trust: false }, asked)) }), {
      name: 'new-host',
      url: 'ssh://openssh-new-host',
    });
    assert.ok(HostError.is(declined.host('new-host')?.error, 'hostKey'), declined.host('new-host')?.error?.message);
    assert.ok(!fs.existsSync(knownHostsFile) || !fs.readFileSync(knownHostsFile, 'utf8').includes(hostPublicKey), 'a declined key is not written');
    model?.dispose();

    const live = await connect(testbedOpenSsh({ hostBlocks: betaBlock('openssh-new-host'), knownHostsFile, askpass: askpass(scriptedPrompter({ trust: true }, asked)) }), {
      name: 'new-host',
      url: 'ssh://openssh-new-host',
    });
    assert.equal(live.host('new-host')?.state, 'connected', live.host('new-host')?.error?.message);
    assert.deepEqual(
      asked,
      [`hostKey new-host: ${fingerprint}`, `hostKey new-host: ${fingerprint}`],
      'asked once per askpass server: a decline is not asked again by the reconnects',
    );
    assert.ok(fs.readFileSync(knownHostsFile, 'utf8').includes(hostPublicKey), 'ssh wrote the key');
  });

  it("reads and writes $HOME's known_hosts where $HOME is not the account's home (the testbed's sshHome), never the account's", async () => {
    const accountKnownHosts = path.join(os.userInfo().homedir, '.ssh', 'known_hosts');
    const accountBefore = fs.existsSync(accountKnownHosts) ? fs.readFileSync(accountKnownHosts, 'utf8') : undefined;
    const files = (home: string) => openSshFiles({ env: { HOME: home }, accountHome: os.userInfo().homedir, platform: 'posix' });
    const sshHome = tempDir('crosslink-home-');
    fs.mkdirSync(path.join(sshHome, '.ssh'), { mode: 0o700 });
    fs.copyFileSync(path.join(testbed.sshHome!, '.ssh', 'known_hosts'), path.join(sshHome, '.ssh', 'known_hosts'));
    // No askpass: BatchMode, so only a key already in $HOME's known_hosts lets ssh in.
    const known = await connect({ sshBinary: 'ssh', runtimeDir: tempDir('crosslink-openssh-'), platform: 'posix', ...files(sshHome) }, settingFor('beta'));
    assert.equal(known.host('beta')?.state, 'connected', known.host('beta')?.error?.message);
    model?.dispose();

    const emptyHome = tempDir('crosslink-home-');
    fs.mkdirSync(path.join(emptyHome, '.ssh'), { mode: 0o700 });
    const asked: string[] = [];
    const trusted = await connect(
      { sshBinary: 'ssh', runtimeDir: tempDir('crosslink-openssh-'), platform: 'posix', askpass: askpass(scriptedPrompter({ trust: true }, asked)), ...files(emptyHome) },
      settingFor('beta'),
    );
    assert.equal(trusted.host('beta')?.state, 'connected', trusted.host('beta')?.error?.message);
    assert.equal(asked.length, 1, "the key was unknown to $HOME's known_hosts, whatever the account's says");
    assert.ok(fs.readFileSync(path.join(emptyHome, '.ssh', 'known_hosts'), 'utf8').includes(hostPublicKey), "Trust and Connect wrote $HOME's file");
    assert.equal(fs.existsSync(accountKnownHosts) ? fs.readFileSync(accountKnownHosts, 'utf8') : undefined, accountBefore, "the account's known_hosts is untouched");
  });

  it("refuses a changed host key with ssh's explanation, without asking", async () => {
    const dir = tempDir('crosslink-kh-');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'impostor')]);
    const impostor = fs.readFileSync(path.join(dir, 'impostor.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const knownHostsFile = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, `${betaHost.ip} ${impostor}\n`);
    const asked: string[] = [];
    const live = await connect(testbedOpenSsh({ hostBlocks: betaBlock('openssh-changed'), knownHostsFile, askpass: askpass(scriptedPrompter({ trust: true }, asked)) }), {
      name: 'changed',
      url: 'ssh://openssh-changed',
    });
    const error = live.host('changed')?.error;
    assert.ok(HostError.is(error, 'hostKey'), `${error?.reason}: ${error?.message}`);
    assert.match(error!.message, /CHANGED[\s\S]*ssh-keygen -f/);
    assert.deepEqual(asked, [], 'a changed key is never offered for trust');
  });

  it('refuses a host key marked @revoked, even next to a line that trusts it', async () => {
    const knownHostsFile = path.join(tempDir('crosslink-kh-'), 'known_hosts');
    fs.writeFileSync(knownHostsFile, `${betaHost.ip} ${hostPublicKey}\n@revoked ${betaHost.ip} ${hostPublicKey}\n`);
    const live = await connect(testbedOpenSsh({ hostBlocks: betaBlock('openssh-revoked'), knownHostsFile }), { name: 'revoked', url: 'ssh://openssh-revoked' });
    const error = live.host('revoked')?.error;
    assert.ok(HostError.is(error, 'hostKey'), `${error?.reason}: ${error?.message}`);
    assert.match(error!.message, /@revoked/);
  });

  it('falls back to docker system dial-stdio when the server refuses forwarding for the key', async () => {
    const key = authorizeNewKey('', 'no-port-forwarding');
    const live = await connect(testbedOpenSsh({ hostBlocks: betaBlock('openssh-noforward', '', key) }), { name: 'stdio', url: 'ssh://openssh-noforward' });
    assert.equal(live.host('stdio')?.state, 'connected', live.host('stdio')?.error?.message);
    assert.ok(logger.lines.some((line) => /using `docker system dial-stdio`/.test(line)));
    await live.client('stdio')!.listContainers();
  });

  it('leaves no ssh process after dispose, and none after its parent is SIGKILLed', async () => {
    const openSsh = testbedOpenSsh({ hostBlocks: betaBlock('openssh-leak') });
    const live = await connect(openSsh, { name: 'leak', url: 'ssh://openssh-leak' });
    assert.equal(live.host('leak')?.state, 'connected', live.host('leak')?.error?.message);
    assert.equal(sshProcesses(openSsh.runtimeDir).length, 1);
    live.dispose();
    model = undefined;
    await waitFor(() => sshProcesses(openSsh.runtimeDir).length === 0, 'the master ended on dispose', 5000);

    // An extension-host-like parent that holds a connected master and is then killed outright.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const { OpenSshConnection } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/hosts/openssh/openSshConnection.js'))});` +
          `const c = new OpenSshConnection('leak', { host: 'openssh-leak' }, { info() {}, debug() {}, warn() {}, trace() {}, error() {} }, ${JSON.stringify(openSsh)});` +
          `c.connect().then(() => console.log('up'), (e) => { console.error(e.message); process.exit(1); }); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => parent.stdout.once('data', resolve));
    assert.equal(sshProcesses(openSsh.runtimeDir).length, 1);
    const parentExit = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGKILL');
    await waitFor(() => sshProcesses(openSsh.runtimeDir).length === 0, 'the master ended with its parent', 5000);
    await parentExit; // Reaped: a zombie still counts as a live owner.
    assert.equal(sweepLeftoverMasters(openSsh.runtimeDir, 'ssh', logger), 1, 'its directory is swept on the next start');
  });
  it('spreads tunnel connections past the per-master limit over extra masters that never prompt, survive one being killed, and end when idle', async () => {
    // An echo server in the root namespace, reached from beta like a container port.
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    server.listen(0, '10.231.0.1');
    await once(server, 'listening');
    cleanups.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const asked: string[] = [];
    const openSsh = testbedOpenSsh({ hostBlocks: betaBlock('openssh-pool'), askpass: askpass(scriptedPrompter({}, asked)), tunnelsPerMaster: 3, extraMasterIdleMs: 500 });
    const connection = new OpenSshConnection('pool', { host: 'openssh-pool' }, logger, openSsh);
    cleanups.push(() => connection.dispose());
    const echo = async (stream: Duplex, text: string): Promise<string> => {
      // Tunnel streams read only once relayed (into one reused buffer), as the forwarder does.
      const received = new PassThrough();
      if (!relayReusedBuffer(stream, received)) {
        stream.pipe(received);
      }
      stream.write(text);
      const [reply] = (await once(received, 'data')) as [Buffer];
      return reply.toString();
    };
    const streams = await Promise.all(Array.from({ length: 7 }, () => connection.forwardOut('10.231.0.1', port)));
    assert.deepEqual(
      await Promise.all(streams.map((stream, index) => echo(stream, `hello ${index}`))),
      streams.map((_, index) => `hello ${index}`),
    );
    assert.equal(sshProcesses(openSsh.runtimeDir).length, 3, '7 connections at 3 per master: three masters');
    assert.deepEqual(asked, [], 'extra masters never prompt');

    // Killing an extra master ends the connections it carried and nothing else; new ones still go through.
    const extraPid = Number(sshProcesses(openSsh.runtimeDir).sort((a, b) => Number(b) - Number(a))[0]);
    const closedCount = () => streams.filter((stream) => stream.destroyed || stream.readableEnded).length;
    process.kill(extraPid, 'SIGKILL');
    await waitFor(() => closedCount() > 0, "the killed master's connections end", 10_000);
    assert.ok(closedCount() <= 3, `only the killed master's connections ended (${closedCount()})`);
    const after = await connection.forwardOut('10.231.0.1', port);
    assert.equal(await echo(after, 'after'), 'after');

    for (const stream of [...streams, after]) {
      stream.destroy();
    }
    await waitFor(() => sshProcesses(openSsh.runtimeDir).length === 1, 'idle extra masters end; the first stays', 15_000);
    connection.dispose();
    await waitFor(() => sshProcesses(openSsh.runtimeDir).length === 0, 'no ssh process after dispose', 5000);
  });
});

/** ssh processes (the masters) whose command line names a directory under `runtimeDir`. */
function sshProcesses(runtimeDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^ssh .*${runtimeDir}/crosslink-ssh-`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}
