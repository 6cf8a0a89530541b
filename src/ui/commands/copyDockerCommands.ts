import * as vscode from 'vscode';
import { formatContainerRef } from '../../core/model/containerRef';
import { CrossLinkNode } from '../tree/treeNodes';
import { operationsFor, resolveContainerArgument } from './commandArguments';
import { CommandContext } from './commandContext';

/** Copies the docker commands that reproduce a container (and the networks and volumes Crosslink made for it). */
export async function copyDockerCommands(context: CommandContext, argument?: unknown): Promise<{ container: string; commands: string[] } | undefined> {
  if (argument instanceof CrossLinkNode) {
    const commands = await context.crossLinks.dockerCommands(argument.link);
    await copy(commands, `the link ${argument.link.client.container} → ${argument.link.alias}`);
    return { container: formatContainerRef(argument.link.client.host, argument.link.client.container), commands };
  }
  const resolved = await resolveContainerArgument(context.model, argument, 'Container to copy as docker commands');
  if (!resolved) {
    return undefined;
  }
  const commands = await operationsFor(context, resolved.hostName).dockerCommands(resolved.container.id);
  await copy(commands, resolved.container.name);
  return { container: formatContainerRef(resolved.hostName, resolved.container.name), commands };
}

async function copy(commands: string[], what: string): Promise<void> {
  await vscode.env.clipboard.writeText(commands.join('\n'));
  vscode.window.setStatusBarMessage(`Copied the docker commands for ${what}`, 4000);
}
