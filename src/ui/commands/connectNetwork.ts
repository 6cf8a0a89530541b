import { ConfigError } from '../../core/errors';
import { isManaged } from '../../core/values/labels';
import { networkNameProblem } from '../../core/links/names';
import { formatContainerRef } from '../../core/values/containerRef';
import { countOf } from '../../core/plural';
import { type Prompter, type StepOutcome, back, keep, runSteps } from '../prompter';
import { type ResolvedContainer, inputAliasOptional, pickContainersOnOneHost, pickOrCreateName } from '../prompts';
import { type Command, Fields, executeOptions } from './command';
import { findContainerRef, operationsFor } from './commandArguments';
import type { CommandContext } from './commandContext';
import { startedOn } from './containerRequest';

const title = 'Connect Containers on a Network';

interface ConnectNetworkRequest {
  containers: string[];
  network: string;
  /** By "host/name". */
  aliases: Record<string, string>;
}

/**
 * Connects containers to a user-defined bridge network (picked or created) so they resolve each
 * other by name and alias, both ways, without recreation. Args:
 * `{ containers: ["host/name", …], network, aliases?: { "host/name": "alias" } }`.
 */
export const connectNetworkCommand: Command<ConnectNetworkRequest, { network: string; containers: string[] }> = {
  id: 'crosslink.connectNetwork',
  parse(args) {
    const fields = new Fields(title, args, '{ containers: ["host/name", …], network, aliases? }');
    const aliases = (args as { aliases?: unknown }).aliases ?? {};
    if (typeof aliases !== 'object' || aliases === null || Object.values(aliases).some((alias) => typeof alias !== 'string')) {
      fields.fail('aliases', 'wrongType', 'must map "host/name" to an alias, e.g. { "staging/web": "frontend" }.');
    }
    return { containers: fields.refs('containers'), network: fields.string('network'), aliases: aliases as Record<string, string> };
  },
  prompt: (ui, context, node) => {
    const started = startedOn(context, node);
    return promptConnectNetwork(ui, context, started && [started]);
  },
  progressTitle: (request) => `Connecting ${countOf(request.containers.length, 'container')} on ${request.network}`,
  async run(context, request, progress) {
    const containers = sameHost(context, request.containers, title);
    const hostName = containers[0].hostName;
    const aliases = Object.fromEntries(
      Object.entries(request.aliases).map(([reference, alias]) => {
        const resolved = findContainerRef(context.model, reference);
        if (!containers.some((candidate) => candidate.container.id === resolved.container.id)) {
          throw new ConfigError('notRequested', `The alias for ${reference} names a container that is not among the ones to connect.`);
        }
        return [resolved.container.name, alias];
      }),
    );
    await operationsFor(context, hostName).connectNetwork(
      { containers: containers.map((resolved) => resolved.container.name), network: request.network, aliases },
      executeOptions(progress),
    );
    return { network: request.network, containers: containers.map((resolved) => formatContainerRef(hostName, resolved.container.name)) };
  },
  report(ui, result) {
    void ui.notify('info', `${result.containers.map((reference) => reference.split('/')[1]).join(', ')} can now reach each other by name on ${result.network}.`);
  },
};

/** Containers (preselected ones ticked) → network → an optional alias for each. */
export async function promptConnectNetwork(ui: Prompter, context: CommandContext, preselected?: ResolvedContainer[]): Promise<ConnectNetworkRequest | undefined> {
  const state: { containers?: ResolvedContainer[]; network?: string; aliases: Record<string, string> } = { aliases: {} };
  const done = await runSteps([
    async (position) =>
      keep(
        await pickContainersOnOneHost(ui, context.model, {
          ...position,
          title: `${title}: containers`,
          placeholder: 'Containers to connect (all on one host)',
          started: preselected?.[0],
          picked: state.containers ?? preselected,
          unavailable: ({ container }) => (container.networks.length === 0 ? 'shares another network stack' : undefined),
        }),
        (containers) => (state.containers = containers),
      ),
    async (position) => keep(await pickNetwork(ui, context, state.containers![0].hostName, position, state.network), (network) => (state.network = network)),
    async (position) => askAliases(ui, state.containers!, state.network!, state.aliases, position),
  ]);
  return done && state.containers && state.network
    ? { containers: state.containers.map((resolved) => formatContainerRef(resolved.hostName, resolved.container.name)), network: state.network, aliases: state.aliases }
    : undefined;
}

/** An optional alias per container, one input each; Back goes to the previous container, and from the first to the network. */
async function askAliases(
  ui: Prompter,
  containers: ResolvedContainer[],
  network: string,
  aliases: Record<string, string>,
  position: { step: number; totalSteps: number },
): Promise<StepOutcome> {
  for (let index = 0; index < containers.length;) {
    const { hostName, container } = containers[index];
    const reference = formatContainerRef(hostName, container.name);
    const answer = await inputAliasOptional(ui, {
      ...position,
      title: `${title}: alias for ${container.name}`,
      prompt: `Another name for ${container.name} on ${network}, besides its own (leave empty for none)`,
      value: aliases[reference],
    });
    if (answer === undefined) {
      return 'cancel';
    }
    if (answer === back) {
      if (index === 0) {
        return 'back';
      }
      index--;
      continue;
    }
    if (answer) {
      aliases[reference] = answer;
    } else {
      delete aliases[reference];
    }
    index++;
  }
  return 'next';
}

/** The containers of a request, which must all be on one host (networks, links and volumes are per host). */
export function sameHost(context: CommandContext, references: string[], what: string): ResolvedContainer[] {
  const containers = references.map((reference) => findContainerRef(context.model, reference));
  const hosts = [...new Set(containers.map((resolved) => resolved.hostName))];
  if (hosts.length > 1) {
    throw new ConfigError(
      'differentHosts',
      `${what} works on one host, but the containers are on ${hosts.join(' and ')}. To connect containers on different hosts, use "Link Container Across Hosts".`,
    );
  }
  return containers;
}

/** A user-defined bridge network on the host, picked or typed as a new name; `flow` titles it and suggests a name. */
export async function pickNetwork(
  ui: Prompter,
  context: CommandContext,
  hostName: string,
  position: { step: number; totalSteps: number },
  active?: string,
  flow: { title: string; suggestedName: string } = { title, suggestedName: 'app-net' },
) {
  const networks = (await context.model.client(hostName)?.listNetworks()) ?? [];
  return pickOrCreateName(ui, {
    ...position,
    title: `${flow.title}: network on ${hostName}`,
    placeholder: 'A user-defined bridge network, or type a new name',
    existing: networks
      .filter((network) => network.driver === 'bridge' && !networkNameProblem(network.name))
      .map((network) => ({ name: network.name, description: isManaged(network.labels) ? 'made by Crosslink' : 'bridge' })),
    taken: new Set(networks.map((network) => network.name)),
    createLabel: `Create a New Network on ${hostName}…`,
    suggestedName: flow.suggestedName,
    nameProblem: networkNameProblem,
    active,
  });
}
