import { CrosslinkError } from '../errors';
import type { VerifyResult } from '../links/hops';
import type { SwarmMembership } from '../types';

/**
 * Why two hosts cannot carry an overlay link, or a Swarm cannot be formed or dissolved:
 * - `notInSwarm`: a host is in no Swarm (form one first);
 * - `differentSwarms`: the hosts are in two different Swarms;
 * - `noManager`: both are workers, so neither can create the network;
 * - `notReady`: a host's membership is pending, locked or in error;
 * - `otherSwarm`: forming would change a host that already belongs to another Swarm;
 * - `portsBlocked`: a port the Swarm needs is not reachable between the hosts (see `blocked`);
 * - `notFormedHere`: dissolving was asked for a Swarm Crosslink did not form;
 * - `notVerified`: the new path did not carry traffic, so it was rolled back (see `verified`);
 * - `oldPathKept`: a switch added and verified the new path, then could not remove the old one: the
 *   link answers over the new path (`carriedBy`, checked in `verified`) and the old one stays, whole or
 *   partly removed (the cause says which; a journaled removal can be finished by recovery).
 */
export type OverlayErrorReason =
  'swarmUnsupported' | 'notInSwarm' | 'differentSwarms' | 'noManager' | 'notReady' | 'otherSwarm' | 'portsBlocked' | 'notFormedHere' | 'notVerified' | 'oldPathKept';

export class OverlayError extends CrosslinkError<OverlayErrorReason> {
  constructor(
    reason: OverlayErrorReason,
    message: string,
    /** For `portsBlocked`: each blocked check, e.g. "beta → alpha 2377/tcp". */
    readonly blocked: string[] = [],
    /** For `notVerified`: the check that failed; for `oldPathKept`: the new path's check. */
    readonly verified?: VerifyResult,
    /** For `oldPathKept`: the path the link answers over now. */
    readonly carriedBy?: 'overlay' | 'ambassadors',
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }

  static is(error: unknown, reason?: OverlayErrorReason): error is OverlayError {
    return error instanceof OverlayError && (reason === undefined || error.reason === reason);
  }
}

/** Two hosts' memberships, by host name. */
export interface SwarmPair {
  target: { host: string; membership: SwarmMembership };
  client: { host: string; membership: SwarmMembership };
}

/** One line for a host row: "Swarm manager · cluster abc123def456", or undefined when in no Swarm. */
export function describeSwarm(membership: SwarmMembership): string | undefined {
  if (membership.state === 'inactive') {
    return undefined;
  }
  if (membership.state !== 'active') {
    return `Swarm ${membership.state}`;
  }
  return `Swarm ${membership.role ?? 'node'}${membership.clusterId ? ` · cluster ${shortId(membership.clusterId)}` : ''}`;
}

export const shortId = (id: string) => id.slice(0, 12);

/**
 * The Swarm both hosts are active in, and which of them creates the overlay (the target's host when
 * it is a manager, else the client's). A worker does not know the cluster ID, so a worker pairs
 * with a manager when the worker names that manager's advertised address among its managers.
 */
export function sharedSwarm({ target, client }: SwarmPair): { clusterId: string; manager: string } {
  const unsupported = [target, client].find((side) => side.membership.state === 'unsupported');
  if (unsupported) {
    throw new OverlayError('swarmUnsupported', `${unsupported.host} runs an engine without Swarm mode (Podman), so it cannot join an overlay network. Use ambassadors.`);
  }
  for (const side of [target, client]) {
    if (side.membership.state === 'inactive') {
      throw new OverlayError('notInSwarm', `${side.host} is not in a Swarm. Form one with both hosts (formSwarm: true), or use ambassadors.`);
    }
    if (side.membership.state !== 'active') {
      throw new OverlayError('notReady', `${side.host}'s Swarm membership is ${side.membership.state}; fix it with docker swarm commands there, or use ambassadors.`);
    }
  }
  const manager = [target, client].find((side) => side.membership.role === 'manager');
  if (!manager) {
    throw new OverlayError(
      'noManager',
      `${target.host} and ${client.host} are both Swarm workers; an overlay network is created on a manager. Promote one (docker node promote), or use ambassadors.`,
    );
  }
  const other = manager === target ? client : target;
  const same = other.membership.clusterId
    ? other.membership.clusterId === manager.membership.clusterId
    : other.membership.managers.some((address) => address.split(':')[0] === manager.membership.nodeAddress);
  if (!same) {
    throw new OverlayError('differentSwarms', `${target.host} and ${client.host} are in different Swarms; Crosslink never moves a host between Swarms. Use ambassadors.`);
  }
  return { clusterId: manager.membership.clusterId, manager: manager.host };
}

/**
 * Whether two hosts can carry an overlay link: `shared` (one Swarm, a manager among them),
 * `formable` (both in none: Crosslink may form one), or `no` with the reason.
 */
export type SwarmChoice = { kind: 'shared'; clusterId: string } | { kind: 'formable' } | { kind: 'no'; reason: OverlayErrorReason; message: string };

export function swarmChoiceOf(pair: SwarmPair): SwarmChoice {
  if (pair.target.membership.state === 'inactive' && pair.client.membership.state === 'inactive') {
    return { kind: 'formable' };
  }
  try {
    return { kind: 'shared', clusterId: sharedSwarm(pair).clusterId };
  } catch (error) {
    if (OverlayError.is(error)) {
      return { kind: 'no', reason: error.reason, message: error.message };
    }
    throw error;
  }
}
