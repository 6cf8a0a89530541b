/** Validation of what users type for links, networks and mounts; each returns why not, or undefined. */

const dnsLabel = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const dockerObjectName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const reservedNetworks = new Set(['bridge', 'host', 'none', 'default']);

export function aliasProblem(alias: string): string | undefined {
  if (alias.length === 0) {
    return 'Enter an alias, e.g. "database".';
  }
  if (!dnsLabel.test(alias)) {
    return `"${alias}" is not a DNS label: use letters, digits and "-" (not first or last), at most 63 characters.`;
  }
  return undefined;
}

/** The target's name when it is a valid alias, else the closest valid one ("my_db.1" → "my-db-1"). */
export function defaultAlias(targetName: string): string {
  const cleaned = targetName
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return cleaned || 'target';
}

export function networkNameProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'Enter a network name, e.g. "app-net".';
  }
  if (reservedNetworks.has(name)) {
    return `"${name}" is a built-in network without name resolution; choose a user-defined bridge network.`;
  }
  if (!dockerObjectName.test(name)) {
    return `"${name}" is not a valid network name: use letters, digits, "_", "." or "-", starting with a letter or digit.`;
  }
  return undefined;
}

export function volumeNameProblem(name: string): string | undefined {
  if (name.length < 2 || !dockerObjectName.test(name)) {
    return `"${name}" is not a valid volume name: at least two characters, letters, digits, "_", "." or "-", starting with a letter or digit.`;
  }
  return undefined;
}

export function mountPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) {
    return 'The mount path must be absolute, e.g. "/data".';
  }
  if (path === '/' || /(^|\/)\.\.?(\/|$)/.test(path) || path.includes(':')) {
    return `"${path}" cannot be a mount path: not "/", no "." or ".." segments, no ":".`;
  }
  return undefined;
}

export function portProblem(port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `${port} is not a port: use a whole number from 1 to 65535.`;
}
