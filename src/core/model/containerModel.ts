import { ConfigError, errorMessage } from '../errors';
import { type DisposableLike, Emitter, type EventLike, type Logger } from '../like';
import type { ContainerSummary } from '../types';
import type { DockerClient } from '../hosts/dockerClient';
import type { HostSpec } from '../hosts/hostSpec';
import type { HostDirectory, HostSnapshot } from '../hosts/hostDirectory';
import { HostWatcher, type HostWatcherOptions, defaultHostWatcherOptions } from './hostWatcher';

export type DockerClientFactory = (spec: HostSpec) => DockerClient;

/** Every configured host and its containers, kept live. The tree, status bar and commands read it. */
export class ContainerModel implements HostDirectory, DisposableLike {
  private readonly watchers = new Map<string, HostWatcher>();
  private readonly changed = new Emitter<string>();
  private configProblems: ConfigError[] = [];

  /** Fires with the host name whose state or containers changed. */
  readonly onDidChange: EventLike<string> = this.changed.event;

  constructor(
    private readonly createClient: DockerClientFactory,
    private readonly logger: Logger,
    private readonly watcherOptions: HostWatcherOptions = defaultHostWatcherOptions,
  ) {}

  /**
   * Applies a new host list: unchanged hosts keep their connection, changed or removed ones are
   * closed, new ones connect. Resolves when every new host has made its first attempt.
   */
  async setHosts(specs: readonly HostSpec[], problems: readonly ConfigError[] = []): Promise<void> {
    this.configProblems = [...problems];
    const wanted = new Map(specs.map((spec) => [spec.name, spec]));
    for (const [name, watcher] of this.watchers) {
      const spec = wanted.get(name);
      if (!spec || JSON.stringify(spec) !== JSON.stringify(watcher.spec)) {
        watcher.dispose();
        this.watchers.delete(name);
      }
    }
    const started: Promise<void>[] = [];
    const ordered = new Map<string, HostWatcher>();
    for (const spec of specs) {
      let watcher = this.watchers.get(spec.name);
      if (!watcher) {
        let client: DockerClient;
        try {
          client = this.createClient(spec);
        } catch (error) {
          // One host that cannot even be set up must not keep the hosts after it from being created.
          this.logger.warn(`[${spec.name}] cannot be set up: ${errorMessage(error)}`);
          this.configProblems.push(error instanceof ConfigError ? error : new ConfigError('invalidEntry', `${spec.name}: ${errorMessage(error)}`, { cause: error }));
          continue;
        }
        watcher = new HostWatcher(spec, client, () => this.changed.fire(spec.name), this.logger, this.watcherOptions);
        started.push(watcher.start());
      }
      ordered.set(spec.name, watcher);
    }
    this.watchers.clear();
    for (const [name, watcher] of ordered) {
      this.watchers.set(name, watcher);
    }
    this.changed.fire('');
    await Promise.all(started);
  }

  hosts(): HostSnapshot[] {
    return [...this.watchers.values()].map((watcher) => watcher.snapshot);
  }

  host(name: string): HostSnapshot | undefined {
    return this.watchers.get(name)?.snapshot;
  }

  client(hostName: string): DockerClient | undefined {
    return this.watchers.get(hostName)?.client;
  }

  spec(hostName: string): HostSpec | undefined {
    return this.watchers.get(hostName)?.spec;
  }

  connectedHosts(): string[] {
    return this.hosts()
      .filter((host) => host.state === 'connected')
      .map((host) => host.spec.name);
  }

  /** Settings entries that could not be used; shown in the tree so the user can fix them. */
  problems(): readonly ConfigError[] {
    return this.configProblems;
  }

  findContainer(hostName: string, nameOrId: string): ContainerSummary | undefined {
    const containers = this.watchers.get(hostName)?.snapshot.containers;
    if (!containers) {
      return undefined;
    }
    const byId = containers.get(nameOrId);
    if (byId) {
      return byId;
    }
    for (const container of containers.values()) {
      if (container.name === nameOrId || (nameOrId.length >= 12 && container.id.startsWith(nameOrId))) {
        return container;
      }
    }
    return undefined;
  }

  /** Reconnects unreachable hosts and re-lists connected ones; all hosts when no name is given. */
  async refresh(hostName?: string): Promise<void> {
    const watchers = hostName ? [this.watchers.get(hostName)].filter((watcher) => watcher !== undefined) : [...this.watchers.values()];
    await Promise.all(watchers.map((watcher) => watcher.refresh()));
  }

  whenSettled(): Promise<void> {
    return Promise.all([...this.watchers.values()].map((watcher) => watcher.whenSettled())).then(() => undefined);
  }

  dispose(): void {
    for (const watcher of this.watchers.values()) {
      watcher.dispose();
    }
    this.watchers.clear();
    this.changed.dispose();
  }
}
