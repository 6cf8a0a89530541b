import * as vscode from 'vscode';
import { CrossLinkMode } from '../../core/ambassadors/ambassadorLabels';
import { CrossLinkArgs } from '../../core/ambassadors/crossLinkOperations';
import { PortInUseError, reusablePublishedPort } from '../../core/ambassadors/crossLinkPlanner';
import { ConfigError } from '../../core/errors';
import { defaultAlias, portProblem } from '../../core/links/names';
import { VerifyResult } from '../../core/links/verifyLink';
import { formatContainerRef } from '../../core/model/containerRef';
import { ResolvedContainer, inputAlias, pickContainer, pickContainerPort } from '../pickers';
import { withStepProgress } from '../progress';
import { ContainerNode } from '../tree/treeNodes';
import { findContainerRef } from './commandArguments';
import { CommandContext } from './commandContext';
import { scriptedWritableLayer, withWritableLayerChoice } from './writableLayerChoice';
import { withForeignConsent } from './foreignConsent';

export interface LinkAcrossHostsResult {
  serverAmbassador: string;
  clientAmbassador: string;
  verified?: VerifyResult;
}

/**
 * The ambassador pattern from VS Code: target → port → client on another host → alias → how the
 * client reaches it; ends with a verified connection. Args:
 * `{ client: "hostB/name", target: "hostA/name", port, alias?, mode?: "network" | "link", publish?: "reuse" | number, copyChanges?, discardChanges?, confirmForeign? }`
 * (the flags answer for the client's files outside volumes when "link" mode recreates it;
 * `confirmForeign: true` lets it reuse an ambassador or network this installation did not create).
 * From a container's context menu, that container is the target.
 */
export async function linkAcrossHosts(context: CommandContext, argument?: unknown): Promise<LinkAcrossHostsResult | undefined> {
  const scripted = argument !== undefined && !(argument instanceof ContainerNode);
  const args = await (scripted ? scriptedArgs(argument) : promptForArgs(context, argument as ContainerNode | undefined));
  if (!args) {
    return undefined;
  }
  const runOnce = (request: CrossLinkArgs) =>
    withForeignConsent(scripted ? undefined : context.ui, (argument as { confirmForeign?: unknown } | undefined)?.confirmForeign === true, 'Use them', (confirmForeign) =>
      withStepProgress(`Linking ${request.client} → ${request.target}:${request.port}`, (options) =>
        context.crossLinks.link({ ...request, confirmForeign }, { ...options, onPull: (status) => context.logger.info(status) }),
      ),
    );
  const run = (request: CrossLinkArgs) => (scripted ? runOnce(request) : withWritableLayerChoice(context.ui, (writableLayer) => runOnce({ ...request, writableLayer })));
  let result;
  try {
    result = await run(args);
  } catch (error) {
    if (scripted || !PortInUseError.is(error)) {
      throw error;
    }
    const choice = await vscode.window.showWarningMessage(error.message, { modal: true }, `Use Port ${error.suggestedPort}`);
    if (!choice) {
      return undefined;
    }
    result = await run({ ...args, publish: error.suggestedPort });
  }
  if (!result) {
    return undefined;
  }
  const link = (await context.crossLinks.list()).find((candidate) => formatContainerRef(candidate.clientAmbassador.host, candidate.clientAmbassador.name) === result.clientRef);
  const verified = link ? await context.crossLinks.verify(link) : undefined;
  if (link && verified) {
    context.health.record(link, verified);
  }
  if (!scripted) {
    const alias = args.alias ?? '';
    const summary = `${args.client} reaches ${args.target} as ${alias}:${args.port}`;
    if (verified?.ok) {
      void vscode.window.showInformationMessage(`${summary} — verified: ${verified.message}`);
    } else {
      void vscode.window.showWarningMessage(`${summary}, but the check failed: ${verified?.message ?? 'the link was not found'}`, 'Show Log').then((choice) => choice && context.channel.show());
    }
  }
  return { serverAmbassador: result.serverRef, clientAmbassador: result.clientRef, verified };
}

function scriptedArgs(argument: unknown): CrossLinkArgs {
  const raw = argument as Partial<CrossLinkArgs> & { copyChanges?: unknown; discardChanges?: unknown };
  if (typeof raw.client !== 'string' || typeof raw.target !== 'string' || typeof raw.port !== 'number') {
    throw new ConfigError('invalidOption', 'Link Container Across Hosts needs { client: "hostB/name", target: "hostA/name", port: number, alias?, mode? }.');
  }
  const problem = portProblem(raw.port);
  if (problem) {
    throw new ConfigError('invalidOption', problem);
  }
  if (raw.mode !== undefined && raw.mode !== 'network' && raw.mode !== 'link') {
    throw new ConfigError('invalidOption', `"mode" must be "network" or "link", not ${JSON.stringify(raw.mode)}.`);
  }
  const { copyChanges, discardChanges, ...request } = raw;
  return { ...(request as CrossLinkArgs), writableLayer: scriptedWritableLayer({ copyChanges, discardChanges }, 'Link Container Across Hosts') };
}

async function promptForArgs(context: CommandContext, node: ContainerNode | undefined): Promise<CrossLinkArgs | undefined> {
  const target = node
    ? findContainerRef(context.model, formatContainerRef(node.hostName, node.containerId))
    : await pickContainer(context.model, { title: 'Link Container Across Hosts (1/5): target', placeHolder: 'The container to reach from another host (e.g. a database)', unavailable: isAmbassador });
  if (!target) {
    return undefined;
  }
  const port = await pickContainerPort(target, `Link Container Across Hosts (2/5): port of ${target.container.name}`, context.model, context.logger);
  if (port === undefined) {
    return undefined;
  }
  const client = await pickContainer(context.model, {
    title: `Link Container Across Hosts (3/5): client of ${target.container.name}:${port}`,
    placeHolder: `The container that will call ${target.container.name} (on another host than ${target.hostName})`,
    unavailable: (candidate) => (candidate.hostName === target.hostName ? 'same host' : isAmbassador(candidate)),
  });
  if (!client) {
    return undefined;
  }
  const alias = await inputAlias({
    title: 'Link Container Across Hosts (4/5): alias',
    prompt: `The name ${client.container.name} will use: ${defaultAlias(target.container.name)}:${port} reaches ${target.container.name} on ${target.hostName}`,
    value: defaultAlias(target.container.name),
  });
  if (!alias) {
    return undefined;
  }
  const mode = await pickMode(client.container.name);
  if (!mode) {
    return undefined;
  }
  const publish = await pickPublish(context, target, port);
  if (publish === undefined) {
    return undefined;
  }
  return {
    client: formatContainerRef(client.hostName, client.container.name),
    target: formatContainerRef(target.hostName, target.container.name),
    port,
    alias,
    mode,
    publish,
  };
}

function isAmbassador({ container }: ResolvedContainer): string | undefined {
  return container.labels['crosslink.role']?.endsWith('ambassador') ? 'an ambassador' : undefined;
}

async function pickMode(clientName: string): Promise<CrossLinkMode | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Network alias', description: 'recommended: no recreation', detail: `The alias resolves on a user-defined network ${clientName} is on (Crosslink connects it to one if needed).`, mode: 'network' as const },
      { label: 'Legacy link', description: 'recreates the client', detail: `${clientName} is recreated with --link, keeping its settings and volumes; files it wrote elsewhere are listed first.`, mode: 'link' as const },
    ],
    { title: 'Link Container Across Hosts (5/5): how the client reaches the alias', ignoreFocusOut: true },
  );
  return picked?.mode;
}

/** When the target already publishes the port, reusing it needs no server-side ambassador. */
async function pickPublish(context: CommandContext, target: ResolvedContainer, port: number): Promise<'reuse' | number | undefined> {
  const address = context.model.spec(target.hostName)?.address ?? '';
  const details = await context.model.client(target.hostName)?.inspectContainer(target.container.id);
  const published = details && reusablePublishedPort(details, port, address);
  if (!published) {
    return port;
  }
  const picked = await vscode.window.showQuickPick(
    [
      { label: `Reuse ${address}:${published}`, description: `${target.container.name} publishes it already`, publish: 'reuse' as const },
      { label: 'Publish through an ambassador', description: 'on another host port, chosen next', publish: 'ambassador' as const },
    ],
    { title: `Port ${port} of ${target.container.name} is already published`, ignoreFocusOut: true },
  );
  if (!picked) {
    return undefined;
  }
  if (picked.publish === 'reuse') {
    return 'reuse';
  }
  const value = await vscode.window.showInputBox({
    title: `Host port on ${target.hostName} for the ambassador`,
    value: String(published + 1),
    ignoreFocusOut: true,
    validateInput: (text) => portProblem(Number(text.trim())) ?? (Number(text.trim()) === published ? `${published} is taken by ${target.container.name}.` : undefined),
  });
  return value === undefined ? undefined : Number(value.trim());
}
