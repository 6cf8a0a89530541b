import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DisposableLike, Logger } from '../like';
import { type HostEndpoint, type HostSpec, type TlsFiles, parseHostUrl } from './hostSpec';
import { discoverEngineSockets } from './podmanHosts';

/** Where the Docker CLI keeps its files, and the environment it reads; injectable for tests. */
export interface DockerCliEnvironment {
  env: Record<string, string | undefined>;
  /** `$DOCKER_CONFIG`, else `~/.docker`. */
  configDir: string;
  /** Where Podman's connection list is looked for (~/.config/containers); os.homedir() by default. */
  homeDir?: string;
  /** Podman and rootless Docker sockets are listed while they exist; injectable for tests. */
  isSocket?: (file: string) => boolean;
}

const defaultSocketUrl = 'unix:///var/run/docker.sock';
const localHostName = 'local';

/**
 * The hosts shown when `crosslink.hosts` is empty: the local engine (DOCKER_HOST, else the
 * default socket) and, optionally, every Docker CLI context. The one the CLI would use now
 * is marked `current` with the CLI's precedence: DOCKER_HOST > DOCKER_CONTEXT > currentContext.
 * Reads files only; no docker CLI is needed.
 */
export function discoverLocalHosts(
  cli: DockerCliEnvironment,
  includeContexts: boolean,
  logger: Logger,
): HostSpec[] {
  const dockerHost = cli.env.DOCKER_HOST?.trim();
  const local = localEngine(dockerHost, cli, logger);
  const contexts = includeContexts ? readContexts(cli.configDir, logger) : [];
  const currentName = dockerHost ? localHostName : (cli.env.DOCKER_CONTEXT?.trim() || readCurrentContext(cli.configDir, logger));
  const hosts = [local, ...contexts.filter((context) => context.name !== localHostName)];
  const localSockets = hosts.flatMap((host) => (host.endpoint.kind === 'unix' ? [host.endpoint.socketPath] : []));
  const engines = discoverEngineSockets({ env: cli.env, homeDir: cli.homeDir ?? os.homedir(), isSocket: cli.isSocket }, localSockets, includeContexts, logger);
  hosts.push(...engines.filter((engine) => !hosts.some((host) => host.name === engine.name)));
  const current = hosts.find((host) => host.name === currentName) ?? local;
  current.current = true;
  return [current, ...hosts.filter((host) => host !== current)];
}

function localEngine(dockerHost: string | undefined, cli: DockerCliEnvironment, logger: Logger): HostSpec {
  let url = dockerHost || defaultSocketUrl;
  let endpoint: HostEndpoint;
  try {
    endpoint = parseHostUrl(url, { tls: dockerHost ? tlsFromEnvironment(cli.env) : undefined });
  } catch (error) {
    logger.warn(`DOCKER_HOST is not usable (${String(error)}); using ${defaultSocketUrl}.`);
    url = defaultSocketUrl;
    endpoint = parseHostUrl(url);
  }
  return {
    name: localHostName,
    url,
    endpoint,
    address: endpoint.kind === 'unix' ? undefined : endpoint.host,
    source: dockerHost ? 'environment' : 'default',
  };
}

/** DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, as the CLI reads them. */
function tlsFromEnvironment(env: Record<string, string | undefined>): TlsFiles | undefined {
  if (!env.DOCKER_TLS_VERIFY || !env.DOCKER_CERT_PATH) {
    return undefined;
  }
  return pemFiles(env.DOCKER_CERT_PATH);
}

function pemFiles(directory: string): TlsFiles {
  return {
    ca: path.join(directory, 'ca.pem'),
    cert: path.join(directory, 'cert.pem'),
    key: path.join(directory, 'key.pem'),
  };
}

function readCurrentContext(configDir: string, logger: Logger): string | undefined {
  const config = readJson(path.join(configDir, 'config.json'), logger);
  const current = config?.currentContext;
  return typeof current === 'string' && current !== 'default' ? current : undefined;
}

/** Contexts live in contexts/meta/<sha256(name)>/meta.json; their TLS files beside them in contexts/tls. */
function readContexts(configDir: string, logger: Logger): HostSpec[] {
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  let entries: string[];
  try {
    entries = fs.readdirSync(metaRoot);
  } catch {
    return [];
  }
  const hosts: HostSpec[] = [];
  for (const digest of entries.sort()) {
    const meta = readJson(path.join(metaRoot, digest, 'meta.json'), logger);
    const name = typeof meta?.Name === 'string' ? meta.Name : undefined;
    const docker = (meta?.Endpoints as Record<string, { Host?: unknown; SkipTLSVerify?: unknown }> | undefined)?.docker;
    if (!name || typeof docker?.Host !== 'string') {
      continue;
    }
    const tlsDir = path.join(configDir, 'contexts', 'tls', contextDigest(name), 'docker');
    const tls = fs.existsSync(tlsDir) ? existingFiles(pemFiles(tlsDir)) : undefined;
    try {
      const endpoint = parseHostUrl(docker.Host, { tls });
      hosts.push({
        name,
        url: docker.Host,
        endpoint,
        address: endpoint.kind === 'unix' ? undefined : endpoint.host,
        source: 'context',
      });
    } catch (error) {
      logger.warn(`Docker context "${name}" skipped: ${String(error)}`);
    }
  }
  return hosts;
}

const cliConfigPollMs = 3000;

/**
 * Calls `onChange` after the Docker CLI's contexts or its current context change (`docker
 * context create`, `rm`, `update`, `use`), so the hosts shown without `crosslink.hosts` follow
 * the CLI. It polls a fingerprint of the few files involved: fs.watch cannot recurse on Linux
 * and misses directories created later (the first context creates contexts/meta).
 */
export function watchDockerCliConfig(configDir: string, onChange: () => void, intervalMs = cliConfigPollMs): DisposableLike {
  let last = cliConfigFingerprint(configDir);
  const timer = setInterval(() => {
    const now = cliConfigFingerprint(configDir);
    if (now !== last) {
      last = now;
      onChange();
    }
  }, intervalMs);
  timer.unref();
  return { dispose: () => clearInterval(timer) };
}

function cliConfigFingerprint(configDir: string): string {
  const stamp = (file: string) => {
    try {
      const stat = fs.statSync(file);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return '-';
    }
  };
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  let digests: string[] = [];
  try {
    digests = fs.readdirSync(metaRoot).sort();
  } catch {
    // No contexts yet.
  }
  return [stamp(path.join(configDir, 'config.json')), ...digests.map((digest) => `${digest}=${stamp(path.join(metaRoot, digest, 'meta.json'))}`)].join('|');
}

export function contextDigest(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function existingFiles(files: TlsFiles): TlsFiles {
  const keep = (file: string | undefined) => (file && fs.existsSync(file) ? file : undefined);
  return { ca: keep(files.ca), cert: keep(files.cert), key: keep(files.key) };
}

function readJson(file: string, logger: Logger): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn(`Could not read ${file}: ${String(error)}`);
    }
    return undefined;
  }
}
