import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../like';
import { type HostSpec, parseHostUrl } from './hostSpec';

/** Where Podman and rootless Docker keep their sockets and connection lists; injectable for tests. */
export interface EngineSocketEnvironment {
  env: Record<string, string | undefined>;
  homeDir: string;
  /** True when `file` is a Unix socket this user can open (stat and access by default). */
  isSocket?: (file: string) => boolean;
}

/** Podman's rootful API socket (podman.socket in systemd, or `podman system service` as root). */
export const rootfulPodmanSocket = '/run/podman/podman.sock';

/**
 * Engines besides the default Docker socket that answer the Docker API on this machine without
 * any configuration: Podman's rootful and rootless sockets and rootless Docker, each listed only
 * while its socket exists; and, with `includeConnections`, the `podman system connection`
 * entries, read from Podman's own files (no podman CLI needed). A socket that is the same file
 * as one of `knownSockets` (podman-docker links /var/run/docker.sock to Podman's) is not listed
 * twice.
 */
export function discoverEngineSockets(environment: EngineSocketEnvironment, knownSockets: readonly string[], includeConnections: boolean, logger: Logger): HostSpec[] {
  const isSocket = environment.isSocket ?? isUnixSocket;
  const runtimeDir = environment.env.XDG_RUNTIME_DIR?.trim();
  const candidates: Array<{ name: string; socketPath: string }> = [
    { name: 'podman', socketPath: rootfulPodmanSocket },
    ...(runtimeDir
      ? [
          { name: 'podman-rootless', socketPath: path.join(runtimeDir, 'podman', 'podman.sock') },
          { name: 'docker-rootless', socketPath: path.join(runtimeDir, 'docker.sock') },
        ]
      : []),
  ];
  const seen = new Set(knownSockets.map(realPath));
  const hosts: HostSpec[] = [];
  for (const { name, socketPath } of candidates) {
    if (!isSocket(socketPath) || seen.has(realPath(socketPath))) {
      continue;
    }
    seen.add(realPath(socketPath));
    const url = `unix://${socketPath}`;
    hosts.push({ name, url, endpoint: { kind: 'unix', socketPath }, source: 'socket' });
  }
  if (includeConnections) {
    for (const connection of readPodmanConnections(environment, logger)) {
      if (hosts.some((host) => host.url === connection.url || host.name === connection.name)) {
        continue;
      }
      hosts.push(connection);
    }
  }
  return hosts;
}

interface PodmanConnection {
  name: string;
  uri: string;
  identity?: string;
}

/**
 * `podman system connection add` writes podman-connections.json (Podman 5) or
 * `[engine.service_destinations.NAME]` tables in containers.conf (Podman 4); both live in
 * $XDG_CONFIG_HOME/containers (default ~/.config/containers). The JSON file wins for a name in both.
 */
function readPodmanConnections(environment: EngineSocketEnvironment, logger: Logger): HostSpec[] {
  const configHome = environment.env.XDG_CONFIG_HOME?.trim() || path.join(environment.homeDir, '.config');
  const directory = path.join(configHome, 'containers');
  const connections = new Map<string, PodmanConnection>();
  for (const connection of connectionsFromToml(readText(path.join(directory, 'containers.conf'), logger))) {
    connections.set(connection.name, connection);
  }
  for (const connection of connectionsFromJson(readText(path.join(directory, 'podman-connections.json'), logger), logger)) {
    connections.set(connection.name, connection);
  }
  const hosts: HostSpec[] = [];
  for (const { name, uri, identity } of [...connections.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    try {
      let endpoint = parseHostUrl(uri);
      if (endpoint.kind === 'ssh' && identity) {
        endpoint = { ...endpoint, identityFile: identity };
      }
      hosts.push({ name, url: uri, endpoint, address: endpoint.kind === 'unix' ? undefined : endpoint.host, source: 'podmanConnection' });
    } catch (error) {
      logger.warn(`Podman connection "${name}" skipped: ${String(error)}`);
    }
  }
  return hosts;
}

/** `{ "Connection": { "Connections": { NAME: { "URI", "Identity" } } } }` */
function connectionsFromJson(text: string | undefined, logger: Logger): PodmanConnection[] {
  if (text === undefined) {
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    logger.warn(`Podman's podman-connections.json is not JSON (${String(error)}); its connections are not listed.`);
    return [];
  }
  const entries = (parsed as { Connection?: { Connections?: unknown } } | null)?.Connection?.Connections;
  if (!entries || typeof entries !== 'object') {
    return [];
  }
  return Object.entries(entries as Record<string, { URI?: unknown; Identity?: unknown }>)
    .filter(([, entry]) => typeof entry?.URI === 'string')
    .map(([name, entry]) => ({ name, uri: entry.URI as string, identity: typeof entry.Identity === 'string' && entry.Identity ? entry.Identity : undefined }));
}

/**
 * The `[engine.service_destinations.NAME]` tables of a containers.conf: just enough TOML for
 * the `key = "string"` lines Podman writes there (other tables and value kinds are skipped).
 */
export function connectionsFromToml(text: string | undefined): PodmanConnection[] {
  if (text === undefined) {
    return [];
  }
  const connections = new Map<string, PodmanConnection>();
  let current: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    const table = /^\[\s*engine\s*\.\s*service_destinations\s*\.\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*\]$/.exec(line);
    if (table) {
      current = table[1] ?? table[2] ?? table[3];
      continue;
    }
    if (line.startsWith('[')) {
      current = undefined;
      continue;
    }
    const pair = /^([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(line);
    if (!current || !pair) {
      continue;
    }
    const value = pair[2] !== undefined ? pair[2].replace(/\\(["\\])/g, '$1') : pair[3];
    const connection = connections.get(current) ?? { name: current, uri: '' };
    if (pair[1] === 'uri') {
      connection.uri = value;
    } else if (pair[1] === 'identity' && value) {
      connection.identity = value;
    }
    connections.set(current, connection);
  }
  return [...connections.values()].filter((connection) => connection.uri);
}

function readText(file: string, logger: Logger): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') {
      logger.warn(`Could not read ${file}: ${String(error)}`);
    }
    return undefined;
  }
}

/** A socket this user may connect to: root's Podman socket is no host for everyone else, only noise. */
function isUnixSocket(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    return fs.statSync(file).isSocket();
  } catch {
    return false;
  }
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
