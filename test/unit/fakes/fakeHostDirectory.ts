import type { HostDirectory, HostSnapshot, HostStatus } from '../../../src/core/hosts/hostDirectory';
import { parseHostEntry } from '../../../src/core/hosts/hostSpec';
import { Emitter } from '../../../src/core/like';
import type { FakeDockerClient } from './fakeDockerClient';

/**
 * A HostDirectory (and the parts of ContainerModel the tree reads) over FakeDockerClients: their
 * containers are the hosts' lists, `states` sets a host's connection state (connected when unset), and `fire` is a model change.
 */
export function fakeHostDirectory(clients: FakeDockerClient[]): HostDirectory & { states: Map<string, HostStatus>; fire(host: string): void } {
  const changed = new Emitter<string>();
  const states = new Map<string, HostStatus>();
  const connected: HostStatus = { state: 'connected', engine: { version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64' } };
  const snapshot = (client: FakeDockerClient): HostSnapshot => ({
    ...(states.get(client.hostName) ?? connected),
    spec: parseHostEntry({ name: client.hostName, url: `tcp://${client.hostName}:2375` }),
    containers: client.containers,
  });
  return {
    states,
    client: (name) => clients.find((client) => client.hostName === name),
    spec: () => undefined,
    hosts: () => clients.map(snapshot),
    host: (name) => clients.filter((client) => client.hostName === name).map(snapshot)[0],
    connectedHosts: () => clients.filter((client) => (states.get(client.hostName) ?? connected).state === 'connected').map((client) => client.hostName),
    findContainer: (host, name) =>
      [...(clients.find((client) => client.hostName === host)?.containers.values() ?? [])].find((container) => container.name === name || container.id === name),
    onDidChange: changed.event,
    fire: (host) => changed.fire(host),
  };
}
