import { ConfigError } from '../errors';
import type { ContainerDetails } from '../types';
import { type Plan, newPlan } from '../planning/plan';
import { type RecreateSubject, recreateSteps } from '../planning/recreate';
import { aliasProblem } from './names';
import { podmanLegacyLinkProblem } from '../hosts/engines';

export interface LegacyLinkRequest {
  host: string;
  client: RecreateSubject;
  target: ContainerDetails;
  alias: string;
}

/**
 * Recreates the client with `--link target:alias`. Legacy links only work between containers on
 * the default bridge; elsewhere a network alias does the same without recreation.
 */
export function planLegacyLink(request: LegacyLinkRequest): Plan {
  const { host, target, alias } = request;
  const client = request.client.details;
  if (client.id === target.id) {
    throw new ConfigError('selfLink', `A container cannot be linked to itself (${client.name}).`);
  }
  const problem = aliasProblem(alias);
  if (problem) {
    throw new ConfigError('invalidAlias', problem);
  }
  const podmanProblem = podmanLegacyLinkProblem(client) ?? podmanLegacyLinkProblem(target);
  if (podmanProblem) {
    throw new ConfigError('engineUnsupported', podmanProblem);
  }
  const clientMode = (client.raw.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? 'default';
  if (!['default', 'bridge'].includes(clientMode)) {
    throw new ConfigError(
      'bridgeRequired',
      `${client.name} uses network "${clientMode}", and legacy links work only on the default bridge. Use "Connect Containers on a Network" to reach ${target.name} by name.`,
    );
  }
  if (!target.networks.some((network) => network.name === 'bridge')) {
    throw new ConfigError(
      'bridgeRequired',
      `${target.name} is not on the default bridge network, so a legacy link cannot reach it. Use "Connect Containers on a Network" instead.`,
    );
  }
  const existing = client.links.find((link) => link.split(':')[1] === alias);
  if (existing) {
    if (existing.split(':')[0] === target.name) {
      return newPlan(host, []);
    }
    throw new ConfigError('aliasTaken', `${client.name} already links "${alias}" to ${existing.split(':')[0]}; choose another alias.`);
  }
  return newPlan(host, recreateSteps(request.client, { addLinks: [`${target.name}:${alias}`] }, 'linked-client'));
}
