import type { ContainerState } from '../types';
import { type HopAction, type HopName, type HopReason, type VerifyResult, hopTitle } from './hops';

/**
 * A link's health at a glance. ok: every part runs and the last check (if any still applies)
 * passed; degraded: a part is restarting; broken: a part is down or the last check failed, with the
 * failing hop; unknown: a host the link runs through is not connected.
 */
export type LinkHealthState = 'ok' | 'degraded' | 'broken' | 'unknown';

export interface LinkHealth {
  state: LinkHealthState;
  failedHop?: HopName;
  reason?: HopReason;
  action?: HopAction;
  message: string;
  /** The check this health includes, when one applies to the parts as they are now. */
  checked?: VerifyResult;
}

/** One container a link is made of, and the hop that fails when it is down. */
export interface LinkPart {
  hop: HopName;
  role: 'client' | 'ambassador' | 'target';
  name: string;
  /** Undefined when the container does not exist. */
  container?: { id: string; state: ContainerState };
  /** False when the part's host is not connected, so its state is not known. */
  known: boolean;
}

/** A check's result with the parts it was made against: a change of any part makes it stale. */
export interface PartsCheck {
  result: VerifyResult;
  partsKey: string;
}

export function partsKey(parts: readonly LinkPart[]): string {
  return parts.map((part) => (part.known ? `${part.hop}=${part.container ? `${part.container.id}:${part.container.state}` : 'missing'}` : `${part.hop}=?`)).join(' ');
}

const missingReasons: Record<LinkPart['role'], HopReason> = { client: 'clientMissing', ambassador: 'ambassadorMissing', target: 'targetMissing' };
const downReasons: Record<LinkPart['role'], HopReason> = { client: 'clientNotRunning', ambassador: 'ambassadorNotRunning', target: 'targetNotRunning' };
const downActions: Record<LinkPart['role'], HopAction | undefined> = { client: 'startClient', ambassador: 'repair', target: 'startTarget' };

/**
 * The health state machine: parts first (they follow Docker events, so a stopped ambassador shows
 * at once), then the last check while it still describes the same parts. Pure, so each transition
 * is unit-tested.
 */
export function linkHealth(parts: readonly LinkPart[], check?: PartsCheck): LinkHealth {
  for (const part of parts) {
    if (!part.known) {
      continue;
    }
    if (!part.container) {
      return {
        state: 'broken',
        failedHop: part.hop,
        reason: missingReasons[part.role],
        action: part.role === 'ambassador' ? 'repair' : undefined,
        message: `${hopTitle(part.hop)}: ${part.name} is missing`,
      };
    }
    if (part.container.state !== 'running' && part.container.state !== 'restarting') {
      return {
        state: 'broken',
        failedHop: part.hop,
        reason: downReasons[part.role],
        action: downActions[part.role],
        message: `${hopTitle(part.hop)}: ${part.name} is ${part.container.state}`,
      };
    }
  }
  const restarting = parts.find((part) => part.known && part.container?.state === 'restarting');
  if (restarting) {
    return { state: 'degraded', message: `${restarting.name} is restarting` };
  }
  const unknown = parts.find((part) => !part.known);
  if (unknown) {
    return { state: 'unknown', message: `the host of ${unknown.name} is not connected` };
  }
  const checked = check && check.partsKey === partsKey(parts) ? check.result : undefined;
  // A check that could not reach a hop (no tools, a host not answering) breaks nothing.
  if (checked && !checked.ok && checked.reason !== 'notChecked') {
    return { state: 'broken', failedHop: checked.failedHop, reason: checked.reason, action: checked.action, message: checked.message, checked };
  }
  return { state: 'ok', message: checked?.ok ? 'verified: every hop answered' : checked ? `every part is running; ${checked.message}` : 'every part is running', checked };
}
