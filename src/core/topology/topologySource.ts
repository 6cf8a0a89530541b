import { errorMessage } from '../errors';
import type { DisposableLike, EventLike, Logger } from '../like';
import type { HostDirectory } from '../hosts/hostDirectory';
import { engineLabel } from '../hosts/engines';
import type { LinkHealth } from '../links/linkHealth';
import type { TunnelInfo } from '../forwarding/tunnelManager';
import type { ContainerSummary } from '../types';
import type { CrossLink } from '../values/labels';
import { type InspectedLinks, type OverlayLinkInfo, type TopologyFilter, type TopologyGraph, buildTopology } from './topology';

/** What the source reads of the tunnels and the cross-link health (TunnelManager and CrossLinkHealth satisfy them). */
export interface TunnelListing {
  list(): TunnelInfo[];
  readonly onDidChange: EventLike<string>;
}

export interface HealthListing {
  get(link: CrossLink): LinkHealth | undefined;
  readonly onDidChange: EventLike<void>;
}

/** Overlay links, once the overlay feature records them; without it there are none. */
export interface OverlayListing {
  list(): OverlayLinkInfo[];
  readonly onDidChange: EventLike<void>;
}

/** Inspect calls in flight at once while the first picture of many hosts is gathered. */
const inspectConcurrency = 8;

/**
 * Gathers a TopologyInput from the live model: containers and hosts as listed, links and aliases
 * from inspect (asked again only for a new container or a network change, as the tree does), the
 * cross-link health and the tunnels. `onDidChange` fires whenever any of them changed; the view
 * debounces it.
 */
export class TopologySource implements DisposableLike {
  /** By "host/id": what inspect said, for the networks the container was on then. */
  private readonly inspected = new Map<string, { networks: string; links: InspectedLinks }>();
  private readonly subscriptions: DisposableLike[];
  readonly onDidChange: EventLike<void>;

  constructor(
    private readonly hosts: HostDirectory,
    private readonly tunnels: TunnelListing,
    private readonly health: HealthListing,
    private readonly logger: Logger,
    private readonly overlays?: OverlayListing,
  ) {
    this.onDidChange = (listener) => {
      const parts = [
        hosts.onDidChange(() => listener()),
        tunnels.onDidChange(() => listener()),
        health.onDidChange(() => listener()),
        ...(overlays ? [overlays.onDidChange(() => listener())] : []),
      ];
      return { dispose: () => parts.forEach((part) => part.dispose()) };
    };
    this.subscriptions = [hosts.onDidChange(() => this.forgetRemoved())];
  }

  async graph(filter: TopologyFilter = {}): Promise<TopologyGraph> {
    const hosts = this.hosts.hosts();
    await this.inspectNew(hosts.flatMap((host) => (host.state === 'connected' ? [...host.containers.values()].map((container) => ({ host: host.spec.name, container })) : [])));
    const inspected = new Map([...this.inspected].map(([key, entry]) => [key, entry.links]));
    return buildTopology(
      {
        hosts: hosts.map((host) => ({
          name: host.spec.name,
          state: host.state,
          detail: host.engine ? engineLabel(host.engine) : host.error ? host.error.reason : undefined,
          containers: [...host.containers.values()],
        })),
        inspected,
        crossLinkHealth: (link) => this.health.get(link)?.state ?? 'unknown',
        overlays: this.overlays?.list() ?? [],
        tunnels: this.tunnels.list(),
      },
      filter,
    );
  }

  /** Every configured host, for the view's host filter. */
  hostNames(): string[] {
    return this.hosts.hosts().map((host) => host.spec.name);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }

  private async inspectNew(containers: Array<{ host: string; container: ContainerSummary }>): Promise<void> {
    const stale = containers.filter(({ host, container }) => this.inspected.get(`${host}/${container.id}`)?.networks !== networksKey(container));
    let next = 0;
    const worker = async () => {
      while (next < stale.length) {
        const { host, container } = stale[next++];
        const client = this.hosts.client(host);
        if (!client) {
          continue;
        }
        try {
          const details = await client.inspectContainer(container.id);
          this.inspected.set(`${host}/${container.id}`, { networks: networksKey(container), links: { links: details.links, networks: details.networks } });
        } catch (error) {
          // Gone since it was listed, or the host dropped: the picture shows what the list says, and the next change asks again.
          this.logger.debug(`[${host}] topology: could not inspect ${container.name}: ${errorMessage(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(inspectConcurrency, stale.length) }, worker));
  }

  private forgetRemoved(): void {
    for (const key of this.inspected.keys()) {
      const slash = key.indexOf('/');
      if (!this.hosts.host(key.slice(0, slash))?.containers.has(key.slice(slash + 1))) {
        this.inspected.delete(key);
      }
    }
  }
}

function networksKey(container: ContainerSummary): string {
  return container.networks
    .map((network) => network.name)
    .sort()
    .join(',');
}
