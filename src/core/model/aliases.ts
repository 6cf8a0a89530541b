/**
 * On user-defined networks the engine adds two aliases by itself: the short container id and the
 * hostname. Only the user's own aliases are shown, carried over on recreation, or reproduced.
 */
export function userAliases(aliases: readonly string[] | null | undefined, containerId: string, hostname: string | undefined): string[] {
  return (aliases ?? []).filter((alias) => !containerId.startsWith(alias) && alias !== hostname);
}

/** A hostname the engine chose (the short id of some container) rather than the user. */
export function isDefaultHostname(hostname: string): boolean {
  return /^[0-9a-f]{12}$/.test(hostname);
}
