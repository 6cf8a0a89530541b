import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { ContainerModel } from '../../core/model/containerModel';
import { parseContainerRef } from '../../core/model/containerRef';
import { ContainerSummary } from '../../core/types';
import { ContainerNode, HostNode } from '../tree/treeNodes';

export interface ResolvedContainer {
  hostName: string;
  container: ContainerSummary;
}

/**
 * A command's container, from a tree node, a "host/name" string, `{ container: "host/name" }`,
 * or — when nothing was given — a quick pick. Undefined when the user cancels.
 */
export async function resolveContainerArgument(model: ContainerModel, argument: unknown, placeHolder: string): Promise<ResolvedContainer | undefined> {
  if (argument instanceof ContainerNode) {
    return findOrThrow(model, argument.hostName, argument.containerId);
  }
  const reference = typeof argument === 'string' ? argument : (argument as { container?: unknown } | undefined)?.container;
  if (typeof reference === 'string') {
    const { host, container } = parseContainerRef(reference);
    return findOrThrow(model, host, container);
  }
  return pickContainer(model, placeHolder);
}

/** A host name from a tree node, a string or `{ host }`; undefined means "all hosts". */
export function hostArgument(argument: unknown): string | undefined {
  if (argument instanceof HostNode) {
    return argument.hostName;
  }
  if (typeof argument === 'string') {
    return argument;
  }
  const host = (argument as { host?: unknown } | undefined)?.host;
  return typeof host === 'string' ? host : undefined;
}

function findOrThrow(model: ContainerModel, hostName: string, nameOrId: string): ResolvedContainer {
  const host = model.host(hostName);
  if (!host) {
    const known = model.hosts().map((snapshot) => snapshot.spec.name).join(', ') || 'none';
    throw new ConfigError('invalidOption', `There is no host "${hostName}" (configured: ${known}).`);
  }
  const container = model.findContainer(hostName, nameOrId);
  if (!container) {
    throw new ConfigError('invalidOption', `There is no container "${nameOrId}" on ${hostName}; it may have been removed. Refresh the Containers view and pick again.`);
  }
  return { hostName, container };
}

export async function pickContainer(model: ContainerModel, placeHolder: string): Promise<ResolvedContainer | undefined> {
  type Item = vscode.QuickPickItem & { resolved?: ResolvedContainer };
  const items: Item[] = [];
  for (const host of model.hosts()) {
    items.push({ label: host.spec.name, kind: vscode.QuickPickItemKind.Separator });
    for (const container of host.containers.values()) {
      items.push({
        label: `${container.state === 'running' ? '$(circle-filled)' : '$(circle-outline)'} ${container.name}`,
        description: `${host.spec.name} · ${container.state}`,
        detail: container.image,
        resolved: { hostName: host.spec.name, container },
      });
    }
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked?.resolved;
}
