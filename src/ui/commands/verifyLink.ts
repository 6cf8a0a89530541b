import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { verifyLink as verify, VerifyResult } from '../../core/links/verifyLink';
import { formatContainerRef } from '../../core/model/containerRef';
import { ambassadorImage } from '../hostSettings';
import { inputAlias } from '../pickers';
import { CrossLinkNode, LinkNode } from '../tree/treeNodes';
import { findContainerRef, operationsFor, resolveContainerArgument } from './commandArguments';
import { CommandContext } from './commandContext';

/**
 * From inside the client: resolves the alias and opens a TCP connection to the port, reporting the
 * resolved IP, the connect time or the failing step. Args: a link node, or
 * `{ client: "host/name", alias, port? }` (port: the target's first exposed port when omitted).
 */
export async function verifyLink(context: CommandContext, argument?: unknown): Promise<VerifyResult | undefined> {
  if (argument instanceof CrossLinkNode) {
    const { link } = argument;
    const result = await runCheck(context, link.client.container, link.alias, true, () => context.crossLinks.verify(link));
    context.health.record(link, result);
    return result;
  }
  let request: { client?: string; alias?: string; port?: number } = {};
  if (argument instanceof LinkNode) {
    request = { client: formatContainerRef(argument.hostName, argument.clientName), alias: argument.alias, port: argument.port };
  } else if (argument && typeof argument === 'object') {
    request = argument as typeof request;
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
  // Scripted callers read the result; people see it as a message.
  const announce = !(argument && typeof argument === 'object' && !(argument instanceof LinkNode));
  return runCheck(context, client.name, alias, announce, () =>
    verify(context.model.client(resolved.hostName)!, context.logger, { client, alias, port: request.port, helperImage: ambassadorImage() }),
  );
}

/** Runs a check under a progress notification, logs it, and reports it to the user when `announce`. */
async function runCheck(context: CommandContext, clientName: string, alias: string, announce: boolean, check: () => Promise<VerifyResult>): Promise<VerifyResult> {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Verifying ${alias} from ${clientName}…` }, check);
  context.logger.info(`verify ${clientName} → ${alias}: ${result.message}`);
  if (announce) {
    void (result.ok ? vscode.window.showInformationMessage(`${clientName}: ${result.message}`) : vscode.window.showWarningMessage(`${clientName}: ${result.message}`));
  }
  return result;
}
