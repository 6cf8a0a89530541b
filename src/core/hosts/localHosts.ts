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
export function discoverLocalHosts(cli: DockerCliEnvironment, includeContexts: boolean, logger: Logger): HostSpec[] {
  const dockerHost = cli.env.DOCKER_HOST?.trim();
  const local = localEngine(dockerHost, cli, logger);
  const contexts = includeContexts ? readContexts(cli.configDir, logger) : [];
  const currentName = dockerHost ? localHostName : cli.env.DOCKER_CONTEXT?.trim() || readCurrentContext(cli.configDir, logger);
  const hosts = [local, ...contexts.filter((context) => context.name !== localHostName)];
  const localSockets = hosts.flatMap((host) => (host.endpoint.kind === 'unix' ? [host.endpoint.socketPath] : []));
  const engines = discoverEngineSockets({ env: cli.env, homeDir: cli.homeDir ?? os.homedir(), isSocket: cli.isSocket }, localSockets, includeContexts, logger);
  hosts.push(...engines.filter((engine) => !hosts.some((host) => host.name === engine.name)));
  const current = hosts.find((host) => host.name === currentName) ?? local;
  current.current = true;
  return [current, ...hosts.filter((host) => host !== current)];
}

function localEngine(dockerHost: string | undefined, cli: DockerCliEnvironment, logger: Logger): HostSpec {
  const tls = tlsFromEnvironment(cli);
  // The CLI's default host is the local socket, or tcp://localhost:2376 once TLS is asked for (opts.ParseHost).
  let url = dockerHost || (tls ? defaultTlsUrl : defaultSocketUrl);
  let endpoint: HostEndpoint;
  try {
    // The CLI fills a missing DOCKER_HOST port with 2375 even with TLS (opts.ParseTCPAddr with DefaultTCPHost).
    endpoint = parseHostUrl(url, { tls, defaultTcpPort: 2375 });
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
    source: dockerHost || tls ? 'environment' : 'default',
  };
}

const defaultTlsUrl = 'tcp://localhost:2376';

/**
 * TLS for the local engine, as the Docker CLI derives it from its environment (cli/flags): any
 * non-empty DOCKER_TLS_VERIFY turns TLS on and checks the engine against `ca.pem`; any non-empty
 * DOCKER_TLS turns TLS on without that check. The files are in DOCKER_CERT_PATH, else the config
 * directory (DOCKER_CONFIG, else ~/.docker); a missing cert.pem or key.pem is left out as the CLI
 * does, a missing ca.pem under DOCKER_TLS_VERIFY fails the connection with the file's name.
 */
export function tlsFromEnvironment(cli: DockerCliEnvironment): TlsFiles | undefined {
  const verify = Boolean(cli.env.DOCKER_TLS_VERIFY);
  if (!verify && !cli.env.DOCKER_TLS) {
    return undefined;
  }
  const files = pemFiles(cli.env.DOCKER_CERT_PATH || cli.configDir);
  const client = existingFiles(files);
  return verify ? { ca: files.ca, cert: client.cert, key: client.key } : { cert: client.cert, key: client.key, skipVerify: true };
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
    const tls = contextTls(configDir, name, docker.SkipTLSVerify === true);
    try {
      const endpoint = parseHostUrl(docker.Host, { tls, defaultTcpPort: 2375 });
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

/**
 * A context's TLS as the CLI builds it (context/docker/load.go): TLS when the context stores TLS
 * files or says SkipTLSVerify; SkipTLSVerify keeps the client certificate but does not check the engine's.
 */
function contextTls(configDir: string, name: string, skipVerify: boolean): TlsFiles | undefined {
  const tlsDir = path.join(configDir, 'contexts', 'tls', contextDigest(name), 'docker');
  const files = fs.existsSync(tlsDir) ? existingFiles(pemFiles(tlsDir)) : undefined;
  if (!skipVerify) {
    return files;
  }
  return { cert: files?.cert, key: files?.key, skipVerify: true };
}

export interface CliConfigWatchOptions {
  /** Quiet time after a file event before the files are compared (the CLI writes in several steps). */
  settleMs: number;
  /** Only where a directory cannot be watched (it does not exist yet, or fs.watch fails). */
  fallbackPollMs: number;
}

const defaultWatchOptions: CliConfigWatchOptions = { settleMs: 100, fallbackPollMs: 3000 };

/**
 * Calls `onChange` after the Docker CLI's contexts or its current context change (`docker
 * context create`, `rm`, `update`, `use`), so the hosts shown without `crosslink.hosts` follow
 * the CLI. The files that matter are config.json (currentContext) and contexts/meta/<digest>/meta.json;
 * their directories are watched (the CLI replaces files by rename, and fs.watch cannot recurse on
 * Linux), and re-watched as contexts come and go. Events only prompt a comparison of the files'
 * fingerprint, so unrelated writes (credentials in config.json aside) change nothing. Where a
 * directory cannot be watched (no ~/.docker yet), a slow poll stands in.
 */
export function watchDockerCliConfig(configDir: string, onChange: () => void, options: Partial<CliConfigWatchOptions> = {}): DisposableLike {
  const { settleMs, fallbackPollMs } = { ...defaultWatchOptions, ...options };
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  const watchers = new Map<string, fs.FSWatcher>();
  let last = cliConfigFingerprint(configDir);
  let settle: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  const check = () => {
    const now = cliConfigFingerprint(configDir);
    if (now !== last) {
      last = now;
      onChange();
    }
    rewatch();
  };
  const schedule = () => {
    clearTimeout(settle);
    settle = setTimeout(check, settleMs);
    settle.unref();
  };
  const startPoll = () => {
    poll ??= setInterval(check, fallbackPollMs);
    poll.unref();
  };
  const rewatch = () => {
    const wanted = [configDir, path.join(configDir, 'contexts'), metaRoot, ...contextDigests(metaRoot).map((digest) => path.join(metaRoot, digest))];
    for (const [directory, watcher] of watchers) {
      if (!wanted.includes(directory) || !fs.existsSync(directory)) {
        watcher.close();
        watchers.delete(directory);
      }
    }
    let complete = true;
    for (const directory of wanted) {
      if (watchers.has(directory)) {
        continue;
      }
      try {
        const watcher = fs.watch(directory, { persistent: false }, schedule);
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(directory);
          startPoll();
        });
        watchers.set(directory, watcher);
      } catch {
        // Not there yet (contexts/ before the first context) is normal; the directory above tells when it comes.
        complete &&= directory !== configDir;
      }
    }
    if (!complete) {
      startPoll();
    } else if (poll) {
      clearInterval(poll);
      poll = undefined;
    }
  };
  rewatch();
  return {
    dispose: () => {
      clearTimeout(settle);
      clearInterval(poll);
      watchers.forEach((watcher) => watcher.close());
      watchers.clear();
    },
  };
}

function contextDigests(metaRoot: string): string[] {
  try {
    return fs.readdirSync(metaRoot).sort();
  } catch {
    return [];
  }
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
  return [stamp(path.join(configDir, 'config.json')), ...contextDigests(metaRoot).map((digest) => `${digest}=${stamp(path.join(metaRoot, digest, 'meta.json'))}`)].join('|');
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
