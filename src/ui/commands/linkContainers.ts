import * as vscode from 'vscode';
import { ConfigError, errorMessage } from '../../core/errors';
import { defaultAlias } from '../../core/links/names';
import { formatContainerRef } from '../../core/values/containerRef';
import type { WritableLayerChoice } from '../../core/links/linkOperations';
import type { ResolvedContainer } from '../prompts';
import { findContainerRef, operationsFor } from './commandArguments';
import { type Command, Fields, executeOptions, invoke } from './command';
import type { CommandContext } from './commandContext';
import { connectNetworkCommand, promptConnectNetwork } from './connectNetwork';
import { startedOn } from './containerRequest';
import { LinkNode } from '../tree/treeNodes';
import { promptLink } from './linkContainersPrompt';
import { askAboutChanges, writableLayerNote } from './writableLayerChoice';

const deprecationNoticeKey = 'crosslink.legacyLinkNoticeShown';

type LinkRequest = { client: string; target: string; alias?: string; writableLayer?: WritableLayerChoice };

/**
 * Legacy `--link`: the client is recreated with the link, keeping every setting and its volumes.
 * Args: `{ client: "host/name", target: "host/name", alias?, copyChanges?, discardChanges? }`, or
 * a container node (the client). Files the client wrote outside volumes are copied, left behind,
 * or (scripted, neither flag) the call is refused with an UnsavedChangesError naming them.
 */
export const linkContainersCommand: Command<LinkRequest, { client: string; alias: string; linked: boolean }> = {
  id: 'crosslink.linkContainers',
  parse(args) {
    const fields = new Fields('Link Containers', args, '{ client: "host/name", target: "host/name", alias? }');
    return { client: fields.ref('client'), target: fields.ref('target'), alias: fields.alias('alias'), writableLayer: fields.writableLayer() };
  },
  async prompt(ui, context, node) {
    const request = await promptLink(ui, context.model, startedOn(context, node), (id) => void vscode.commands.executeCommand(id));
    if (!request) {
      return undefined;
    }
    const [client, target] = [findContainerRef(context.model, request.client), findContainerRef(context.model, request.target)];
    return (await confirmRecreation(context, client, target)) ? request : undefined;
  },
  progressTitle: (request) => `Linking ${request.client} → ${request.target}`,
  async run(context, request, progress) {
    const [client, target] = [findContainerRef(context.model, request.client), findContainerRef(context.model, request.target)];
    if (target.hostName !== client.hostName) {
      throw new ConfigError(
        'differentHosts',
        `${client.container.name} is on ${client.hostName} and ${target.container.name} on ${target.hostName}: links work on one host. Use "Link Container Across Hosts" to connect them through ambassadors.`,
      );
    }
    const plan = await operationsFor(context, client.hostName).linkContainers(
      { client: client.container.name, target: target.container.name, alias: request.alias, writableLayer: request.writableLayer },
      executeOptions(progress),
    );
    return { client: formatContainerRef(client.hostName, client.container.name), alias: request.alias ?? defaultAlias(target.container.name), linked: plan.steps.length > 0 };
  },
  async answer(ui, error, request) {
    const writableLayer = await askAboutChanges(ui, error);
    return writableLayer === 'rethrow' ? 'rethrow' : writableLayer && { ...request, writableLayer };
  },
  report(ui, { client, alias, linked }, request) {
    const [clientName, targetName] = [client.split('/')[1], request.target.split('/')[1]];
    const message = linked ? `${clientName} now reaches ${targetName} as "${alias}".` : `${clientName} already links to ${targetName}.`;
    void ui.notify('info', message, 'Verify').then((choice) => {
      if (choice) {
        // As from the link's tree node, so the check shows its progress and result.
        void vscode.commands.executeCommand('crosslink.verifyLink', new LinkNode(client.split('/')[0], clientName, targetName, alias, undefined));
      }
    });
  },
  toResult: ({ client }) => ({ client }),
};

/** Recreation stops the client briefly; say so once, with the deprecation and the alternative. */
async function confirmRecreation(context: CommandContext, client: ResolvedContainer, target: ResolvedContainer): Promise<boolean> {
  const recreate = 'Recreate and Link';
  const useNetwork = 'Use a Network Instead';
  const noticeShown = context.state.get<boolean>(deprecationNoticeKey, false);
  const detail =
    `${client.container.name} will be stopped, recreated with the link and started again; its settings and volumes are kept, ${writableLayerNote}, and the original is restored if anything fails.` +
    (noticeShown ? '' : '\n\nLegacy links are deprecated by Docker. A user-defined network does the same in both directions, without recreating anything.');
  const choice = await context.ui.confirm({ message: `Link ${client.container.name} to ${target.container.name}?`, detail, actions: [recreate, useNetwork] });
  await context.state.update(deprecationNoticeKey, true);
  if (choice === useNetwork) {
    const connect = { ...connectNetworkCommand, prompt: () => promptConnectNetwork(context.ui, context, [client, target]) };
    void invoke(connect, context, context.ui, []).catch((error: unknown) => context.ui.notify('warning', errorMessage(error)));
    return false;
  }
  return choice === recreate;
}
