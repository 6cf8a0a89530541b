import { setTimeout as delay } from 'node:timers/promises';
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

const errorFile = ({ port, protocol }: SwarmPort) => `/tmp/crosslink-${port}-${protocol}.err`;

/**
 * A shell script listening on every port with socat and answering each datagram or connection; a port it cannot bind
 * leaves its error in a file. It ends after `lifetimeSeconds` (its container's end stops every listener).
 */
export function listenerScript(ports: readonly SwarmPort[], lifetimeSeconds: number): string {
  const listeners = ports.map((swarmPort) => {
    const address = swarmPort.protocol === 'tcp' ? `TCP-LISTEN:${swarmPort.port}` : `UDP-RECVFROM:${swarmPort.port}`;
    return `socat ${address},reuseaddr,fork SYSTEM:'echo ${answer}' 2>${errorFile(swarmPort)} &`;
  });
  return [...listeners, `sleep ${lifetimeSeconds}`].join('\n');
}

/** What the listener's host shows: its bound sockets and each listener's errors, for listenerState. */
export function listenerStateScript(ports: readonly SwarmPort[]): string {
  return [
    'echo "#tcp"; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null',
    'echo "#udp"; cat /proc/net/udp /proc/net/udp6 2>/dev/null',
    ...ports.map((port) => `echo "#err ${port.port}/${port.protocol} $(head -c 200 ${errorFile(port)} 2>/dev/null)"`),
  ].join('\n');
}

/**
 * From listenerStateScript's output: the ports bound (TCP in LISTEN, UDP bound), and the ones
 * whose listener failed (another process holds the port), as "PORT/PROTO".
 */
export function listenerState(output: string): { bound: Set<string>; failed: Set<string> } {
  const bound = new Set<string>();
  const failed = new Set<string>();
  let section = '';
  for (const line of output.split('\n')) {
    const error = /^#err (\d+\/(?:tcp|udp)) (.*)$/.exec(line);
    if (error) {
      if (/\bE\b|in use/i.test(error[2])) {
        failed.add(error[1]);
      }
      continue;
    }
    if (line.startsWith('#')) {
      section = line.slice(1).trim();
      continue;
    }
    // "  0: 00000000:1F0A 00000000:0000 0A ..." — local port in hex; 0A = TCP LISTEN, 07 = UDP bound.
    const socket = /^\s*\d+:\s+[0-9A-Fa-f]+:([0-9A-Fa-f]{4})\s+[0-9A-Fa-f]+:[0-9A-Fa-f]{4}\s+([0-9A-Fa-f]{2})\s/.exec(line);
    if (socket && ((section === 'tcp' && socket[2] === '0A') || (section === 'udp' && socket[2] === '07'))) {
      bound.add(`${parseInt(socket[1], 16)}/${section}`);
    }
  }
  return { bound, failed };
}

/**
 * Probes each port of `address`, one line per port: "PORT/PROTO ok" or "PORT/PROTO blocked". A TCP
 * port counts as reachable once the handshake completes (whoever listens there: a daemon still
 * holding the port proves the path as well as our listener); a UDP port only by our listener's reply,
 * waited for 3 s after sending (socat's default 0.5 s loses a reply from a busy host).
 */
export function proberScript(address: string, ports: readonly SwarmPort[]): string {
  return ports
    .map(({ port, protocol }) => {
      const test =
        protocol === 'tcp'
          ? `socat -T 2 /dev/null TCP:${address}:${port},connect-timeout=2 2>/dev/null`
          : `echo probe | socat -t 3 -T 3 - UDP:${address}:${port} 2>/dev/null | grep -q ${answer}`;
      return `if ${test}; then echo "${port}/${protocol} ok"; else echo "${port}/${protocol} blocked"; fi`;
    })
    .join('\n');
}

/** The ports the prober's output says are blocked ("2377/tcp"); a port missing from the output counts as blocked. */
export function blockedPorts(output: string, ports: readonly SwarmPort[]): string[] {
  const ok = new Set(output.split('\n').flatMap((line) => (/^(\d+\/(?:tcp|udp)) ok$/.exec(line.trim()) ? [line.trim().split(' ')[0]] : [])));
  return ports.map(({ port, protocol }) => `${port}/${protocol}`).filter((key) => !ok.has(key));
}

/** How long a port-check helper lives when nobody removes it: far longer than a check takes. */
const helperLifetimeSeconds = 300;

/**
 * Checks, before a Swarm is formed, that `to` accepts every port it must from `from`: a listener
 * container in `to`'s host network answers on each port, a prober in `from`'s host network sends
 * to `to.address`. Returns what is blocked, as "from → to PORT/PROTO". The helper containers are
 * labelled as Crosslink's verify helpers and removed at the end. A window that dies first cannot
 * remove them, so each also ends and removes itself after `lifetimeSeconds`: a listener left on the
 * host's network would hold the Swarm's ports, and every later Form Swarm would find them blocked.
 */
export async function checkSwarmPorts(
  from: PortCheckHost,
  to: PortCheckHost,
  toIsManager: boolean,
  image: string,
  logger: Logger,
  lifetimeSeconds = helperLifetimeSeconds,
): Promise<string[]> {
  const ports = swarmPorts.filter((port) => toIsManager || !port.managerOnly);
  const made: Array<{ client: DockerClient; id: string }> = [];
  const helper = async (host: PortCheckHost, script: string) => {
    const id = await host.client.createContainer(undefined, {
      Image: image,
      Entrypoint: ['sh', '-c'],
      Cmd: [script],
      Labels: managedLabels('verify-helper'),
      HostConfig: { NetworkMode: 'host', AutoRemove: true },
    });
    made.push({ client: host.client, id });
    await host.client.startContainer(id);
    return id;
  };
  try {
    const listener = await helper(to, listenerScript(ports, lifetimeSeconds));
    const keys = ports.map(({ port, protocol }) => `${port}/${protocol}`);
    // Probing before socat bound would call an open port blocked: wait until each port is bound or its listener failed.
    let state = { bound: new Set<string>(), failed: new Set<string>() };
    for (let attempt = 0; attempt < 20 && !keys.every((key) => state.bound.has(key) || state.failed.has(key)); attempt++) {
      await delay(250);
      state = listenerState((await to.client.exec(listener, ['sh', '-c', listenerStateScript(ports)], { timeoutMs: 10_000 })).stdout);
    }
    const prober = await helper(from, `sleep ${lifetimeSeconds}`);
    // A datagram can be lost on a busy host: a UDP port is tried three times before it counts as blocked.
    const probe = async (candidates: readonly SwarmPort[]) => {
      const { stdout } = await from.client.exec(prober, ['sh', '-c', proberScript(to.address, candidates)], { timeoutMs: 30_000 });
      const still = new Set(blockedPorts(stdout, candidates));
      return candidates.filter(({ port, protocol }) => still.has(`${port}/${protocol}`));
    };
    let blocked = await probe(ports);
    for (let attempt = 1; attempt < 3 && blocked.some(({ protocol }) => protocol === 'udp'); attempt++) {
      const udpStill = await probe(blocked.filter(({ protocol }) => protocol === 'udp'));
      blocked = blocked.filter((port) => port.protocol === 'tcp' || udpStill.includes(port));
    }
    // Read again: by now every listener that could not bind has written why.
    state = listenerState((await to.client.exec(listener, ['sh', '-c', listenerStateScript(ports)], { timeoutMs: 10_000 })).stdout);
    return blocked
      .map(({ port, protocol }) => `${port}/${protocol}`)
      .map((port) => (state.failed.has(port) && port.endsWith('/udp') ? `${to.name} ${port} is held by another process there` : `${from.name} → ${to.name} ${port}`));
  } finally {
    for (const { client, id } of made) {
      await client.removeContainer(id, { force: true }).catch((error: unknown) => logger.warn(`Could not remove the port-check helper ${id.slice(0, 12)}: ${errorMessage(error)}`));
    }
  }
}
