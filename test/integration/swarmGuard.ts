// A suite that forms a Swarm on the shared testbed daemons: it starts only when they are in none,
// and leaves them in none whatever happens (also on Ctrl+C or a timeout's SIGTERM), because every
// other suite run on these daemons assumes no Swarm.
import { spawnSync } from 'node:child_process';
import { type TestbedHost, docker } from '../support/testbed';

export const swarmState = (host: TestbedHost) => docker(host, ['info', '--format', '{{.Swarm.LocalNodeState}}']);

/** The ports a Swarm node binds (the manager's 2377, the gossip and VXLAN ports), as the port check binds them. */
const swarmNodePorts = ['TCP4-LISTEN:2377', 'TCP4-LISTEN:7946', 'UDP4-RECV:7946', 'UDP4-RECV:4789'];

/** Whether `address` (a socat listener) can be bound in the host's network namespace now. */
const bindable = (host: TestbedHost, address: string) =>
  !/in use/i.test(spawnSync('nsenter', [`--net=/run/netns/cl-${host.name}`, 'timeout', '0.3', 'socat', '-u', `${address},reuseaddr`, '/dev/null'], { encoding: 'utf8' }).stderr);

export class SwarmGuard {
  private armed = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.leave();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  /** `hosts` in the order they leave: workers first. */
  constructor(private readonly hosts: TestbedHost[]) {}

  /** Whether every host is in no Swarm; when one is, says so (another run holds it: never take it over or break it). */
  allFree(): boolean {
    const busy = this.hosts.map((host) => [host.name, swarmState(host)]).find(([, state]) => state !== 'inactive');
    if (busy) {
      console.log(`skipping: ${busy[0]} is in a Swarm (${busy[1]})`);
    }
    return busy === undefined;
  }

  /** From now on (until `release`) the hosts leave any Swarm on `leave`, on a signal, or at `release`. */
  arm(): void {
    if (!this.armed) {
      this.armed = true;
      process.once('SIGINT', this.onSignal);
      process.once('SIGTERM', this.onSignal);
    }
  }

  /** Every host out of any Swarm, synchronously, in order: safe from a signal handler too. */
  leave(): void {
    if (!this.armed) {
      return;
    }
    for (const host of this.hosts) {
      try {
        docker(host, ['swarm', 'leave', '--force']);
      } catch (error) {
        if (!/not part of a swarm/i.test(String(error))) {
          console.log(String(error));
        }
      }
    }
  }

  /**
   * Waits until a node that just left has let go of its Swarm ports (a moment after the leave),
   * or a port check's helper its listeners: until then Form Swarm's port check rightly finds them held.
   */
  async portsReleased(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const held = this.hosts.flatMap((host) => swarmNodePorts.filter((port) => !bindable(host, port)).map((port) => `${host.name} ${port}`));
      if (held.length === 0) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`still held ${timeoutMs / 1000} s after leaving the Swarm: ${held.join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Leaves, and stops watching for signals. */
  release(): void {
    this.leave();
    this.armed = false;
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
