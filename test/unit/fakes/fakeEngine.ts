import { randomBytes } from 'node:crypto';
import { release } from 'node:os';
import { DockerApiError, HostError } from '../../../src/core/errors';
import type { DockerClient, NetworkCreateOptions } from '../../../src/core/hosts/dockerClient';
import type {
  ContainerCreateBody,
  ContainerDetails,
  ContainerSummary,
  EndpointConfig,
  EngineHost,
  FilesystemChange,
  NetworkSummary,
  SwarmMembership,
  VolumeSummary,
} from '../../../src/core/types';

interface FakeContainer {
  id: string;
  name: string;
  running: boolean;
  body: ContainerCreateBody;
  networks: Map<string, EndpointConfig>;
  created: string;
  finishedAt?: string;
}

/**
 * How the next state-changing call misbehaves: `refuse` (the engine says no, nothing happens),
 * `timeout` (no reply, nothing happens) or `lostReply` (the engine does it, the reply never comes).
 * `crashBefore` / `crashAfter`: the caller "dies" before or after the engine acts: the call never
 * returns, and `crashed` resolves.
 */
export type FaultMode = 'refuse' | 'timeout' | 'lostReply' | 'crashBefore' | 'crashAfter';

const mutating = new Set([
  'createContainer',
  'startContainer',
  'stopContainer',
  'removeContainer',
  'renameContainer',
  'createNetwork',
  'connectNetwork',
  'disconnectNetwork',
  'removeNetwork',
  'createVolume',
  'removeVolume',
]);

/**
 * A stateful in-memory engine behind the DockerClient interface: containers with names, state,
 * networks and their create body, networks and volumes, and faults to arm on the next calls.
 */
export class FakeEngine implements DockerClient {
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, NetworkSummary>();
  readonly volumes = new Map<string, VolumeSummary>();
  /** Every state-changing call, for assertions ("the new container was never removed"). */
  readonly calls: string[] = [];
  private faults: Array<{ mode: FaultMode; method?: string }> = [];
  private onCrash!: () => void;
  /** Resolves when a crash fault fired. */
  readonly crashed = new Promise<void>((resolve) => (this.onCrash = resolve));

  constructor(readonly hostName: string) {
    for (const name of ['bridge', 'host', 'none']) {
      this.networks.set(name, { id: `net-${name}`, name, driver: 'bridge', labels: {}, containers: {} });
    }
  }

  /** Makes the next state-changing call (or the next call of `method`) fail as `mode` says. */
  arm(mode: FaultMode, method?: string): void {
    this.faults.push({ mode, method });
  }

  disarm(): void {
    this.faults = [];
  }

  /** Adds a container as `docker run` / `docker create` would. */
  seed(details: ContainerDetails): string {
    const raw = details.raw as {
      Config: ContainerCreateBody;
      HostConfig: Record<string, unknown>;
      NetworkSettings: { Networks: Record<string, EndpointConfig> };
      State: { Running: boolean };
    };
    this.containers.set(details.id, {
      id: details.id,
      name: details.name,
      running: raw.State.Running,
      body: { ...raw.Config, HostConfig: structuredClone(raw.HostConfig) },
      networks: new Map(Object.entries(raw.NetworkSettings.Networks ?? {})),
      created: new Date().toISOString(),
    });
    return details.id;
  }

  named(name: string): FakeContainer[] {
    return [...this.containers.values()].filter((container) => container.name === name);
  }

  async version() {
    return { version: '29.0.0', apiVersion: '1.52', os: 'linux', arch: 'amd64' };
  }

  async listContainers(): Promise<ContainerSummary[]> {
    return [...this.containers.values()].map((container) => this.details(container));
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails> {
    return this.details(this.find(idOrName));
  }

  async subscribeEvents() {
    return { dispose: () => undefined };
  }

  async createContainer(name: string | undefined, body: ContainerCreateBody): Promise<string> {
    return this.mutate('createContainer', () => {
      if (name && this.named(name).length > 0) {
        throw new DockerApiError('conflict', `Conflict. The container name "/${name}" is already in use`, 409);
      }
      const id = randomBytes(32).toString('hex');
      const networks = new Map(Object.entries(body.NetworkingConfig?.EndpointsConfig ?? { bridge: {} }));
      this.containers.set(id, { id, name: name ?? id.slice(0, 12), running: false, body: structuredClone(body), networks, created: new Date().toISOString() });
      return id;
    });
  }

  async startContainer(id: string): Promise<void> {
    await this.mutate('startContainer', () => {
      this.find(id).running = true;
    });
  }

  async stopContainer(id: string): Promise<void> {
    await this.mutate('stopContainer', () => {
      const container = this.find(id);
      container.running = false;
      container.finishedAt = new Date().toISOString();
    });
  }

  async removeContainer(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.mutate('removeContainer', () => {
      const container = this.find(id);
      if (container.running && !options.force) {
        throw new DockerApiError('conflict', 'stop the container before removing it', 409);
      }
      this.containers.delete(container.id);
    });
  }

  async renameContainer(id: string, newName: string): Promise<void> {
    await this.mutate('renameContainer', () => {
      const container = this.find(id);
      if (this.named(newName).some((other) => other.id !== container.id)) {
        throw new DockerApiError('conflict', `Conflict. The container name "/${newName}" is already in use`, 409);
      }
      container.name = newName;
    });
  }

  async exec(): Promise<never> {
    throw new Error('exec is not faked');
  }

  async listNetworks(): Promise<NetworkSummary[]> {
    return [...this.networks.values()];
  }

  async inspectNetwork(idOrName: string): Promise<NetworkSummary> {
    const network = [...this.networks.values()].find((candidate) => candidate.name === idOrName || candidate.id === idOrName);
    if (!network) {
      throw new DockerApiError('notFound', `network ${idOrName} not found`, 404);
    }
    return network;
  }

  /** Where this engine stands in a Swarm; a test sets it (two engines in one Swarm share the cluster ID). */
  membership: SwarmMembership = { state: 'inactive', nodeId: '', clusterId: '', nodeAddress: '', managers: [] };

  async swarm(): Promise<SwarmMembership> {
    return this.membership;
  }

  async swarmInit(): Promise<never> {
    throw new Error('swarmInit is not faked');
  }

  async swarmJoinTokens(): Promise<never> {
    throw new Error('swarmJoinTokens is not faked');
  }

  async swarmJoin(): Promise<never> {
    throw new Error('swarmJoin is not faked');
  }

  async swarmLeave(): Promise<never> {
    throw new Error('swarmLeave is not faked');
  }

  async createNetwork(name: string, options: NetworkCreateOptions): Promise<string> {
    return this.mutate('createNetwork', () => {
      if (this.networks.has(name)) {
        throw new DockerApiError('conflict', `network with name ${name} already exists`, 409);
      }
      const id = randomBytes(32).toString('hex');
      this.networks.set(name, { id, name, driver: options.driver ?? 'bridge', labels: options.labels ?? {}, containers: {} });
      return id;
    });
  }

  async connectNetwork(network: string, containerId: string, endpoint: EndpointConfig = {}): Promise<void> {
    await this.mutate('connectNetwork', () => {
      const name = [...this.networks.values()].find((candidate) => candidate.name === network || candidate.id === network)?.name;
      if (!name) {
        throw new DockerApiError('notFound', `network ${network} not found`, 404);
      }
      const container = this.find(containerId);
      if (container.networks.has(name)) {
        throw new DockerApiError('server', `endpoint with name ${container.name} already exists in network ${name}`, 500);
      }
      container.networks.set(name, endpoint);
    });
  }

  async disconnectNetwork(network: string, containerId: string): Promise<void> {
    await this.mutate('disconnectNetwork', () => {
      const container = this.find(containerId);
      if (!container.networks.delete(network)) {
        throw new DockerApiError('server', `container ${containerId} is not connected to network ${network}`, 500);
      }
    });
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.mutate('removeNetwork', () => {
      if (!this.networks.delete(idOrName)) {
        throw new DockerApiError('notFound', `network ${idOrName} not found`, 404);
      }
    });
  }

  async listVolumes(): Promise<VolumeSummary[]> {
    return [...this.volumes.values()];
  }

  async createVolume(name: string, labels: Record<string, string> = {}): Promise<VolumeSummary> {
    return this.mutate('createVolume', () => {
      const volume = this.volumes.get(name) ?? { name, driver: 'local', labels, mountpoint: `/var/lib/docker/volumes/${name}/_data` };
      this.volumes.set(name, volume);
      return volume;
    });
  }

  async removeVolume(name: string): Promise<void> {
    await this.mutate('removeVolume', () => {
      this.volumes.delete(name);
    });
  }

  async imageExists(): Promise<boolean> {
    return true;
  }

  async imageConfig() {
    return undefined;
  }

  async imageId(): Promise<string | undefined> {
    return 'sha256:image';
  }

  async pullImage(): Promise<void> {}

  async engineId(): Promise<string> {
    return `engine-${this.hostName}`;
  }

  async engineHost(): Promise<EngineHost> {
    return { id: await this.engineId(), name: this.hostName, operatingSystem: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: release() };
  }

  /** Containers here have no writable-layer changes, so recreations need no copy step. */
  async containerChanges(): Promise<FilesystemChange[]> {
    return [];
  }

  getArchive = notFaked('getArchive');
  putArchive = notFaked('putArchive');
  restartContainer = notFaked('restartContainer');
  logs = notFaked('logs');
  execInteractive = notFaked('execInteractive');

  dispose(): void {}

  private mutate<T>(method: string, run: () => T): T {
    if (!mutating.has(method)) {
      return run();
    }
    this.calls.push(method);
    const index = this.faults.findIndex((fault) => !fault.method || fault.method === method);
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
    if (fault?.mode === 'refuse') {
      throw new DockerApiError('server', `injected: the engine refused ${method}`, 500);
    }
    if (fault?.mode === 'timeout') {
      throw new HostError(this.hostName, 'timeout', `${this.hostName}: no answer in time (injected before ${method})`);
    }
    if (fault?.mode === 'crashBefore') {
      return this.crash();
    }
    const result = run();
    if (fault?.mode === 'crashAfter') {
      return this.crash();
    }
    if (fault?.mode === 'lostReply') {
      throw new HostError(this.hostName, 'timeout', `${this.hostName}: no answer in time (injected after ${method} happened)`);
    }
    return result;
  }

  private crash<T>(): T {
    this.onCrash();
    return new Promise(() => undefined) as T;
  }

  private find(idOrName: string): FakeContainer {
    const container =
      this.containers.get(idOrName) ??
      [...this.containers.values()].find((candidate) => candidate.name === idOrName || (idOrName.length >= 12 && candidate.id.startsWith(idOrName)));
    if (!container) {
      throw new DockerApiError('notFound', `No such container: ${idOrName}`, 404);
    }
    return container;
  }

  private details(container: FakeContainer): ContainerDetails {
    const { HostConfig, NetworkingConfig: _networking, ...config } = container.body;
    const raw = {
      Id: container.id,
      Name: `/${container.name}`,
      Image: 'sha256:image',
      Created: container.created,
      State: {
        Running: container.running,
        Status: container.running ? 'running' : container.finishedAt ? 'exited' : 'created',
        FinishedAt: container.finishedAt ?? '0001-01-01T00:00:00Z',
      },
      Config: config,
      HostConfig,
      NetworkSettings: { Networks: Object.fromEntries(container.networks) },
      Mounts: [],
    };
    return {
      id: container.id,
      name: container.name,
      image: String(config.Image),
      state: container.running ? 'running' : container.finishedAt ? 'exited' : 'created',
      status: '',
      createdAt: Date.parse(container.created),
      labels: (config.Labels as Record<string, string>) ?? {},
      networks: [...container.networks.keys()].map((name) => ({ name, aliases: [] })),
      ports: [],
      links: [],
      hostname: '',
      raw: raw as unknown as Record<string, unknown>,
    };
  }
}

function notFaked(method: string): () => Promise<never> {
  return async () => {
    throw new Error(`${method} is not faked`);
  };
}
