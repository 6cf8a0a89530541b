import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { isManaged } from '../../core/links/labels';
import { networkNameProblem } from '../../core/links/names';
import { formatContainerRef } from '../../core/model/containerRef';
import { ResolvedContainer, inputAlias, pickOrCreateName } from '../pickers';
import { withStepProgress } from '../progress';
import { ContainerNode } from '../tree/treeNodes';
import { containersArgument, findContainerRef, operationsFor } from './commandArguments';
import { CommandContext } from './commandContext';
import { countOf } from '../../core/plural';

interface ConnectNetworkArgs {
  containers?: string[];
  network?: string;
  aliases?: Record<string, string>;
}

/**
 * Connects containers to a user-defined bridge network (picked or created) so they resolve each
 * other by name and alias, both ways, without recreation. Args:
 * `{ containers: ["host/name", …], network, aliases?: { "host/name": "alias" } }`; what is missing is asked for.
 */
export async function connectNetwork(context: CommandContext, argument?: unknown): Promise<{ network: string; containers: string[] } | undefined> {
  const args: ConnectNetworkArgs = argument instanceof ContainerNode || argument === undefined ? {} : (argument as ConnectNetworkArgs);
  const selection = await containersArgument(context, argument, args.containers, 'Connect Containers on a Network', {
    title: 'Connect Containers on a Network (1/3): containers',
    placeHolder: 'Containers to connect (all on one host)',
    unavailable: ({ container }) => (container.networks.length === 0 ? 'shares another network stack' : undefined),
  });
  if (!selection) {
    return undefined;
  }
  const { hostName, containers } = selection;
  const network = args.network ?? (await pickNetwork(context, hostName));
  if (network === undefined) {
    return undefined;
  }
  const aliases = args.aliases ? aliasesByName(context, args.aliases, hostName) : args.containers ? {} : await askAliases(containers, network);
  if (aliases === undefined) {
    return undefined;
  }
  const operations = operationsFor(context, hostName);
  await withStepProgress(`Connecting ${countOf(containers.length, 'container')} on ${network}`, (options) =>
    operations.connectNetwork({ containers: containers.map((resolved) => resolved.container.name), network, aliases }, options),
  );
  const references = containers.map((resolved) => formatContainerRef(hostName, resolved.container.name));
  if (!args.containers || !args.network) {
    void vscode.window.showInformationMessage(`${containers.map((resolved) => resolved.container.name).join(', ')} can now reach each other by name on ${network}.`);
  }
  return { network, containers: references };
}

async function pickNetwork(context: CommandContext, hostName: string): Promise<string | undefined> {
  const networks = (await context.model.client(hostName)?.listNetworks()) ?? [];
  return pickOrCreateName({
    title: `Connect Containers on a Network (2/3): network on ${hostName}`,
    placeHolder: 'A user-defined bridge network',
    existing: networks
      .filter((network) => network.driver === 'bridge' && !networkNameProblem(network.name))
      .map((network) => ({ name: network.name, description: isManaged(network.labels) ? 'made by Crosslink' : 'bridge' })),
    taken: new Set(networks.map((network) => network.name)),
    createLabel: `Create a New Network on ${hostName}…`,
    suggestedName: 'app-net',
    nameProblem: networkNameProblem,
  });
}

async function askAliases(containers: ResolvedContainer[], network: string): Promise<Record<string, string> | undefined> {
  const aliases: Record<string, string> = {};
  for (const { container } of containers) {
    const alias = await inputAlias({
      title: `Connect Containers on a Network (3/3): alias for ${container.name}`,
      prompt: `Another name for ${container.name} on ${network}, besides its own (leave empty for none)`,
      optional: true,
    });
    if (alias === undefined) {
      return undefined;
    }
    if (alias) {
      aliases[container.name] = alias;
    }
  }
  return aliases;
}

/** Scripted aliases are keyed by "host/name"; the planner wants container names. */
function aliasesByName(context: CommandContext, aliases: Record<string, string>, hostName: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(aliases).map(([reference, alias]) => {
      const resolved = findContainerRef(context.model, reference);
      if (resolved.hostName !== hostName) {
        throw new ConfigError('invalidOption', `The alias for ${reference} names a container that is not among the ones to connect.`);
      }
      return [resolved.container.name, alias];
    }),
  );
}
