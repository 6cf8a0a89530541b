import { ConfigError } from '../../core/errors';
import type { ContainerModel } from '../../core/model/containerModel';
import { parseContainerRef } from '../../core/values/containerRef';
import { LinkOperations } from '../../core/links/linkOperations';
import type { ResolvedContainer } from '../prompts';
import type { CommandContext } from './commandContext';

export function findContainerRef(model: ContainerModel, reference: string): ResolvedContainer {
  const { host, container } = parseContainerRef(reference);
  return findOrThrow(model, host, container);
}

/** The link operations of one host, bound to its client. */
export function operationsFor(context: CommandContext, hostName: string): LinkOperations {
  const client = context.model.client(hostName);
  if (!client) {
    throw new ConfigError('hostUnknown', `There is no host "${hostName}".`);
  }
  return new LinkOperations(hostName, client, context.logger, context.journal);
}

function findOrThrow(model: ContainerModel, hostName: string, nameOrId: string): ResolvedContainer {
  const host = model.host(hostName);
  if (!host) {
    const known =
      model
        .hosts()
        .map((snapshot) => snapshot.spec.name)
        .join(', ') || 'none';
    throw new ConfigError('hostUnknown', `There is no host "${hostName}" (configured: ${known}).`);
  }
  const container = model.findContainer(hostName, nameOrId);
  if (!container) {
    throw new ConfigError('containerNotFound', `There is no container "${nameOrId}" on ${hostName}; it may have been removed. Refresh the Containers view and pick again.`);
  }
  return { hostName, container };
}
