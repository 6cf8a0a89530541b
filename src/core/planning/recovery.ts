import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import { formatContainerRef } from '../values/containerRef';
import type { ContainerDetails, ContainerSummary } from '../types';
import { type Journal, type JournalEntry, RecoveryError, finalPhases, isInProgress } from './journal';
import { type PlanStep, newPlan } from './plan';
import { type ExecuteOptions, type ResumeAction, executePlan, resumeChange } from './planExecutor';
import { isUp, orUndefined } from './stepActions';

/** recreateSteps parks an original as NAME-crosslink-replaced-<first 8 hex digits of its id>. */
const parkedName = /^(.+)-crosslink-replaced-([0-9a-f]{8})$/;

/** An original container found parked on a host: its name ends in its own id prefix. */
export interface ParkedContainer {
  host: string;
  id: string;
  /** Its name now (parked). */
  name: string;
  /** The name it had, which its replacement takes. */
  originalName: string;
}

/** A change that stopped half-way: recorded in the journal, or only seen as a parked container on a host. */
export interface InterruptedChange {
  /** The journal entry's id, or `parked:host/id` for a parked container without one. */
  key: string;
  title: string;
  /** The containers it is about, as "host/name" with their original names. */
  containers: string[];
  entry?: JournalEntry;
  parked: ParkedContainer[];
}

export function parkedContainer(host: string, container: Pick<ContainerSummary, 'id' | 'name'>): ParkedContainer | undefined {
  const match = parkedName.exec(container.name);
  return match && container.id.startsWith(match[2]) ? { host, id: container.id, name: container.name, originalName: match[1] } : undefined;
}

/**
 * Interrupted changes: journal entries that did not finish and whose process is gone, and
 * parked originals on the given hosts (also those of a change made from another window or
 * machine, or whose journal was lost). A parked container of a change still running is skipped.
 */
export async function findInterruptedChanges(
  journal: Journal | undefined,
  hosts: Array<{ name: string; containers: Iterable<Pick<ContainerSummary, 'id' | 'name'>> }>,
): Promise<InterruptedChange[]> {
  const entries = ((await journal?.list()) ?? []).filter((entry) => !finalPhases.has(entry.phase));
  const live = entries.filter(isInProgress);
  const interrupted = entries.filter((entry) => !live.includes(entry));
  const changes: InterruptedChange[] = interrupted.map((entry) => ({ key: entry.id, title: entry.title, containers: containersOf(entry), entry, parked: [] }));
  const claimedBy = (parked: ParkedContainer, list: JournalEntry[]) =>
    list.find((entry) => entry.originals.some((original) => original.host === parked.host && original.id === parked.id));
  for (const host of hosts) {
    for (const container of host.containers) {
      const parked = parkedContainer(host.name, container);
      if (!parked || claimedBy(parked, live)) {
        continue;
      }
      const owner = claimedBy(parked, interrupted);
      const change = owner && changes.find((candidate) => candidate.entry === owner);
      if (change) {
        change.parked.push(parked);
      } else {
        const reference = formatContainerRef(parked.host, parked.originalName);
        changes.push({ key: `parked:${parked.host}/${parked.id}`, title: `replace ${reference} (no record of the change)`, containers: [reference], parked: [parked] });
      }
    }
  }
  return changes;
}

function containersOf(entry: JournalEntry): string[] {
  if (entry.originals.length > 0) {
    return entry.originals.map((original) => formatContainerRef(original.host, original.name));
  }
  const named = entry.steps.flatMap(({ host, step }) =>
    'name' in step && step.kind !== 'createNetwork' && step.kind !== 'createVolume' && step.kind !== 'removeNetwork' ? [formatContainerRef(host, step.name)] : [],
  );
  return [...new Set(named)].slice(0, 1);
}

export interface RecoveryDeps {
  clientOf(host: string): DockerClient | undefined;
  journal?: Journal;
  logger: Logger;
  /** Asked, naming the container, before removing one that nothing proves this change created. */
  confirm(question: string): Promise<boolean>;
  execute?: Pick<ExecuteOptions, 'onStep' | 'retry' | 'settleMs' | 'beforeStep'>;
}

/**
 * Finish: complete the change (from its journal; without one, start the container that took the
 * original's name if the original was running, then remove the parked original, after asking).
 * Roll Back: undo it (from its journal, removing only what the journal proves the change created;
 * without one, after asking, set aside the container that took the name, put the original back
 * and start it if it was running). Both run as verified, idempotent, journaled steps, so they can
 * be interrupted and recovered again. Returns what was done, one line per step.
 */
export async function recoverChange(change: InterruptedChange, action: ResumeAction, deps: RecoveryDeps): Promise<string[]> {
  if (change.entry) {
    return resumeChange(change.entry, deps.clientOf, action, deps.logger, { ...deps.execute, journal: deps.journal, confirmRemoval: deps.confirm });
  }
  const [parked] = change.parked;
  const client = deps.clientOf(parked.host);
  if (!client) {
    throw new RecoveryError('hostUnavailable', `${parked.host} is not connected; recover ${parked.name} once it is.`);
  }
  const original = await orUndefined(client.inspectContainer(parked.id));
  if (!original) {
    throw new RecoveryError('notFound', `${parked.name} is no longer on ${parked.host}; nothing to recover.`);
  }
  const holder = await orUndefined(client.inspectContainer(parked.originalName));
  const steps = action === 'finish' ? await finishSteps(parked, original, holder, deps) : await rollBackSteps(parked, original, holder, deps);
  const plan = newPlan(parked.host, steps);
  await executePlan(plan, client, deps.logger, {
    ...deps.execute,
    journal: deps.journal,
    title: `${action === 'finish' ? 'finish' : 'roll back'} ${change.containers[0]}`,
    verifyFirst: true,
  });
  const notes =
    action === 'rollBack' && !wasRunning(original, holder) && !isUp(original)
      ? [`${parked.originalName} is back, stopped: without a record of the change Crosslink cannot tell whether it was running (docker start ${parked.originalName})`]
      : [];
  return [...plan.description, ...notes];
}

async function finishSteps(parked: ParkedContainer, original: ContainerDetails, holder: ContainerDetails | undefined, deps: RecoveryDeps): Promise<PlanStep[]> {
  if (!holder || holder.id === original.id) {
    throw new RecoveryError(
      'cannotFinish',
      `No container named ${parked.originalName} replaced ${parked.name} on ${parked.host}, and there is no record of the change to finish it from. Roll Back puts the original back.`,
    );
  }
  if (
    !(await deps.confirm(
      `Remove ${parked.name} (${parked.id.slice(0, 12)}), the original ${parked.originalName}, now that ${holder.name} (${holder.id.slice(0, 12)}) replaces it?`,
    ))
  ) {
    throw new RecoveryError('needsConfirmation', `${parked.name} was kept: finishing removes it, and that needs your confirmation.`);
  }
  const steps: PlanStep[] = [];
  if (isUp(original)) {
    steps.push({ kind: 'stopContainer', container: { id: original.id }, name: parked.name });
  }
  if (wasRunning(original, holder) && !isUp(holder)) {
    steps.push({ kind: 'startContainer', container: { id: holder.id }, name: holder.name });
  }
  steps.push({ kind: 'removeContainer', container: { id: original.id }, name: parked.name });
  return steps;
}

async function rollBackSteps(parked: ParkedContainer, original: ContainerDetails, holder: ContainerDetails | undefined, deps: RecoveryDeps): Promise<PlanStep[]> {
  const back: PlanStep = { kind: 'renameContainer', container: { id: original.id }, from: parked.name, to: parked.originalName };
  if (!holder || holder.id === original.id) {
    return [back];
  }
  if (!(await deps.confirm(`Remove ${holder.name} (${holder.id.slice(0, 12)})? Nothing records that Crosslink created it; rolling back puts ${parked.name} back in its place.`))) {
    throw new RecoveryError(
      'needsConfirmation',
      `${holder.name} now has the name of ${parked.name}, and nothing records that Crosslink created it, so Crosslink does not remove it without your confirmation. Use Roll Back from the Containers view to confirm, or Finish to keep it.`,
    );
  }
  const discarded = `${parked.originalName}-crosslink-discarded-${holder.id.slice(0, 8)}`;
  return [
    ...(isUp(holder) ? [{ kind: 'stopContainer' as const, container: { id: holder.id }, name: holder.name }] : []),
    { kind: 'renameContainer', container: { id: holder.id }, from: holder.name, to: discarded },
    back,
    ...(wasRunning(original, holder) && !isUp(original) ? [{ kind: 'startContainer' as const, container: { id: original.id }, name: parked.originalName }] : []),
    { kind: 'removeContainer', container: { id: holder.id }, name: discarded },
  ];
}

/**
 * Without a journal: the original was running if it still is, or if it stopped within minutes
 * before its replacement was created (recreation stops it just before creating the new one).
 */
function wasRunning(original: ContainerDetails, holder: ContainerDetails | undefined): boolean {
  if (isUp(original)) {
    return true;
  }
  const finishedAt = Date.parse((original.raw.State as { FinishedAt?: string } | undefined)?.FinishedAt ?? '');
  const createdAt = Date.parse((holder?.raw.Created as string | undefined) ?? '');
  const gap = createdAt - finishedAt;
  return holder !== undefined && Number.isFinite(gap) && gap >= 0 && gap <= 10 * 60_000;
}
