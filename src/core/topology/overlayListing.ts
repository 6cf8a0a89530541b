import { errorMessage } from '../errors';
import type { HostDirectory } from '../hosts/hostDirectory';
import { type DisposableLike, Emitter, type EventLike, type Logger } from '../like';
import type { LinkHealthState } from '../links/linkHealth';
import type { OverlayLinkInfo } from './topology';
import type { OverlayListing } from './topologySource';
import { type OverlayLink, isOverlayNetworkName } from '../values/labels';

export type ListedOverlayLink = OverlayLink & { origin: 'ours' | 'foreign' };

/** What an overlay link's parts look like in the model now: no probe, only states and network memberships. */
export interface OverlayLinkState {
  state: LinkHealthState;
  message: string;
}

/** Model changes are read together once none came for this long (a link's connects come as a burst of events). */
const quietMs = 100;

/**
 * The overlay links of the connected hosts, kept for the tree and the topology, which draw
 * synchronously. Listing them means listing every host's networks, so that is done again only
 * when the model shows a different set of containers on overlay-named networks (a link made or
 * removed connects or disconnects containers) or a different set of connected hosts — never on a
 * timer. Each link's state is read from the model when asked, so it follows container events.
 */
export class OverlayLinkListing implements OverlayListing, DisposableLike {
  private links: ListedOverlayLink[] = [];
  /** What the model showed at the last listing; undefined until the first one. */
  private seen?: string;
  private timer?: ReturnType<typeof setTimeout>;
  private listing?: Promise<void>;
  private again = false;
  private readonly changed = new Emitter<void>();
  private readonly subscription: DisposableLike;
  readonly onDidChange: EventLike<void> = this.changed.event;

  constructor(
    private readonly hosts: Pick<HostDirectory, 'hosts' | 'host' | 'connectedHosts' | 'onDidChange'>,
    private readonly source: { list(): Promise<ListedOverlayLink[]> },
    private readonly logger: Logger,
  ) {
    this.subscription = hosts.onDidChange(() => this.schedule());
  }

  /** The links of a container ("host", name): where it is the client or the target. */
  of(host: string, container: string): Array<{ link: ListedOverlayLink; side: 'client' | 'target' }> {
    return this.current().flatMap((link) => [
      ...(link.client.host === host && link.client.container === container ? [{ link, side: 'client' as const }] : []),
      ...(link.target.host === host && link.target.container === container ? [{ link, side: 'target' as const }] : []),
    ]);
  }

  /** The links as last listed (none until the first listing ended), each with its state now, for the topology. */
  list(): OverlayLinkInfo[] {
    return this.current().map((link) => ({ client: link.client, target: link.target, alias: link.alias, network: link.network.name, health: this.stateOf(link).state }));
  }

  /**
   * The listed links less those the model shows both ends have left: a removed link's network stays
   * listed on the Swarm's nodes for a while after its containers left it, and no model change
   * follows its final removal to list again.
   */
  private current(): ListedOverlayLink[] {
    const leftBy = (ref: { host: string; container: string }, network: string) => {
      const host = this.hosts.host(ref.host);
      const container = host?.state === 'connected' ? [...host.containers.values()].find((candidate) => candidate.name === ref.container) : undefined;
      return container !== undefined && !container.networks.some((candidate) => candidate.name === network);
    };
    return this.links.filter((link) => !(leftBy(link.client, link.network.name) && leftBy(link.target, link.network.name)));
  }

  /** Both ends running and on the link's network is 'ok'; an end's host not connected is 'unknown'. */
  stateOf(link: OverlayLink): OverlayLinkState {
    for (const [end, ref] of [
      ['client', link.client],
      ['target', link.target],
    ] as const) {
      const host = this.hosts.host(ref.host);
      if (host?.state !== 'connected') {
        return { state: 'unknown', message: `${ref.host} is ${host ? host.state : 'not configured'}` };
      }
      const container = [...host.containers.values()].find((candidate) => candidate.name === ref.container);
      if (!container) {
        return { state: 'broken', message: `the ${end} ${ref.container} is missing on ${ref.host}` };
      }
      if (container.state !== 'running') {
        return { state: 'broken', message: `the ${end} ${ref.container} is ${container.state}` };
      }
      if (!container.networks.some((network) => network.name === link.network.name)) {
        return { state: 'broken', message: `the ${end} ${ref.container} is not on ${link.network.name}` };
      }
    }
    return { state: 'ok', message: `both ends are running on ${link.network.name}` };
  }

  /** Lists now (and fires when the links changed); what the first picture and tests wait for. */
  refresh(): Promise<void> {
    if (this.listing) {
      this.again = true;
      return this.listing;
    }
    this.seen = this.modelKey();
    this.listing = this.source
      .list()
      .then(
        (links) => {
          if (key(links) !== key(this.links)) {
            this.links = links;
            this.changed.fire();
          }
        },
        // The last list stays: a host that drops mid-listing is seen again with the next model change.
        (error: unknown) => this.logger.debug(`overlay links: could not list them: ${errorMessage(error)}`),
      )
      .finally(() => {
        this.listing = undefined;
        if (this.again) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.listing;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.modelKey() !== this.seen) {
        void this.refresh();
      }
    }, quietMs);
  }

  /** The connected hosts and each container on an overlay-named network, as one comparable string. */
  private modelKey(): string {
    const parts = this.hosts.connectedHosts().map((host) => `host:${host}`);
    for (const host of this.hosts.hosts()) {
      for (const container of host.containers.values()) {
        for (const network of container.networks) {
          if (isOverlayNetworkName(network.name)) {
            parts.push(`${host.spec.name}/${container.name}@${network.name}`);
          }
        }
      }
    }
    return parts.sort().join('\n');
  }
}

function key(links: readonly ListedOverlayLink[]): string {
  return links
    .map((link) => `${link.network.id} ${link.origin} ${link.client.host}/${link.client.container} ${link.target.host}/${link.target.container}:${link.target.port} ${link.alias}`)
    .sort()
    .join('\n');
}
