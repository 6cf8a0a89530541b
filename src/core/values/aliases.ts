/**
 * On user-defined networks engines before API 1.45 add two aliases by themselves: the short
 * container id (12 characters) and the hostname. Only the user's own aliases are shown, carried
 * over on recreation, or reproduced; an alias that merely starts like the id is the user's.
 */
export function userAliases(aliases: readonly string[] | null | undefined, containerId: string, hostname: string | undefined): string[] {
  return (aliases ?? []).filter((alias) => alias !== containerId.slice(0, 12) && alias !== hostname);
}

/** A hostname the engine chose (the short id of some container) rather than the user. */
export function isDefaultHostname(hostname: string): boolean {
  return /^[0-9a-f]{12}$/.test(hostname);
}
