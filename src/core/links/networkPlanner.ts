import { ConfigError } from '../errors';
import type { ContainerDetails, NetworkSummary } from '../types';
import { type Plan, type PlanStep, newPlan } from '../planning/plan';
import { managedLabels } from '../values/labels';
import { aliasProblem, networkNameProblem } from './names';

export interface NetworkConnectRequest {
  host: string;
  networkName: string;
  /** The network if it exists already. */
  existing?: NetworkSummary;
  containers: ContainerDetails[];
  /** Extra alias per container name. */
  aliases: Record<string, string>;
}

/**
 * Connects containers to a user-defined bridge network (created if missing) so they resolve each
 * other by name and alias, both ways, without recreating anything.
 */
export function planNetworkConnect(request: NetworkConnectRequest): Plan {
  const { host, networkName, existing, containers } = request;
  const nameProblem = networkNameProblem(networkName);
  if (nameProblem) {
    throw new ConfigError('invalidNetworkName', nameProblem);
  }
  if (containers.length === 0) {
    throw new ConfigError('nothingPicked', 'Pick at least one container to connect.');
  }
  if (existing && existing.driver !== 'bridge') {
    throw new ConfigError('networkDriverUnsupported', `Network ${networkName} uses the "${existing.driver}" driver; pick or create a bridge network.`);
  }
  const steps: PlanStep[] = existing ? [] : [{ kind: 'createNetwork', name: networkName, labels: managedLabels('network') }];
  for (const container of containers) {
    const alias = request.aliases[container.name];
    if (alias !== undefined) {
      const problem = aliasProblem(alias);
      if (problem) {
        throw new ConfigError('invalidAlias', `${container.name}: ${problem}`);
      }
    }
    steps.push(...joinNetworkSteps(networkName, container, alias ? [alias] : []));
  }
  return newPlan(host, steps);
}

/**
 * Steps that put `container` on `networkName` with `aliases` as extra names there, none when it is
 * there with them already. Aliases can only be set when connecting, so one attached without them
 * is disconnected and connected again, keeping the aliases it had.
 */
export function joinNetworkSteps(networkName: string, container: ContainerDetails, aliases: string[]): PlanStep[] {
  const mode = (container.raw.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? 'default';
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    throw new ConfigError('networkModeUnsupported', `${container.name} uses network mode "${mode}" and cannot join another network.`);
  }
  const attached = container.networks.find((network) => network.name === networkName);
  const userAliases = attached?.aliases.filter((existingAlias) => existingAlias !== container.name) ?? [];
  if (attached && aliases.every((wanted) => attached.aliases.includes(wanted))) {
    return [];
  }
  const handle = { id: container.id };
  const connect: PlanStep = {
    kind: 'connectNetwork',
    network: networkName,
    container: handle,
    name: container.name,
    endpoint: { Aliases: [...new Set([...userAliases, ...aliases])] },
  };
  return attached ? [{ kind: 'disconnectNetwork', network: networkName, container: handle, name: container.name, restore: { Aliases: userAliases } }, connect] : [connect];
}
