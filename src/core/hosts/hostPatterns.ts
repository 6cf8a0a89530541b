/**
 * OpenSSH pattern lists (ssh_config `Host`, known_hosts names): `*` and `?` wildcards,
 * case-insensitive, `!pattern` vetoes a match.
 */
export function matchesPatternList(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) {
        return false;
      }
      matched = true;
    }
  }
  return matched;
}

/** `*` and `?` wildcards; host names compare case-insensitively, file names (Include) exactly. */
export function globToRegExp(pattern: string, flags = 'i'): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, flags);
}
