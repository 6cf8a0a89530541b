import * as vscode from 'vscode';
import type { CrossLink } from '../../core/values/labels';
import { ConfigError } from '../../core/errors';
import { verifyLink as verify, type VerifyResult } from '../../core/links/verifyLink';
import { formatContainerRef } from '../../core/values/containerRef';
import { ambassadorImage } from '../hostSettings';
import { inputAlias } from '../pickers';
import { CrossLinkNode, LinkNode } from '../tree/treeNodes';
import { findContainerRef, operationsFor, resolveContainerArgument } from './commandArguments';
import type { CommandContext } from './commandContext';

/**
 * Checks a link hop by hop, each from where it lives, and reports the first failing hop with its
 * cause and what to do (Repair for an ambassador). Args: a link node, or
 * `{ client: "host/name", alias, port? }` (a cross-host link when the client has one with that
 * alias; else a link on one host). Returns `{ ok, hops: [{ name, from, to, ok, ms?, reason?,
 * error? }], failedHop?, reason?, action?, message, resolvedIp?, connectMs?, failedStep? }`.
 */
export async function verifyLink(context: CommandContext, argument?: unknown): Promise<VerifyResult | undefined> {
  if (argument instanceof CrossLinkNode) {
    return verifyCrossLink(context, argument.link, true);
  }
  let request: { client?: string; alias?: string; port?: number } = {};
  if (argument instanceof LinkNode) {
    request = { client: formatContainerRef(argument.hostName, argument.clientName), alias: argument.alias, port: argument.port };
  } else if (argument && typeof argument === 'object') {
    request = argument as typeof request;
  }
  // Scripted callers read the result; people see it as a message.
  const announce = !(argument && typeof argument === 'object' && !(argument instanceof LinkNode));
  const crossLink = request.client && request.alias ? (await context.crossLinks.list()).find((link) => formatContainerRef(link.client.host, link.client.container) === request.client && link.alias === request.alias) : undefined;
  if (crossLink) {
    return verifyCrossLink(context, crossLink, announce);
  }
  const resolved = request.client ? findContainerRef(context.model, request.client) : await resolveContainerArgument(context.model, undefined, 'Container to verify from');
  if (!resolved) {
    return undefined;
  }
  const alias = request.alias ?? (await inputAlias({ title: `Verify a link from ${resolved.container.name}`, prompt: 'The name to resolve and connect to' }));
  if (!alias) {
    return undefined;
  }
  if (request.port !== undefined && typeof request.port !== 'number') {
    throw new ConfigError('invalidOption', `"port" must be a number, got ${JSON.stringify(request.port)}.`);
  }
  const operations = operationsFor(context, resolved.hostName);
  const client = await operations.inspect(resolved.container.id);
  return runCheck(context, client.name, alias, announce, () =>
    verify(context.model.client(resolved.hostName)!, context.logger, { client, alias, port: request.port, helperImage: ambassadorImage() }),
  );
}

async function verifyCrossLink(context: CommandContext, link: CrossLink, announce: boolean): Promise<VerifyResult> {
  const result = await runCheck(context, link.client.container, link.alias, announce, () => context.crossLinks.verify(link), link);
  context.health.record(link, result);
  return result;
}

/**
 * Runs a check under a progress notification, logs every hop, and reports it to the user when
 * `announce`; a cross-host failure an ambassador explains offers Repair right there.
 */
async function runCheck(context: CommandContext, clientName: string, alias: string, announce: boolean, check: () => Promise<VerifyResult>, crossLink?: CrossLink): Promise<VerifyResult> {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Verifying ${alias} from ${clientName}…` }, check);
  context.logger.info(`verify ${clientName} → ${alias}: ${result.message}`);
  for (const hop of result.hops) {
    context.logger.info(`  ${hop.ok ? 'ok' : hop.reason} ${hop.name}: ${hop.from} → ${hop.to}${hop.ms !== undefined ? ` ${hop.ms} ms` : ''}${hop.error ? ` (${hop.error})` : ''}`);
  }
  if (!announce) {
    return result;
  }
  if (result.ok) {
    const ms = result.connectMs !== undefined ? ` (connect ${result.connectMs} ms)` : '';
    void vscode.window.showInformationMessage(`${clientName}: ${result.message}${ms}`);
  } else if (crossLink && result.action === 'repair') {
    void vscode.window.showWarningMessage(`${clientName}: ${result.message}`, 'Repair', 'Show Log').then((choice) => {
      if (choice === 'Repair') {
        void vscode.commands.executeCommand('crosslink.repairCrossLink', new CrossLinkNode(crossLink, 'client'));
      } else if (choice) {
        context.channel.show();
      }
    });
  } else {
    void vscode.window.showWarningMessage(`${clientName}: ${result.message}`, 'Show Log').then((choice) => choice && context.channel.show());
  }
  return result;
}
