import { setTimeout as delay } from 'node:timers/promises';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duplex } from 'node:stream';
import { HostError } from '../../errors';
import type { DisposableLike, Logger } from '../../like';
import type { AskpassServer, AskpassSession } from './askpass';
import { type SshDestination, type SshPlatform, forwardArguments, forwardTarget, masterArguments, remoteCommandArguments } from './sshArguments';
import { dialStdioCommand } from '../sshConnection';
import { translateSshFailure } from './sshErrors';
import { socksConnect } from './socks';
import { dialUnix } from '../reusedBufferSocket';
import { describeSshRoute, resolveSshRoute } from './sshResolve';

export interface OpenSshOptions {
  /** `ssh`, or the absolute path found for it. */
  sshBinary: string;
  /** `-F`; undefined: ssh reads the user's ~/.ssh/config as it always does. */
  configFile?: string;
  /** UserKnownHostsFile; undefined: ssh_config's, else ssh's own default. */
  knownHostsFiles?: string[];
  /** Where the private per-connection directories go (control socket, forwarded sockets, owner file). */
  runtimeDir: string;
  platform: SshPlatform;
  /** Prompts through the extension; without it ssh runs with BatchMode=yes and never prompts. */
  askpass?: AskpassServer;
  /** `-v` into the log. */
  verbose?: boolean;
  /** Tunnel connections one master carries before another master takes new ones; tests make it small. */
  tunnelsPerMaster?: number;
  /** How long an extra master with no tunnel connection left stays up; tests make it short. */
  extraMasterIdleMs?: number;
}

/** `configFile`: the setting `crosslink.ssh.configFile`, when set. */
export function defaultOpenSshOptions(sshBinary = 'ssh', configFile?: string): OpenSshOptions {
  const platform = process.platform === 'win32' ? 'win32' : 'posix';
  return {
    sshBinary,
    ...openSshFiles({ configFile, env: process.env, accountHome: os.userInfo().homedir, platform }),
    runtimeDir: os.tmpdir(),
    platform,
  };
}

/**
 * Which ssh_config and known_hosts OpenSSH reads. ssh finds `~/.ssh` through the account's home
 * (passwd), never $HOME; Crosslink (its built-in client, `~` in settings) follows $HOME like any
 * Node program. Where the two differ (a test or sandbox home), ssh is pointed at $HOME's files
 * explicitly, so both clients trust the same host keys and a "Trust and Connect" never writes the
 * account's real known_hosts. A config chosen by setting or CROSSLINK_SSH_CONFIG decides for itself.
 */
export function openSshFiles(context: {
  configFile?: string;
  env: Record<string, string | undefined>;
  accountHome: string;
  platform: SshPlatform;
}): Pick<OpenSshOptions, 'configFile' | 'knownHostsFiles'> {
  const chosen = context.configFile || context.env.CROSSLINK_SSH_CONFIG;
  if (chosen) {
    return { configFile: chosen };
  }
  const home = context.env.HOME;
  if (context.platform !== 'posix' || !home || path.resolve(home) === path.resolve(context.accountHome)) {
    return {};
  }
  const sshDir = path.join(home, '.ssh');
  const config = path.join(sshDir, 'config');
  return {
    // Without a config of $HOME's own, none: not the account's.
    configFile: fs.existsSync(config) ? config : '/dev/null',
    knownHostsFiles: [path.join(sshDir, 'known_hosts'), path.join(sshDir, 'known_hosts2')],
  };
}

/**
 * Prompts reach the extension through a Unix socket the askpass helper connects to, and ssh runs the
 * helper as a shell script: both posix only. On Windows ssh runs with BatchMode=yes (an agent key and
 * a known host key, set up once in a terminal), so it never waits on a console nobody sees.
 */
export function promptsThroughAskpass(platform: SshPlatform): boolean {
  return platform === 'posix';
}

const defaultRemoteSocket = '/var/run/docker.sock';
/** A master that has not authenticated in this time is given up (prompts included: the user may be away). */
const masterSetupMs = 120_000;
const stderrLimit = 64 * 1024;
export const masterDirPrefix = 'crosslink-ssh-';
/**
 * OpenSSH's client loop walks every channel on every turn, and a turn accepts one connection: with
 * n channels open a new one costs O(n), so 10,000 held connections take minutes on one master
 * (`ssh -L` alike), and connections time out. Past this many, new tunnel connections go to another
 * master to the same host; 1,000 channels add about a millisecond per connection.
 */
const defaultTunnelsPerMaster = 1000;
const defaultExtraMasterIdleMs = 30_000;
/** After an extra master failed to start, the ones there are carry on for this long before another try. */
const extraMasterRetryMs = 60_000;

/**
 * Where the next tunnel connection goes: the least loaded master while it has room, else a new one.
 * Loads count connections being dialed too, so a burst does not pile onto one master.
 */
export function chooseTunnelMaster(loads: readonly number[], perMaster: number, mayStartAnother: boolean): number | 'startAnother' {
  let lightest = 0;
  loads.forEach((load, index) => (load < loads[lightest] ? (lightest = index) : undefined));
  return loads[lightest] >= perMaster && mayStartAnother ? 'startAnother' : lightest;
}

/**
 * One `ssh` master process per host (the system OpenSSH client, so ssh_config, agents, FIDO keys,
 * certificates and known_hosts work exactly as in a terminal). The Docker API and every tunnel
 * connection are channels of its one connection: posix forwards Unix sockets in a private 0700
 * directory through the master's control socket; win32 uses the master's SOCKS listener on loopback.
 * The master starts on first use and again on the first use after it died. Only under thousands of
 * tunnel connections do extra masters carry the excess (see defaultTunnelsPerMaster); they never
 * prompt, and end when idle.
 */
export class OpenSshConnection implements DisposableLike {
  private master?: Promise<Master>;
  private readonly extraMasters = new Set<Master>();
  private startingExtraMaster?: Promise<Master>;
  private extraMastersFailedAt = 0;
  private disposed = false;
  /** What `ssh -G` says about the host ("root@10.0.0.5:22 via ProxyJump bastion"), once known. */
  route?: string;

  constructor(
    private readonly hostName: string,
    private readonly destination: SshDestination & { socketPath?: string },
    private readonly logger: Logger,
    private readonly options: OpenSshOptions,
  ) {}

  /** ssh://user@host:port as the user wrote it, for messages. */
  private get where(): string {
    const { user, host, port } = this.destination;
    return `${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}`;
  }

  async openDockerStream(): Promise<Duplex> {
    const master = await this.connect();
    master.dockerRoute ??= this.chooseDockerRoute(master).catch((error: unknown) => {
      master.dockerRoute = undefined;
      throw error;
    });
    const route = await master.dockerRoute;
    if (route.kind === 'socket') {
      return this.dialForwarded(master, master.reserve(), () => dialLocal(route.path));
    }
    return this.dialStdio(master, route.remoteSocket);
  }

  /** A TCP stream to ip:port as seen from the SSH server. */
  async forwardOut(ip: string, port: number): Promise<Duplex> {
    const { master, release } = await this.reserveTunnelMaster();
    const extra = this.extraMasters.has(master);
    try {
      return await this.forwardThrough(master, release, ip, port);
    } catch (error) {
      // An extra master that died (killed, its connection dropped) is forgotten by now: the next one is tried.
      if (extra && (HostError.is(error, 'closed') || !master.running)) {
        this.extraMasters.delete(master);
        return this.forwardOut(ip, port);
      }
      throw error;
    }
  }

  private async forwardThrough(master: Master, release: () => void, ip: string, port: number): Promise<Duplex> {
    if (this.options.platform === 'win32') {
      return this.dialForwarded(master, release, () => socksConnect(loopback, master.socksPort!, ip, port));
    }
    const key = forwardTarget(ip, port);
    let listen = master.forwards.get(key);
    if (!listen) {
      listen = this.addForward(master, `t-${master.forwards.size}.sock`, key);
      master.forwards.set(key, listen);
      listen.catch(() => master.forwards.delete(key));
    }
    const socketPath = await listen.catch((error: unknown) => {
      release();
      throw error;
    });
    // Tunnels read into one reused buffer (no allocation per chunk), like their TCP dials.
    return this.dialForwarded(master, release, () => dialUnix(socketPath, dialTimeoutMs));
  }

  /** The master the next tunnel connection goes through, with the connection already counted in its load. */
  private async reserveTunnelMaster(): Promise<{ master: Master; release: () => void }> {
    const perMaster = this.options.tunnelsPerMaster ?? defaultTunnelsPerMaster;
    for (;;) {
      const masters = [await this.connect(), ...this.extraMasters];
      const mayStartAnother = Date.now() - this.extraMastersFailedAt > extraMasterRetryMs;
      const choice = chooseTunnelMaster(
        masters.map((master) => master.load),
        perMaster,
        mayStartAnother,
      );
      if (choice !== 'startAnother') {
        const master = masters[choice];
        const release = master.reserve();
        // Released with its stream tracked, or failed: an extra master may now be idle.
        const releaseAndRetire = () => {
          release();
          this.retireWhenIdle(master);
        };
        return { master, release: releaseAndRetire };
      }
      this.startingExtraMaster ??= this.startExtraMaster().finally(() => (this.startingExtraMaster = undefined));
      // Either way the next turn chooses again: the new master, or (it failed) the least loaded there is.
      await this.startingExtraMaster.catch((error: unknown) => {
        this.extraMastersFailedAt = Date.now();
        this.logger.warn(`[ssh ${this.hostName}] another ssh master for over ${perMaster} tunnel connections did not start: ${String(error)}`);
      });
    }
  }

  /**
   * An extra master authenticates without prompting (BatchMode): the first master already had the
   * user's answer, and a burst of connections must not bring up a passphrase box. With a key that
   * needs one, it fails and the first master carries on alone.
   */
  private async startExtraMaster(): Promise<Master> {
    const master = await this.startMaster('extra');
    if (this.disposed) {
      master.stop();
      throw new HostError(this.hostName, 'closed', `The connection to ${this.hostName} was closed.`);
    }
    this.extraMasters.add(master);
    void master.exited.then(() => this.extraMasters.delete(master));
    this.retireWhenIdle(master); // In case the connections that asked for it went elsewhere.
    this.logger.info(`[ssh ${this.hostName}] ${this.extraMasters.size + 1} ssh masters carry tunnel connections`);
    return master;
  }

  /** An extra master that carried nothing for the idle time ends; the first stays for the Docker API. */
  private retireWhenIdle(master: Master): void {
    if (!this.extraMasters.has(master) || master.load > 0) {
      return;
    }
    setTimeout(() => {
      if (master.load === 0 && this.extraMasters.delete(master)) {
        this.logger.info(`[ssh ${this.hostName}] an extra ssh master is idle; ending it`);
        master.stop();
      }
    }, this.options.extraMasterIdleMs ?? defaultExtraMasterIdleMs).unref();
  }

  /**
   * The listener is the master's own: when it refuses or is gone, so is the master (or it is going);
   * that is a dropped host connection, and the next use starts a new master. Any other failure (this
   * process out of descriptors, a queue still full) fails this one connection and leaves the master,
   * and every tunnel connection it carries, alone.
   */
  private async dialForwarded(master: Master, release: () => void, dial: () => Promise<Duplex>): Promise<Duplex> {
    try {
      const stream = master.track(await retryWhileBusy(dial));
      stream.once('close', () => this.retireWhenIdle(master));
      return stream;
    } catch (error) {
      if (!listenerGone(error)) {
        throw error;
      }
      master.stop();
      this.extraMasters.delete(master);
      if (this.master && (await this.master.catch(() => undefined)) === master) {
        this.master = undefined;
      }
      throw new HostError(this.hostName, 'closed', `${this.hostName}: the ssh connection to ${this.where} ended; it is made again on the next use.`, { cause: error });
    } finally {
      release();
    }
  }

  connect(): Promise<Master> {
    if (this.disposed) {
      return Promise.reject(new HostError(this.hostName, 'closed', `The connection to ${this.hostName} was closed.`));
    }
    this.master ??= this.startMaster('first').catch((error: unknown) => {
      this.master = undefined;
      throw error;
    });
    return this.master;
  }

  dispose(): void {
    this.disposed = true;
    const master = this.master;
    this.master = undefined;
    void master?.then(
      (running) => running.stop(),
      () => undefined,
    );
    for (const extra of this.extraMasters) {
      extra.stop();
    }
    this.extraMasters.clear();
  }

  /** The first master carries the Docker API and prompts through askpass; an extra one carries tunnels only. */
  private async startMaster(role: 'first' | 'extra'): Promise<Master> {
    if (role === 'first') {
      void resolveSshRoute(this.options.sshBinary, this.destination, { configFile: this.options.configFile }).then(
        (route) => {
          this.route = describeSshRoute(route);
          this.logger.info(`[ssh ${this.hostName}] ssh_config resolves ${this.destination.host} to ${this.route}`);
        },
        (error: unknown) => this.logger.warn(`[ssh ${this.hostName}] ${String(error)}`),
      );
    }
    const dir = fs.mkdtempSync(path.join(this.options.runtimeDir, masterDirPrefix));
    const askpass = promptsThroughAskpass(this.options.platform) && role === 'first' ? this.options.askpass : undefined;
    await askpass?.ready();
    const session = askpass?.session(this.hostName);
    const win32 = this.options.platform === 'win32';
    const socksPort = win32 ? await freeLoopbackPort() : undefined;
    const dockerPort = win32 && role === 'first' ? await freeLoopbackPort() : undefined;
    const args = masterArguments({
      platform: this.options.platform,
      destination: this.destination,
      controlPath: win32 ? undefined : path.join(dir, 'ctl'),
      socksPort,
      docker: dockerPort ? { port: dockerPort, remoteSocket: this.destination.socketPath ?? defaultRemoteSocket } : undefined,
      batchMode: !session,
      configFile: this.options.configFile,
      knownHostsFiles: this.options.knownHostsFiles,
      verbose: this.options.verbose,
    });
    const master = new Master(dir, this.hostName, this.options, this.logger, session, socksPort, dockerPort);
    this.logger.info(`[ssh ${this.hostName}] starting ${this.options.sshBinary} ${args.join(' ')}`);
    try {
      await master.start(args, this.where);
    } catch (error) {
      master.stop();
      throw error;
    }
    if (role === 'extra') {
      return master;
    }
    // A master that dies (network gone, killed) is replaced on the next use; its forwards died with it.
    void master.exited.then(async () => {
      if (this.master && (await this.master.catch(() => undefined)) === master) {
        this.master = undefined;
      }
    });
    return master;
  }

  /** A forwarded Unix socket to the engine's socket when the server allows stream-local forwarding, else dial-stdio. */
  private async chooseDockerRoute(master: Master): Promise<DockerRoute> {
    if (this.options.platform === 'win32') {
      return { kind: 'socket', path: `tcp:${master.dockerPort}` };
    }
    const remoteSocket = this.destination.socketPath ?? (await this.remoteDockerSocket(master));
    try {
      const listen = await this.addForward(master, 'docker.sock', remoteSocket);
      await probeDockerSocket(listen);
      this.logger.info(`[ssh ${this.hostName}] Docker API through ${remoteSocket} (forwarded to ${listen})`);
      return { kind: 'socket', path: listen };
    } catch (error) {
      this.logger.info(`[ssh ${this.hostName}] stream-local forwarding of ${remoteSocket} failed (${String(error)}); using \`docker system dial-stdio\``);
      return { kind: 'dialStdio', remoteSocket: this.destination.socketPath };
    }
  }

  /** The engine the remote `docker` CLI would use: DOCKER_HOST when it names a Unix socket, else the default. */
  private async remoteDockerSocket(master: Master): Promise<string> {
    const output = await master.run(this.remoteCommand(master, 'printenv DOCKER_HOST')).catch(() => '');
    const value = output.trim();
    return value.startsWith('unix://') ? value.slice('unix://'.length) : defaultRemoteSocket;
  }

  private remoteCommand(master: Master, command: string): string[] {
    return remoteCommandArguments(this.options.platform, master.controlPath, this.destination, command, {
      batchMode: !master.session,
      configFile: this.options.configFile,
      knownHostsFiles: this.options.knownHostsFiles,
    });
  }

  private async addForward(master: Master, name: string, target: string): Promise<string> {
    const listen = path.join(master.dir, name);
    await master.run(forwardArguments(master.controlPath!, listen, target, this.destination, { configFile: this.options.configFile }));
    return listen;
  }

  /** One `docker system dial-stdio` per connection, as a channel of the master's connection. */
  private dialStdio(master: Master, remoteSocket: string | undefined): Promise<Duplex> {
    const child = spawn(this.options.sshBinary, this.remoteCommand(master, dialStdioCommand(remoteSocket)), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...master.session?.env },
    });
    return Promise.resolve(childStream(child, (stderr) => translateSshFailure(this.hostName, this.where, stderr)));
  }
}

type DockerRoute = { kind: 'socket'; path: string } | { kind: 'dialStdio'; remoteSocket?: string };

const loopback = '127.0.0.1';
const dialTimeoutMs = 10_000;

/** A dial to the master's forwarded socket says the master is gone: refused, or the socket file removed. */
export function listenerGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT';
}

/**
 * A Unix socket's accept queue is short (ssh listens with a backlog of 128) and a connect to a full
 * one fails at once with EAGAIN instead of waiting like TCP: a burst of connections waits its turn,
 * as long as a TCP connect would (a master busy with thousands of channels accepts slowly, not never).
 */
async function retryWhileBusy<T>(dial: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + dialTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await dial();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() >= deadline) {
        throw error;
      }
      await delay(Math.min(1 + attempt * 5, 100));
    }
  }
}

/** The running `ssh` master and the private directory that belongs to it. */
export class Master {
  dockerRoute?: Promise<DockerRoute>;
  readonly forwards = new Map<string, Promise<string>>();
  readonly exited: Promise<void>;
  /** Streams through this master's forwards, ended with it (see track). */
  private readonly streams = new Set<Duplex>();
  private child?: ChildProcess;
  private stderr = '';
  private markExited!: () => void;
  private stopped = false;
  /** Connections being dialed through this master, not yet tracked. */
  private dialing = 0;

  constructor(
    readonly dir: string,
    private readonly hostName: string,
    private readonly options: OpenSshOptions,
    private readonly logger: Logger,
    readonly session: AskpassSession | undefined,
    readonly socksPort?: number,
    readonly dockerPort?: number,
  ) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    // Who owns this master: a later start sweeps masters whose owner is gone (a crashed window).
    fs.writeFileSync(path.join(dir, 'owner'), `${process.pid}\n`, { mode: 0o600 });
  }

  /**
   * Streams are dialed with half-close allowed, so ssh's EOF when it exits would leave them open for
   * writing, and an idle keep-alive connection of the Docker API would be reused, to fail with EPIPE on
   * every reconnect: they end with the master instead.
   */
  track<T extends Duplex>(stream: T): T {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  }

  /** Started, not stopped, and its ssh (or the guard around it) has not exited. */
  get running(): boolean {
    return !this.stopped && this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Connections carried or being dialed: what chooseTunnelMaster weighs. */
  get load(): number {
    return this.streams.size + this.dialing;
  }

  /** Counts a dial in the load until the returned function is called (its stream is tracked, or it failed). */
  reserve(): () => void {
    this.dialing++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.dialing--;
      }
    };
  }

  get controlPath(): string | undefined {
    return this.options.platform === 'win32' ? undefined : path.join(this.dir, 'ctl');
  }

  /** Resolves once ssh authenticated (posix: the control socket exists; win32: the SOCKS port listens). */
  async start(args: string[], where: string): Promise<void> {
    const child = this.spawnGuarded(args);
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-stderrLimit);
      if (this.options.verbose) {
        for (const line of chunk.split('\n').filter(Boolean)) {
          this.logger.info(`[ssh ${this.hostName}] ${line}`);
        }
      }
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.once('data', (pid: string) => {
      // The guard prints the ssh process's own pid first: kept for the sweep of a crashed window's leftovers.
      fs.writeFile(path.join(this.dir, 'ssh.pid'), pid.trim().split('\n')[0] + '\n', () => undefined);
    });
    const exit = new Promise<number | null>((resolve) => {
      onExitWithOutput(child, resolve);
      child.once('error', (error) => {
        this.stderr += `\n${error.message}`;
        resolve(-1);
      });
    });
    void exit.then((code) => {
      if (!this.stopped) {
        this.logger.info(`[ssh ${this.hostName}] ssh exited (${code})${this.stderr.trim() ? `: ${lastLine(this.stderr)}` : ''}`);
      }
      for (const stream of this.streams) {
        stream.destroy();
      }
      this.cleanUp();
      this.markExited();
    });
    const deadline = Date.now() + masterSetupMs;
    for (;;) {
      const result = await Promise.race([exit.then((code) => ({ code })), delay(20).then(() => undefined)]);
      if (result) {
        throw translateSshFailure(this.hostName, where, this.stderr || `ssh exited with code ${result.code}`);
      }
      if (await this.isReady()) {
        this.logger.info(`[ssh ${this.hostName}] connected (${this.options.sshBinary}, pid ${child.pid})`);
        return;
      }
      if (Date.now() > deadline) {
        throw new HostError(this.hostName, 'timeout', `${this.hostName}: ssh to ${where} did not finish connecting within ${masterSetupMs / 1000} s.`);
      }
    }
  }

  private async isReady(): Promise<boolean> {
    if (this.controlPath) {
      return fs.existsSync(this.controlPath);
    }
    return canConnect(loopback, this.socksPort!);
  }

  /**
   * posix: ssh runs under a small sh guard that holds our pipe on fd 3; when this process dies in any
   * way (crash, SIGKILL), the pipe closes and the guard ends ssh. Its stdin is /dev/null: prompts go
   * through askpass only.
   */
  private spawnGuarded(args: string[]): ChildProcess {
    const env = { ...process.env, ...this.session?.env };
    if (this.options.platform === 'win32') {
      return spawn(this.options.sshBinary, args, { stdio: ['ignore', 'pipe', 'pipe'], env, windowsHide: true });
    }
    return spawn('/bin/sh', ['-c', guardScript, this.options.sshBinary, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  }

  /** Runs a short ssh command (a control command or a remote command through the master); rejects with stderr. */
  run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.sshBinary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.session?.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr.trim() || `ssh exited with code ${code}`))));
    });
  }

  /** Ends the master: the guard's pipe closes (it ends ssh), and the private directory goes. */
  stop(): void {
    this.stopped = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      if (this.options.platform === 'win32') {
        child.kill();
      } else {
        child.stdin?.end();
        // The guard normally ends at once; a stuck one is not left behind.
        setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 3000).unref();
      }
    } else {
      this.cleanUp();
    }
  }

  private cleanUp(): void {
    this.session?.dispose();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * $0 is ssh, "$@" its arguments. fd 3 keeps the parent's pipe; a reader of it ends ssh when the pipe
 * closes (parent gone or dispose), and the guard exits with ssh's status when ssh ends by itself.
 */
const guardScript = [
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- &',
  'p=$!',
  'echo $p',
  "trap 'kill $p 2>/dev/null' TERM INT HUP",
  '(read -r _ <&3; kill $p 2>/dev/null) &',
  'w=$!',
  'exec 3<&-',
  'wait $p; s=$?',
  'kill $w 2>/dev/null',
  'exit $s',
].join('\n');

/** A child's stdin/stdout as one Duplex; its stderr becomes the error when it fails before any output. */
function childStream(child: ChildProcess, failure: (stderr: string) => Error): Duplex {
  let stderr = '';
  let received = false;
  const stdout = child.stdout!;
  const stdin = child.stdin!;
  const stream = new Duplex({
    allowHalfOpen: true,
    write(chunk: Buffer, _encoding, callback) {
      stdin.write(chunk, callback);
    },
    final(callback) {
      stdin.end(callback);
    },
    read() {
      stdout.resume();
    },
    destroy(error, callback) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
      }
      callback(error);
    },
  });
  stdout.on('data', (chunk: Buffer) => {
    received = true;
    if (!stream.push(chunk)) {
      stdout.pause();
    }
  });
  stdout.on('end', () => stream.push(null));
  stdin.on('error', () => undefined);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-stderrLimit)));
  child.once('error', (error) => stream.destroy(error));
  onExitWithOutput(child, (code) => {
    if (code !== 0 && !received) {
      stream.destroy(failure(stderr || `ssh exited with code ${code}`));
    }
  });
  return stream;
}

/**
 * Calls back once the child exited and its stderr was read to the end: 'exit' can come before the last stderr chunk,
 * which holds ssh's reason. A grandchild that keeps the pipe open must not hold the report back, hence the cap.
 */
function onExitWithOutput(child: ChildProcess, callback: (code: number | null) => void): void {
  let called = false;
  const once = (code: number | null): void => {
    if (!called) {
      called = true;
      callback(code);
    }
  };
  child.once('close', once);
  child.once('exit', (code) => setTimeout(() => once(code), 500).unref());
}

/** A connection to a forwarded listener (a Unix socket path, or "tcp:PORT" on loopback). */
function dialLocal(listen: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = listen.startsWith('tcp:')
      ? net.connect({ host: loopback, port: Number(listen.slice(4)), allowHalfOpen: true })
      : net.connect({ path: listen, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The forwarded socket answers like an engine: an sshd that refuses stream-local forwarding closes it at once. */
async function probeDockerSocket(listen: string): Promise<void> {
  const socket = await dialLocal(listen);
  const reply = await new Promise<string>((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer from the forwarded Docker socket')));
    // No half-close: an engine may take the request's EOF for a client that went away. HTTP/1.0: it closes after the reply.
    socket.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n');
  });
  socket.destroy();
  if (!reply.startsWith('HTTP/')) {
    throw new Error('the forwarded Docker socket closed without an answer');
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free loopback port for a listener ssh opens itself (ssh does not report one it picked). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, loopback, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
