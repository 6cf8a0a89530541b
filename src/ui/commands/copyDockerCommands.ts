import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { type DockerCommands, type DockerCommandsOptions, redacted } from '../../core/links/dockerCommands';
import { formatContainerRef } from '../../core/values/containerRef';
import { AliasNode, CrossLinkNode, LinkNode } from '../tree/treeNodes';
import { operationsFor, resolveContainerArgument } from './commandArguments';
import type { CommandContext } from './commandContext';

export interface CopiedDockerCommands {
  container: string;
  commands: string[];
  /** Secret-looking values replaced by `<redacted>` (0 with `includeSecrets`). */
  maskedValues: number;
}

/**
 * Copies the docker commands that reproduce a container, or a whole link (cross-host, legacy link,
 * network alias) from its tree node. Secret-looking env and log-option values are masked; the
 * notification then offers "Copy with Secrets". Scripted: `{ container: "host/name", includeSecrets?: true }`
 * returns `{ container, commands, maskedValues }` without a notification.
 */
export async function copyDockerCommands(context: CommandContext, argument?: unknown): Promise<CopiedDockerCommands | undefined> {
  const scripted = isScripted(argument);
  const includeSecrets = scripted ? (argument as { includeSecrets?: unknown }).includeSecrets : undefined;
  if (includeSecrets !== undefined && typeof includeSecrets !== 'boolean') {
    throw new ConfigError('invalidOption', `"includeSecrets" must be true or false, got ${JSON.stringify(includeSecrets)}.`);
  }
  const source = await commandSource(context, argument);
  if (!source) {
    return undefined;
  }
  const result = await source.generate({ includeSecrets: includeSecrets === true });
  await vscode.env.clipboard.writeText(result.lines.join('\n'));
  if (!scripted) {
    void announce(source, result);
  }
  return { container: source.container, commands: result.lines, maskedValues: result.maskedValues };
}

interface CommandSource {
  what: string;
  container: string;
  generate(options: DockerCommandsOptions): Promise<DockerCommands>;
}

async function commandSource(context: CommandContext, argument: unknown): Promise<CommandSource | undefined> {
  if (argument instanceof CrossLinkNode) {
    const { link } = argument;
    return {
      what: `the link ${link.client.container} → ${link.alias}`,
      container: formatContainerRef(link.client.host, link.client.container),
      generate: (options) => context.crossLinks.dockerCommands(link, options),
    };
  }
  if (argument instanceof LinkNode) {
    const operations = operationsFor(context, argument.hostName);
    return {
      what: `the link ${argument.clientName} → ${argument.alias}`,
      container: formatContainerRef(argument.hostName, argument.clientName),
      generate: (options) => operations.legacyLinkDockerCommands(argument.clientName, argument.target, options),
    };
  }
  if (argument instanceof AliasNode) {
    const operations = operationsFor(context, argument.hostName);
    return {
      what: `${argument.containerName} as ${argument.alias} on ${argument.network}`,
      container: formatContainerRef(argument.hostName, argument.containerName),
      generate: (options) => operations.networkAliasDockerCommands(argument.containerName, argument.network, options),
    };
  }
  const resolved = await resolveContainerArgument(context.model, argument, 'Container to copy as docker commands');
  if (!resolved) {
    return undefined;
  }
  const operations = operationsFor(context, resolved.hostName);
  return {
    what: resolved.container.name,
    container: formatContainerRef(resolved.hostName, resolved.container.name),
    generate: (options) => operations.dockerCommands(resolved.container.id, options),
  };
}

/** Says what was copied; when values were masked, says how many and offers to copy them too. */
async function announce(source: CommandSource, result: DockerCommands): Promise<void> {
  if (result.maskedValues === 0) {
    vscode.window.setStatusBarMessage(`Copied the docker commands for ${source.what}`, 4000);
    return;
  }
  const values = result.maskedValues === 1 ? '1 secret-looking value is' : `${result.maskedValues} secret-looking values are`;
  const choice = await vscode.window.showInformationMessage(
    `Copied the docker commands for ${source.what}. ${values} masked as ${redacted} (env variables and log options named like *PASSWORD*, *TOKEN*, *SECRET*, *KEY*).`,
    'Copy with Secrets',
  );
  if (choice === 'Copy with Secrets') {
    const withSecrets = await source.generate({ includeSecrets: true });
    await vscode.env.clipboard.writeText(withSecrets.lines.join('\n'));
    vscode.window.setStatusBarMessage(`Copied the docker commands for ${source.what}, secrets included`, 4000);
  }
}

/** A plain `{ container, … }` object from executeCommand, as opposed to a tree node or nothing. */
function isScripted(argument: unknown): boolean {
  return typeof argument === 'string' || (typeof argument === 'object' && argument !== null && !(argument instanceof CrossLinkNode) && !(argument instanceof LinkNode) && !(argument instanceof AliasNode) && Object.getPrototypeOf(argument) === Object.prototype);
}
