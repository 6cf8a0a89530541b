import * as fs from 'node:fs';
import * as http from 'node:http';
import { Duplex } from 'node:stream';
import Dockerode from 'dockerode';
import { ConfigError, CrosslinkError } from '../errors';
import { DisposableLike, Logger } from '../like';
import { ContainerDetails, ContainerNetwork, ContainerState, ContainerSummary, DockerEvent, EngineInfo, PortBinding } from '../types';
import { DockerClient, EventStreamHandlers } from './dockerClient';
import { HostSpec, describeEndpoint } from './hostSpec';
import { SshConnection, SshFiles, defaultSshFiles, resolveSshTarget } from './sshConnection';
import { translateApiError } from './translateError';

export interface DockerodeClientOptions {
  /** Upper bound for one API call, connection setup included. */
  callTimeoutMs: number;
  sshFiles: SshFiles;
}

export const defaultDockerodeClientOptions = (): DockerodeClientOptions => ({
  callTimeoutMs: 15_000,
  sshFiles: defaultSshFiles(),
});

const containerStates = new Set<ContainerState>(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

/** The only place that talks to dockerode. */
export class DockerodeClient implements DockerClient {
  readonly hostName: string;
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
  }

  version(): Promise<EngineInfo> {
    return this.call(async (abortSignal) => {
      // dockerode accepts options here at run time; its typings only know version().
      const version = await (this.docker.version as (options: object) => Promise<Dockerode.DockerVersion>).call(this.docker, { abortSignal });
      if (typeof version?.Version !== 'string') {
        throw new CrosslinkError('protocol', `${this.hostName}: ${this.where} answered, but not like a Docker engine.`);
      }
      return { version: version.Version, apiVersion: version.ApiVersion, os: version.Os, arch: version.Arch };
    });
  }

  listContainers(ids?: readonly string[]): Promise<ContainerSummary[]> {
    return this.call(async (abortSignal) => {
      const filters = ids ? JSON.stringify({ id: ids }) : undefined;
      const containers = await this.docker.listContainers({ all: true, filters, abortSignal });
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
  private async call<T>(run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DOMException(`no answer within ${this.options.callTimeoutMs} ms`, 'TimeoutError');
        controller.abort(error);
        reject(error);
      }, this.options.callTimeoutMs);
    });
    try {
      return await Promise.race([run(controller.signal), timeout]);
    } catch (error) {
      throw translateApiError(this.hostName, this.where, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private dockerodeOptions(spec: HostSpec): Dockerode.DockerOptions {
    const endpoint = spec.endpoint;
    switch (endpoint.kind) {
      case 'unix':
        return { socketPath: endpoint.socketPath };
      case 'tcp': {
        if (!endpoint.tls) {
          return { protocol: 'http', host: endpoint.host, port: endpoint.port };
        }
        return {
          protocol: 'https',
          host: endpoint.host,
          port: endpoint.port,
          ca: readTlsFile(spec.name, 'ca', endpoint.tls.ca),
          cert: readTlsFile(spec.name, 'cert', endpoint.tls.cert),
          key: readTlsFile(spec.name, 'key', endpoint.tls.key),
        };
      }
      case 'ssh': {
        const connection = new SshConnection(spec.name, resolveSshTarget(endpoint, this.options.sshFiles), this.options.sshFiles, this.logger);
        this.disposables.push(connection);
        // Plain HTTP over SSH channels; the host name only fills the Host header.
        return { protocol: 'http', host: 'docker', port: 80, agent: sshAgent(connection) } as Dockerode.DockerOptions;
      }
    }
  }
}

/** An http.Agent whose sockets are channels of the host's one SSH connection. */
function sshAgent(connection: SshConnection): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  (agent as unknown as { createConnection: unknown }).createConnection = (
    _options: unknown,
    callback: (error: Error | null, socket?: Duplex) => void,
  ) => {
    connection.openDockerStream().then(
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

function readTlsFile(hostName: string, kind: string, file: string | undefined): Buffer | undefined {
  if (!file) {
    return undefined;
  }
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError('invalidOption', `${hostName}: cannot read the TLS ${kind} file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
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
    name: (raw.Names?.[0] ?? raw.Id.slice(0, 12)).replace(/^\//, ''),
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
    // The engine adds the short container id as an alias; it is noise in the tree.
    aliases: ((network.Aliases ?? []) as string[]).filter((alias) => !raw.Id.startsWith(alias)),
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
