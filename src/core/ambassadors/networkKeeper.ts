import { errorMessage } from '../errors';
import { DisposableLike, Logger } from '../like';
import { parseContainerRef } from '../model/containerRef';
import { ContainerModel } from '../model/containerModel';
import { ContainerSummary } from '../types';
import { ambassadorLabel } from './ambassadorLabels';

/**
 * Keeps cross-host links alive when the user recreates a linked container outside Crosslink
 * (`docker rm` + `docker run` under the same name): the new container lacks the network
 * Crosslink had joined it to, so its ambassador could no longer reach it by name. On the
 * container's events this puts the new container back on that network; restarts need nothing
 * (the name resolves again on every connection).
 */
export class AmbassadorNetworkKeeper implements DisposableLike {
  private readonly subscription: DisposableLike;
  private readonly inFlight = new Set<string>();
  /** The member container last seen on each ambassador's network; the same container taken off it stays off. */
  private readonly seenMembers = new Map<string, string>();

  constructor(
    private readonly model: ContainerModel,
    private readonly logger: Logger,
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
    for (const ambassador of containers.filter((container) => container.labels[ambassadorLabel.joinedNetwork] === 'true')) {
      const network = ambassador.labels[ambassadorLabel.network];
      const member = joinedContainer(ambassador, containers);
      if (!network || !member) {
        continue;
      }
      if (member.networks.some((attached) => attached.name === network)) {
        this.seenMembers.set(ambassador.id, member.id);
        continue;
      }
      // Disconnected on purpose (Remove Link does it, or the user): only a new container is healed.
      if (member.state !== 'running' || this.seenMembers.get(ambassador.id) === member.id || this.inFlight.has(member.id)) {
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

/** The user's container an ambassador joined to its network: the target (server side) or the client. */
function joinedContainer(ambassador: ContainerSummary, containers: ContainerSummary[]): ContainerSummary | undefined {
  const reference = ambassador.labels[ambassadorLabel.role] === 'server-ambassador' ? ambassador.labels[ambassadorLabel.target]?.replace(/:\d+$/, '') : ambassador.labels[ambassadorLabel.client];
  if (!reference) {
    return undefined;
  }
  const { container } = parseContainerRef(reference);
  return containers.find((candidate) => candidate.name === container);
}
