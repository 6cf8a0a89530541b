import type { ProbeResult } from './probe';

/**
 * The hops of a link, in the order traffic takes them. One host: the client resolves the alias,
 * connects, and the target listens. Across hosts: the client resolves the alias → the client-side
 * ambassador → the server host's address:port → the server-side ambassador → the target.
 */
export type HopName = 'resolve' | 'connect' | 'clientAmbassador' | 'upstream' | 'serverAmbassador' | 'target';

/** Why a hop failed. Tests and the UI branch on these, never on message text. */
export type HopReason =
  | 'clientNotRunning'
  | 'clientMissing'
  | 'notResolving'
  | 'refused'
  | 'timedOut'
  | 'unreachable'
  | 'connectFailed'
  | 'ambassadorNotRunning'
  | 'ambassadorMissing'
  | 'targetNotRunning'
  | 'targetMissing'
  | 'notListening'
  | 'notChecked';

/** What the user can do about a failure; "repair" is offered as a button. */
export type HopAction = 'repair' | 'startClient' | 'startTarget' | 'fixTarget' | 'openPort' | 'relink';

export interface Hop {
  name: HopName;
  /** Where the check ran or the traffic comes from, and where it goes (names people know). */
  from: string;
  to: string;
  ok: boolean;
  /** Connect time, when measured. */
  ms?: number;
  reason?: HopReason;
  /** What went wrong, for people. */
  error?: string;
}

/** Legacy step names of crosslink.verifyLink's result, kept for scripts written against them. */
export type VerifyStep = 'client' | 'resolve' | 'connect';

export interface VerifyResult {
  ok: boolean;
  hops: Hop[];
  /** The hop that explains the failure (not always the first red one: see `interpretHops`). */
  failedHop?: HopName;
  reason?: HopReason;
  action?: HopAction;
  message: string;
  alias: string;
  port?: number;
  resolvedIp?: string;
  /** Milliseconds for the client's TCP connect (see NamespaceRunner.probe for how it is measured). */
  connectMs?: number;
  failedStep?: VerifyStep;
}

/** What one check found, before interpretation. */
export type HopStatus = { ok: true; ms?: number } | { ok: false; reason: HopReason; detail?: string };

export interface HopCheck {
  name: HopName;
  from: string;
  to: string;
  status: HopStatus;
}

/** A part that should be running or listening is not: this explains a failed hop in front of it. */
const partDown = new Set<HopReason>(['clientNotRunning', 'clientMissing', 'ambassadorNotRunning', 'ambassadorMissing', 'targetNotRunning', 'targetMissing', 'notListening']);
/** The way to a part failed; the part itself may be the cause. */
const pathFailure = new Set<HopReason>(['notResolving', 'refused', 'timedOut', 'unreachable', 'connectFailed']);

const isFailure = (status: HopStatus): status is Extract<HopStatus, { ok: false }> => !status.ok && status.reason !== 'notChecked';

/**
 * The first failing hop, except that a path failure (not resolving, refused, …) whose next checked
 * hop is a part that is down is that part's failure: a stopped client-side ambassador takes its
 * alias off the network, and nothing publishes the server host's port while its ambassador is
 * stopped. A relay that accepts and closes again is caught the same way, because the hops behind it
 * are checked from their own namespaces rather than trusted from the first connect.
 */
export function failingHop(checks: readonly HopCheck[]): HopCheck | undefined {
  const first = checks.findIndex((check) => isFailure(check.status));
  if (first < 0) {
    return undefined;
  }
  const failure = checks[first].status;
  const next = checks.slice(first + 1).find((check) => check.status.ok || check.status.reason !== 'notChecked');
  if (isFailure(failure) && pathFailure.has(failure.reason) && next && isFailure(next.status) && partDown.has(next.status.reason)) {
    return next;
  }
  return checks[first];
}

/** A probe's outcome as the status of the hop it checked; `refusedMeans` says whom a refusal blames. */
export function probeStatus(probe: ProbeResult, refusedMeans: HopReason = 'refused'): HopStatus {
  switch (probe.outcome) {
    case 'ok':
      return { ok: true, ms: probe.ms };
    case 'refused':
      return { ok: false, reason: refusedMeans, detail: probe.detail };
    case 'notResolving':
    case 'timedOut':
    case 'unreachable':
      return { ok: false, reason: probe.outcome, detail: probe.detail };
    case 'noTool':
      return { ok: false, reason: 'notChecked', detail: 'no tool to open a connection' };
    case 'notChecked':
      return { ok: false, reason: 'notChecked', detail: probe.detail };
    case 'failed':
      return { ok: false, reason: 'connectFailed', detail: probe.detail };
  }
}

const hopTitles: Record<HopName, string> = {
  resolve: 'name lookup',
  connect: 'connection',
  clientAmbassador: 'client-side ambassador',
  upstream: 'server host port',
  serverAmbassador: 'server-side ambassador',
  target: 'target',
};

export function hopTitle(name: HopName): string {
  return hopTitles[name];
}

/** What to do about a failure of `hop` for `reason`, on a cross-host link or a link on one host. */
export function actionFor(hop: HopName, reason: HopReason, crossHost: boolean): HopAction | undefined {
  switch (reason) {
    case 'clientNotRunning':
      return 'startClient';
    case 'ambassadorNotRunning':
    case 'ambassadorMissing':
      return 'repair';
    case 'targetNotRunning':
      return 'startTarget';
    case 'notListening':
      return 'fixTarget';
    case 'targetMissing':
    case 'clientMissing':
      return crossHost ? undefined : 'relink';
    case 'timedOut':
    case 'unreachable':
      return hop === 'upstream' ? 'openPort' : hop === 'target' ? 'fixTarget' : crossHost ? 'repair' : 'relink';
    case 'refused':
    case 'notResolving':
    case 'connectFailed':
      return crossHost ? 'repair' : hop === 'resolve' ? 'relink' : 'fixTarget';
    case 'notChecked':
      return undefined;
  }
}

const reasonTexts: Record<HopReason, string> = {
  clientNotRunning: 'is not running',
  clientMissing: 'does not exist',
  notResolving: 'does not resolve',
  refused: 'refused the connection',
  timedOut: 'timed out',
  unreachable: 'is unreachable',
  connectFailed: 'failed',
  ambassadorNotRunning: 'is not running',
  ambassadorMissing: 'is missing',
  targetNotRunning: 'is not running',
  targetMissing: 'does not exist',
  notListening: 'is not listening',
  notChecked: 'was not checked',
};

const actionTexts: Record<HopAction, string> = {
  repair: 'Repair the link to recreate or restart what is missing.',
  startClient: 'Start the client to verify its links.',
  startTarget: 'Start the target container.',
  fixTarget: 'Make the service in the target listen on its port.',
  openPort: 'Open the port on the server host (firewall), or check its "address" in crosslink.hosts.',
  relink: 'Link the containers again.',
};

/** The result of a set of checks: every hop's outcome, the one that explains a failure, and what to do. */
export function interpretHops(
  checks: readonly HopCheck[],
  link: { alias: string; port?: number; crossHost: boolean; resolvedIp?: string },
): Omit<VerifyResult, 'connectMs' | 'failedStep'> {
  const hops: Hop[] = checks.map(({ name, from, to, status }) =>
    status.ok
      ? { name, from, to, ok: true, ...(status.ms !== undefined ? { ms: status.ms } : {}) }
      : { name, from, to, ok: false, reason: status.reason, error: describe(name, to, status.reason, status.detail) },
  );
  const base = { alias: link.alias, port: link.port, resolvedIp: link.resolvedIp, hops };
  const failing = failingHop(checks) ?? checks.find((check) => !check.status.ok);
  if (!failing || failing.status.ok) {
    const target = link.port === undefined ? `"${link.alias}" resolves to ${link.resolvedIp ?? '?'} (no port to test)` : `${link.alias}:${link.port} → every hop answered`;
    return { ...base, ok: true, message: `${target}.` };
  }
  const { reason, detail } = failing.status;
  if (reason === 'notChecked') {
    // Nothing failed, but a hop could not be checked: not ok, and not a failure of the link either.
    return { ...base, ok: false, failedHop: failing.name, reason, message: `No hop failed, but the ${hopTitle(failing.name)} could not be checked${detail ? `: ${detail}` : ''}.` };
  }
  const action = actionFor(failing.name, reason, link.crossHost);
  return {
    ...base,
    ok: false,
    failedHop: failing.name,
    reason,
    action,
    message: `${hopTitle(failing.name)}: ${describe(failing.name, failing.to, reason, detail)}.${action ? ` ${actionTexts[action]}` : ''}`,
  };
}

function describe(name: HopName, to: string, reason: HopReason, detail?: string): string {
  return `${to} ${reasonTexts[reason]}${detail && name !== 'resolve' && pathFailure.has(reason) ? ` (${detail})` : ''}`;
}

/** The legacy `failedStep` of a result, for scripts written before hops. */
export function legacyStep(failedHop: HopName | undefined, reason: HopReason | undefined): VerifyStep | undefined {
  if (!failedHop || reason === 'notChecked') {
    return undefined;
  }
  if (reason === 'clientNotRunning' || reason === 'clientMissing') {
    return 'client';
  }
  return failedHop === 'resolve' ? 'resolve' : 'connect';
}
