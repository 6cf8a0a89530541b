// A reply that never comes: a DockerClient whose chosen calls reach the engine and do their work,
// and whose answer is then lost (the caller sees a timeout), as when a connection drops mid-call.
import { HostError } from '../../src/core/errors';
import type { DockerClient } from '../../src/core/hosts/dockerClient';
import type { HostDirectory } from '../../src/core/hosts/hostDirectory';

/**
 * `client` with the reply of every call for which `loses(call, args)` is true lost after the engine
 * acted; each such call's name is pushed to `lost`, in order.
 */
export function losingReplies(client: DockerClient, loses: (call: string, args: unknown[]) => boolean, lost: string[]): DockerClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') {
        return value;
      }
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        // Synchronous members (dispose) stay synchronous; only a call that answers later can lose its answer.
        if (!(result instanceof Promise) || !loses(String(property), args)) {
          return result;
        }
        return result.then(() => {
          lost.push(String(property));
          throw new HostError(target.hostName, 'timeout', `${target.hostName}: no answer in time (the reply was lost after ${String(property)})`);
        });
      };
    },
  });
}

/** The calls that change a host, for "every reply lost". */
export const mutatingCalls = new Set([
  'createVolume',
  'renameContainer',
  'stopContainer',
  'createContainer',
  'startContainer',
  'removeContainer',
  'connectNetwork',
  'disconnectNetwork',
  'createNetwork',
  'removeNetwork',
]);

/** Only the first call for which `matches` is true loses its reply. */
export function once(matches: (call: string, args: unknown[]) => boolean): (call: string, args: unknown[]) => boolean {
  let done = false;
  return (call, args) => {
    if (done || !matches(call, args)) {
      return false;
    }
    done = true;
    return true;
  };
}

/** A host directory whose clients pass through `wrap` (for operations that take a directory). */
export function wrappedHosts(
  directory: Pick<HostDirectory, 'client' | 'spec' | 'connectedHosts' | 'hosts'>,
  wrap: (host: string, client: DockerClient) => DockerClient,
): Pick<HostDirectory, 'client' | 'spec' | 'connectedHosts' | 'hosts'> {
  return {
    client: (host) => {
      const client = directory.client(host);
      return client && wrap(host, client);
    },
    spec: (host) => directory.spec(host),
    connectedHosts: () => directory.connectedHosts(),
    hosts: () => directory.hosts(),
  };
}
