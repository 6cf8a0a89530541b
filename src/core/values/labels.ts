import type { ContainerSummary } from '../types';
import { formatContainerRef, parseContainerRef } from './containerRef';

/**
 * Every `crosslink.*` label key, every role and their parsing live here, below the hosts layer,
 * so every layer that writes or reads them (planners, provenance seals, tunnels, container actions)
 * uses the same key without importing upward.
 */

/** Every object Crosslink creates carries these, so cleanup can find exactly its own objects. */
export const managedLabel = 'crosslink.managed';
export const roleLabel = 'crosslink.role';

/** What an object Crosslink made is for, as its `crosslink.role` label says. */
export type CrosslinkRole = 'server-ambassador' | 'client-ambassador' | 'ambassador-network' | 'overlay-network' | 'tunnel-ambassador' | 'verify-helper' | 'network' | 'volume';

export function managedLabels(role: CrosslinkRole, extra: Record<string, string> = {}): Record<string, string> {
  return { [managedLabel]: 'true', [roleLabel]: role, ...extra };
}

export function isManaged(labels: Record<string, string> | undefined): boolean {
  return labels?.[managedLabel] === 'true';
}

/** The role an object's labels name, or undefined when it is not one of ours (or names a role this version does not know). */
export function roleOf(labels: Record<string, string> | undefined): CrosslinkRole | undefined {
  const role = labels?.[roleLabel];
  return role !== undefined && (crosslinkRoles as readonly string[]).includes(role) ? (role as CrosslinkRole) : undefined;
}

const crosslinkRoles: readonly CrosslinkRole[] = [
  'server-ambassador',
  'client-ambassador',
  'ambassador-network',
  'overlay-network',
  'tunnel-ambassador',
  'verify-helper',
  'network',
  'volume',
];

/**
 * Everything about a cross-host link lives in its ambassadors' labels, so the tree, Repair and
 * Remove Link find it on the hosts themselves, with no state file to drift.
 */
export const ambassadorLabel = {
  role: roleLabel,
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
  if (roleOf(labels) !== 'client-ambassador') {
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
  return roleOf(container.labels) === 'server-ambassador' && container.labels[ambassadorLabel.target] === formatTarget(target);
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

/**
 * A cross-host link over a Swarm overlay network: no ambassadors, the client and the target share
 * one attachable overlay network made for this link, on which the target answers to `alias`.
 * Everything about it lives in the network's labels (the same keys as an ambassador's, so the seal
 * covers them), which every node of the Swarm sees.
 */
export interface OverlayLink {
  target: TargetRef;
  client: { host: string; container: string };
  alias: string;
  network: { id: string; name: string };
}

/** The `crosslink.mode` value of an overlay link's network. */
export const overlayMode = 'overlay';

const overlayNetworkPrefix = 'crosslink-overlay-';

/** One network per link: removing a link never touches another's. */
export function overlayNetworkName(clientContainer: string, alias: string): string {
  return `${overlayNetworkPrefix}${clientContainer}-${alias}`;
}

/** Whether a network's name is one Crosslink gives an overlay link's network (its labels still decide). */
export function isOverlayNetworkName(name: string): boolean {
  return name.startsWith(overlayNetworkPrefix);
}

export function overlayNetworkLabels(link: Omit<OverlayLink, 'network'>): Record<string, string> {
  return managedLabels('overlay-network', {
    [ambassadorLabel.target]: formatTarget(link.target),
    [ambassadorLabel.client]: formatContainerRef(link.client.host, link.client.container),
    [ambassadorLabel.alias]: link.alias,
    [ambassadorLabel.mode]: overlayMode,
  });
}

/** The overlay link a network serves, or undefined for any other network. */
export function overlayLinkOf(network: { id: string; name: string; labels: Record<string, string> }): OverlayLink | undefined {
  const labels = network.labels;
  const target = parseTarget(labels[ambassadorLabel.target] ?? '');
  const client = labels[ambassadorLabel.client];
  const alias = labels[ambassadorLabel.alias];
  if (roleOf(labels) !== 'overlay-network' || labels[ambassadorLabel.mode] !== overlayMode || !target || !client || !alias) {
    return undefined;
  }
  return { target, client: parseContainerRef(client), alias, network: { id: network.id, name: network.name } };
}
