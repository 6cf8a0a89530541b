import * as vscode from 'vscode';
import { formatContainerRef } from '../../core/model/containerRef';
import { operationsFor, resolveContainerArgument } from './commandArguments';
import { CommandContext } from './commandContext';

/** Copies the docker commands that reproduce a container (and the networks and volumes Crosslink made for it). */
export async function copyDockerCommands(context: CommandContext, argument?: unknown): Promise<{ container: string; commands: string[] } | undefined> {
  const resolved = await resolveContainerArgument(context.model, argument, 'Container to copy as docker commands');
  if (!resolved) {
    return undefined;
  }
  const commands = await operationsFor(context, resolved.hostName).dockerCommands(resolved.container.id);
  await vscode.env.clipboard.writeText(commands.join('\n'));
  vscode.window.setStatusBarMessage(`Copied ${commands.length} docker command${commands.length === 1 ? '' : 's'} for ${resolved.container.name}`, 4000);
  return { container: formatContainerRef(resolved.hostName, resolved.container.name), commands };
}
