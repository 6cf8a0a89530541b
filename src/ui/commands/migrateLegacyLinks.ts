import * as vscode from 'vscode';
import type { LegacyLinkFacts, WritableLayerChoice } from '../../core/links/linkOperations';
import type { LegacyLink, LinkVariableEvidence } from '../../core/links/linkVariables';
import { networkNameProblem } from '../../core/links/names';
import { countOf } from '../../core/plural';
import { formatContainerRef } from '../../core/values/containerRef';
import { isManaged } from '../../core/values/labels';
import { type Prompter, type StepPosition, keep, runSteps } from '../prompter';
import { type ResolvedContainer, pickContainer, recreatableContainer } from '../prompts';
import { LinkNode, type TreeNode } from '../tree/treeNodes';
import { type Command, Fields, executeOptions } from './command';
import { findContainerRef, operationsFor } from './commandArguments';
import type { CommandContext } from './commandContext';
import { pickNetwork } from './connectNetwork';
import { startedOn } from './containerRequest';
import { askAboutChanges, writableLayerNote } from './writableLayerChoice';

const title = 'Migrate Legacy Links';

export interface MigrateLinksRequest {
  container: string;
  /** Undefined: the suggested one (a network every target is on, else "<name>-links"). */
  network?: string;
  keepLinkVariables: boolean;
  writableLayer?: WritableLayerChoice;
}

export interface MigrateLinksResult {
  container: string;
  network: string;
  /** The links the network now serves: the client reaches `target` as `alias` there. */
  moved: LegacyLink[];
  /** Links to Crosslink's ambassadors, left to their cross-host link. */
  kept: LegacyLink[];
  /** Names of the link variables set as fixed env vars. */
  env: string[];
  /** The recreated container's id. */
  containerId: string;
}

/**
 * Moves a container's legacy links (`--link`) to a user-defined network with the same names, so it
 * keeps reaching its targets on Docker 29+ and after links are gone; the container is recreated
 * (every setting and its data kept, the original back if a step fails). Args:
 * `{ container: "host/name", network?, keepLinkVariables?, copyChanges?, discardChanges? }`, or a
 * legacy link or container node.
 */
export const migrateLegacyLinksCommand: Command<MigrateLinksRequest, MigrateLinksResult> = {
  id: 'crosslink.migrateLegacyLinks',
  parse(args) {
    const fields = new Fields(title, args, '{ container: "host/name", network?, keepLinkVariables?, copyChanges?, discardChanges? }');
    const network = fields.string('network', 'optional');
    const problem = network === undefined ? undefined : networkNameProblem(network);
    if (problem) {
      fields.fail('network', 'invalidValue', problem);
    }
    return { container: fields.ref('container'), network, keepLinkVariables: fields.flag('keepLinkVariables') ?? false, writableLayer: fields.writableLayer() };
  },
  prompt(ui, context, node) {
    return promptMigrateLinks(ui, context, clientOf(context, node), (client) => operationsFor(context, client.hostName).legacyLinkFacts(client.container.name));
  },
  progressTitle: (request) => `Moving the legacy links of ${request.container} to a network`,
  async run(context, request, progress) {
    const { hostName, container } = findContainerRef(context.model, request.container);
    const migration = await operationsFor(context, hostName).migrateLegacyLinks(
      { client: container.name, network: request.network, keepLinkVariables: request.keepLinkVariables, writableLayer: request.writableLayer },
      executeOptions(progress),
    );
    const { network, moved, kept, env, containerId } = migration;
    return { container: formatContainerRef(hostName, container.name), network, moved, kept, env, containerId };
  },
  async answer(ui, error, request) {
    const writableLayer = await askAboutChanges(ui, error);
    return writableLayer === 'rethrow' ? 'rethrow' : writableLayer && { ...request, writableLayer };
  },
  report(ui, result, _request, context) {
    const [hostName, name] = result.container.split('/');
    const reaches = result.moved.map((link) => `${link.target} as "${link.alias}"`).join(', ');
    const variables = result.env.length > 0 ? `, with ${countOf(result.env.length, 'link variable')} set` : '';
    const kept = result.kept.length > 0 ? ` Links to ambassadors stay: ${result.kept.map((link) => link.alias).join(', ')}.` : '';
    void ui.notify('info', `${name} now reaches ${reaches} on network ${result.network}${variables}.${kept}`, 'Verify').then((choice) => {
      if (choice) {
        for (const link of result.moved) {
          const port = context.model.findContainer(hostName, link.target)?.ports.find((binding) => binding.protocol === 'tcp')?.privatePort;
          void vscode.commands.executeCommand('crosslink.verifyLink', new LinkNode(hostName, name, link.target, link.alias, port));
        }
      }
    });
  },
};

/** The client a command was started on: a legacy link's (from the link node) or the container itself. */
function clientOf(context: CommandContext, node: TreeNode | undefined): ResolvedContainer | undefined {
  if (node instanceof LinkNode) {
    const container = context.model.findContainer(node.hostName, node.clientName);
    return container && { hostName: node.hostName, container };
  }
  return startedOn(context, node);
}

/**
 * Container (unless started on one) → network (the suggested one active, or a new one named after
 * it) → whether to set the link variables (the answer the app's environment suggests first, asked
 * only when there are any) → a confirmation saying what is recreated and what joins the network.
 */
export async function promptMigrateLinks(
  ui: Prompter,
  context: CommandContext,
  started: ResolvedContainer | undefined,
  loadFacts: (client: ResolvedContainer) => Promise<LegacyLinkFacts>,
): Promise<MigrateLinksRequest | undefined> {
  const state: { client?: ResolvedContainer; facts?: LegacyLinkFacts; network?: string; keep?: boolean } = { client: started };
  const done = await runSteps([
    async (position) => {
      if (started) {
        return 'skip';
      }
      const answer = await pickContainer(ui, context.model, {
        ...position,
        title: `${title}: container`,
        placeholder: 'The container whose --link targets move to a network (it is recreated without the links)',
        active: state.client,
        ...recreatableContainer,
      });
      return keep(answer, (client) => (state.client = client));
    },
    async (position) => {
      const client = state.client!;
      if (state.facts?.container.id !== client.container.id) {
        state.facts = await loadFacts(client);
      }
      if (state.facts.links.length === 0) {
        void ui.notify('info', `${title}: ${client.container.name} has no legacy links (--link); there is nothing to migrate.`);
        return 'cancel';
      }
      const suggested = state.facts.suggestedNetwork;
      const exists = state.facts.networks.some((network) => network.name === suggested);
      const answer = await pickNetwork(ui, context, client.hostName, position, state.network ?? (exists ? suggested : undefined), { title, suggestedName: suggested });
      return keep(answer, (network) => (state.network = network));
    },
    async (position) => {
      const facts = state.facts!;
      if (facts.variables.length === 0) {
        state.keep = false;
        return 'skip';
      }
      return keep(await askLinkVariables(ui, facts, position, state.keep), (answer) => (state.keep = answer));
    },
  ]);
  if (!done || !(await confirmMigration(ui, state.client!, state.facts!, state.network!, state.keep!))) {
    return undefined;
  }
  const { client, network, keep: keepLinkVariables } = state as Required<typeof state>;
  return { container: formatContainerRef(client.hostName, client.container.name), network, keepLinkVariables };
}

const evidenceText: Record<LinkVariableEvidence, string> = {
  config: 'its own settings set some of them, so its app reads them',
  process: 'they are in its environment now, so its app may read them',
  engine: 'this engine (before Docker 29) gives them to it at start, so its app may read them',
  none: 'they are not in its environment, so its app does not need them',
};

/** Whether to set the link variables as fixed env vars; the answer the evidence suggests comes first. */
async function askLinkVariables(ui: Prompter, facts: LegacyLinkFacts, position: Required<StepPosition>, active: boolean | undefined) {
  const example = facts.variables.find((entry) => /_PORT=/.test(entry)) ?? facts.variables[0];
  const set = {
    label: 'Set Them as Fixed Variables',
    description: countOf(facts.variables.length, 'variable'),
    detail: `e.g. ${example}: the alias, which resolves on the network wherever the target runs, not an address that changes when it restarts`,
    value: true,
  };
  const leave = { label: 'Leave Them Out', description: 'Docker 29 no longer sets them', detail: 'For apps that find their targets by name (the alias) only', value: false };
  return ui.pickOne<boolean>({
    ...position,
    title: `${title}: link variables of ${facts.container.name}`,
    placeholder: `Legacy links also set variables like ${example?.split('=')[0]}: ${evidenceText[facts.use.evidence]}`,
    items: facts.use.present ? [set, leave] : [leave, set],
    active,
  });
}

async function confirmMigration(ui: Prompter, client: ResolvedContainer, facts: LegacyLinkFacts, network: string, keepLinkVariables: boolean): Promise<boolean> {
  const name = client.container.name;
  const moving = facts.links.filter((link) => !isManaged(facts.targets.find((target) => target.name === link.target)?.labels));
  const joins = moving.map((link) => (link.alias === link.target ? link.target : `${link.target} as "${link.alias}"`)).join(', ');
  const choice = await ui.confirm({
    message: `Move the legacy links of ${name} to network ${network}?`,
    detail:
      `${joins} ${moving.length === 1 ? 'joins' : 'join'} ${network} (nothing else changes on ${moving.length === 1 ? 'it' : 'them'}). ` +
      `${name} will be stopped, recreated without its links, on ${network} too, and started; its settings and volumes are kept` +
      `${keepLinkVariables ? ', its link variables are set as fixed env vars' : ''}, ${writableLayerNote}, and the original is restored if anything fails.`,
    actions: ['Migrate'],
  });
  return choice === 'Migrate';
}
