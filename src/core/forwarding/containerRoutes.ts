import * as os from 'node:os';
import { CrosslinkError } from '../errors';
import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import type { HostSpec } from '../hosts/hostSpec';
import { type ContainerIpReach, type LocalMachine, containerIpReach } from '../hosts/engines';
import type { TransportPlan } from './transports';

/** Connect failures that say "no route to that address from here", not "nothing listens there". */
const noRouteCodes = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EPERM', 'EACCES']);

/**
 * Whether tunnels may dial a local engine's container IPs directly, per client. A local socket
 * does not mean a local network: Docker Desktop, Colima and Podman machine run the engine in a
 * VM whose container IPs this machine cannot reach. Known from what the engine says about
 * itself (see containerIpReach) and, for the VMs that do not say, from the first direct dial
 * that finds no route; either way unpublished ports then go through an ambassador.
 */
export class ContainerRoutes {
  private readonly reach = new WeakMap<DockerClient, Promise<ContainerIpReach>>();

  constructor(
    private readonly logger: Logger,
    private readonly here: LocalMachine = { platform: process.platform, kernelRelease: os.release() },
  ) {}

  /** False for a local engine in a VM; true for everything else (ssh hosts dial from the remote machine itself). */
  async canDial(client: DockerClient, spec: HostSpec): Promise<boolean> {
    if (client.dialFromHost === undefined) {
      return false;
    }
    if (spec.endpoint.kind !== 'unix') {
      return true;
    }
    let reach = this.reach.get(client);
    if (!reach) {
      reach = Promise.all([client.version(), client.engineHost()]).then(([engine, host]) => containerIpReach(engine, host, this.here));
      this.reach.set(client, reach);
      reach.then(
        (known) =>
          !known.routable && this.logger.info(`[tunnel] ${client.hostName}: container IPs are not reachable from here (${known.why}); unpublished ports go through an ambassador`),
        () => this.reach.delete(client), // Asked again next time; the tunnel reports the host's failure itself.
      );
    }
    return (await reach).routable;
  }

  /**
   * A direct dial of `plan` failed with `error`: when it found no route to a container IP of a
   * local engine, that engine's containers are unreachable from here from now on. Returns true
   * when this changed the route (so the tunnel should look its transport up again).
   */
  noteFailedDial(client: DockerClient | undefined, plan: TransportPlan | undefined, error: unknown): boolean {
    if (!client || plan?.kind !== 'localBridge') {
      return false;
    }
    const cause = error instanceof CrosslinkError && error.cause !== undefined ? error.cause : error;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (!code || !noRouteCodes.has(code)) {
      return false;
    }
    const why = `a direct connection to ${plan.ip} failed (${code})`;
    this.reach.set(client, Promise.resolve({ routable: false, why }));
    this.logger.warn(`[tunnel] ${client.hostName}: ${why}; its unpublished ports go through an ambassador from now on`);
    return true;
  }
}
