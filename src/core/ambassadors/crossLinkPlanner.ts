import { ConfigError, CrosslinkError } from '../errors';
import { aliasProblem, portProblem } from '../links/names';
import { type Plan, type PlanStep, newPlan } from '../planning/plan';
import { type RecreateSubject, recreateSteps } from '../planning/recreate';
import type { ContainerCreateBody, ContainerDetails, ContainerSummary, NetworkSummary } from '../types';
import {
  type CrossLink,
  type CrossLinkMode,
  type TargetRef,
  ambassadorLabel,
  ambassadorNetworkName,
  clientAmbassadorLabels,
  clientAmbassadorName,
  crossLinkOf,
  managedLabels,
  isServerAmbassadorFor,
  serverAmbassadorLabels,
  serverAmbassadorName,
} from '../values/labels';
import { socatArguments } from './socat';
import { ProvenanceError } from '../provenance/seal';
import { defaultNetworks, podmanLegacyLinkProblem } from '../hosts/engines';

/** The host port a server ambassador would publish is taken; `suggestedPort` is free. */
export class PortInUseError extends CrosslinkError<'portInUse'> {
  constructor(
    message: string,
    readonly port: number,
    readonly suggestedPort: number,
  ) {
    super('portInUse', message);
  }

  static is(error: unknown): error is PortInUseError {
    return error instanceof PortInUseError;
  }
}

/** What is on a host now, as far as the planner needs to know. */
export interface HostState {
  name: string;
  containers: ContainerSummary[];
  networks: NetworkSummary[];
  /**
   * Ids of the containers and networks that carry Crosslink's labels but were not made by this
   * installation: never reused or changed unless the request confirms it (`confirmForeign`).
   */
  foreign?: ReadonlySet<string>;
}

export interface CrossLinkRequest {
  target: { details: ContainerDetails; port: number; host: HostState; address: string };
  client: { subject: RecreateSubject; host: HostState };
  alias: string;
  mode: CrossLinkMode;
  image: string;
  /** "reuse" the port the target already publishes, or publish a server ambassador on this host port. */
  publish: 'reuse' | number;
  /** The user confirmed acting on the foreign objects named in an earlier ProvenanceError. */
  confirmForeign?: boolean;
  /** Networks an ambassador must not share (an overlay link's own, which goes away when the link falls back to ambassadors). */
  excludeNetworks?: readonly string[];
}

export interface CrossLinkPlan {
  server: Plan;
  client: Plan;
  /** Undefined when the client side reuses a port the target publishes itself. */
  serverAmbassador?: string;
  clientAmbassador: string;
  upstream: { address: string; port: number };
}

/** Networks a helper cannot share with the target to find it by name. */
const builtInNetworks = new Set([...defaultNetworks, 'host', 'none']);

/** The port the target already publishes for `port` on an interface other hosts reach, if any. */
export function reusablePublishedPort(details: ContainerDetails, port: number, address: string): number | undefined {
  return details.ports.find(
    (binding) => binding.privatePort === port && binding.protocol === 'tcp' && binding.publicPort && (!binding.hostIp || ['0.0.0.0', '::', address].includes(binding.hostIp)),
  )?.publicPort;
}

/**
 * Plans both sides of the ambassador pattern. Server side (target host): an ambassador that
 * reaches the target by name on a shared user network and publishes the port only on the host
 * address other hosts use. Client side: an ambassador forwarding to that address, reached by the
 * client as `alias` through a network alias (no recreation) or a legacy link (client recreated).
 * Whatever already exists and fits is reused, so planning twice yields empty plans.
 */
export function planCrossLink(request: CrossLinkRequest): CrossLinkPlan {
  const { target, client, alias } = request;
  const badAlias = aliasProblem(alias);
  if (badAlias) {
    throw new ConfigError('invalidAlias', badAlias);
  }
  const badPort = portProblem(target.port);
  if (badPort) {
    throw new ConfigError('invalidPort', badPort);
  }
  if (target.host.name === client.host.name) {
    throw new ConfigError(
      'sameHost',
      `${target.details.name} and ${client.subject.details.name} are both on ${target.host.name}; use "Link Containers" or "Connect Containers on a Network" for containers on one host.`,
    );
  }
  const targetRef: TargetRef = { host: target.host.name, container: target.details.name, port: target.port };
  const server = planServerSide(request, targetRef);
  const clientSide = planClientSide(request, targetRef, server.upstream);
  return {
    server: newPlan(target.host.name, server.steps),
    client: newPlan(client.host.name, clientSide.steps),
    serverAmbassador: server.ambassador,
    clientAmbassador: clientSide.ambassador,
    upstream: server.upstream,
  };
}

function planServerSide(request: CrossLinkRequest, targetRef: TargetRef): { steps: PlanStep[]; ambassador?: string; upstream: { address: string; port: number } } {
  const { target, image } = request;
  const address = target.address;
  if (request.publish === 'reuse') {
    const published = reusablePublishedPort(target.details, target.port, address);
    if (!published) {
      throw new ConfigError(
        'portNotPublished',
        `${target.details.name} does not publish port ${target.port} on ${address}; let Crosslink publish it through an ambassador instead.`,
      );
    }
    return { steps: [], upstream: { address, port: published } };
  }
  const name = serverAmbassadorName(targetRef);
  const existing = target.host.containers.find((container) => container.name === name);
  if (existing) {
    if (!isServerAmbassadorFor(existing, targetRef)) {
      throw new ConfigError(
        'nameTaken',
        `A container named ${name} exists on ${target.host.name} but is not Crosslink's ambassador for ${targetRef.container}:${targetRef.port}; rename or remove it.`,
      );
    }
    assertNotForeign(request, target.host, existing, `${name} on ${target.host.name}`);
    const publishedPort = existing.ports.find((binding) => binding.privatePort === target.port && binding.publicPort)?.publicPort ?? request.publish;
    const steps: PlanStep[] = existing.state === 'running' ? [] : [{ kind: 'startContainer', container: { id: existing.id }, name }];
    return { steps, ambassador: name, upstream: { address, port: publishedPort } };
  }
  const hostPort = request.publish;
  const holder = publisherOf(target.host.containers, address, hostPort);
  if (holder) {
    const suggestedPort = freePort(target.host.containers, address, hostPort + 1);
    const reuse = reusablePublishedPort(target.details, target.port, address) === hostPort ? ' It publishes the target port itself: reuse it,' : '';
    throw new PortInUseError(
      `Port ${hostPort} on ${target.host.name} (${address}) is published by ${holder}.${reuse} Publish the ambassador on another port, e.g. ${suggestedPort}.`,
      hostPort,
      suggestedPort,
    );
  }
  const steps: PlanStep[] = [];
  const network = sharedNetwork(request, target.details, target.host, steps);
  const body: ContainerCreateBody = {
    Image: image,
    Entrypoint: ['socat'],
    Cmd: socatArguments(target.port, target.details.name, target.port),
    Labels: serverAmbassadorLabels(targetRef, network),
    ExposedPorts: { [`${target.port}/tcp`]: {} },
    HostConfig: {
      NetworkMode: network.name,
      PortBindings: { [`${target.port}/tcp`]: [{ HostIp: address, HostPort: String(hostPort) }] },
      RestartPolicy: { Name: 'unless-stopped' },
    },
    NetworkingConfig: { EndpointsConfig: { [network.name]: {} } },
  };
  steps.push({ kind: 'createContainer', ref: 'server-ambassador', name, body }, { kind: 'startContainer', container: { ref: 'server-ambassador' }, name });
  return { steps, ambassador: name, upstream: { address, port: hostPort } };
}

function planClientSide(request: CrossLinkRequest, targetRef: TargetRef, upstream: { address: string; port: number }): { steps: PlanStep[]; ambassador: string } {
  const { client, alias, mode, image } = request;
  const details = client.subject.details;
  const name = clientAmbassadorName(details.name, alias);
  const existing = client.host.containers.find((container) => container.name === name);
  const link: Omit<CrossLink, 'clientAmbassador'> = { target: targetRef, client: { host: client.host.name, container: details.name }, alias, mode, upstream };
  const steps: PlanStep[] = [];
  if (existing) {
    const current = crossLinkOf(client.host.name, existing);
    if (!current || current.target.container !== targetRef.container || current.target.host !== targetRef.host || current.target.port !== targetRef.port) {
      throw new ConfigError('aliasTaken', `${details.name} already uses the alias "${alias}" through ${name} for something else; remove that link or choose another alias.`);
    }
    assertNotForeign(request, client.host, existing, `${name} on ${client.host.name}`);
    if (existing.state !== 'running') {
      steps.push({ kind: 'startContainer', container: { id: existing.id }, name });
    }
  } else {
    const body: ContainerCreateBody = {
      Image: image,
      Entrypoint: ['socat'],
      Cmd: socatArguments(targetRef.port, upstream.address, upstream.port),
      ExposedPorts: { [`${targetRef.port}/tcp`]: {} },
      HostConfig: { RestartPolicy: { Name: 'unless-stopped' } },
    };
    if (mode === 'network') {
      const network = sharedNetwork(request, details, client.host, steps);
      assertAliasFree(client.host.containers, network.name, alias, details.name);
      body.Labels = clientAmbassadorLabels(link, network);
      body.HostConfig = { ...body.HostConfig, NetworkMode: network.name };
      body.NetworkingConfig = { EndpointsConfig: { [network.name]: { Aliases: [alias] } } };
    } else {
      body.Labels = clientAmbassadorLabels(link);
    }
    steps.push({ kind: 'createContainer', ref: 'client-ambassador', name, body }, { kind: 'startContainer', container: { ref: 'client-ambassador' }, name });
  }
  if (mode === 'link' && !details.links.includes(`${name}:${alias}`)) {
    const podmanProblem = podmanLegacyLinkProblem(details);
    if (podmanProblem) {
      throw new ConfigError('engineUnsupported', podmanProblem);
    }
    const networkMode = (details.raw.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? 'default';
    if (!['default', 'bridge'].includes(networkMode)) {
      throw new ConfigError('bridgeRequired', `${details.name} uses network "${networkMode}" and legacy links work only on the default bridge; choose the network alias instead.`);
    }
    steps.push(...recreateSteps(client.subject, { addLinks: [`${name}:${alias}`] }, 'linked-client'));
  }
  return { steps, ambassador: name };
}

/**
 * A user network the container is on, or Crosslink's own for it (created if needed, the container
 * connected to it without recreation). Labels record what was joined or created, for removal.
 */
function sharedNetwork(request: CrossLinkRequest, details: ContainerDetails, host: HostState, steps: PlanStep[]): { name: string; joined: boolean; created: boolean } {
  const userNetwork = details.networks.find((network) => !builtInNetworks.has(network.name) && !request.excludeNetworks?.includes(network.name));
  if (userNetwork) {
    return { name: userNetwork.name, joined: false, created: false };
  }
  const name = ambassadorNetworkName(details.name);
  const existing = host.networks.find((network) => network.name === name);
  if (existing) {
    assertNotForeign(request, host, existing, `network ${name} on ${host.name}`);
  }
  const created = !existing;
  if (created) {
    steps.push({ kind: 'createNetwork', name, labels: managedLabels('ambassador-network') });
  }
  steps.push({ kind: 'connectNetwork', network: name, container: { id: details.id }, name: details.name, endpoint: {} });
  return { name, joined: true, created };
}

/** Reusing an ambassador or network another installation made would act on its say-so: only after confirmation. */
function assertNotForeign(request: CrossLinkRequest, host: HostState, object: { id: string }, description: string): void {
  if (host.foreign?.has(object.id) && !request.confirmForeign) {
    throw new ProvenanceError('foreign', `${description} carries Crosslink's labels but was not created here; confirm to use it anyway.`, [description]);
  }
}

function assertAliasFree(containers: ContainerSummary[], network: string, alias: string, clientName: string): void {
  const holder = containers.find((container) => container.name === alias || container.networks.some((attached) => attached.name === network && attached.aliases.includes(alias)));
  if (holder && holder.labels[ambassadorLabel.alias] !== alias) {
    throw new ConfigError('aliasTaken', `"${alias}" already names ${holder.name} on ${network}, so ${clientName} could not reach the target by it; choose another alias.`);
  }
}

function publisherOf(containers: ContainerSummary[], address: string, port: number): string | undefined {
  return containers.find((container) => container.ports.some((binding) => binding.publicPort === port && (!binding.hostIp || ['0.0.0.0', '::', address].includes(binding.hostIp))))
    ?.name;
}

function freePort(containers: ContainerSummary[], address: string, from: number): number {
  let port = from;
  while (port < 65535 && publisherOf(containers, address, port)) {
    port++;
  }
  return port;
}

export interface CrossLinkRemovalRequest {
  link: CrossLink;
  clientHost: HostState;
  /** Undefined when the target host cannot be reached: the client side is removed anyway. */
  serverHost?: HostState;
  /** The client container, when it still exists (needed to drop a legacy link by recreation). */
  client?: RecreateSubject;
  /** Client-side ambassadors on every host that use the same target (this link's included). */
  clientsOfTarget: number;
  /** Configured hosts that did not answer: any of them may hold a client, so the server side stays. */
  offlineHosts?: string[];
}

/**
 * Removes exactly what the link added: the client-side ambassador (and the client's legacy link,
 * or its membership of a network Crosslink connected it to), and — when no other client uses it —
 * the server-side ambassador with the network membership and network it brought.
 */
export function planCrossLinkRemoval(request: CrossLinkRemovalRequest): { client: Plan; server?: Plan; serverAmbassador?: ContainerSummary } {
  const { link, clientHost, serverHost } = request;
  const clientSteps: PlanStep[] = [];
  const ambassador = clientHost.containers.find((container) => container.id === link.clientAmbassador.id);
  if (link.mode === 'link' && request.client && request.client.details.links.some((entry) => entry.split(':')[1] === link.alias)) {
    clientSteps.push(...recreateSteps(request.client, { removeLinkAliases: [link.alias] }, 'unlinked-client'));
  }
  if (ambassador) {
    clientSteps.push(...withoutAmbassador(ambassador, request.client?.details, clientHost));
  }
  const client = newPlan(clientHost.name, clientSteps);
  if (!serverHost || request.clientsOfTarget > 1 || (request.offlineHosts ?? []).length > 0) {
    return { client };
  }
  // A look-alike must not stand in for ours: this installation's one first, then the one by our name.
  const candidates = serverHost.containers.filter((container) => isServerAmbassadorFor(container, link.target));
  const serverAmbassador =
    candidates.find((container) => !serverHost.foreign?.has(container.id)) ?? candidates.find((container) => container.name === serverAmbassadorName(link.target));
  if (!serverAmbassador) {
    return { client };
  }
  const target = serverHost.containers.find((container) => container.name === link.target.container);
  const serverSteps = withoutAmbassador(serverAmbassador, target && { id: target.id, name: target.name, networks: target.networks }, serverHost);
  return { client, server: newPlan(serverHost.name, serverSteps), serverAmbassador };
}

/**
 * Removes an ambassador and reverses its network setup, read from its labels: the user's container
 * leaves the network Crosslink joined it to, and a network Crosslink created goes once the
 * ambassador (its last member) is gone — in that order.
 */
function withoutAmbassador(ambassador: ContainerSummary, container: Pick<ContainerDetails, 'id' | 'name' | 'networks'> | undefined, host: HostState): PlanStep[] {
  const removal: PlanStep = { kind: 'removeContainer', container: { id: ambassador.id }, name: ambassador.name };
  const network = ambassador.labels[ambassadorLabel.network];
  if (!network) {
    return [removal];
  }
  const steps: PlanStep[] = [];
  if (ambassador.labels[ambassadorLabel.joinedNetwork] === 'true' && container?.networks.some((attached) => attached.name === network)) {
    steps.push({ kind: 'disconnectNetwork', network, container: { id: container.id }, name: container.name, restore: {} });
  }
  const othersOnNetwork = host.containers.filter(
    (other) => other.id !== ambassador.id && other.id !== container?.id && other.networks.some((attached) => attached.name === network),
  );
  steps.push(removal);
  if (ambassador.labels[ambassadorLabel.createdNetwork] === 'true' && othersOnNetwork.length === 0) {
    steps.push({ kind: 'removeNetwork', name: network });
  }
  return steps;
}
