// A suite that forms a Swarm on the shared testbed daemons: it starts only when they are in none,
// and leaves them in none whatever happens (also on Ctrl+C or a timeout's SIGTERM), because every
// other suite run on these daemons assumes no Swarm.
import { type TestbedHost, docker } from '../support/testbed';

export const swarmState = (host: TestbedHost) => docker(host, ['info', '--format', '{{.Swarm.LocalNodeState}}']);

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

  /** Leaves, and stops watching for signals. */
  release(): void {
    this.leave();
    this.armed = false;
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
