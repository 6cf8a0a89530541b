import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { type AnyAuthMethod, type AuthHandlerMiddleware, Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { HostError, errorMessage } from '../errors';
import type { DisposableLike, Logger } from '../like';
import type { HostEndpoint } from './hostSpec';
import { type HostKeyVerdict, fingerprint, keyTypeOf, parseKnownHosts, verifyHostKey } from './knownHosts';
import { expandHome, includedFilesReader, parseSshConfig, resolveSshHost } from './sshConfig';
import { translateConnectError } from './translateError';
import { command } from '../values/shell';

/** The user's SSH files; injectable so tests never touch the real ~/.ssh or /etc/ssh. */
export interface SshFiles {
  configFile: string;
  /** Every known_hosts file OpenSSH reads, the user's and the system-wide ones; all are checked together. */
  knownHostsFiles: string[];
  defaultIdentityFiles: string[];
  agentSocket?: string;
  homeDir: string;
}

export function defaultSshFiles(env: Record<string, string | undefined> = process.env, homeDir = os.homedir(), systemSshDir = '/etc/ssh'): SshFiles {
  const sshDir = path.join(homeDir, '.ssh');
  return {
    configFile: path.join(sshDir, 'config'),
    // OpenSSH's UserKnownHostsFile and GlobalKnownHostsFile defaults.
    knownHostsFiles: [path.join(sshDir, 'known_hosts'), path.join(sshDir, 'known_hosts2'), path.join(systemSshDir, 'ssh_known_hosts'), path.join(systemSshDir, 'ssh_known_hosts2')],
    defaultIdentityFiles: ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((file) => path.join(sshDir, file)),
    agentSocket: env.SSH_AUTH_SOCK,
    homeDir,
  };
}

/** Where and as whom to connect, after ~/.ssh/config was applied. */
export interface SshTarget {
  /** The name as written in the URL (an alias when ~/.ssh/config has a Host block for it). */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  useAgent: boolean;
  /**
   * ProxyJump hops, first one first. Each is resolved through ~/.ssh/config like the host itself;
   * a hop's own ProxyJump is not followed.
   */
  jumps: SshTarget[];
  /** The engine's socket on the host when the URL names one (ssh://host/PATH); else found as the remote CLI would. */
  dockerSocket?: string;
}

/** URL values win over ~/.ssh/config, as with `ssh -p PORT user@alias`; the setting's identityFile comes first. */
export function resolveSshTarget(endpoint: Extract<HostEndpoint, { kind: 'ssh' }>, files: SshFiles): SshTarget {
  let configText = '';
  try {
    configText = fs.readFileSync(files.configFile, 'utf8');
  } catch {
    // No ~/.ssh/config: defaults apply.
  }
  const config = parseSshConfig(configText, includedFilesReader(path.dirname(files.configFile), files.homeDir));
  const { target, proxyJump } = resolveHop(config, files, endpoint);
  const hops = proxyJump && proxyJump.toLowerCase() !== 'none' ? proxyJump.split(',') : [];
  return {
    ...target,
    jumps: hops.map((hop) => resolveHop(config, files, parseJumpHop(hop)).target),
    ...(endpoint.socketPath ? { dockerSocket: endpoint.socketPath } : {}),
  };
}

/** What a URL or a ProxyJump entry says about one hop; ~/.ssh/config fills in the rest. */
type HopSpec = Omit<Extract<HostEndpoint, { kind: 'ssh' }>, 'kind' | 'socketPath'>;

function resolveHop(config: ReturnType<typeof parseSshConfig>, files: SshFiles, hop: HopSpec): { target: SshTarget; proxyJump?: string } {
  const fromConfig = resolveSshHost(config, hop.host, files.homeDir);
  const explicitKey = hop.identityFile ? [expandHome(hop.identityFile, files.homeDir)] : [];
  const configuredKeys = explicitKey.length > 0 ? [] : fromConfig.identityFiles;
  const fallbackKeys = explicitKey.length > 0 || configuredKeys.length > 0 ? [] : files.defaultIdentityFiles;
  const target: SshTarget = {
    alias: hop.host,
    host: fromConfig.hostName ?? hop.host,
    port: hop.port ?? fromConfig.port ?? 22,
    user: hop.user ?? fromConfig.user ?? os.userInfo().username,
    identityFiles: [...explicitKey, ...configuredKeys, ...fallbackKeys],
    useAgent: Boolean(files.agentSocket),
    jumps: [],
  };
  return { target, proxyJump: fromConfig.proxyJump };
}

/** One ProxyJump hop: "[user@]host[:port]" or "ssh://[user@]host[:port]"; anything else is taken as a host name. */
function parseJumpHop(text: string): HopSpec {
  const hop = text.trim();
  const match = /^(?:ssh:\/\/)?(?:([^@/]+)@)?(\[[^\]]+\]|[^:@/[\]]+)(?::(\d+))?$/.exec(hop);
  if (!match) {
    return { host: hop };
  }
  const port = match[3] ? Number(match[3]) : undefined;
  return { user: match[1], host: match[2].replace(/^\[|\]$/g, ''), port: port && port <= 65535 ? port : undefined };
}

export interface SshConnectionOptions {
  readyTimeoutMs: number;
  /** Keepalive probes: a dead peer is noticed after interval × countMax. */
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

export const defaultSshConnectionOptions: SshConnectionOptions = {
  readyTimeoutMs: 10_000,
  keepaliveIntervalMs: 10_000,
  keepaliveCountMax: 3,
};

const defaultRemoteSocket = '/var/run/docker.sock';

/**
 * One SSH connection per host, shared by every Docker API request, event stream and tunnel.
 * It connects on first use and again on the first use after it dropped; callers that hold
 * streams (event watchers, tunnels) see their streams end and reconnect through it.
 */
export class SshConnection implements DisposableLike {
  private connection?: Promise<Client>;
  private dockerChannel?: Promise<DockerChannelKind>;
  /** Channels handed out on the current connection; ssh2 does not always close them when it drops. */
  private readonly openChannels = new Set<Duplex>();
  private disposed = false;

  constructor(
    private readonly hostName: string,
    private readonly target: SshTarget,
    private readonly files: SshFiles,
    private readonly logger: Logger,
    private readonly options: SshConnectionOptions = defaultSshConnectionOptions,
  ) {}

  /** A byte stream to the remote Docker engine's socket, multiplexed over the shared connection. */
  async openDockerStream(): Promise<Duplex> {
    const client = await this.connect();
    this.dockerChannel ??= this.chooseDockerChannel(client);
    const kind = await this.dockerChannel;
    if (kind.type === 'streamLocal') {
      return this.track(await promisifyChannel((callback) => client.openssh_forwardOutStreamLocal(kind.socketPath, callback)));
    }
    return this.track(await promisifyChannel((callback) => client.exec(dialStdioCommand(this.target.dockerSocket), callback)));
  }

  /** A TCP stream to host:port as seen from the SSH server (direct-tcpip). */
  async forwardOut(host: string, port: number): Promise<Duplex> {
    const client = await this.connect();
    return this.track(await promisifyChannel((callback) => client.forwardOut('127.0.0.1', 0, host, port, callback)));
  }

  private track(channel: Duplex): Duplex {
    this.openChannels.add(channel);
    channel.once('close', () => this.openChannels.delete(channel));
    return channel;
  }

  /** Ends every channel of a dropped connection, so pooled HTTP sockets and tunnels notice at once. */
  private destroyChannels(): void {
    for (const channel of [...this.openChannels]) {
      channel.destroy();
    }
    this.openChannels.clear();
  }

  connect(): Promise<Client> {
    if (this.disposed) {
      return Promise.reject(new HostError(this.hostName, 'closed', `The connection to ${this.hostName} was closed.`));
    }
    this.connection ??= this.openConnection().catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  dispose(): void {
    this.disposed = true;
    const connection = this.connection;
    this.connection = undefined;
    void connection?.then(
      (client) => client.end(),
      () => undefined,
    );
  }

  /** Connects through the ProxyJump hops first, if any; when the host's connection closes, theirs close too. */
  private async openConnection(): Promise<Client> {
    const jumpClients: Client[] = [];
    let client: Client;
    try {
      let sock: Duplex | undefined;
      for (const [index, hop] of this.target.jumps.entries()) {
        const jumpClient = await this.handshake(hop, sock);
        jumpClients.push(jumpClient);
        sock = await this.forwardThroughJump(jumpClient, hop, this.target.jumps[index + 1] ?? this.target);
      }
      client = await this.handshake(this.target, sock);
    } catch (error) {
      jumpClients.forEach((jumpClient) => jumpClient.end());
      throw error;
    }
    client.once('close', () => {
      this.logger.info(`[ssh ${this.hostName}] connection closed`);
      this.dockerChannel = undefined;
      this.destroyChannels();
      this.connection = undefined;
      jumpClients.forEach((jumpClient) => jumpClient.end());
    });
    return client;
  }

  /** Host key check and authentication with one server; over `sock` when a jump host reaches it. */
  private handshake(target: SshTarget, sock?: Duplex): Promise<Client> {
    const { host, port, user } = target;
    const client = new Client();
    let hostKeyProblem: HostError | undefined;
    const tried: string[] = [];
    const unreadable: string[] = [];
    const where = `${user}@${host}:${port}`;
    this.logger.info(`[ssh ${this.hostName}] connecting to ${where}${sock ? ' through the jump host' : ''}`);
    const config: ConnectConfig = {
      host,
      port,
      sock,
      username: user,
      readyTimeout: this.options.readyTimeoutMs,
      keepaliveInterval: this.options.keepaliveIntervalMs,
      keepaliveCountMax: this.options.keepaliveCountMax,
      agent: target.useAgent ? this.files.agentSocket : undefined,
      hostVerifier: (key: Buffer) => {
        hostKeyProblem = this.checkHostKey(target, key);
        return hostKeyProblem === undefined;
      },
      authHandler: this.authMethods(target, tried, unreadable),
    };
    return new Promise<Client>((resolve, reject) => {
      let ready = false;
      client.once('ready', () => {
        ready = true;
        client.setNoDelay(true);
        this.logger.info(`[ssh ${this.hostName}] connected to ${where}`);
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string }) => {
        if (ready) {
          this.logger.warn(`[ssh ${this.hostName}] ${error.message}`);
          return;
        }
        reject(hostKeyProblem ?? this.translateSetupError(target, error, tried, unreadable));
      });
      client.once('close', () => {
        if (!ready) {
          reject(hostKeyProblem ?? new HostError(this.hostName, 'closed', `${this.hostName}: the SSH server ${host}:${port} closed the connection during setup.`));
        }
      });
      client.connect(config);
    });
  }

  /** A channel from the jump host to the next hop, for the next handshake to run over. */
  private async forwardThroughJump(jumpClient: Client, hop: SshTarget, next: SshTarget): Promise<Duplex> {
    try {
      return await promisifyChannel((callback) => jumpClient.forwardOut('127.0.0.1', 0, next.host, next.port, callback));
    } catch (error) {
      throw new HostError(
        this.hostName,
        'unreachable',
        `${this.hostName}: the jump host ${hop.alias} could not connect to ${next.host}:${next.port} (${errorMessage(error)}). ` +
          'Check ProxyJump and HostName in ~/.ssh/config, and that the jump host allows TCP forwarding.',
        { cause: error },
      );
    }
  }

  private checkHostKey(target: SshTarget, key: Buffer): HostError | undefined {
    const { host, port } = target;
    const verdict = this.hostKeyVerdict(target, key);
    const keyDescription = `${keyTypeOf(key)} key ${fingerprint(key)}`;
    if (verdict === 'trusted') {
      this.logger.debug(`[ssh ${this.hostName}] host key ${keyDescription} is known`);
      return undefined;
    }
    const hostForFile = port === 22 ? host : `[${host}]:${port}`;
    const messages: Record<Exclude<HostKeyVerdict, 'trusted'>, string> = {
      unknown:
        `${this.hostName}: the SSH host key of ${hostForFile} (${keyDescription}) is not in known_hosts. ` +
        `Check the fingerprint with the server's administrator, then trust it with \`ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts\` ` +
        `(or connect once with \`ssh -p ${port} ${target.user}@${host}\`) and retry.`,
      changed:
        `${this.hostName}: the SSH host key of ${hostForFile} CHANGED (now ${keyDescription}). This can mean someone is intercepting the connection. ` +
        `If the server was reinstalled, remove the old key with \`ssh-keygen -R ${hostForFile}\`, trust the new one, and retry.`,
      revoked:
        `${this.hostName}: the SSH host key of ${hostForFile} (${keyDescription}) is marked @revoked in known_hosts, so Crosslink refuses it ` +
        "(a @revoked line wins over any line that trusts the key). Ask the server's administrator for its new key.",
      certAuthority:
        `${this.hostName}: known_hosts trusts ${hostForFile} only through a @cert-authority line, and Crosslink cannot check SSH host certificates. ` +
        `Add the host's own key (${keyDescription}) after checking its fingerprint with the server's administrator, ` +
        `e.g. \`ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts\`, and retry.`,
    };
    this.logger.warn(`[ssh ${this.hostName}] host key ${verdict}: ${keyDescription}`);
    return new HostError(this.hostName, verdict === 'certAuthority' ? 'hostCertificate' : 'hostKey', messages[verdict]);
  }

  /** All files' lines are checked together, so a @revoked line in any file wins over trust in another. */
  private hostKeyVerdict(target: SshTarget, key: Buffer): HostKeyVerdict {
    const lines = this.files.knownHostsFiles.flatMap((file) => {
      try {
        return parseKnownHosts(fs.readFileSync(file, 'utf8'));
      } catch {
        return [];
      }
    });
    return verifyHostKey(lines, target.host, target.port, key);
  }

  /**
   * Keys in order (setting, ~/.ssh/config, defaults), then ssh-agent. Unreadable keys are skipped
   * with a log line, as OpenSSH does, and recorded in `unreadable` for the error if no method works.
   */
  private authMethods(target: SshTarget, tried: string[], unreadable: string[]): AuthHandlerMiddleware {
    const username = target.user;
    const pending: Array<() => AnyAuthMethod | undefined> = target.identityFiles.map((file) => () => {
      let key: Buffer;
      try {
        key = fs.readFileSync(file);
      } catch (error) {
        // A missing default key (~/.ssh/id_*) is normal; one the settings or ~/.ssh/config name is not.
        if (!this.files.defaultIdentityFiles.includes(file)) {
          const problem = `${file} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`;
          unreadable.push(problem);
          this.logger.warn(`[ssh ${this.hostName}] cannot read the identity file ${problem}`);
        }
        return undefined;
      }
      if (/ENCRYPTED/.test(key.subarray(0, 200).toString('latin1')) || isEncryptedOpenSshKey(key)) {
        this.logger.warn(`[ssh ${this.hostName}] ${file} is passphrase-protected; add it to ssh-agent (ssh-add) to use it.`);
        return undefined;
      }
      tried.push(`key ${file}`);
      return { type: 'publickey', username, key };
    });
    if (target.useAgent && this.files.agentSocket) {
      const agent = this.files.agentSocket;
      pending.push(() => {
        tried.push('ssh-agent');
        return { type: 'agent', username, agent };
      });
    }
    return (_methodsLeft, _partialSuccess, next) => {
      while (pending.length > 0) {
        const method = pending.shift()?.();
        if (method) {
          next(method);
          return;
        }
      }
      // ssh2 takes `false` for "no more methods"; its typings omit it.
      next(false as unknown as AnyAuthMethod);
    };
  }

  private translateSetupError(target: SshTarget, error: Error & { level?: string }, tried: string[], unreadable: string[]): HostError {
    const { host, port, user } = target;
    if (error.level === 'client-authentication' && unreadable.length > 0) {
      const attempts = tried.length > 0 ? `; tried ${tried.join(', ')}` : '';
      return new HostError(
        this.hostName,
        'credentials',
        `${this.hostName}: SSH authentication as ${user}@${host}:${port} failed: cannot read the identity file ${unreadable.join(', ')}${attempts}. ` +
          'Fix "identityFile" for this host (or IdentityFile in ~/.ssh/config) or the file\'s permissions, then retry.',
        { cause: error },
      );
    }
    if (error.level === 'client-authentication') {
      const attempts = tried.length > 0 ? tried.join(', ') : 'no key (none found and no ssh-agent)';
      return new HostError(
        this.hostName,
        'auth',
        `${this.hostName}: SSH authentication as ${user}@${host}:${port} failed (tried ${attempts}). ` +
          'Set "identityFile" for this host, add the key to ssh-agent (ssh-add), or check ~/.ssh/config.',
        { cause: error },
      );
    }
    if (error.level === 'client-timeout') {
      return new HostError(this.hostName, 'timeout', `${this.hostName}: no SSH answer from ${host}:${port} within ${this.options.readyTimeoutMs / 1000} s.`, { cause: error });
    }
    return translateConnectError(this.hostName, `${host}:${port}`, error, 'SSH server');
  }

  private async chooseDockerChannel(client: Client): Promise<DockerChannelKind> {
    const socketPath = this.target.dockerSocket ?? (await remoteDockerSocket(client).catch(() => defaultRemoteSocket));
    try {
      const probe = await promisifyChannel((callback) => client.openssh_forwardOutStreamLocal(socketPath, callback));
      probe.destroy();
      this.logger.info(`[ssh ${this.hostName}] Docker API through ${socketPath} (stream-local forwarding)`);
      return { type: 'streamLocal', socketPath };
    } catch (error) {
      this.logger.info(`[ssh ${this.hostName}] stream-local forwarding refused (${errorMessage(error)}); using \`docker system dial-stdio\``);
      return { type: 'dialStdio' };
    }
  }
}

type DockerChannelKind = { type: 'streamLocal'; socketPath: string } | { type: 'dialStdio' };

/** The remote CLI's stdio bridge, to the URL's socket when it names one (as the Docker CLI runs it for ssh://host/PATH). */
export function dialStdioCommand(socketPath: string | undefined): string {
  return socketPath ? command('docker', '--host', `unix://${socketPath}`, 'system', 'dial-stdio') : 'docker system dial-stdio';
}

/** The engine the remote `docker` CLI would use: DOCKER_HOST if it names a unix socket, else the default socket. */
function remoteDockerSocket(client: Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec('printenv DOCKER_HOST', (error, channel) => {
      if (error) {
        reject(error);
        return;
      }
      let output = '';
      channel.on('data', (chunk: Buffer) => (output += chunk.toString()));
      channel.stderr.resume();
      channel.on('close', () => {
        const value = output.trim();
        resolve(value.startsWith('unix://') ? value.slice('unix://'.length) : defaultRemoteSocket);
      });
    });
  });
}

function promisifyChannel(open: (callback: (error: Error | undefined, channel: ClientChannel) => void) => void): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    open((error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

/** New-format OpenSSH keys carry their cipher name in the binary body ("none" when unencrypted). */
function isEncryptedOpenSshKey(key: Buffer): boolean {
  const text = key.toString('latin1');
  const match = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(text);
  if (!match) {
    return false;
  }
  const body = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (body.subarray(0, magic.length).toString('latin1') !== magic) {
    return false;
  }
  const cipherLength = body.readUInt32BE(magic.length);
  return body.subarray(magic.length + 4, magic.length + 4 + cipherLength).toString('latin1') !== 'none';
}
