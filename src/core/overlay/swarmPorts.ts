import { errorMessage } from '../errors';
import type { DockerClient } from '../hosts/dockerClient';
import type { Logger } from '../like';
import { managedLabels } from '../values/labels';

/** A port a Swarm needs between its nodes. */
export interface SwarmPort {
  port: number;
  protocol: 'tcp' | 'udp';
  /** Only the manager must accept it (the control plane); the others every node does. */
  managerOnly?: boolean;
}

/** Docker's documented needs: 2377/tcp to managers; 7946/tcp+udp (gossip) and 4789/udp (VXLAN data) both ways. */
export const swarmPorts: readonly SwarmPort[] = [
  { port: 2377, protocol: 'tcp', managerOnly: true },
  { port: 7946, protocol: 'tcp' },
  { port: 7946, protocol: 'udp' },
  { port: 4789, protocol: 'udp' },
];

/** One end of the check: a host, its client, and the address the other host reaches it at. */
export interface PortCheckHost {
  name: string;
  client: DockerClient;
  address: string;
}

const answer = 'crosslink-port-ok';

/** A shell script listening on every port with socat and answering each datagram or connection. */
export function listenerScript(ports: readonly SwarmPort[]): string {
  const listeners = ports.map(({ port, protocol }) =>
    protocol === 'tcp' ? `socat TCP-LISTEN:${port},reuseaddr,fork SYSTEM:'echo ${answer}' &` : `socat UDP-RECVFROM:${port},reuseaddr,fork SYSTEM:'echo ${answer}' &`,
  );
  return [...listeners, 'wait'].join('\n');
}

/** Probes each port of `address`, one line per port: "PORT/PROTO ok" or "PORT/PROTO blocked". */
export function proberScript(address: string, ports: readonly SwarmPort[]): string {
  return ports
    .map(({ port, protocol }) => {
      const target = protocol === 'tcp' ? `TCP:${address}:${port},connect-timeout=2` : `UDP:${address}:${port}`;
      return `if echo probe | socat -T 2 - ${target} 2>/dev/null | grep -q ${answer}; then echo "${port}/${protocol} ok"; else echo "${port}/${protocol} blocked"; fi`;
    })
    .join('\n');
}

/** The ports the prober's output says are blocked ("2377/tcp"); a port missing from the output counts as blocked. */
export function blockedPorts(output: string, ports: readonly SwarmPort[]): string[] {
  const ok = new Set(output.split('\n').flatMap((line) => (/^(\d+\/(?:tcp|udp)) ok$/.exec(line.trim()) ? [line.trim().split(' ')[0]] : [])));
  return ports.map(({ port, protocol }) => `${port}/${protocol}`).filter((key) => !ok.has(key));
}

/**
 * Checks, before a Swarm is formed, that `to` accepts every port it must from `from`: a listener
 * container in `to`'s host network answers on each port, a prober in `from`'s host network sends
 * to `to.address`. Returns what is blocked, as "from → to PORT/PROTO". The helper containers are
 * labelled as Crosslink's verify helpers and always removed.
 */
export async function checkSwarmPorts(from: PortCheckHost, to: PortCheckHost, toIsManager: boolean, image: string, logger: Logger): Promise<string[]> {
  const ports = swarmPorts.filter((port) => toIsManager || !port.managerOnly);
  const made: Array<{ client: DockerClient; id: string }> = [];
  const helper = async (host: PortCheckHost, script: string) => {
    const id = await host.client.createContainer(undefined, {
      Image: image,
      Entrypoint: ['sh', '-c'],
      Cmd: [script],
      Labels: managedLabels('verify-helper'),
      HostConfig: { NetworkMode: 'host', AutoRemove: false },
    });
    made.push({ client: host.client, id });
    await host.client.startContainer(id);
    return id;
  };
  try {
    await helper(to, listenerScript(ports));
    const prober = await helper(from, 'sleep 60');
    // socat needs a moment to bind; one retry covers a slow start without hiding a real block.
    let blocked: string[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const { stdout } = await from.client.exec(prober, ['sh', '-c', proberScript(to.address, ports)], { timeoutMs: 30_000 });
      blocked = blockedPorts(stdout, ports);
      if (blocked.length === 0) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return blocked.map((port) => `${from.name} → ${to.name} ${port}`);
  } finally {
    for (const { client, id } of made) {
      await client.removeContainer(id, { force: true }).catch((error: unknown) => logger.warn(`Could not remove the port-check helper ${id.slice(0, 12)}: ${errorMessage(error)}`));
    }
  }
}
