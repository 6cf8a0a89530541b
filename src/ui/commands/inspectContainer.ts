import * as vscode from 'vscode';
import { HostError } from '../../core/errors';
import { formatContainerRef } from '../../core/model/containerRef';
import { resolveContainerArgument } from './commandArguments';
import { CommandContext } from './commandContext';

/** Opens `docker inspect` of a container as JSON in an editor. Args: container node, "host/name" or `{ container }`. */
export async function inspectContainer({ model }: CommandContext, argument?: unknown): Promise<{ container: string; id: string } | undefined> {
  const resolved = await resolveContainerArgument(model, argument, 'Container to inspect');
  if (!resolved) {
    return undefined;
  }
  const client = model.client(resolved.hostName);
  if (!client) {
    throw new HostError(resolved.hostName, 'closed', `${resolved.hostName} is no longer configured.`);
  }
  const details = await client.inspectContainer(resolved.container.id);
  const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(details.raw, null, 2) });
  await vscode.window.showTextDocument(document, { preview: true });
  return { container: formatContainerRef(resolved.hostName, details.name), id: details.id };
}
