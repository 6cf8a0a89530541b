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
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Verifying ${argument.link.alias} from ${argument.link.client.container}…` }, () =>
      context.crossLinks.verify(argument.link),
    );
    context.health.record(argument.link, result);
    void (result.ok ? vscode.window.showInformationMessage(`${argument.link.client.container}: ${result.message}`) : vscode.window.showWarningMessage(`${argument.link.client.container}: ${result.message}`));
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
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Verifying ${alias} from ${client.name}…` }, () =>
    verify(context.model.client(resolved.hostName)!, context.logger, { client, alias, port: request.port, helperImage: ambassadorImage() }),
  );
  context.logger.info(`verify ${client.name} → ${alias}: ${result.message}`);
  if (!(argument && typeof argument === 'object' && !(argument instanceof LinkNode))) {
    const show = result.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`${client.name}: ${result.message}`);
  }
  return result;
}
