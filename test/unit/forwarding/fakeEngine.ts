import type { Duplex } from 'node:stream';
import { DockerApiError } from '../../../src/core/errors';
import { type HostSpec, parseHostEntry } from '../../../src/core/hosts/hostSpec';
import type { ContainerCreateBody, ContainerDetails, ContainerSummary } from '../../../src/core/types';
import { FakeDockerClient, container } from '../fakes/fakeDockerClient';

interface Helper extends ContainerSummary {
  command?: string[];
  listenPort?: number;
}

export interface FakeEngine {
  client: FakeDockerClient;
  /** Helper containers created and removed, by name. */
  created: string[];
  removed: string[];
  /** The loopback port a started helper "publishes" (the test runs a server there). */
  helperPort: number;
}

/**
 * A fake engine for tunnels: containers with IPs and ports, the ambassador lifecycle recorded,
 * and a `dialFromHost` the test points at loopback servers.
 */
export function fakeEngine(hostName: string, dialFromHost?: (ip: string, port: number) => Promise<Duplex>): FakeEngine {
  const client = new FakeDockerClient(hostName);
  const engine: FakeEngine = { client, created: [], removed: [], helperPort: 0 };
  let nextId = 1;
  const find = (idOrName: string) => [...client.containers.values()].find((candidate) => candidate.id === idOrName || candidate.name === idOrName) as Helper | undefined;
  const notFound = (idOrName: string) => new DockerApiError('notFound', `No such container: ${idOrName}`, 404);
  Object.assign(client, {
    dialFromHost,
    inspectContainer: async (idOrName: string): Promise<ContainerDetails> => {
      if (client.unreachable) {
        throw client.unreachable;
      }
      const found = find(idOrName);
      if (!found) {
        throw notFound(idOrName);
      }
      return { ...found, links: [], hostname: found.id.slice(0, 12), raw: { Config: { Cmd: found.command } } };
    },
    createContainer: async (name: string, body: ContainerCreateBody): Promise<string> => {
      const id = `helper${nextId++}`;
      const listenPort = parseInt(Object.keys(body.ExposedPorts ?? {})[0] ?? '', 10);
      const helper: Helper = { ...container(id, name, { state: 'created', labels: body.Labels ?? {} }), command: body.Cmd ?? undefined, listenPort };
      client.containers.set(id, helper);
      engine.created.push(name);
      return id;
    },
    startContainer: async (id: string): Promise<void> => {
      const helper = find(id) as Helper;
      const published = { privatePort: helper.listenPort ?? 0, protocol: 'tcp' as const, publicPort: engine.helperPort, hostIp: '127.0.0.1' };
      client.containers.set(id, { ...helper, state: 'running', ports: [published] } as Helper);
    },
    removeContainer: async (idOrName: string): Promise<void> => {
      const found = find(idOrName);
      if (!found) {
        throw notFound(idOrName);
      }
      client.containers.delete(found.id);
      engine.removed.push(found.name);
    },
    imageExists: async () => true,
  });
  return engine;
}

export function hostSpec(name: string, url: string): HostSpec {
  return parseHostEntry({ name, url });
}
