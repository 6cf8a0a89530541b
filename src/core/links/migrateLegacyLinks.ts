import { ConfigError } from '../errors';
import type { ContainerDetails, NetworkSummary } from '../types';
import { type Plan, type PlanStep, newPlan } from '../planning/plan';
import { type RecreateSubject, recreateSteps } from '../planning/recreate';
import { isManaged, managedLabels } from '../values/labels';
import { type LegacyLink, fixedLinkVariables, legacyLinks } from './linkVariables';
import { networkNameProblem } from './names';
import { joinNetworkSteps } from './networkPlanner';

export interface MigrateLinksRequest {
  host: string;
  /** The container with the legacy links; it is recreated without them. */
  client: RecreateSubject;
  /** Its links' targets, inspected. */
  targets: ContainerDetails[];
  network: string;
  /** The network if it exists already. */
  existing?: NetworkSummary;
  /** The other containers on an existing network, with their aliases there: an alias they answer to is taken. */
  others: Array<{ name: string; aliases: string[] }>;
  /** Set the link variables the engine injected as fixed env vars on the recreated container. */
  keepLinkVariables: boolean;
}

export interface LinkMigration {
  plan: Plan;
  network: string;
  /** The links now served by the network: each alias is the target's name or alias there. */
  moved: LegacyLink[];
  /** Links to Crosslink's ambassadors, left as they are: their cross-host link owns them (Repair and Remove expect them). */
  kept: LegacyLink[];
  /** Names of the env vars set on the recreated container. */
  env: string[];
}

/** Ref of the recreated client in the plan (ExecutionResult.created gives its id). */
export const migratedClientRef = 'migrated-client';

/**
 * Moves a container off its legacy links: each target joins a user-defined bridge network
 * (created if missing) with the link's alias as a network alias there, without recreation; then
 * the client is recreated, every other setting kept, without the links and on that network too.
 * Names on a user-defined network resolve through Docker's DNS, so the client reaches every alias
 * as before. The client keeps its other networks (the default bridge included), so what else
 * reached it or it reached stays as it was.
 */
export function planMigrateLegacyLinks(request: MigrateLinksRequest): LinkMigration {
  const { host, network, existing, targets } = request;
  const client = request.client.details;
  const links = legacyLinks(client);
  if (links.length === 0) {
    throw new ConfigError('noLegacyLinks', `${client.name} has no legacy links (--link); there is nothing to migrate.`);
  }
  const mode = (client.raw.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? 'default';
  if (!['default', 'bridge'].includes(mode)) {
    throw new ConfigError(
      'networkModeUnsupported',
      `${client.name} uses network "${mode}", where its links already resolve through Docker's DNS and set no link variables; it needs no migration.`,
    );
  }
  const nameProblem = networkNameProblem(network);
  if (nameProblem) {
    throw new ConfigError('invalidNetworkName', nameProblem);
  }
  if (existing && existing.driver !== 'bridge') {
    throw new ConfigError('networkDriverUnsupported', `Network ${network} uses the "${existing.driver}" driver; pick or create a bridge network.`);
  }
  const targetOf = (link: LegacyLink) => {
    const target = targets.find((candidate) => candidate.name === link.target);
    if (!target) {
      throw new ConfigError('containerNotFound', `${client.name} links to ${link.target}, which was not found. Start or create ${link.target} again, then migrate.`);
    }
    return target;
  };
  const kept = links.filter((link) => isManaged(targetOf(link).labels));
  const moved = links.filter((link) => !kept.includes(link));
  if (moved.length === 0) {
    throw new ConfigError(
      'linksOwnedByCrossLink',
      `The legacy links of ${client.name} belong to cross-host links (${kept.map((link) => link.alias).join(', ')}); Repair or Remove those instead.`,
    );
  }
  checkAliasesFree(request, moved);

  const steps: PlanStep[] = existing ? [] : [{ kind: 'createNetwork', name: network, labels: managedLabels('network') }];
  for (const target of targets.filter((candidate) => moved.some((link) => link.target === candidate.name))) {
    // A link whose alias is the target's own name needs no alias: the name resolves on the network.
    const aliases = moved.filter((link) => link.target === target.name && link.alias !== target.name).map((link) => link.alias);
    steps.push(...joinNetworkSteps(network, target, aliases));
  }
  const env = request.keepLinkVariables
    ? linkVariablesToSet(
        client,
        moved.map((link) => ({ link, target: targetOf(link) })),
      )
    : [];
  const onNetwork = client.networks.some((attached) => attached.name === network);
  steps.push(
    ...recreateSteps(
      request.client,
      {
        removeLinkAliases: moved.map((link) => link.alias),
        addNetworks: onNetwork ? [] : [{ network, endpoint: { Aliases: null } }],
        addEnv: env,
      },
      migratedClientRef,
    ),
  );
  return { plan: newPlan(host, steps), network, moved, kept, env: env.map((entry) => entry.split('=')[0]) };
}

/**
 * Each alias must name only its target on the network: another container there with that name or
 * alias would make the name resolve to either of them.
 */
function checkAliasesFree(request: MigrateLinksRequest, moved: LegacyLink[]): void {
  const names = [
    ...request.others,
    { name: request.client.details.name, aliases: [] },
    ...request.targets.map((target) => ({ name: target.name, aliases: target.networks.find((attached) => attached.name === request.network)?.aliases ?? [] })),
  ];
  for (const link of moved) {
    const taken = names.find(({ name, aliases }) => name !== link.target && (name === link.alias || aliases.includes(link.alias)));
    if (taken) {
      throw new ConfigError(
        'aliasTaken',
        `On network ${request.network}, "${link.alias}" already names ${taken.name}, so it could not name ${link.target} as well. Pick another network (or leave the network out to use a new one).`,
      );
    }
  }
}

/**
 * The link variables to set: the engine's, with the alias for the address (see fixedLinkVariables),
 * except those the container sets itself, which the engine let win over its own and which stay.
 * When two links give one name, the first link's value is kept.
 */
export function linkVariablesToSet(client: ContainerDetails, links: Array<{ link: LegacyLink; target: ContainerDetails }>): string[] {
  const own = new Set(((client.raw.Config as { Env?: string[] | null } | undefined)?.Env ?? []).map((entry) => entry.split('=')[0]));
  const byName = new Map<string, string>();
  for (const { link, target } of links) {
    for (const entry of fixedLinkVariables(client.name, link, target)) {
      const name = entry.split('=')[0];
      if (!own.has(name) && !byName.has(name)) {
        byName.set(name, entry);
      }
    }
  }
  return [...byName.values()];
}

/** The network to offer: a user-defined bridge network every target is on already, else a new one named after the client. */
export function suggestedNetwork(client: Pick<ContainerDetails, 'name'>, targets: Array<Pick<ContainerDetails, 'networks'>>, networks: NetworkSummary[]): string {
  const shared = networks.find(
    (candidate) =>
      candidate.driver === 'bridge' &&
      !networkNameProblem(candidate.name) &&
      targets.length > 0 &&
      targets.every((target) => target.networks.some((attached) => attached.name === candidate.name)),
  );
  return shared?.name ?? `${client.name}-links`;
}
