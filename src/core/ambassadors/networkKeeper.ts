import { errorMessage } from '../errors';
import type { DisposableLike, Logger } from '../like';
import { parseContainerRef } from '../values/containerRef';
import type { HostDirectory } from '../hosts/hostDirectory';
import type { Provenance } from '../provenance/provenance';
import type { ContainerSummary } from '../types';
import { ambassadorLabel } from '../values/labels';

/**
 * Keeps cross-host links alive when the user recreates a linked container outside Crosslink
 * (`docker rm` + `docker run` under the same name): the new container lacks the network
 * Crosslink had joined it to, so its ambassador could no longer reach it by name. On the
 * container's events this puts the new container back on that network; restarts need nothing
 * (the name resolves again on every connection). It acts only for ambassadors this installation
 * made (labels anyone can write must not pull a container into a network), and only on a
 * container of the host the ambassador's label names.
 */
export class AmbassadorNetworkKeeper implements DisposableLike {
  private readonly subscription: DisposableLike;
  private readonly inFlight = new Set<string>();
  /** The member container last seen on each ambassador's network; the same container taken off it stays off. */
  private readonly seenMembers = new Map<string, string>();

  constructor(
    private readonly model: HostDirectory,
    private readonly logger: Logger,
    private readonly provenance: Provenance,
  ) {
    this.subscription = model.onDidChange((host) => host && void this.check(host));
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private async check(hostName: string): Promise<void> {
    const host = this.model.host(hostName);
    const client = this.model.client(hostName);
    if (!host || !client || host.state !== 'connected') {
      return;
    }
    const containers = [...host.containers.values()];
    const engineId = await this.provenance.engineIdOf(client).catch(() => undefined);
    if (!engineId) {
      return;
    }
    for (const { ambassador, member, network, attached, recreated } of keeperCandidates(hostName, containers, (ambassador) =>
      this.provenance.isOurs('container', ambassador, engineId),
    )) {
      if (attached) {
        this.seenMembers.set(ambassador.id, member.id);
        continue;
      }
      // Disconnected on purpose (Remove Link does it, or the user): only a new container is healed.
      if (!recreated || member.state !== 'running' || this.seenMembers.get(ambassador.id) === member.id || this.inFlight.has(member.id)) {
        continue;
      }
      this.inFlight.add(member.id);
      try {
        this.logger.info(`[${hostName}] ${member.name} was recreated without ${network}; reconnecting it for ${ambassador.name}`);
        await client.connectNetwork(network, member.id);
      } catch (error) {
        this.logger.warn(`[${hostName}] could not reconnect ${member.name} to ${network}: ${errorMessage(error)}`);
      } finally {
        this.inFlight.delete(member.id);
      }
    }
  }
}

export interface KeeperCandidate {
  ambassador: ContainerSummary;
  /** The user's container the ambassador joined to `network`: the target (server side) or the client. */
  member: ContainerSummary;
  network: string;
  /** Whether `member` is on `network` now. */
  attached: boolean;
  /**
   * Whether `member` was created after the ambassador: only such a container lost the network by
   * being recreated. An older one off the network was taken off on purpose (Remove Link does it
   * first, or the user did), whether or not this window saw it on the network before.
   */
  recreated: boolean;
}

/**
 * The ambassadors on `hostName` the keeper may look after: ours (by `isOurs`), that joined a
 * container of this very host to their network. A label naming a container on another host
 * never makes the keeper act on a same-named container here.
 */
export function keeperCandidates(hostName: string, containers: ContainerSummary[], isOurs: (ambassador: ContainerSummary) => boolean): KeeperCandidate[] {
  return containers.flatMap((ambassador) => {
    const network = ambassador.labels[ambassadorLabel.network];
    const reference =
      ambassador.labels[ambassadorLabel.role] === 'server-ambassador' ? ambassador.labels[ambassadorLabel.target]?.replace(/:\d+$/, '') : ambassador.labels[ambassadorLabel.client];
    if (ambassador.labels[ambassadorLabel.joinedNetwork] !== 'true' || !network || !reference || !isOurs(ambassador)) {
      return [];
    }
    let named: { host: string; container: string };
    try {
      named = parseContainerRef(reference);
    } catch {
      return [];
    }
    const member = named.host === hostName ? containers.find((candidate) => candidate.name === named.container) : undefined;
    return member
      ? [{ ambassador, member, network, attached: member.networks.some((attached) => attached.name === network), recreated: member.createdAt > ambassador.createdAt }]
      : [];
  });
}
