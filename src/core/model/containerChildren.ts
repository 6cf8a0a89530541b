import type { ContainerDetails } from '../types';

/**
 * Whether inspect shows anything to list under a container besides its cross-host links: a legacy
 * link it is the client of, or an alias on a network other than its own name. The list API carries
 * neither, so the tree asks once per container version.
 */
export function hasLinksOrAliases(details: ContainerDetails): boolean {
  return details.links.length > 0 || details.networks.some((network) => network.aliases.some((alias) => alias !== details.name));
}
