import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { inspect } from 'node:util';
import { type Duplex, Readable, Writable } from 'node:stream';
import Dockerode from 'dockerode';
import { CrosslinkError, DockerApiError, HostError } from '../errors';
import type { DisposableLike, Logger } from '../like';
import type {
  ContainerCreateBody,
  ContainerDetails,
  ContainerNetwork,
  ContainerState,
  ContainerSummary,
  DockerEvent,
  EndpointConfig,
  EngineHost,
  EngineInfo,
  ExecResult,
  FilesystemChange,
  ImageConfig,
  NetworkSummary,
  PortBinding,
  SwarmMembership,
  VolumeSummary,
} from '../types';
import { userAliases } from '../values/aliases';
import type { DockerClient, EventStreamHandlers, InteractiveExec, NetworkCreateOptions, TerminalSize } from './dockerClient';
import { DockerStreamDemuxer, RawStreamChunker } from './dockerStream';
import { type HostSpec, describeEndpoint } from './hostSpec';
import { SshConnection, type SshFiles, defaultSshFiles, resolveSshTarget } from './sshConnection';
import { OpenSshConnection, type OpenSshOptions } from './openssh/openSshConnection';
import { translateApiError } from './translateError';
import { engineName } from './engines';

export interface DockerodeClientOptions {
  /** Upper bound for one API call, connection setup included. */
  callTimeoutMs: number;
  /** For the built-in (ssh2) client: the files it reads itself. */
  sshFiles: SshFiles;
  /** ssh:// through the system OpenSSH client (`crosslink.ssh.client`); absent: the built-in client. */
  openSsh?: OpenSshOptions;
}

export const defaultDockerodeClientOptions = (): DockerodeClientOptions => ({
  callTimeoutMs: 15_000,
  sshFiles: defaultSshFiles(),
});

/** Pulls download layers; they get their own, longer bound. */
const pullTimeoutMs = 10 * 60_000;

/** Copying a container's files streams as much data as it wrote: bounded like a pull, not like a call. */
const archiveTimeoutMs = 10 * 60_000;

/** The engine's numeric change kinds (0, 1, 2), by name. */
const changeKinds: ReadonlyArray<FilesystemChange['kind']> = ['modified', 'added', 'deleted'];

const containerStates = new Set<ContainerState>(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

/** The only place that talks to dockerode. */
export class DockerodeClient implements DockerClient {
  readonly hostName: string;
  private engineHostPromise?: Promise<EngineHost>;
  readonly dialFromHost?: (ip: string, port: number) => Promise<Duplex>;
  private openSshConnection?: OpenSshConnection;
  private readonly docker: Dockerode;
  private readonly where: string;
  private readonly disposables: DisposableLike[] = [];

  constructor(
    spec: HostSpec,
    private readonly logger: Logger,
    private readonly options: DockerodeClientOptions = defaultDockerodeClientOptions(),
  ) {
    this.hostName = spec.name;
    this.where = describeEndpoint(spec.endpoint);
    this.docker = new Dockerode(this.dockerodeOptions(spec));
    if (spec.endpoint.kind === 'unix') {
      // A local engine's container addresses are routable from this machine.
      this.dialFromHost = (ip, port) => dialTcp(ip, port, this.options.callTimeoutMs);
    }
  }

  sshRoute(): string | undefined {
    return this.openSshConnection?.route;
  }

  version(): Promise<EngineInfo> {
    return this.call(async (abortSignal) => {
      // dockerode accepts options here at run time; its typings only know version().
      const version = (await (this.docker.version as (options: object) => Promise<Dockerode.DockerVersion>).call(this.docker, { abortSignal })) as Dockerode.DockerVersion & {
        Platform?: { Name?: unknown };
        Components?: Array<{ Name?: unknown }>;
      };
      if (typeof version?.Version !== 'string') {
        throw new CrosslinkError('protocol', `${this.hostName}: ${this.where} answered, but not like a Docker engine.`);
      }
      const componentNames = (Array.isArray(version.Components) ? version.Components : []).map((component) => String(component?.Name ?? ''));
      return {
        version: version.Version,
        apiVersion: version.ApiVersion,
        os: version.Os,
        arch: version.Arch,
        engine: engineName(componentNames),
        platformName: typeof version.Platform?.Name === 'string' ? version.Platform.Name : undefined,
        kernelVersion: version.KernelVersion || undefined,
      };
    });
  }

  async engineId(): Promise<string> {
    return (await this.engineHost()).id;
  }

  engineHost(): Promise<EngineHost> {
    this.engineHostPromise ??= this.call(async (abortSignal) => {
      const info = (await (this.docker.info as (options: object) => Promise<Record<string, unknown>>).call(this.docker, { abortSignal })) as Record<string, unknown>;
      if (typeof info?.ID !== 'string' || !info.ID) {
        throw new CrosslinkError('protocol', `${this.hostName}: ${this.where} did not say its engine ID.`);
      }
      const text = (value: unknown) => (typeof value === 'string' ? value : '');
      return { id: info.ID, name: text(info.Name), operatingSystem: text(info.OperatingSystem), kernelVersion: text(info.KernelVersion) };
    }).catch((error: unknown) => {
      this.engineHostPromise = undefined;
      throw error;
    });
    return this.engineHostPromise;
  }

  listContainers(ids?: readonly string[]): Promise<ContainerSummary[]> {
    return this.call(async (abortSignal) => {
      // No `filters` key at all without ids: docker-modem would send an empty `filters=`, which
      // Docker ignores and Podman rejects ("failed to decode filter parameters").
      const containers = await this.docker.listContainers({ all: true, ...(ids ? { filters: JSON.stringify({ id: ids }) } : {}), abortSignal });
      return containers.map(toSummary);
    });
  }

  inspectContainer(idOrName: string): Promise<ContainerDetails> {
    return this.call(async (abortSignal) => {
      const raw = await this.docker.getContainer(idOrName).inspect({ abortSignal });
      return toDetails(raw);
    });
  }

  async subscribeEvents(handlers: EventStreamHandlers): Promise<DisposableLike> {
    const filters = JSON.stringify({ type: ['container', 'network'] });
    // The call's timer stops once the engine answers, so the stream may then stay idle for hours.
    const stream = (await this.call((abortSignal) => this.docker.getEvents({ filters, abortSignal } as object))) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    let closed = false;
    const close = (error?: Error) => {
      if (!closed) {
        closed = true;
        handlers.onClose(error);
      }
    };
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) {
          this.dispatchEvent(line, handlers);
        }
      }
    });
    stream.on('error', (error: Error) => close(translateApiError(this.hostName, this.where, error)));
    stream.on('end', () => close());
    stream.on('close', () => close());
    const subscription = {
      dispose: () => {
        closed = true;
        stream.destroy();
      },
    };
    this.disposables.push(subscription);
    return subscription;
  }

  createContainer(name: string | undefined, body: ContainerCreateBody): Promise<string> {
    const { platform, ...createBody } = body;
    // Only name and platform belong in the query; by default dockerode would also put the whole body there.
    const query = { ...(name !== undefined ? { name } : {}), ...(platform ? { platform } : {}) };
    return this.call(async (abortSignal) => {
      const container = await this.docker.createContainer({ _query: query, _body: createBody, abortSignal } as unknown as Dockerode.ContainerCreateOptions);
      return container.id;
    });
  }

  startContainer(id: string): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.getContainer(id).start({ abortSignal });
    });
  }

  stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    // Without an explicit timeout the engine uses the container's own StopTimeout (default 10 s).
    const graceMs = (timeoutSeconds ?? 60) * 1000;
    return this.call(async (abortSignal) => {
      try {
        await this.docker.getContainer(id).stop({ ...(timeoutSeconds !== undefined ? { t: timeoutSeconds } : {}), abortSignal });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 304) {
          throw error; // 304: already stopped, which is what was asked.
        }
      }
    }, this.options.callTimeoutMs + graceMs);
  }

  restartContainer(id: string, timeoutSeconds?: number): Promise<void> {
    const graceMs = (timeoutSeconds ?? 60) * 1000;
    return this.call(async (abortSignal) => {
      await this.docker.getContainer(id).restart({ ...(timeoutSeconds !== undefined ? { t: timeoutSeconds } : {}), abortSignal });
    }, this.options.callTimeoutMs + graceMs);
  }

  async logs(id: string, options: { follow: boolean; tail?: number }): Promise<Readable> {
    const tty = await this.hasTty(id);
    // The call's timer stops once the engine answers; a followed stream may then stay open for hours.
    const logs = (logOptions: object) => this.docker.getContainer(id).logs(logOptions as never) as unknown as Promise<Readable | Buffer>;
    const source = await this.call((abortSignal) => logs({ follow: options.follow, stdout: true, stderr: true, tail: options.tail ?? 'all', abortSignal }));
    // Without follow dockerode hands back the whole body as one Buffer.
    return this.chunked(Buffer.isBuffer(source) ? Readable.from([source]) : source, tty);
  }

  execInteractive(id: string, command: string[], options: { tty: boolean }): Promise<InteractiveExec> {
    return this.call(async (abortSignal) => {
      const exec = await this.docker.getContainer(id).exec({
        Cmd: command,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: options.tty,
        ...(options.tty ? { Env: ['TERM=xterm-256color'] } : {}),
        abortSignal,
      } as Dockerode.ExecCreateOptions);
      // stdin: false lets the request end, so the engine upgrades the connection; the upgraded
      // socket then carries the user's keystrokes as the process's stdin.
      const socket = (await exec.start({ hijack: true, stdin: false, Tty: options.tty, abortSignal } as Dockerode.ExecStartOptions)) as Duplex;
      const output = this.chunked(socket, options.tty);
      const session: InteractiveExec = {
        output,
        input: socket,
        resize: (size: TerminalSize) =>
          this.call(async (resizeSignal) => {
            await exec.resize({ h: size.rows, w: size.columns, abortSignal: resizeSignal } as never);
          }),
        exitCode: () => this.call(async (inspectSignal) => (await exec.inspect({ abortSignal: inspectSignal } as object)).ExitCode ?? undefined).catch(() => undefined),
        dispose: () => socket.destroy(),
      };
      return session;
    });
  }

  removeContainer(id: string, options: { force?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.getContainer(id).remove({ force: options.force ?? false, v: options.removeVolumes ?? false, abortSignal });
    });
  }

  renameContainer(id: string, newName: string): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.getContainer(id).rename({ name: newName, abortSignal });
    });
  }

  containerChanges(id: string): Promise<FilesystemChange[]> {
    return this.call(async (abortSignal) => {
      const changes: unknown = await this.docker.getContainer(id).changes({ abortSignal } as object);
      // No changes is a JSON null, which dockerode hands back as the raw body.
      return (Array.isArray(changes) ? (changes as Array<{ Path: string; Kind: number }>) : []).map((change) => ({
        path: change.Path,
        kind: changeKinds[change.Kind] ?? 'modified',
      }));
    });
  }

  getArchive(id: string, path: string): Promise<Readable> {
    // The timer stops once the engine answers; the stream itself is bounded by whoever consumes it.
    return this.call(async (abortSignal) => (await this.docker.getContainer(id).getArchive({ path, abortSignal } as never)) as unknown as Readable);
  }

  putArchive(id: string, directory: string, tar: Readable): Promise<void> {
    return this.call(async (abortSignal) => {
      // A source that fails midway (its host dropped) would otherwise leave the upload waiting for more.
      const sourceFailed = new Promise<never>((_, reject) => tar.once('error', reject));
      await Promise.race([this.docker.getContainer(id).putArchive(tar as never, { path: directory, abortSignal } as never), sourceFailed]);
    }, archiveTimeoutMs);
  }

  exec(id: string, command: string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.call(async (abortSignal) => {
      const exec = await this.docker.getContainer(id).exec({ Cmd: command, AttachStdout: true, AttachStderr: true, abortSignal } as Dockerode.ExecCreateOptions);
      const stream = await exec.start({ hijack: true, stdin: false, abortSignal } as Dockerode.ExecStartOptions);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.demuxStream(stream, collector(stdout), collector(stderr));
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
      const { ExitCode } = await exec.inspect({ abortSignal } as object);
      return { exitCode: ExitCode ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
    }, options.timeoutMs);
  }

  private async hasTty(id: string): Promise<boolean> {
    const details = await this.inspectContainer(id);
    return (details.raw.Config as { Tty?: boolean } | undefined)?.Tty === true;
  }

  /** OutputChunk objects from a raw (TTY) or multiplexed stream; destroying them closes the source. */
  private chunked(source: Readable | Duplex, tty: boolean): Readable {
    const output = tty ? new RawStreamChunker() : new DockerStreamDemuxer();
    source.on('error', (error: Error) => output.destroy(translateApiError(this.hostName, this.where, error)));
    output.on('close', () => source.destroy());
    source.pipe(output);
    return output;
  }

  listNetworks(): Promise<NetworkSummary[]> {
    return this.call(async (abortSignal) => (await this.docker.listNetworks({ abortSignal })).map(toNetwork));
  }

  inspectNetwork(idOrName: string): Promise<NetworkSummary> {
    const inspect = (options: object) => this.docker.getNetwork(idOrName).inspect(options as never) as unknown as Promise<Dockerode.NetworkInspectInfo>;
    return this.call(async (abortSignal) => toNetwork(await inspect({ abortSignal })));
  }

  createNetwork(name: string, options: NetworkCreateOptions): Promise<string> {
    return this.call(async (abortSignal) => {
      const network = await this.docker.createNetwork({
        Name: name,
        Driver: options.driver ?? 'bridge',
        Labels: options.labels,
        CheckDuplicate: true,
        ...(options.attachable ? { Attachable: true } : {}),
        ...(options.options ? { Options: options.options } : {}),
        abortSignal,
      });
      return network.id;
    });
  }

  swarm(): Promise<SwarmMembership> {
    return this.call(async (abortSignal) => {
      const info = (await (this.docker.info as (options: object) => Promise<Record<string, unknown>>).call(this.docker, { abortSignal })) as { Swarm?: RawSwarmInfo };
      return toSwarmMembership(info.Swarm);
    });
  }

  swarmInit(options: { advertiseAddress: string }): Promise<string> {
    return this.call(async (abortSignal) => {
      const nodeId = (await this.docker.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: options.advertiseAddress, abortSignal })) as unknown;
      return typeof nodeId === 'string' ? nodeId : '';
    });
  }

  swarmJoinTokens(): Promise<{ worker: string; manager: string }> {
    return this.call(async (abortSignal) => {
      const swarm =
        (await (this.docker.swarmInspect as (options: object) => Promise<{ JoinTokens?: { Worker?: string; Manager?: string } }>).call(this.docker, { abortSignal })) ?? {};
      return { worker: swarm.JoinTokens?.Worker ?? '', manager: swarm.JoinTokens?.Manager ?? '' };
    });
  }

  swarmJoin(options: { managerAddress: string; token: string; advertiseAddress: string }): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.swarmJoin({
        ListenAddr: '0.0.0.0:2377',
        AdvertiseAddr: options.advertiseAddress,
        RemoteAddrs: [options.managerAddress],
        JoinToken: options.token,
        abortSignal,
      });
    });
  }

  swarmLeave(force: boolean): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.swarmLeave({ force, abortSignal });
    });
  }

  connectNetwork(network: string, containerId: string, endpoint: EndpointConfig = {}): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.getNetwork(network).connect({ Container: containerId, EndpointConfig: endpoint, abortSignal } as object);
    });
  }

  disconnectNetwork(network: string, containerId: string, force = false): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.getNetwork(network).disconnect({ Container: containerId, Force: force, abortSignal } as object);
    });
  }

  removeNetwork(idOrName: string): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.getNetwork(idOrName).remove({ abortSignal });
    });
  }

  listVolumes(): Promise<VolumeSummary[]> {
    return this.call(async (abortSignal) => ((await this.docker.listVolumes({ abortSignal })).Volumes ?? []).map(toVolume));
  }

  createVolume(name: string, labels?: Record<string, string>): Promise<VolumeSummary> {
    return this.call(async (abortSignal) => {
      // dockerode resolves create with a handle, not the volume's details.
      const volume = await this.docker.createVolume({ Name: name, Labels: labels ?? {}, abortSignal } as Dockerode.VolumeCreateOptions);
      return toVolume(await (volume as unknown as Dockerode.Volume).inspect({ abortSignal } as object));
    });
  }

  removeVolume(name: string): Promise<void> {
    return this.call(async (abortSignal) => {
      await this.docker.getVolume(name).remove({ abortSignal });
    });
  }

  async imageExists(reference: string): Promise<boolean> {
    return (await this.imageId(reference)) !== undefined;
  }

  async imageId(reference: string): Promise<string | undefined> {
    return (await this.inspectImage(reference))?.Id;
  }

  async imageConfig(reference: string): Promise<ImageConfig | undefined> {
    const inspected = await this.inspectImage(reference);
    const config = inspected?.Config as (Dockerode.ImageInspectInfo['Config'] & { Healthcheck?: ImageConfig['healthcheck']; StopSignal?: string }) | undefined;
    if (!inspected || !config) {
      return undefined;
    }
    const variant = (inspected as { Variant?: string }).Variant;
    return {
      env: config.Env ?? [],
      cmd: config.Cmd ?? null,
      entrypoint: typeof config.Entrypoint === 'string' ? [config.Entrypoint] : (config.Entrypoint ?? null),
      labels: config.Labels ?? {},
      exposedPorts: Object.keys(config.ExposedPorts ?? {}),
      workingDir: config.WorkingDir ?? '',
      user: config.User ?? '',
      healthcheck: config.Healthcheck ?? undefined,
      stopSignal: config.StopSignal || undefined,
      platform: inspected.Os && inspected.Architecture ? [inspected.Os, inspected.Architecture, variant].filter(Boolean).join('/') : undefined,
    };
  }

  private async inspectImage(reference: string): Promise<Dockerode.ImageInspectInfo | undefined> {
    try {
      return await this.call((abortSignal) => this.docker.getImage(reference).inspect({ abortSignal } as object));
    } catch (error) {
      if (DockerApiError.is(error, 'notFound')) {
        return undefined;
      }
      throw error;
    }
  }

  pullImage(reference: string, onProgress?: (status: string) => void): Promise<void> {
    return this.call(async (abortSignal) => {
      const stream = (await this.docker.pull(reference, { abortSignal })) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (error: Error | null) => (error ? reject(error) : resolve()),
          (event: { status?: string; progress?: string; error?: string }) => onProgress?.([event.status, event.progress].filter(Boolean).join(' ')),
        );
      });
    }, pullTimeoutMs);
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  private dispatchEvent(line: string, handlers: EventStreamHandlers): void {
    let raw: { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number };
    try {
      raw = JSON.parse(line);
    } catch {
      this.logger.warn(`[${this.hostName}] unreadable event: ${line.slice(0, 200)}`);
      return;
    }
    const event: DockerEvent = {
      type: raw.Type ?? '',
      action: raw.Action ?? '',
      actorId: raw.Actor?.ID ?? '',
      attributes: raw.Actor?.Attributes ?? {},
      timeNano: raw.timeNano ?? 0,
    };
    handlers.onEvent(event);
  }

  /**
   * Runs one API call under the call timeout, translating whatever it throws. The abort signal
   * frees the request; the timer rejects even if a transport ignores the signal.
   */
  private async call<T>(run: (abortSignal: AbortSignal) => Promise<T>, timeoutMs = this.options.callTimeoutMs): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError');
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      return await Promise.race([run(controller.signal), timeout]);
    } catch (error) {
      throw translateApiError(this.hostName, this.where, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Remote engines are reached through our own http.Agent, named by a synthetic socketPath:
   * VS Code's proxy support replaces the agent of any request to a non-local host unless it has
   * a socketPath, and a user's HTTP proxy must not carry Docker API traffic anyway.
   */
  private dockerodeOptions(spec: HostSpec): Dockerode.DockerOptions {
    const endpoint = spec.endpoint;
    if (endpoint.kind === 'unix') {
      return { socketPath: endpoint.socketPath };
    }
    let dial: () => Promise<Duplex>;
    if (endpoint.kind === 'ssh') {
      this.openSshConnection = this.options.openSsh ? new OpenSshConnection(spec.name, endpoint, this.logger, this.options.openSsh) : undefined;
      const connection = this.openSshConnection ?? new SshConnection(spec.name, resolveSshTarget(endpoint, this.options.sshFiles), this.options.sshFiles, this.logger);
      this.disposables.push(connection);
      (this as { dialFromHost?: DockerClient['dialFromHost'] }).dialFromHost = (ip, port) => connection.forwardOut(ip, port);
      dial = () => connection.openDockerStream();
    } else if (endpoint.tls) {
      const files = endpoint.tls;
      // Read when connecting, not here: an unreadable file then fails this host's calls (its own tree
      // row, retried like any connection problem, so fixing the file is enough) instead of throwing
      // out of host setup and taking the hosts after it along.
      dial = async () =>
        dialTls(
          {
            host: endpoint.host,
            port: endpoint.port,
            servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
            // DOCKER_TLS without DOCKER_TLS_VERIFY, or a context's SkipTLSVerify: encrypted, engine not checked.
            rejectUnauthorized: !files.skipVerify,
            ca: files.skipVerify ? undefined : readTlsFile(spec.name, 'ca', files.ca),
            cert: readTlsFile(spec.name, 'cert', files.cert),
            key: readTlsFile(spec.name, 'key', files.key),
          },
          this.options.callTimeoutMs,
        );
    } else {
      dial = () => dialTcp(endpoint.host, endpoint.port, this.options.callTimeoutMs);
    }
    const agent = streamAgent(dial);
    // Its idle keep-alive sockets would otherwise stay open to the engine after the host is removed or changed.
    this.disposables.push({ dispose: () => agent.destroy() });
    return { socketPath: `crosslink-${endpoint.kind}-${spec.name}`, protocol: 'http', agent } as Dockerode.DockerOptions;
  }
}

/** An http.Agent whose sockets come from `dial` (TCP, TLS or a channel of the host's SSH connection). */
function streamAgent(dial: () => Promise<Duplex>): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  // docker-modem formats every request's options with util.inspect({ showHidden, depth: null })
  // for a debug line, even with debugging off. Our agent is in those options, and through its
  // sockets it reaches the TLS or SSH connection: walking all of that cost milliseconds of CPU per
  // API call, more with every open socket. Named in one word, it costs nothing.
  Object.defineProperty(agent, inspect.custom, { value: () => '[crosslink http.Agent]' });
  (agent as unknown as { createConnection: unknown }).createConnection = (_options: unknown, callback: (error: Error | null, socket?: Duplex) => void) => {
    dial().then(
      (stream) => callback(null, withSocketShims(stream)),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  };
  return agent;
}

/** http.Agent calls socket methods (keepalive, timeouts) that SSH channels do not have. */
function withSocketShims(stream: Duplex): Duplex {
  const shimmed = stream as Duplex & Record<string, unknown>;
  for (const method of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) {
    if (typeof shimmed[method] !== 'function') {
      shimmed[method] = () => shimmed;
    }
  }
  return shimmed;
}

function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
}

function dialTcp(ip: string, port: number, timeoutMs: number): Promise<Duplex> {
  return dialSocket(() => net.connect({ host: ip, port, allowHalfOpen: true }), 'connect', `${ip}:${port}`, timeoutMs);
}

function dialTls(options: tls.ConnectionOptions & { host: string; port: number }, timeoutMs: number): Promise<Duplex> {
  return dialSocket(() => tls.connect(options), 'secureConnect', `${options.host}:${options.port}`, timeoutMs);
}

/** Resolves once the socket is ready; an unanswered connect fails with ETIMEDOUT instead of hanging. */
function dialSocket(open: () => net.Socket, readyEvent: 'connect' | 'secureConnect', where: string, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = open();
    socket.setTimeout(timeoutMs);
    socket.once(readyEvent, () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error(`connect to ${where} timed out`), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
  });
}

interface RawSwarmInfo {
  LocalNodeState?: string;
  NodeID?: string;
  NodeAddr?: string;
  ControlAvailable?: boolean;
  RemoteManagers?: Array<{ Addr?: string }> | null;
  Cluster?: { ID?: string } | null;
}

function toSwarmMembership(raw: RawSwarmInfo | undefined): SwarmMembership {
  const states = ['inactive', 'pending', 'active', 'error', 'locked'] as const;
  const state = states.find((candidate) => candidate === raw?.LocalNodeState) ?? 'inactive';
  return {
    state,
    nodeId: raw?.NodeID ?? '',
    clusterId: raw?.Cluster?.ID ?? '',
    // ControlAvailable is the engine's own "I am a manager".
    role: state === 'active' ? (raw?.ControlAvailable ? 'manager' : 'worker') : undefined,
    nodeAddress: raw?.NodeAddr ?? '',
    managers: (raw?.RemoteManagers ?? []).flatMap((manager) => (manager.Addr ? [manager.Addr] : [])),
  };
}

function toNetwork(raw: Dockerode.NetworkInspectInfo): NetworkSummary {
  const containers = Object.fromEntries(Object.entries(raw.Containers ?? {}).map(([id, endpoint]) => [id, { name: endpoint.Name, ipv4Address: endpoint.IPv4Address }]));
  return { id: raw.Id, name: raw.Name, driver: raw.Driver, labels: raw.Labels ?? {}, containers };
}

function toVolume(raw: Dockerode.VolumeInspectInfo): VolumeSummary {
  return { name: raw.Name, driver: raw.Driver, labels: raw.Labels ?? {}, mountpoint: raw.Mountpoint };
}

function readTlsFile(hostName: string, kind: string, file: string | undefined): Buffer | undefined {
  if (!file) {
    return undefined;
  }
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new HostError(
      hostName,
      'credentials',
      `${hostName}: cannot read the TLS ${kind} file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}). ` +
        'Fix the path in the "tls" setting of this host (or DOCKER_CERT_PATH) or the file\'s permissions, then retry.',
      { cause: error },
    );
  }
}

function toSummary(raw: Dockerode.ContainerInfo): ContainerSummary {
  const networks: ContainerNetwork[] = Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, network]) => ({
    name,
    ipAddress: network.IPAddress || undefined,
    aliases: network.Aliases ?? [],
  }));
  const ports: PortBinding[] = (raw.Ports ?? []).map((port) => ({
    privatePort: port.PrivatePort,
    protocol: (port.Type as PortBinding['protocol']) ?? 'tcp',
    publicPort: port.PublicPort || undefined,
    hostIp: port.IP || undefined,
  }));
  return {
    id: raw.Id,
    // A legacy link's target also lists as "/client/alias"; its own name is the one without a second slash.
    name: (raw.Names?.find((name) => !name.slice(1).includes('/')) ?? raw.Names?.[0] ?? raw.Id.slice(0, 12)).replace(/^\//, ''),
    image: raw.Image,
    state: toState(raw.State),
    status: raw.Status ?? '',
    createdAt: raw.Created * 1000,
    labels: raw.Labels ?? {},
    networks,
    ports: dedupePorts(ports),
  };
}

function toDetails(raw: Dockerode.ContainerInspectInfo): ContainerDetails {
  const networks: ContainerNetwork[] = Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, network]) => ({
    name,
    ipAddress: network.IPAddress || undefined,
    aliases: userAliases(network.Aliases as string[] | null, raw.Id, raw.Config?.Hostname),
  }));
  const ports: PortBinding[] = Object.entries(raw.NetworkSettings?.Ports ?? {}).flatMap(([key, bindings]) => {
    const [privatePort, protocol] = key.split('/');
    const base = { privatePort: Number(privatePort), protocol: (protocol ?? 'tcp') as PortBinding['protocol'] };
    return bindings && bindings.length > 0
      ? bindings.map((binding) => ({ ...base, publicPort: Number(binding.HostPort) || undefined, hostIp: binding.HostIp || undefined }))
      : [base];
  });
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    image: raw.Config?.Image ?? raw.Image,
    state: toState(raw.State?.Status),
    status: raw.State?.Status ?? '',
    createdAt: Date.parse(raw.Created),
    labels: raw.Config?.Labels ?? {},
    networks,
    ports: dedupePorts(ports),
    links: (raw.HostConfig?.Links ?? []).map(formatLink),
    hostname: raw.Config?.Hostname ?? '',
    raw: raw as unknown as Record<string, unknown>,
  };
}

/** The engine stores links as "/target:/client/alias"; show them as "target:alias". */
function formatLink(link: string): string {
  const [target, clientAlias] = link.split(':');
  return `${target.replace(/^\//, '')}:${clientAlias?.split('/').pop() ?? ''}`;
}

/** Docker lists a binding once per address family (0.0.0.0 and ::); one row per port reads better. */
function dedupePorts(ports: PortBinding[]): PortBinding[] {
  const seen = new Set<string>();
  return ports.filter((port) => {
    const key = `${port.privatePort}/${port.protocol}/${port.publicPort ?? ''}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

function toState(state: string | undefined): ContainerState {
  return containerStates.has(state as ContainerState) ? (state as ContainerState) : 'dead';
}
