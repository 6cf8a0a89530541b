import type { CrossLinkMode } from '../../core/values/labels';
import type { CrossLinkArgs } from '../../core/ambassadors/crossLinkOperations';
import { type SwarmChoice, shortId } from '../../core/overlay/swarm';
import { defaultAlias, portProblem } from '../../core/links/names';
import type { ContainerModel } from '../../core/model/containerModel';
import { formatContainerRef } from '../../core/values/containerRef';
import { type FlowStep, type Prompter, keep, runSteps } from '../prompter';
import { type PortCandidate, type ResolvedContainer, inputAlias, pickContainer, pickPort } from '../prompts';

const title = 'Link Container Across Hosts';

/** From a container's context menu: which end of the link it is. */
export type Direction = 'client' | 'target';
export const directionLabels: Record<Direction, string> = {
  client: 'Link to a Container on Another Host…',
  target: 'Let a Container on Another Host Reach This…',
};

export interface LinkAcrossHostsFlow {
  model: Pick<ContainerModel, 'hosts'>;
  portCandidates(target: ResolvedContainer): Promise<PortCandidate[]>;
  /** The host address and host port when the target already publishes `port` where the client can reach it. */
  publishedPort(target: ResolvedContainer, port: number): Promise<{ address: string; published: number } | undefined>;
  /** Runs another command (the alternative offered when a step has nothing to pick). */
  runCommand(id: string): void;
  /** Whether the two hosts can carry an overlay link (undefined: do not offer one). */
  swarmOf?(targetHost: string, clientHost: string): Promise<SwarmChoice | undefined>;
}

/** What the flow returns: the ambassador request, or an overlay one (`formSwarm` when the user agreed to form a Swarm). */
export type CrossLinkPromptResult = CrossLinkArgs | (Omit<CrossLinkArgs, 'mode' | 'publish'> & { mode: 'overlay'; formSwarm?: boolean });

/**
 * [direction, when started on a container] → target → port → client on another host → alias →
 * [overlay or ambassadors, when the hosts share a Swarm or are in none; forming one is confirmed]
 * → how the client reaches it → [reuse the published port or the ambassador's host port]. Back
 * keeps every answer; steps the start made unnecessary are skipped.
 */
export async function promptCrossLink(ui: Prompter, flow: LinkAcrossHostsFlow, started?: ResolvedContainer, direction?: Direction): Promise<CrossLinkPromptResult | undefined> {
  const state: {
    direction?: Direction;
    target?: ResolvedContainer;
    client?: ResolvedContainer;
    port?: number;
    alias?: string;
    mode?: CrossLinkMode;
    published?: { address: string; published: number };
    path?: 'overlay' | 'ambassadors';
    swarm?: SwarmChoice;
    publish?: 'reuse' | 'ambassador';
    hostPort?: number;
  } = { direction };
  const steps: FlowStep[] = [
    async (position) => {
      if (!started || direction) {
        return 'skip';
      }
      const answer = await ui.pickOne({
        ...position,
        title: `${title}: ${started.container.name}`,
        placeholder: `Which end of the link is ${started.container.name}?`,
        active: state.direction,
        items: [
          { label: directionLabels.client, description: `${started.container.name} calls the other container`, value: 'client' as const },
          { label: directionLabels.target, description: `the other container calls ${started.container.name}`, value: 'target' as const },
        ],
      });
      return keep(answer, (value) => (state.direction = value));
    },
    async (position) => {
      if (started && state.direction === 'target') {
        state.target = started;
        return 'skip';
      }
      const client = started && state.direction === 'client' ? started : undefined;
      const answer = await pickContainer(ui, flow.model, {
        ...position,
        title: client ? `${title}: what ${client.container.name} reaches` : `${title}: target`,
        placeholder: 'The container to reach from another host (e.g. a database)',
        active: state.target,
        unavailable: (candidate) => (client && candidate.hostName === client.hostName ? 'same host' : isAmbassador(candidate)),
        empty: client
          ? {
              message: `no container on a host other than ${client.hostName}. Add a host, or start the container there first.`,
              alternative: { label: 'Add Docker Host…', run: () => flow.runCommand('crosslink.addHost') },
            }
          : { message: 'no container on the connected hosts yet.' },
      });
      return keep(answer, (target) => (state.target = target));
    },
    async (position) => {
      const target = state.target!;
      const candidates = await flow.portCandidates(target);
      return keep(await pickPort(ui, candidates, { ...position, title: `${title}: port of ${target.container.name}`, active: state.port }), (port) => (state.port = port));
    },
    async (position) => {
      if (started && state.direction === 'client') {
        state.client = started;
        return 'skip';
      }
      const target = state.target!;
      const answer = await pickContainer(ui, flow.model, {
        ...position,
        title: `${title}: client of ${target.container.name}:${state.port}`,
        placeholder: `The container that will call ${target.container.name} (on another host than ${target.hostName})`,
        active: state.client,
        unavailable: (candidate) => (candidate.hostName === target.hostName ? 'same host' : isAmbassador(candidate)),
        empty: {
          message: `no container on a host other than ${target.hostName}. Add a host, or for containers on ${target.hostName} use Link Containers or Connect to Network.`,
          alternative: { label: 'Add Docker Host…', run: () => flow.runCommand('crosslink.addHost') },
        },
      });
      return keep(answer, (client) => (state.client = client));
    },
    async (position) => {
      const { client, target, port } = state as Required<typeof state>;
      const suggested = defaultAlias(target.container.name);
      const answer = await inputAlias(ui, {
        ...position,
        title: `${title}: alias`,
        prompt: `The name ${client.container.name} will use: ${suggested}:${port} reaches ${target.container.name} on ${target.hostName}`,
        value: state.alias ?? suggested,
      });
      return keep(answer, (alias) => (state.alias = alias.trim()));
    },
    async (position) => {
      const { target, client } = state as Required<typeof state>;
      state.swarm = await flow.swarmOf?.(target.hostName, client.hostName);
      const swarm = state.swarm;
      if (!swarm || swarm.kind === 'no') {
        state.path = 'ambassadors';
        return 'skip';
      }
      const overlay =
        swarm.kind === 'shared'
          ? {
              label: `Overlay network (both hosts in Swarm ${shortId(swarm.clusterId)})`,
              description: 'recommended: no ambassadors',
              detail: `${client.container.name} reaches ${target.container.name} by name over an attachable overlay network.`,
            }
          : {
              label: 'Overlay network (form a Swarm)',
              description: `of ${target.hostName} and ${client.hostName}`,
              detail: 'Checks 2377/tcp, 7946/tcp+udp and 4789/udp between them first, then asks before forming it.',
            };
      const overlayItem = { ...overlay, value: 'overlay' as const };
      const ambassadorsItem = {
        label: 'Ambassadors',
        description: 'socat relays, no Swarm needed',
        detail: `A published port on ${target.hostName} and a relay next to ${client.container.name}.`,
        value: 'ambassadors' as const,
      };
      const answer = await ui.pickOne({
        ...position,
        title: `${title}: path between ${target.hostName} and ${client.hostName}`,
        active: state.path,
        // Forming a Swarm changes both hosts: offered second, so Enter keeps to ambassadors unless a Swarm is already there.
        items: swarm.kind === 'shared' ? [overlayItem, ambassadorsItem] : [ambassadorsItem, overlayItem],
      });
      return keep(answer, (path) => (state.path = path));
    },
    async () => {
      if (state.path !== 'overlay' || state.swarm?.kind !== 'formable') {
        return 'skip';
      }
      const { target, client } = state as Required<typeof state>;
      const choice = await ui.confirm({
        message: `Form a Swarm of ${target.hostName} and ${client.hostName}?`,
        detail: `${target.hostName} becomes its manager (advertising its address) and ${client.hostName} joins as a worker. Remove Link can dissolve it again.`,
        actions: ['Form Swarm'],
      });
      return choice ? 'next' : 'back';
    },
    async (position) => {
      if (state.path === 'overlay') {
        return 'skip';
      }
      const clientName = state.client!.container.name;
      const answer = await ui.pickOne({
        ...position,
        title: `${title}: how the client reaches the alias`,
        active: state.mode,
        items: [
          {
            label: 'Network alias',
            description: 'recommended: no recreation',
            detail: `The alias resolves on a user-defined network ${clientName} is on (Crosslink connects it to one if needed).`,
            value: 'network' as const,
          },
          {
            label: 'Legacy link',
            description: 'recreates the client',
            detail: `${clientName} is recreated with --link, keeping its settings and volumes; files it wrote elsewhere are listed first.`,
            value: 'link' as const,
          },
        ],
      });
      return keep(answer, (mode) => (state.mode = mode));
    },
    async (position) => {
      if (state.path === 'overlay') {
        return 'skip';
      }
      const target = state.target!;
      state.published = await flow.publishedPort(target, state.port!);
      if (!state.published) {
        return 'skip';
      }
      const { address, published } = state.published;
      const answer = await ui.pickOne({
        ...position,
        title: `Port ${state.port} of ${target.container.name} is already published`,
        active: state.publish,
        items: [
          { label: `Reuse ${address}:${published}`, description: `${target.container.name} publishes it already`, value: 'reuse' as const },
          { label: 'Publish through an ambassador', description: 'on another host port, chosen next', value: 'ambassador' as const },
        ],
      });
      return keep(answer, (publish) => (state.publish = publish));
    },
    async (position) => {
      if (state.path === 'overlay' || !state.published || state.publish !== 'ambassador') {
        return 'skip';
      }
      const { published } = state.published;
      const target = state.target!;
      const answer = await ui.inputText({
        ...position,
        title: `Host port on ${target.hostName} for the ambassador`,
        value: String(state.hostPort ?? published + 1),
        validate: (text) =>
          (/^\d+$/.test(text.trim()) ? portProblem(Number(text.trim())) : 'Type a port number (1-65535).') ??
          (Number(text.trim()) === published ? `${published} is taken by ${target.container.name}.` : undefined),
      });
      return keep(answer, (text) => (state.hostPort = Number(text.trim())));
    },
  ];
  if (!(await runSteps(steps))) {
    return undefined;
  }
  const { client, target, port, alias, mode } = state as Required<typeof state>;
  if (state.path === 'overlay') {
    return {
      client: formatContainerRef(client.hostName, client.container.name),
      target: formatContainerRef(target.hostName, target.container.name),
      port,
      alias,
      mode: 'overlay',
      ...(state.swarm?.kind === 'formable' ? { formSwarm: true } : {}),
    };
  }
  return {
    client: formatContainerRef(client.hostName, client.container.name),
    target: formatContainerRef(target.hostName, target.container.name),
    port,
    alias,
    mode,
    publish: !state.published ? port : state.publish === 'reuse' ? 'reuse' : state.hostPort,
  };
}

function isAmbassador({ container }: ResolvedContainer): string | undefined {
  return container.labels['crosslink.role']?.endsWith('ambassador') ? 'an ambassador' : undefined;
}
