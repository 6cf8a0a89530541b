import type { HostState } from '../hosts/hostDirectory';
import type { LinkHealthState } from '../links/linkHealth';
import type { ContainerNetwork, ContainerState, ContainerSummary } from '../types';
import { formatContainerRef } from '../values/containerRef';
import { type CrossLink, crossLinkOf, isServerAmbassadorFor, roleOf } from '../values/labels';
import type { TunnelState } from '../forwarding/tunnelManager';

/**
 * The picture of every host at once, as data: hosts are groups, containers, ambassadors, networks
 * and the local machine are nodes, and every way one container reaches another is an edge with
 * its kind, its health and both endpoints' "host/name" references. The Topology view draws it,
 * `crosslink.showTopology` returns it, and the exports are made from it, so all three agree.
 */
export interface TopologyGraph {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export type TopologyNodeKind = 'host' | 'container' | 'ambassador' | 'network' | 'local';

/** Containers: their Docker state; hosts: their connection; 'unknown' for a container on a host that is not connected now. */
export type TopologyNodeState = ContainerState | HostState | 'unknown' | 'ok';

export interface TopologyNode {
  /** Unique in the graph: "host:alpha", "container:alpha/web", "network:alpha/backend", "local". */
  id: string;
  kind: TopologyNodeKind;
  label: string;
  /** The host group it is drawn in (every node but hosts and the local machine). */
  host?: string;
  /** "host/name" of the container or network; the host's name for a host. */
  ref: string;
  state: TopologyNodeState;
  /** A line under the label: image, driver, engine. */
  detail?: string;
}

/**
 * network: a container on a user-defined network; alias: the same with names others reach it by;
 * legacyLink: `--link`; ambassador: a container to its ambassador on the same host; crossLink: the
 * hop between the two ambassadors (or to the target's published port); overlay: a container to its
 * target over a Swarm overlay network; tunnel: this machine to a container through a tunnel.
 */
export type TopologyEdgeKind = 'network' | 'alias' | 'legacyLink' | 'ambassador' | 'crossLink' | 'overlay' | 'tunnel';

export interface TopologyEdge {
  id: string;
  kind: TopologyEdgeKind;
  /** Node ids: the side that connects, then the side it reaches. */
  from: string;
  to: string;
  /** "host/name" of both ends (for a tunnel, the local address stands first). */
  fromRef: string;
  toRef: string;
  label?: string;
  health: LinkHealthState;
  /** The cross-host link an ambassador, crossLink or overlay edge belongs to: its client and target containers. */
  link?: { client: string; target: string; alias: string };
}

/** A container's links and aliases, which only inspect tells (the list API carries neither). */
export interface InspectedLinks {
  /** Legacy links as "target:alias". */
  links: string[];
  networks: ContainerNetwork[];
}

/** A cross-host link over a Swarm overlay network, as the overlay feature records it. */
export interface OverlayLinkInfo {
  client: { host: string; container: string };
  target: { host: string; container: string };
  alias: string;
  network: string;
  health: LinkHealthState;
}

export interface TunnelSummary {
  id: string;
  host: string;
  container: string;
  port: number;
  localAddress?: string;
  state: TunnelState;
}

export interface HostSummary {
  name: string;
  state: HostState;
  detail?: string;
  containers: readonly ContainerSummary[];
}

/** Everything the builder reads; gathered by TopologySource from the model, inspect, health and tunnels. */
export interface TopologyInput {
  hosts: readonly HostSummary[];
  /** By "host/containerId"; a container without an entry shows only what the list API says. */
  inspected: ReadonlyMap<string, InspectedLinks>;
  crossLinkHealth: (link: CrossLink) => LinkHealthState;
  overlays: readonly OverlayLinkInfo[];
  tunnels: readonly TunnelSummary[];
}

export interface TopologyFilter {
  /** Only this host's containers, with the far ends of the links that leave it. */
  host?: string;
  /** Only containers with a link, an alias or a tunnel (and what they reach). */
  linkedOnly?: boolean;
}

/** Networks every container is on, or can be on, by default; their membership edges would only crowd the picture. */
const defaultNetworks = new Set(['bridge', 'host', 'none', 'podman']);

export const localNodeId = 'local';

export function hostNodeId(host: string): string {
  return `host:${host}`;
}

export function containerNodeId(host: string, name: string): string {
  return `container:${formatContainerRef(host, name)}`;
}

export function networkNodeId(host: string, network: string): string {
  return `network:${formatContainerRef(host, network)}`;
}

/** A legacy link (or a container's tie to its ambassador) is as healthy as the container it reaches. */
function healthOfContainer(hostState: HostState | undefined, state: ContainerState | undefined): LinkHealthState {
  if (hostState !== 'connected') {
    return 'unknown';
  }
  if (state === 'running') {
    return 'ok';
  }
  return state === 'restarting' || state === 'paused' ? 'degraded' : 'broken';
}

const tunnelHealth: Record<TunnelState, LinkHealthState> = { active: 'ok', paused: 'unknown', reconnecting: 'degraded', error: 'broken' };

export function buildTopology(input: TopologyInput, filter: TopologyFilter = {}): TopologyGraph {
  const nodes = new Map<string, TopologyNode>();
  const edges: TopologyEdge[] = [];
  const hostStates = new Map(input.hosts.map((host) => [host.name, host.state]));
  const byName = new Map<string, ContainerSummary>();
  const addEdge = (edge: Omit<TopologyEdge, 'id'>) => edges.push({ ...edge, id: `${edge.kind}:${edge.from}->${edge.to}${edge.label ? `:${edge.label}` : ''}` });
  const stateOf = (host: string, container?: ContainerSummary): TopologyNodeState => (hostStates.get(host) === 'connected' ? (container?.state ?? 'dead') : 'unknown');

  for (const host of input.hosts) {
    nodes.set(hostNodeId(host.name), { id: hostNodeId(host.name), kind: 'host', label: host.name, ref: host.name, state: host.state, detail: host.detail });
    for (const container of host.containers) {
      const role = roleOf(container.labels);
      // Tunnel ambassadors and verify helpers are plumbing: the tunnel edge and the link's health stand for them.
      if (role === 'tunnel-ambassador' || role === 'verify-helper') {
        continue;
      }
      byName.set(formatContainerRef(host.name, container.name), container);
      const ambassador = role === 'client-ambassador' || role === 'server-ambassador';
      const id = containerNodeId(host.name, container.name);
      nodes.set(id, {
        id,
        kind: ambassador ? 'ambassador' : 'container',
        label: container.name,
        host: host.name,
        ref: formatContainerRef(host.name, container.name),
        state: stateOf(host.name, container),
        detail: ambassador ? (role === 'client-ambassador' ? 'client ambassador' : 'server ambassador') : container.image,
      });
    }
  }

  // Networks and aliases, legacy links: within one host.
  for (const host of input.hosts) {
    for (const container of host.containers) {
      const from = containerNodeId(host.name, container.name);
      if (!nodes.has(from) || nodes.get(from)?.kind === 'ambassador') {
        continue;
      }
      const inspected = input.inspected.get(`${host.name}/${container.id}`);
      for (const network of inspected?.networks ?? container.networks) {
        if (defaultNetworks.has(network.name)) {
          continue;
        }
        const networkId = networkNodeId(host.name, network.name);
        if (!nodes.has(networkId)) {
          nodes.set(networkId, {
            id: networkId,
            kind: 'network',
            label: network.name,
            host: host.name,
            ref: formatContainerRef(host.name, network.name),
            state: 'ok',
            detail: 'network',
          });
        }
        const aliases = network.aliases.filter((alias) => alias !== container.name);
        addEdge({
          kind: aliases.length > 0 ? 'alias' : 'network',
          from,
          to: networkId,
          fromRef: formatContainerRef(host.name, container.name),
          toRef: formatContainerRef(host.name, network.name),
          label: aliases.length > 0 ? `as ${aliases.join(', ')}` : undefined,
          health: healthOfContainer(hostStates.get(host.name), container.state),
        });
      }
      for (const link of inspected?.links ?? []) {
        const [target, alias] = link.split(':');
        const targetRef = formatContainerRef(host.name, target);
        const to = containerNodeId(host.name, target);
        if (!nodes.has(to)) {
          // A link to a container that is gone still shows, broken, so the user sees what the client expects.
          nodes.set(to, { id: to, kind: 'container', label: target, host: host.name, ref: targetRef, state: 'dead', detail: 'missing' });
        }
        addEdge({
          kind: 'legacyLink',
          from,
          to,
          fromRef: formatContainerRef(host.name, container.name),
          toRef: targetRef,
          label: alias && alias !== target ? `as ${alias}` : undefined,
          health: healthOfContainer(hostStates.get(host.name), byName.get(targetRef)?.state),
        });
      }
    }
  }

  // Cross-host links, from their client ambassadors' labels: client → its ambassador → the server ambassador (or the target's port) → target.
  for (const host of input.hosts) {
    for (const container of host.containers) {
      const link = crossLinkOf(host.name, container);
      if (!link) {
        continue;
      }
      const health = input.crossLinkHealth(link);
      const client = formatContainerRef(link.client.host, link.client.container);
      const target = formatContainerRef(link.target.host, link.target.container);
      const tag = { client, target, alias: link.alias };
      const clientAmbassador = formatContainerRef(host.name, container.name);
      const targetHost = input.hosts.find((candidate) => candidate.name === link.target.host);
      const server = targetHost ? targetHost.containers.find((candidate) => isServerAmbassadorFor(candidate, link.target)) : undefined;
      const serverRef = server ? formatContainerRef(link.target.host, server.name) : undefined;
      ensureContainer(nodes, link.client.host, link.client.container, hostStates);
      ensureContainer(nodes, link.target.host, link.target.container, hostStates);
      addEdge({
        kind: 'ambassador',
        from: `container:${client}`,
        to: `container:${clientAmbassador}`,
        fromRef: client,
        toRef: clientAmbassador,
        label: `as ${link.alias}`,
        health,
        link: tag,
      });
      addEdge({
        kind: 'crossLink',
        from: `container:${clientAmbassador}`,
        to: `container:${serverRef ?? target}`,
        fromRef: clientAmbassador,
        toRef: serverRef ?? target,
        label: `:${link.upstream.port}`,
        health,
        link: tag,
      });
      if (serverRef) {
        addEdge({
          kind: 'ambassador',
          from: `container:${serverRef}`,
          to: `container:${target}`,
          fromRef: serverRef,
          toRef: target,
          label: `:${link.target.port}`,
          health,
          link: tag,
        });
      }
    }
  }

  for (const overlay of input.overlays) {
    const client = formatContainerRef(overlay.client.host, overlay.client.container);
    const target = formatContainerRef(overlay.target.host, overlay.target.container);
    ensureContainer(nodes, overlay.client.host, overlay.client.container, hostStates);
    ensureContainer(nodes, overlay.target.host, overlay.target.container, hostStates);
    addEdge({
      kind: 'overlay',
      from: `container:${client}`,
      to: `container:${target}`,
      fromRef: client,
      toRef: target,
      label: `as ${overlay.alias} · ${overlay.network}`,
      health: overlay.health,
      link: { client, target, alias: overlay.alias },
    });
  }

  for (const tunnel of input.tunnels) {
    if (!nodes.has(localNodeId)) {
      nodes.set(localNodeId, { id: localNodeId, kind: 'local', label: 'This machine', ref: 'localhost', state: 'ok', detail: 'tunnels' });
    }
    const target = formatContainerRef(tunnel.host, tunnel.container);
    ensureContainer(nodes, tunnel.host, tunnel.container, hostStates);
    addEdge({
      kind: 'tunnel',
      from: localNodeId,
      to: containerNodeId(tunnel.host, tunnel.container),
      fromRef: tunnel.localAddress ?? 'localhost',
      toRef: target,
      label: `${tunnel.localAddress ?? 'not listening'} → :${tunnel.port}`,
      health: tunnelHealth[tunnel.state],
    });
  }

  return filterTopology({ nodes: [...nodes.values()], edges }, filter);
}

/** An edge's far end that the host lists no more (removed, or its host is offline) still gets a node, drawn as such. */
function ensureContainer(nodes: Map<string, TopologyNode>, host: string, name: string, hostStates: ReadonlyMap<string, HostState>): void {
  const id = containerNodeId(host, name);
  if (!nodes.has(id)) {
    nodes.set(id, {
      id,
      kind: 'container',
      label: name,
      host,
      ref: formatContainerRef(host, name),
      state: hostStates.get(host) === 'connected' ? 'dead' : 'unknown',
      detail: 'missing',
    });
  }
}

/** Edges that mean one container reaches another (or is reached by a name or a tunnel): what "linked" means for the filter. */
const linkKinds: ReadonlySet<TopologyEdgeKind> = new Set(['alias', 'legacyLink', 'ambassador', 'crossLink', 'overlay', 'tunnel']);

export function filterTopology(graph: TopologyGraph, filter: TopologyFilter): TopologyGraph {
  let edges = graph.edges;
  const nodeById = new Map(graph.nodes.map((node) => [node.id, node]));
  const hostOf = (id: string) => nodeById.get(id)?.host;
  if (filter.linkedOnly) {
    edges = edges.filter((edge) => linkKinds.has(edge.kind));
  }
  if (filter.host !== undefined) {
    // A cross-host link keeps its far end (and the local machine its tunnels), so no edge dangles.
    const key = (edge: TopologyEdge) => (edge.link ? `${edge.link.client}->${edge.link.target}:${edge.link.alias}` : edge.id);
    const touching = new Set(edges.filter((edge) => hostOf(edge.from) === filter.host || hostOf(edge.to) === filter.host).map(key));
    edges = edges.filter((edge) => touching.has(key(edge)));
  }
  const endpoints = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  const keep = (node: TopologyNode): boolean => {
    if (node.kind === 'host') {
      return filter.host === undefined || node.label === filter.host || graph.nodes.some((other) => other.host === node.label && endpoints.has(other.id));
    }
    if (node.kind === 'network' || node.kind === 'local') {
      return endpoints.has(node.id);
    }
    if (filter.linkedOnly && !endpoints.has(node.id)) {
      return false;
    }
    return filter.host === undefined || node.host === filter.host || endpoints.has(node.id);
  };
  const nodes = graph.nodes.filter(keep);
  const kept = new Set(nodes.map((node) => node.id));
  return { nodes, edges: edges.filter((edge) => kept.has(edge.from) && kept.has(edge.to)) };
}
