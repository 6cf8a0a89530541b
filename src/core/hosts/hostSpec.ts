import * as os from 'node:os';
import { ConfigError } from '../errors';

/** One entry of the `crosslink.hosts` setting, as the user writes it. */
export interface HostSettingEntry {
  name: string;
  url: string;
  identityFile?: string;
  tls?: TlsFiles;
  address?: string;
}

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  /**
   * TLS without checking the engine's certificate (`ca` is then not used): the Docker CLI's
   * `DOCKER_TLS` without `DOCKER_TLS_VERIFY`, or a context's `SkipTLSVerify`. Never set from settings.
   */
  skipVerify?: boolean;
}

export type HostEndpoint =
  /** A unix socket, or on Windows a named pipe (`//./pipe/docker_engine`): both are local paths to Node and dockerode. */
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: TlsFiles }
  | { kind: 'ssh'; host: string; user?: string; port?: number; identityFile?: string; socketPath?: string };

export type HostSource = 'settings' | 'environment' | 'context' | 'default' | 'socket' | 'podmanConnection';

/** A validated host: everything the Docker client needs, nothing it has to re-parse. */
export interface HostSpec {
  name: string;
  url: string;
  endpoint: HostEndpoint;
  /** How other hosts reach this one (for ambassadors); undefined for local sockets. */
  address?: string;
  source: HostSource;
  /** The host the Docker CLI would use right now (DOCKER_HOST, DOCKER_CONTEXT or currentContext). */
  current?: boolean;
}

const hostNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,62}$/;
const maxPort = 65535;

/** Returns why `name` cannot name a host, or undefined when it can. For input validation. */
export function hostNameProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'Enter a name, e.g. "staging".';
  }
  if (!hostNamePattern.test(name)) {
    return 'Use letters, digits, ".", "_", "+" or "-", starting with a letter or digit (at most 63 characters); "/" is reserved for "host/container".';
  }
  return undefined;
}

/** Returns why `url` cannot reach a Docker engine, or undefined when it can. For input validation. */
export function hostUrlProblem(url: string): string | undefined {
  try {
    parseHostUrl(url);
    return undefined;
  } catch (error) {
    return ConfigError.is(error) ? error.message : String(error);
  }
}

/**
 * Parses a Docker host URL. A tcp:// URL without a port means 2376 with TLS (Docker's convention for
 * its TLS port), else 2375; `defaultTcpPort` overrides that (the CLI reads DOCKER_HOST with 2375 always).
 * `npipe:////./pipe/NAME` is a Windows named pipe; `ssh://host/PATH` reaches the engine socket PATH on host.
 */
export function parseHostUrl(url: string, options: { tls?: TlsFiles; defaultTcpPort?: number } = {}): HostEndpoint {
  const trimmed = url.trim();
  // Lower case only, as the Docker CLI reads DOCKER_HOST (and as the settings schema's pattern says).
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(trimmed)?.[1];
  if (!scheme) {
    throw invalidUrl(url, 'Use unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://host:2376 or ssh://user@host.');
  }
  if (scheme === 'unix') {
    const socketPath = trimmed.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw invalidUrl(url, 'A unix socket needs an absolute path, e.g. unix:///var/run/docker.sock.');
    }
    return { kind: 'unix', socketPath };
  }
  if (scheme === 'npipe') {
    const pipePath = trimmed.slice('npipe://'.length);
    if (!namedPipePattern.test(pipePath)) {
      throw invalidUrl(url, 'A named pipe looks like npipe:////./pipe/docker_engine.');
    }
    return { kind: 'unix', socketPath: pipePath };
  }
  if (scheme !== 'tcp' && scheme !== 'ssh') {
    throw invalidUrl(url, `"${scheme}://" is not supported; use unix://, npipe://, tcp:// or ssh://.`);
  }
  // Read the port before URL parsing, which rejects out-of-range ports without saying why.
  const explicitPort = portFromAuthority(trimmed.slice(scheme.length + 3), url);
  let parsed: URL;
  try {
    // WHATWG URL only fills host/port for schemes it knows; http:// parses the same authority syntax.
    parsed = new URL(`http://${trimmed.slice(scheme.length + 3)}`);
  } catch {
    throw invalidUrl(url, 'The host part is malformed.');
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) {
    throw invalidUrl(url, 'The host name is missing.');
  }
  if (parsed.search || parsed.hash) {
    throw invalidUrl(url, `Remove "${parsed.search}${parsed.hash}" after the host.`);
  }
  if (scheme === 'tcp') {
    if (parsed.pathname !== '/') {
      throw invalidUrl(url, `Remove "${parsed.pathname}" after the host: a path only applies to ssh:// (the engine's socket there).`);
    }
    if (parsed.username || parsed.password) {
      throw invalidUrl(url, 'tcp:// URLs take no user name; use tls settings for client certificates.');
    }
    return { kind: 'tcp', host, port: explicitPort ?? options.defaultTcpPort ?? (options.tls ? 2376 : 2375), tls: options.tls };
  }
  if (parsed.password) {
    throw invalidUrl(url, 'Do not put a password in the URL; use an identity file or ssh-agent.');
  }
  // ssh://host/run/user/1000/docker.sock (the CLI's and Podman's form) names the engine's socket on that host.
  const socketPath = parsed.pathname === '/' ? undefined : decodeURIComponent(parsed.pathname);
  return {
    kind: 'ssh',
    host,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    port: explicitPort,
    ...(socketPath ? { socketPath } : {}),
  };
}

/** `//./pipe/NAME` as the Docker CLI writes it, or the backslash form. */
const namedPipePattern = /^(?:\/\/\.\/pipe\/|\\\\\.\\pipe\\)[^/\\]+$/;

/** Where `~` and `${env:NAME}` in path settings point; injectable for tests. */
export interface PathContext {
  env: Record<string, string | undefined>;
  homeDir: string;
}

export function processPathContext(): PathContext {
  return { env: process.env, homeDir: os.homedir() };
}

/**
 * Expands a leading `~` and every `${env:NAME}` the way VS Code's own path settings do (an unset
 * variable becomes empty), so `~/certs/ca.pem` in settings.json names the same file as in a shell.
 */
export function expandPath(value: string, context: PathContext): string {
  return expandHome(
    value.replace(/\$\{env:([^}]+)\}/g, (_match, name: string) => context.env[name] ?? ''),
    context.homeDir,
  );
}

function expandHome(value: string, homeDir: string): string {
  if (value === '~') {
    return homeDir;
  }
  return /^~[/\\]/.test(value) ? homeDir + value.slice(1) : value;
}

const hostEntryKeys = ['name', 'url', 'identityFile', 'tls', 'address'];

/** Validates one raw setting entry (unknown JSON) and turns it into a HostSpec. */
export function parseHostEntry(entry: unknown, source: HostSource = 'settings', paths: PathContext = processPathContext()): HostSpec {
  if (typeof entry !== 'object' || entry === null) {
    throw new ConfigError('invalidEntry', 'Each entry of crosslink.hosts must be an object with "name" and "url".');
  }
  const raw = entry as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : '';
  const unknownKey = Object.keys(raw).find((key) => !hostEntryKeys.includes(key));
  if (unknownKey !== undefined) {
    throw new ConfigError('unknownKey', `Host "${name}": unknown key "${unknownKey}"; an entry takes ${hostEntryKeys.join(', ')}.`);
  }
  const nameProblem = hostNameProblem(name);
  if (nameProblem) {
    throw new ConfigError('invalidName', `Host name "${name}": ${nameProblem}`);
  }
  if (typeof raw.url !== 'string') {
    throw new ConfigError('invalidUrl', `Host "${name}" needs a "url" such as tcp://host:2376 or ssh://user@host.`);
  }
  const identityFile = optionalPath(raw, 'identityFile', name, paths);
  const address = optionalString(raw, 'address', name);
  const tls = optionalTls(raw.tls, name, paths);
  let endpoint = parseHostUrl(expandUnixPath(raw.url, paths), { tls });
  if (identityFile !== undefined) {
    if (endpoint.kind !== 'ssh') {
      throw new ConfigError('optionNotForScheme', `Host "${name}": "identityFile" only applies to ssh:// URLs.`);
    }
    endpoint = { ...endpoint, identityFile };
  }
  if (tls !== undefined && endpoint.kind !== 'tcp') {
    throw new ConfigError('optionNotForScheme', `Host "${name}": "tls" only applies to tcp:// URLs.`);
  }
  return {
    name,
    url: raw.url.trim(),
    endpoint,
    address: address ?? defaultAddress(endpoint),
    source,
  };
}

/** Parses every entry, keeping the good ones and reporting each bad one. Names must be unique. */
export function parseHostEntries(entries: readonly unknown[], paths: PathContext = processPathContext()): { hosts: HostSpec[]; problems: ConfigError[] } {
  const hosts: HostSpec[] = [];
  const problems: ConfigError[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    try {
      const spec = parseHostEntry(entry, 'settings', paths);
      if (seen.has(spec.name)) {
        throw new ConfigError('duplicateName', `Host name "${spec.name}" is used twice in crosslink.hosts; names must be unique.`);
      }
      seen.add(spec.name);
      hosts.push(spec);
    } catch (error) {
      problems.push(ConfigError.is(error) ? error : new ConfigError('invalidEntry', String(error)));
    }
  }
  return { hosts, problems };
}

/** A short, secret-free description of where a host is, for tree items and logs. */
export function describeEndpoint(endpoint: HostEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return endpoint.socketPath;
    case 'tcp':
      return `${endpoint.tls ? 'tcp+tls' : 'tcp'}://${bracketIpv6(endpoint.host)}:${endpoint.port}`;
    case 'ssh':
      return `ssh://${endpoint.user ? `${endpoint.user}@` : ''}${bracketIpv6(endpoint.host)}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.socketPath ?? ''}`;
  }
}

function defaultAddress(endpoint: HostEndpoint): string | undefined {
  return endpoint.kind === 'unix' ? undefined : endpoint.host;
}

function bracketIpv6(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** WHATWG URL drops default ports (80 for http://), so read the port from the text itself. */
function portFromAuthority(authority: string, url: string): number | undefined {
  const hostPort = authority.replace(/\/.*$/, '').replace(/^.*@/, '');
  const match = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  const portText = match?.[1];
  if (portText === undefined || portText === '') {
    return undefined;
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > maxPort) {
    throw invalidUrl(url, `Port "${portText}" is not a number from 1 to ${maxPort}.`);
  }
  return port;
}

function optionalString(raw: Record<string, unknown>, key: string, hostName: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new ConfigError('invalidOption', `Host "${hostName}": "${key}" must be a string.`);
  }
  return value;
}

function optionalPath(raw: Record<string, unknown>, key: string, hostName: string, paths: PathContext): string | undefined {
  const value = optionalString(raw, key, hostName);
  return value === undefined ? undefined : expandPath(value, paths);
}

/** A unix:// socket path may start with `~` (`unix://~/.colima/default/docker.sock`), as the schema's pattern allows. */
function expandUnixPath(url: string, paths: PathContext): string {
  const trimmed = url.trim();
  return trimmed.startsWith('unix://') ? `unix://${expandHome(trimmed.slice('unix://'.length), paths.homeDir)}` : url;
}

function optionalTls(value: unknown, hostName: string, paths: PathContext): TlsFiles | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'object') {
    throw new ConfigError('invalidOption', `Host "${hostName}": "tls" must be an object with "ca", "cert" and "key" file paths.`);
  }
  const raw = value as Record<string, unknown>;
  return {
    ca: optionalPath(raw, 'ca', hostName, paths),
    cert: optionalPath(raw, 'cert', hostName, paths),
    key: optionalPath(raw, 'key', hostName, paths),
  };
}

function invalidUrl(url: string, hint: string): ConfigError {
  return new ConfigError('invalidUrl', `"${url}" is not a Docker host URL. ${hint}`);
}
