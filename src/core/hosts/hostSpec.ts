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
}

export type HostEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: TlsFiles }
  | { kind: 'ssh'; host: string; user?: string; port?: number; identityFile?: string; socketPath?: string };

export type HostSource = 'settings' | 'environment' | 'context' | 'default';

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

/** Parses a Docker host URL. A tcp:// URL without a port means 2376 with TLS (Docker's convention), else 2375. */
export function parseHostUrl(url: string, options: { tls?: TlsFiles } = {}): HostEndpoint {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (!scheme) {
    throw invalidUrl(url, 'Use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host.');
  }
  if (scheme === 'unix') {
    const socketPath = trimmed.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw invalidUrl(url, 'A unix socket needs an absolute path, e.g. unix:///var/run/docker.sock.');
    }
    return { kind: 'unix', socketPath };
  }
  if (scheme !== 'tcp' && scheme !== 'ssh') {
    throw invalidUrl(url, `"${scheme}://" is not supported; use unix://, tcp:// or ssh://.`);
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
  // ssh://host/run/user/1000/docker.sock names the remote engine's socket, as the Docker CLI accepts.
  const socketPath = scheme === 'ssh' && parsed.pathname !== '/' ? decodeURIComponent(parsed.pathname) : undefined;
  if ((parsed.pathname !== '/' && !socketPath) || parsed.search || parsed.hash) {
    throw invalidUrl(url, `Remove "${parsed.pathname}${parsed.search}${parsed.hash}" after the host.`);
  }
  if (scheme === 'tcp') {
    if (parsed.username || parsed.password) {
      throw invalidUrl(url, 'tcp:// URLs take no user name; use tls settings for client certificates.');
    }
    return { kind: 'tcp', host, port: explicitPort ?? (options.tls ? 2376 : 2375), tls: options.tls };
  }
  if (parsed.password) {
    throw invalidUrl(url, 'Do not put a password in the URL; use an identity file or ssh-agent.');
  }
  return {
    kind: 'ssh',
    host,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    port: explicitPort,
    ...(socketPath ? { socketPath } : {}),
  };
}

/** Validates one raw setting entry (unknown JSON) and turns it into a HostSpec. */
export function parseHostEntry(entry: unknown, source: HostSource = 'settings'): HostSpec {
  if (typeof entry !== 'object' || entry === null) {
    throw new ConfigError('invalidOption', 'Each entry of crosslink.hosts must be an object with "name" and "url".');
  }
  const raw = entry as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : '';
  const nameProblem = hostNameProblem(name);
  if (nameProblem) {
    throw new ConfigError('invalidName', `Host name "${name}": ${nameProblem}`);
  }
  if (typeof raw.url !== 'string') {
    throw new ConfigError('invalidUrl', `Host "${name}" needs a "url" such as tcp://host:2376 or ssh://user@host.`);
  }
  const identityFile = optionalString(raw, 'identityFile', name);
  const address = optionalString(raw, 'address', name);
  const tls = optionalTls(raw.tls, name);
  let endpoint = parseHostUrl(raw.url, { tls });
  if (identityFile !== undefined) {
    if (endpoint.kind !== 'ssh') {
      throw new ConfigError('invalidOption', `Host "${name}": "identityFile" only applies to ssh:// URLs.`);
    }
    endpoint = { ...endpoint, identityFile };
  }
  if (tls !== undefined && endpoint.kind !== 'tcp') {
    throw new ConfigError('invalidOption', `Host "${name}": "tls" only applies to tcp:// URLs.`);
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
export function parseHostEntries(entries: readonly unknown[]): { hosts: HostSpec[]; problems: ConfigError[] } {
  const hosts: HostSpec[] = [];
  const problems: ConfigError[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    try {
      const spec = parseHostEntry(entry);
      if (seen.has(spec.name)) {
        throw new ConfigError('duplicateName', `Host name "${spec.name}" is used twice in crosslink.hosts; names must be unique.`);
      }
      seen.add(spec.name);
      hosts.push(spec);
    } catch (error) {
      problems.push(ConfigError.is(error) ? error : new ConfigError('invalidOption', String(error)));
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

function optionalTls(value: unknown, hostName: string): TlsFiles | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'object') {
    throw new ConfigError('invalidOption', `Host "${hostName}": "tls" must be an object with "ca", "cert" and "key" file paths.`);
  }
  const raw = value as Record<string, unknown>;
  return {
    ca: optionalString(raw, 'ca', hostName),
    cert: optionalString(raw, 'cert', hostName),
    key: optionalString(raw, 'key', hostName),
  };
}

function invalidUrl(url: string, hint: string): ConfigError {
  return new ConfigError('invalidUrl', `"${url}" is not a Docker host URL. ${hint}`);
}
