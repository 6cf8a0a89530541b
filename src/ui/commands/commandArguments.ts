import { ConfigError } from '../../core/errors';
import { ContainerModel } from '../../core/model/containerModel';
import { formatContainerRef, parseContainerRef } from '../../core/model/containerRef';
import { LinkOperations } from '../../core/links/linkOperations';
import { ContainerPickOptions, ResolvedContainer, pickContainer, pickContainers } from '../pickers';
import { ContainerNode, HostNode } from '../tree/treeNodes';
import { CommandContext } from './commandContext';


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

/** `"host/name"` references that must all name containers of one host (links, networks and volumes are per host). */
export function resolveSameHostRefs(model: ContainerModel, references: unknown, what: string): { hostName: string; containers: ResolvedContainer[] } {
  if (!Array.isArray(references) || references.length === 0 || references.some((reference) => typeof reference !== 'string')) {
    throw new ConfigError('invalidOption', `${what} needs "containers": a list of "host/name" references.`);
  }
  const containers = references.map((reference: string) => {
    const { host, container } = parseContainerRef(reference);
    return findOrThrow(model, host, container);
  });
  assertSameHost(containers, what);
  return { hostName: containers[0].hostName, containers };
}

export function assertSameHost(containers: ResolvedContainer[], what: string): void {
  const hosts = [...new Set(containers.map((resolved) => resolved.hostName))];
  if (hosts.length > 1) {
    throw new ConfigError(
      'invalidOption',
      `${what} works on one host, but the containers are on ${hosts.join(' and ')}. To connect containers on different hosts, use "Link Container Across Hosts".`,
    );
  }
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

/**
 * Several containers of one host: from `references` when scripted, else a multi-select quick pick
 * (a container the command was started on is preselected, and only its host is offered).
 */
export async function containersArgument(
  context: CommandContext,
  argument: unknown,
  references: unknown,
  what: string,
  pick: Pick<ContainerPickOptions, 'title' | 'placeHolder' | 'unavailable'>,
): Promise<{ hostName: string; containers: ResolvedContainer[] } | undefined> {
  if (references !== undefined) {
    return resolveSameHostRefs(context.model, references, what);
  }
  const node = argument instanceof ContainerNode ? argument : undefined;
  const preselected = node ? findContainerRef(context.model, formatContainerRef(node.hostName, node.containerId)) : undefined;
  const containers = await pickContainers(context.model, {
    ...pick,
    hostName: preselected?.hostName,
    picked: preselected ? new Set([preselected.container.id]) : undefined,
  });
  if (!containers) {
    return undefined;
  }
  assertSameHost(containers, what);
  return { hostName: containers[0].hostName, containers };
}
