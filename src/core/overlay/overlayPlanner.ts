import { ConfigError } from '../errors';
import { aliasProblem, portProblem } from '../links/names';
import { type Plan, type PlanStep, newPlan } from '../planning/plan';
import { ProvenanceError } from '../provenance/seal';
import type { ContainerDetails, ContainerSummary, NetworkSummary } from '../types';
import { type OverlayLink, type TargetRef, overlayLinkOf, overlayNetworkLabels, overlayNetworkName } from '../values/labels';
import { type SwarmPair, sharedSwarm } from './swarm';

/** One end of an overlay link as the planner sees it. */
export interface OverlaySide {
  host: string;
  details: ContainerDetails;
}

export interface OverlayLinkRequest {
  target: OverlaySide & { port: number };
  client: OverlaySide;
  alias: string;
  /** Both hosts' Swarm membership (see sharedSwarm). */
  swarm: SwarmPair;
  /** IPsec between the hosts (`--opt encrypted`); needs IP protocol 50 between them too. */
  encrypted?: boolean;
  /** The link's network when it exists already, with whether this installation made it. */
  existing?: { network: NetworkSummary; origin: 'ours' | 'foreign' };
  confirmForeign?: boolean;
}

export interface OverlayPlan {
  /** Each host's steps, in the order they must run: the manager's (which creates the network) first. */
  runs: Plan[];
  network: string;
  /** The host whose engine creates and removes the network (a Swarm manager). */
  manager: string;
  /** Whether the plan creates the network (else it reuses the link's own). */
  creates: boolean;
}

/**
 * Plans a link over one attachable overlay network made for it: created on a manager (labelled,
 * and sealed by the caller), the target connected with `alias` as an extra name on it, the client
 * connected as it is. The alias sits on the target's endpoint because a network alias names the
 * container that carries it; the network is this link's alone, so only the client sees that name.
 * What is already in place is kept, so planning an existing link again yields no steps.
 */
export function planOverlayLink(request: OverlayLinkRequest): OverlayPlan {
  const { target, client, alias } = request;
  const problem = aliasProblem(alias) ?? portProblem(target.port);
  if (problem) {
    throw new ConfigError('invalidOption', problem);
  }
  if (target.host === client.host) {
    throw new ConfigError(
      'invalidOption',
      `${target.details.name} and ${client.details.name} are both on ${target.host}; use "Link Containers" or "Connect Containers on a Network" for containers on one host.`,
    );
  }
  const swarm = sharedSwarm(request.swarm);
  const name = overlayNetworkName(client.details.name, alias);
  const link: Omit<OverlayLink, 'network'> = { target: targetRef(target), client: { host: client.host, container: client.details.name }, alias };
  const labels = overlayNetworkLabels(link);
  const existing = request.existing;
  if (existing) {
    const current = overlayLinkOf(existing.network);
    if (!current || JSON.stringify({ ...current, network: undefined }) !== JSON.stringify({ ...link, network: undefined })) {
      throw new ConfigError(
        'invalidOption',
        `A network named ${name} exists but is not Crosslink's overlay for ${client.details.name} → ${alias}; remove or rename it, or choose another alias.`,
      );
    }
    if (existing.origin === 'foreign' && !request.confirmForeign) {
      throw new ProvenanceError('foreign', `network ${name} carries Crosslink's labels but was not created here; confirm to use it anyway.`, [`network ${name}`]);
    }
  }
  const managerSteps: PlanStep[] = existing
    ? []
    : [{ kind: 'createNetwork', name, labels, driver: 'overlay', attachable: true, ...(request.encrypted ? { options: { encrypted: '' } } : {}) }];
  const connect = (side: OverlaySide, aliases: string[]): PlanStep[] =>
    side.details.networks.some((network) => network.name === name)
      ? []
      : [{ kind: 'connectNetwork', network: name, container: { id: side.details.id }, name: side.details.name, endpoint: aliases.length > 0 ? { Aliases: aliases } : {} }];
  const targetSteps = connect(target, [alias]);
  const clientSteps = connect(client, []);
  const plans =
    swarm.manager === target.host
      ? [newPlan(target.host, [...managerSteps, ...targetSteps]), newPlan(client.host, clientSteps)]
      : [newPlan(client.host, [...managerSteps, ...clientSteps]), newPlan(target.host, targetSteps)];
  return { runs: plans, network: name, manager: swarm.manager, creates: !existing };
}

export interface OverlayRemovalRequest {
  link: OverlayLink;
  /** The host that removes the network (a manager of the Swarm). */
  manager: string;
  /** Both hosts' containers now; a host that cannot be listed is left out (its side stays). */
  containers: Record<string, ContainerSummary[] | undefined>;
  /** Whether this installation made the network: only then is it removed. */
  ours: boolean;
}

/**
 * Undoes exactly what the link did: disconnects the client, then the target (each reconnects as it
 * was if a later step fails), and removes the network last, only when Crosslink made it and no
 * other container on either host is on it (the engine refuses anyway while a third node uses it).
 */
export function planOverlayRemoval(request: OverlayRemovalRequest): { runs: Plan[]; removesNetwork: boolean } {
  const { link, manager, containers } = request;
  const name = link.network.name;
  const sides = [
    { host: link.client.host, container: link.client.container, restore: {} },
    { host: link.target.host, container: link.target.container, restore: { Aliases: [link.alias] } },
  ];
  const steps = new Map<string, PlanStep[]>([
    [link.client.host, []],
    [link.target.host, []],
  ]);
  for (const side of sides) {
    const container = containers[side.host]?.find((candidate) => candidate.name === side.container);
    if (container?.networks.some((network) => network.name === name)) {
      steps.get(side.host)!.push({ kind: 'disconnectNetwork', network: name, container: { id: container.id }, name: container.name, restore: side.restore });
    }
  }
  const others = Object.entries(containers).flatMap(([host, list]) =>
    (list ?? []).filter(
      (container) => container.networks.some((network) => network.name === name) && !sides.some((side) => side.host === host && side.container === container.name),
    ),
  );
  const everyHostListed = sides.every((side) => containers[side.host] !== undefined);
  const removesNetwork = request.ours && others.length === 0 && everyHostListed;
  if (removesNetwork) {
    steps.set(manager, [...(steps.get(manager) ?? []), { kind: 'removeNetwork', name }]);
  }
  return { runs: [...steps].map(([host, hostSteps]) => newPlan(host, hostSteps)), removesNetwork };
}

function targetRef(target: OverlaySide & { port: number }): TargetRef {
  return { host: target.host, container: target.details.name, port: target.port };
}
