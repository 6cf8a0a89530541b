import { ConfigError } from '../../core/errors';
import type { ContainerModel } from '../../core/model/containerModel';
import { parseContainerRef } from '../../core/values/containerRef';
import { LinkOperations } from '../../core/links/linkOperations';
import { type ResolvedContainer, pickContainer } from '../pickers';
import { ContainerNode, HostNode } from '../tree/treeNodes';
import type { CommandContext } from './commandContext';


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
    return findContainerRef(model, reference);
  }
  return pickContainer(model, { title: placeHolder, placeHolder });
}

export function findContainerRef(model: ContainerModel, reference: string): ResolvedContainer {
  const { host, container } = parseContainerRef(reference);
  return findOrThrow(model, host, container);
}

/** The link operations of one host, bound to its client. */
export function operationsFor(context: CommandContext, hostName: string): LinkOperations {
  const client = context.model.client(hostName);
  if (!client) {
    throw new ConfigError('invalidOption', `There is no host "${hostName}".`);
  }
  return new LinkOperations(hostName, client, context.logger, context.journal);
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
