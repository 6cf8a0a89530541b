import { release } from 'node:os';
import type { HostError } from '../../../src/core/errors';
import type { DisposableLike } from '../../../src/core/like';
import type { DockerClient, EventStreamHandlers } from '../../../src/core/hosts/dockerClient';
import type { ContainerDetails, ContainerSummary, DockerEvent, EngineHost, EngineInfo } from '../../../src/core/types';

/** An in-memory engine: containers, an event stream, and switches to make it fail. */
export class FakeDockerClient implements DockerClient {
  readonly containers = new Map<string, ContainerSummary>();
  readonly listCalls: Array<readonly string[] | undefined> = [];
  unreachable?: HostError;
  private streams = new Set<EventStreamHandlers>();

  constructor(readonly hostName: string) {}

  async version(): Promise<EngineInfo> {
    this.throwIfDown();
    return { version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64' };
  }

  async engineId(): Promise<string> {
    this.throwIfDown();
    return `engine-${this.hostName}`;
  }

  /** This machine's own kernel: a local engine, not one in a VM, unless a test says otherwise. */
  host: Omit<EngineHost, 'id'> = { name: 'fake', operatingSystem: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: release() };

  async engineHost(): Promise<EngineHost> {
    this.throwIfDown();
    return { id: await this.engineId(), ...this.host };
  }

  async listContainers(ids?: readonly string[]): Promise<ContainerSummary[]> {
    this.throwIfDown();
    this.listCalls.push(ids);
    return [...this.containers.values()].filter((container) => !ids || ids.includes(container.id));
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails> {
    this.throwIfDown();
    const container = [...this.containers.values()].find((candidate) => candidate.id === idOrName || candidate.name === idOrName);
    if (!container) {
      throw new Error(`no such container ${idOrName}`);
    }
    return { ...container, links: [], hostname: container.id.slice(0, 12), raw: {} };
  }

  async subscribeEvents(handlers: EventStreamHandlers): Promise<DisposableLike> {
    this.throwIfDown();
    this.streams.add(handlers);
    return { dispose: () => this.streams.delete(handlers) };
  }

  get subscribers(): number {
    return this.streams.size;
  }

  /** Adds or replaces a container and emits the event the engine would. */
  upsert(container: ContainerSummary, action = 'start'): void {
    this.containers.set(container.id, container);
    this.emit({ type: 'container', action, actorId: container.id, attributes: { name: container.name }, timeNano: Date.now() * 1e6 });
  }

  remove(id: string): void {
    this.containers.delete(id);
    this.emit({ type: 'container', action: 'destroy', actorId: id, attributes: {}, timeNano: Date.now() * 1e6 });
  }

  /** Ends every event stream, as a dropped connection would. */
  dropStreams(error?: Error): void {
    const streams = [...this.streams];
    this.streams.clear();
    for (const stream of streams) {
      stream.onClose(error);
    }
  }

  dispose(): void {
    this.streams.clear();
  }

  // Lifecycle calls are faked where a test needs them (see the executor tests).
  createContainer = notFaked('createContainer');
  startContainer = notFaked('startContainer');
  stopContainer = notFaked('stopContainer');
  removeContainer = notFaked('removeContainer');
  renameContainer = notFaked('renameContainer');
  containerChanges = notFaked('containerChanges');
  getArchive = notFaked('getArchive');
  putArchive = notFaked('putArchive');
  restartContainer = notFaked('restartContainer');
  logs = notFaked('logs');
  execInteractive = notFaked('execInteractive');
  exec = notFaked('exec');
  listNetworks = notFaked('listNetworks');
  inspectNetwork = notFaked('inspectNetwork');
  createNetwork = notFaked('createNetwork');
  connectNetwork = notFaked('connectNetwork');
  disconnectNetwork = notFaked('disconnectNetwork');
  removeNetwork = notFaked('removeNetwork');
  swarm = notFaked('swarm');
  swarmInit = notFaked('swarmInit');
  swarmJoinTokens = notFaked('swarmJoinTokens');
  swarmJoin = notFaked('swarmJoin');
  swarmLeave = notFaked('swarmLeave');
  listVolumes = notFaked('listVolumes');
  createVolume = notFaked('createVolume');
  removeVolume = notFaked('removeVolume');
  imageExists = notFaked('imageExists');
  imageId = notFaked('imageId');
  imageConfig = notFaked('imageConfig');
  pullImage = notFaked('pullImage');

  /** Emits an event as an engine wrote it (network events, Podman's shapes). */
  emitRaw(event: DockerEvent): void {
    this.emit(event);
  }

  private emit(event: DockerEvent): void {
    for (const stream of this.streams) {
      stream.onEvent(event);
    }
  }

  private throwIfDown(): void {
    if (this.unreachable) {
      throw this.unreachable;
    }
  }
}

function notFaked(method: string): () => Promise<never> {
  return async () => {
    throw new Error(`FakeDockerClient.${method} is not faked`);
  };
}

export function container(id: string, name: string, overrides: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    id,
    name,
    image: 'crosslink/fixture:latest',
    state: 'running',
    status: 'Up 1 second',
    createdAt: 0,
    labels: {},
    networks: [{ name: 'bridge', ipAddress: '172.17.0.2', aliases: [] }],
    ports: [],
    ...overrides,
  };
}
