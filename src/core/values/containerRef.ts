import { ConfigError } from '../errors';

/** A container as commands name it: "host/container". */
export interface ContainerRef {
  host: string;
  container: string;
}

export function parseContainerRef(reference: string): ContainerRef {
  const slash = reference.indexOf('/');
  if (slash <= 0 || slash === reference.length - 1) {
    throw new ConfigError('invalidReference', `"${reference}" does not name a container; write it as "host/container", e.g. "staging/web".`);
  }
  return { host: reference.slice(0, slash), container: reference.slice(slash + 1) };
}

export function formatContainerRef(host: string, container: string): string {
  return `${host}/${container}`;
}
