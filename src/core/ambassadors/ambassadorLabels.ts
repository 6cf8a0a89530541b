import { managedLabels } from '../links/labels';
import { formatContainerRef, parseContainerRef } from '../model/containerRef';
import { ContainerSummary } from '../types';

/**
 * Everything about a cross-host link lives in its ambassadors' labels, so the tree, Repair and
 * Remove Link find it on the hosts themselves, with no state file to drift.
 */
export const ambassadorLabel = {
  role: 'crosslink.role',
  target: 'crosslink.target',
  client: 'crosslink.client',
  alias: 'crosslink.alias',
  mode: 'crosslink.mode',
  upstream: 'crosslink.upstream',
  network: 'crosslink.network',
  /** "true" when Crosslink connected the user's container to `network` (undone on removal). */
  joinedNetwork: 'crosslink.joinedNetwork',
  /** "true" when Crosslink created `network` (removed with the last ambassador on it). */
  createdNetwork: 'crosslink.createdNetwork',
} as const;

export type CrossLinkMode = 'network' | 'link';

export interface TargetRef {
  host: string;
  container: string;
  port: number;
}

/** A cross-host link as its client-side ambassador records it. */
export interface CrossLink {
  target: TargetRef;
  client: { host: string; container: string };
  alias: string;
  mode: CrossLinkMode;
  /** Where the client-side ambassador forwards to: the server ambassador's (or target's) published port. */
  upstream: { address: string; port: number };
  clientAmbassador: { host: string; id: string; name: string; state: string };
  /** Whether this installation made (or adopted) the client-side ambassador; set by CrossLinkOperations.list. */
  origin?: 'ours' | 'foreign';
}

export function formatTarget(target: TargetRef): string {
  return `${formatContainerRef(target.host, target.container)}:${target.port}`;
}

export function parseTarget(value: string): TargetRef | undefined {
  const match = /^(.+):(\d+)$/.exec(value);
  if (!match) {
    return undefined;
  }
  const { host, container } = parseContainerRef(match[1]);
  return { host, container, port: Number(match[2]) };
}

export function serverAmbassadorLabels(target: TargetRef, network: { name: string; joined: boolean; created: boolean }): Record<string, string> {
  return managedLabels('server-ambassador', {
    [ambassadorLabel.target]: formatTarget(target),
    [ambassadorLabel.network]: network.name,
    [ambassadorLabel.joinedNetwork]: String(network.joined),
    [ambassadorLabel.createdNetwork]: String(network.created),
  });
}

export function clientAmbassadorLabels(link: Omit<CrossLink, 'clientAmbassador'>, network?: { name: string; joined: boolean; created: boolean }): Record<string, string> {
  return managedLabels('client-ambassador', {
    [ambassadorLabel.target]: formatTarget(link.target),
    [ambassadorLabel.client]: formatContainerRef(link.client.host, link.client.container),
    [ambassadorLabel.alias]: link.alias,
    [ambassadorLabel.mode]: link.mode,
    [ambassadorLabel.upstream]: `${link.upstream.address}:${link.upstream.port}`,
    ...(network
      ? { [ambassadorLabel.network]: network.name, [ambassadorLabel.joinedNetwork]: String(network.joined), [ambassadorLabel.createdNetwork]: String(network.created) }
      : {}),
  });
}

/** The cross-host link a client-side ambassador serves, or undefined for any other container. */
export function crossLinkOf(hostName: string, container: ContainerSummary): CrossLink | undefined {
  const labels = container.labels;
  if (labels[ambassadorLabel.role] !== 'client-ambassador') {
    return undefined;
  }
  const target = parseTarget(labels[ambassadorLabel.target] ?? '');
  const upstream = /^(.+):(\d+)$/.exec(labels[ambassadorLabel.upstream] ?? '');
  const client = labels[ambassadorLabel.client];
  if (!target || !upstream || !client) {
    return undefined;
  }
  return {
    target,
    client: parseContainerRef(client),
    alias: labels[ambassadorLabel.alias] ?? target.container,
    mode: labels[ambassadorLabel.mode] === 'link' ? 'link' : 'network',
    upstream: { address: upstream[1], port: Number(upstream[2]) },
    clientAmbassador: { host: hostName, id: container.id, name: container.name, state: container.state },
  };
}

export function isServerAmbassadorFor(container: ContainerSummary, target: TargetRef): boolean {
  return container.labels[ambassadorLabel.role] === 'server-ambassador' && container.labels[ambassadorLabel.target] === formatTarget(target);
}

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; ours are deterministic so a second run finds the first one's. */
export function serverAmbassadorName(target: TargetRef): string {
  return `crosslink-srv-${target.container}-${target.port}`;
}

export function clientAmbassadorName(clientContainer: string, alias: string): string {
  return `crosslink-cli-${clientContainer}-${alias}`;
}

export function ambassadorNetworkName(container: string): string {
  return `crosslink-${container}`;
}
