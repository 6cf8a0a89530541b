import type { DisposableLike } from '../like';
import type { Duplex, Readable, Writable } from 'node:stream';
import type {
  ContainerCreateBody,
  ContainerDetails,
  EndpointConfig,
  ContainerSummary,
  DockerEvent,
  EngineHost,
  EngineInfo,
  ExecResult,
  FilesystemChange,
  ImageConfig,
  NetworkSummary,
  SwarmMembership,
  VolumeSummary,
} from '../types';

export interface EventStreamHandlers {
  onEvent(event: DockerEvent): void;
  /** The stream ended or failed; the subscriber decides whether and when to resubscribe. */
  onClose(error?: Error): void;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** A process started by execInteractive: its output, its input, and its terminal size. */
export interface InteractiveExec extends DisposableLike {
  /** OutputChunk objects; ends when the process exits or the connection drops. */
  readonly output: Readable;
  readonly input: Writable;
  /** Tells the process its terminal's new size (TTY only). */
  resize(size: TerminalSize): Promise<void>;
  /** The exit code once the output ended; undefined when the engine could not say. */
  exitCode(): Promise<number | undefined>;
}

export interface NetworkCreateOptions {
  driver?: string;
  labels?: Record<string, string>;
  /** Overlay only: standalone containers (not just Swarm services) may join it. */
  attachable?: boolean;
  /** Driver options, e.g. `{ encrypted: "" }` for an IPsec-encrypted overlay. */
  options?: Record<string, string>;
}

/**
 * What Crosslink needs from one Docker engine. Every call has a timeout and throws
 * HostError (transport) or DockerApiError (the engine said no); nothing else leaks out.
 */
export interface DockerClient extends DisposableLike {
  readonly hostName: string;
  version(): Promise<EngineInfo>;
  /** The engine's own ID (`GET /info` → ID): tells two engines apart whatever URL reaches them. */
  engineId(): Promise<string>;
  /** Where the engine runs (`GET /info`), asked once per client: it does not change while connected. */
  engineHost(): Promise<EngineHost>;
  /** All containers, running or not; `ids` narrows the list (for incremental updates). */
  listContainers(ids?: readonly string[]): Promise<ContainerSummary[]>;
  inspectContainer(idOrName: string): Promise<ContainerDetails>;
  /** Container and network events from now on. Resolves once the engine accepted the subscription. */
  subscribeEvents(handlers: EventStreamHandlers): Promise<DisposableLike>;

  /** Creates a container (not started); returns its id. */
  createContainer(name: string | undefined, body: ContainerCreateBody): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stops gracefully: after `timeoutSeconds` (default: the container's StopTimeout) the engine kills it. A stopped container is fine. */
  stopContainer(id: string, timeoutSeconds?: number): Promise<void>;
  removeContainer(id: string, options?: { force?: boolean; removeVolumes?: boolean }): Promise<void>;
  renameContainer(id: string, newName: string): Promise<void>;
  /** Paths of the container's writable layer that differ from its image (GET /containers/{id}/changes), running or not. */
  containerChanges(id: string): Promise<FilesystemChange[]>;
  /** A tar stream of `path` (a file or a whole directory) in the container, running or not (GET /containers/{id}/archive). */
  getArchive(id: string, path: string): Promise<Readable>;
  /** Extracts a tar stream into the existing directory `directory` of the container, keeping owners and modes (PUT /containers/{id}/archive). */
  putArchive(id: string, directory: string, tar: Readable): Promise<void>;
  /** Restarts (stops gracefully, then starts); a stopped container is just started. */
  restartContainer(id: string, timeoutSeconds?: number): Promise<void>;
  /**
   * The container's output as OutputChunk objects (demuxed when it has no TTY). With `follow` the
   * stream stays open until the container stops or the caller destroys the stream.
   */
  logs(id: string, options: { follow: boolean; tail?: number }): Promise<Readable>;
  /** Starts `command` in a running container with stdin attached and, when asked, a TTY. */
  execInteractive(id: string, command: string[], options: { tty: boolean }): Promise<InteractiveExec>;
  /** Runs a command in a running container and collects its output (bounded by the call timeout). */
  exec(id: string, command: string[], options?: { timeoutMs?: number }): Promise<ExecResult>;

  listNetworks(): Promise<NetworkSummary[]>;
  inspectNetwork(idOrName: string): Promise<NetworkSummary>;
  createNetwork(name: string, options: NetworkCreateOptions): Promise<string>;
  /** Attaches a running or stopped container; `endpoint` carries aliases, links and static addresses. */
  connectNetwork(network: string, containerId: string, endpoint?: EndpointConfig): Promise<void>;
  disconnectNetwork(network: string, containerId: string, force?: boolean): Promise<void>;
  removeNetwork(idOrName: string): Promise<void>;

  /** The host's Swarm membership, asked afresh each time (init, join and leave change it). */
  swarm(): Promise<SwarmMembership>;
  /** Makes this engine the first manager of a new Swarm; returns the node ID. */
  swarmInit(options: { advertiseAddress: string }): Promise<string>;
  /** The tokens that let another engine join this one's Swarm (a manager only). */
  swarmJoinTokens(): Promise<{ worker: string; manager: string }>;
  /** Joins the Swarm whose manager listens at `managerAddress` ("ip:2377"). */
  swarmJoin(options: { managerAddress: string; token: string; advertiseAddress: string }): Promise<void>;
  /** Leaves the Swarm (`force` also on the last manager, which dissolves it). */
  swarmLeave(force: boolean): Promise<void>;

  listVolumes(): Promise<VolumeSummary[]>;
  createVolume(name: string, labels?: Record<string, string>): Promise<VolumeSummary>;
  removeVolume(name: string): Promise<void>;

  imageExists(reference: string): Promise<boolean>;
  /** The image's defaults (env, cmd, entrypoint, labels, …), or undefined when the host does not have it. */
  imageConfig(reference: string): Promise<ImageConfig | undefined>;
  /** The image id a reference resolves to here, or undefined when the host does not have it. */
  imageId(reference: string): Promise<string | undefined>;
  /** Pulls an image, reporting progress lines; fails with a clear message when no registry is reachable. */
  pullImage(reference: string, onProgress?: (status: string) => void): Promise<void>;

  /**
   * A TCP stream to ip:port as seen from the Docker host (container IPs included), when the
   * transport allows it: ssh (direct-tcpip over the host's one connection) and local unix
   * sockets. Undefined for tcp:// hosts, whose network is not reachable from here.
   */
  readonly dialFromHost?: (ip: string, port: number) => Promise<Duplex>;

  /** ssh:// through OpenSSH: where ssh_config sends the connection (`ssh -G`), for display; undefined until known. */
  sshRoute?(): string | undefined;
}
