/**
 * The argument lists Crosslink gives the system `ssh`. Pure, so each platform's list is unit-tested
 * here (Windows' OpenSSH has no ControlMaster and cannot be run on the test machines).
 */

/** posix: one ControlMaster per host, forwards added through its control socket. win32: one `ssh -D` per host. */
export type SshPlatform = 'posix' | 'win32';

/** What the ssh:// URL says; ssh_config (ssh's own, or the `-F` file) supplies the rest. */
export interface SshDestination {
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
}

export interface SshCommonOptions {
  /** `-F`: the setting `crosslink.ssh.configFile` or CROSSLINK_SSH_CONFIG; else ssh reads ~/.ssh/config as usual. */
  configFile?: string;
  /** `-v` into the log channel, on demand. */
  verbose?: boolean;
  /** UserKnownHostsFile, where Crosslink's home is not the one ssh would use (see openSshFiles). */
  knownHostsFiles?: string[];
}

/** Keepalive as the ssh2 client had it: a dead peer is noticed after 30 s; a connect that hangs fails after 10 s. */
const keepaliveOptions = ['-o', 'ServerAliveInterval=10', '-o', 'ServerAliveCountMax=3', '-o', 'ConnectTimeout=10'];

/** URL values win over ssh_config, as with `ssh -l user -p port host`; `--` keeps a host name from being read as an option. */
export function destinationArguments(destination: SshDestination): string[] {
  return [
    ...(destination.user ? ['-l', destination.user] : []),
    ...(destination.port ? ['-p', String(destination.port)] : []),
    ...(destination.identityFile ? ['-i', destination.identityFile] : []),
    '--',
    destination.host,
  ];
}

function commonArguments(options: SshCommonOptions): string[] {
  return [
    ...(options.configFile ? ['-F', options.configFile] : []),
    // One option line: ssh splits it at spaces unless a path is quoted.
    ...(options.knownHostsFiles?.length ? ['-o', `UserKnownHostsFile=${options.knownHostsFiles.map((file) => (/\s/.test(file) ? `"${file}"` : file)).join(' ')}`] : []),
    ...(options.verbose ? ['-v'] : []),
  ];
}

export interface MasterArguments extends SshCommonOptions {
  platform: SshPlatform;
  destination: SshDestination;
  /** posix: the control socket in the connection's private directory. */
  controlPath?: string;
  /** win32: the SOCKS listener's port on 127.0.0.1 (chosen by Crosslink: ssh does not report a port it picked). */
  socksPort?: number;
  /** win32: the Docker engine's socket, forwarded to this loopback port by the same process. */
  docker?: { port: number; remoteSocket: string };
  /** No askpass helper: fail instead of prompting on a terminal nobody sees. */
  batchMode: boolean;
}

/**
 * The one long-lived `ssh` per host. -N: no remote command; ExitOnForwardFailure: a forward that
 * cannot listen fails loudly instead of leaving a half-working process.
 */
export function masterArguments(options: MasterArguments): string[] {
  const shared = ['-N', '-T', '-o', 'ExitOnForwardFailure=yes', ...keepaliveOptions, ...(options.batchMode ? ['-o', 'BatchMode=yes'] : []), ...commonArguments(options)];
  if (options.platform === 'win32') {
    if (!options.socksPort) {
      throw new Error('masterArguments: win32 needs a socksPort');
    }
    return [
      ...shared,
      // An inherited `ControlMaster auto` breaks Win32-OpenSSH ("getsockname failed"): force it off.
      '-o',
      'ControlMaster=no',
      '-o',
      'ControlPath=none',
      '-D',
      `127.0.0.1:${options.socksPort}`,
      ...(options.docker ? ['-L', `127.0.0.1:${options.docker.port}:${options.docker.remoteSocket}`] : []),
      ...destinationArguments(options.destination),
    ];
  }
  if (!options.controlPath) {
    throw new Error('masterArguments: posix needs a controlPath');
  }
  // -S rather than -o ControlPath=: the option line would be split at spaces in the path.
  // ControlPersist=no: the master lives exactly as long as Crosslink keeps it.
  return [...shared, '-M', '-S', options.controlPath, '-o', 'ControlPersist=no', ...destinationArguments(options.destination)];
}

/** A client of the master's control socket: never a master itself, whatever ssh_config says. */
function muxClientArguments(controlPath: string, options: SshCommonOptions): string[] {
  return ['-S', controlPath, '-o', 'ControlMaster=no', ...commonArguments(options)];
}

/** `-L listen:target` added to the running master (posix only); `listen` is a Unix socket path in the private directory. */
export function forwardArguments(controlPath: string, listen: string, target: string, destination: SshDestination, options: SshCommonOptions = {}): string[] {
  return [...muxClientArguments(controlPath, options), '-O', 'forward', '-L', `${listen}:${target}`, ...destinationArguments(destination)];
}

/**
 * Asks a leftover master of a crashed window to exit. Which ssh_config it was started with is not
 * known, and `-O exit` needs none: `-F /dev/null` keeps ssh from reading (and failing on) any.
 */
export function exitArguments(controlPath: string, destination: SshDestination = { host: 'crosslink-leftover' }): string[] {
  return ['-F', '/dev/null', '-S', controlPath, '-o', 'ControlMaster=no', '-O', 'exit', ...destinationArguments(destination)];
}

/**
 * A remote command through the master's connection (posix: a new channel, no new handshake), or on
 * win32 a connection of its own.
 */
export function remoteCommandArguments(
  platform: SshPlatform,
  controlPath: string | undefined,
  destination: SshDestination,
  command: string,
  options: SshCommonOptions & { batchMode: boolean },
): string[] {
  const connection =
    platform === 'posix' && controlPath
      ? muxClientArguments(controlPath, options)
      : ['-o', 'ControlMaster=no', '-o', 'ControlPath=none', ...keepaliveOptions, ...commonArguments(options)];
  return [...connection, '-T', ...(options.batchMode ? ['-o', 'BatchMode=yes'] : []), ...destinationArguments(destination), command];
}

/** `ssh -G`: how ssh resolves the host (HostName, User, Port, ProxyJump, ...), for display only. */
export function resolveArguments(destination: SshDestination, options: SshCommonOptions = {}): string[] {
  return ['-G', ...commonArguments({ configFile: options.configFile }), ...destinationArguments(destination)];
}

/** A forward target: IPv6 addresses go in brackets, as ssh's -L parser wants. */
export function forwardTarget(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
