import * as vscode from 'vscode';
import { ConfigError, errorMessage } from '../../core/errors';
import { defaultAlias } from '../../core/links/names';
import { formatContainerRef } from '../../core/model/containerRef';
import { ResolvedContainer, inputAlias, pickContainer } from '../pickers';
import { withStepProgress } from '../progress';
import { ContainerNode } from '../tree/treeNodes';
import { findContainerRef, operationsFor } from './commandArguments';
import { invoke } from './command';
import { CommandContext } from './commandContext';
import { connectNetworkCommand, promptConnectNetwork } from './connectNetwork';
import { scriptedWritableLayer, withWritableLayerChoice, writableLayerNote } from './writableLayerChoice';

const deprecationNoticeKey = 'crosslink.legacyLinkNoticeShown';

/**
 * Legacy `--link`: the client is recreated with the link, keeping every setting and its volumes.
 * Args: `{ client: "host/name", target: "host/name", alias?, copyChanges?, discardChanges? }`, or
 * a container node (the client). Files the client wrote outside volumes are copied, left behind,
 * or (scripted, neither flag) the call is refused with an UnsavedChangesError naming them.
 */
export async function linkContainers(context: CommandContext, argument?: unknown): Promise<{ client: string } | undefined> {
  const scripted = argument !== undefined && !(argument instanceof ContainerNode);
  const request = scripted ? (argument as { client?: unknown; target?: unknown; alias?: unknown; copyChanges?: unknown; discardChanges?: unknown }) : {};
  const writableLayer = scriptedWritableLayer(request, 'Link Containers');
  const client = await clientArgument(context, argument, request.client);
  if (!client) {
    return undefined;
  }
  const target = typeof request.target === 'string' ? findContainerRef(context.model, request.target) : await pickTarget(context, client);
  if (!target) {
    return undefined;
  }
  if (target.hostName !== client.hostName) {
    throw new ConfigError(
      'invalidOption',
      `${client.container.name} is on ${client.hostName} and ${target.container.name} on ${target.hostName}: links work on one host. Use "Link Container Across Hosts" to connect them through ambassadors.`,
    );
  }
  const alias =
    typeof request.alias === 'string'
      ? request.alias
      : scripted
        ? undefined
        : await inputAlias({
            title: `Link ${client.container.name} → ${target.container.name}: alias`,
            prompt: `The name ${client.container.name} will use to reach ${target.container.name}`,
            value: defaultAlias(target.container.name),
          });
  if (!scripted) {
    if (alias === undefined || !(await confirmRecreation(context, client, target))) {
      return undefined;
    }
  }
  const operations = operationsFor(context, client.hostName);
  const run = (choice = writableLayer) =>
    withStepProgress(`Linking ${client.container.name} → ${target.container.name}`, (options) =>
      operations.linkContainers({ client: client.container.name, target: target.container.name, alias, writableLayer: choice }, options),
    );
  const plan = scripted ? await run() : await withWritableLayerChoice(context.ui, run);
  if (!plan) {
    return undefined;
  }
  const reference = formatContainerRef(client.hostName, client.container.name);
  if (!scripted) {
    const message = plan.steps.length === 0 ? `${client.container.name} already links to ${target.container.name}.` : `${client.container.name} now reaches ${target.container.name} as "${alias ?? defaultAlias(target.container.name)}".`;
    void vscode.window.showInformationMessage(message, 'Verify').then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand('crosslink.verifyLink', { client: reference, alias: alias ?? defaultAlias(target.container.name) });
      }
    });
  }
  return { client: reference };
}

async function clientArgument(context: CommandContext, argument: unknown, reference: unknown): Promise<ResolvedContainer | undefined> {
  if (argument instanceof ContainerNode) {
    return findContainerRef(context.model, formatContainerRef(argument.hostName, argument.containerId));
  }
  if (typeof reference === 'string') {
    return findContainerRef(context.model, reference);
  }
  if (argument !== undefined) {
    throw new ConfigError('invalidOption', 'Link Containers needs { client: "host/name", target: "host/name", alias? }.');
  }
  return pickContainer(context.model, {
    title: 'Link Containers (1/3): client',
    placeHolder: 'The container that will call the other one (it is recreated with the link)',
    unavailable: ({ container }) => (container.labels['crosslink.managed'] === 'true' ? 'managed by Crosslink' : undefined),
  });
}

/** Only containers a legacy link can reach: same host, on the default bridge, not the client itself. */
function pickTarget(context: CommandContext, client: ResolvedContainer): Promise<ResolvedContainer | undefined> {
  return pickContainer(context.model, {
    title: `Link Containers (2/3): target of ${client.container.name}`,
    placeHolder: `The container ${client.container.name} will reach by name (containers on ${client.hostName}'s default bridge)`,
    hostName: client.hostName,
    unavailable: ({ container }) =>
      container.id === client.container.id ? 'itself' : container.networks.some((network) => network.name === 'bridge') ? undefined : 'not on the default bridge',
  });
}

/** Recreation stops the client briefly; say so once, with the deprecation and the alternative. */
async function confirmRecreation(context: CommandContext, client: ResolvedContainer, target: ResolvedContainer): Promise<boolean> {
  const recreate = 'Recreate and Link';
  const useNetwork = 'Use a Network Instead';
  const noticeShown = context.state.get<boolean>(deprecationNoticeKey, false);
  const detail =
    `${client.container.name} will be stopped, recreated with the link and started again; its settings and volumes are kept, ${writableLayerNote}, and the original is restored if anything fails.` +
    (noticeShown ? '' : '\n\nLegacy links are deprecated by Docker. A user-defined network does the same in both directions, without recreating anything.');
  const choice = await vscode.window.showWarningMessage(`Link ${client.container.name} to ${target.container.name}?`, { modal: true, detail }, recreate, useNetwork);
  await context.state.update(deprecationNoticeKey, true);
  if (choice === useNetwork) {
    const connect = { ...connectNetworkCommand, prompt: () => promptConnectNetwork(context.ui, context, [client, target]) };
    void invoke(connect, context, context.ui, []).catch((error: unknown) => context.ui.notify('warning', errorMessage(error)));
    return false;
  }
  return choice === recreate;
}
