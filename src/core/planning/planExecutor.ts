import { setTimeout as delay } from 'node:timers/promises';
import { CrosslinkError, DockerApiError, errorMessage } from '../errors';
import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import { type ChangePhase, type Journal, type JournalEntry, type JournalOriginal, RecoveryError, currentOwner, newChangeId } from './journal';
import { type Plan, type PlanStep, describeStep, describeUndo, irreversibleKinds } from './plan';
import { type StepAction, type StepContext, isCandidate, orUndefined, stepAction } from './stepActions';

/** A step failed before the point of no return; what the change had done was undone (or `rollbackFailures` says what was not). */
export class PlanError extends CrosslinkError<'stepFailed' | 'cancelled'> {
  constructor(
    message: string,
    readonly failedStep: string,
    readonly rollbackFailures: string[],
    options?: { cause?: unknown; reason?: 'stepFailed' | 'cancelled' },
  ) {
    super(options?.reason ?? 'stepFailed', message, options);
  }

  static is(error: unknown, reason?: 'stepFailed' | 'cancelled'): error is PlanError {
    return error instanceof PlanError && (reason === undefined || error.reason === reason);
  }
}

/**
 * A step failed after the first irreversible one was attempted: nothing was undone (the new
 * containers run), the rest was retried, and `remaining` is what is still to do, with
 * `howToFinish` as commands. The change stays in the journal, so recovery can finish it.
 */
export class IncompleteChangeError extends CrosslinkError<'incomplete'> {
  constructor(
    message: string,
    readonly changeId: string,
    readonly remaining: string[],
    readonly howToFinish: string[],
    options?: { cause?: unknown },
  ) {
    super('incomplete', message, options);
  }

  static is(error: unknown): error is IncompleteChangeError {
    return error instanceof IncompleteChangeError;
  }
}

export interface ExecutionResult {
  /** Ids of the containers the plan created, by ref. */
  created: Record<string, string>;
}

export interface ExecuteOptions {
  onStep?: (description: string, index: number, total: number) => void;
  /** Test seam: runs before every attempt of a step, so a test can fail, pause or kill at a chosen step. */
  beforeStep?: (step: PlanStep, index: number) => Promise<void> | void;
  /** Where the change is recorded before and after each step, so an interrupted one can be finished or rolled back. */
  journal?: Journal;
  /** What the user asked for, recorded with the change. */
  title?: string;
  /**
   * Cancel (the progress notification's button): checked between steps. Before the point of no
   * return the steps done so far are undone and PlanError 'cancelled' is thrown; after it the
   * change is finished anyway, because stopping there would leave the host half changed.
   */
  signal?: AbortSignal;
  /** Attempts per step after the point of no return, and the pause between attempts and between looks at the host. */
  retry?: { attempts: number; delayMs: number };
  /** Check each step on the host before running it and skip what is already done (for recovery, which resumes a change). */
  verifyFirst?: boolean;
  /** How long a started container must stay up before the step counts as done. */
  settleMs?: number;
}

const defaultRetry = { attempts: 3, delayMs: 2000 };

/** Applies a plan on its host; see executePlans. */
export async function executePlan(plan: Plan, client: DockerClient, logger: Logger, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  const [result] = await executePlans([{ plan, client }], logger, options);
  return result;
}

interface Scheduled {
  host: string;
  step: PlanStep;
  action: StepAction;
}

/**
 * Applies plans on several hosts as one change. Removals (irreversible) on every host wait until
 * every other step everywhere succeeded; the first removal attempted is the point of no return.
 * - A step that throws is not taken as failed until the host was looked at again: when its effect
 *   is there (a reply lost to a timeout or a dropped connection), it counts as done.
 * - Before the point of no return, a failed step undoes what the change did, last first; each undo
 *   checks the host first, so it is right whatever the picture.
 * - After it, nothing is undone: the remaining steps are retried, then IncompleteChangeError says
 *   what is left. The new containers are never removed.
 * Every step is recorded in the journal before and after it runs.
 */
export async function executePlans(runs: Array<{ plan: Plan; client: DockerClient }>, logger: Logger, options: ExecuteOptions = {}): Promise<ExecutionResult[]> {
  const entry = newEntry(runs, options.title);
  const clients = new Map(runs.map(({ plan, client }) => [plan.host, client]));
  const results = () =>
    runs.map(({ plan }) => ({
      created: Object.fromEntries(Object.entries(entry.created[plan.host]).filter(([ref]) => plan.steps.some((step) => step.kind === 'createContainer' && step.ref === ref))),
    }));
  if (entry.steps.length > 0) {
    await runEntry(entry, (host) => clients.get(host), logger, options);
  }
  return results();
}

/** How recovery resumes a recorded change: complete it, or undo what it did. */
export type ResumeAction = 'finish' | 'rollBack';

export interface ResumeOptions extends ExecuteOptions {
  /**
   * Asked, naming it, before rolling back a container the journal does not prove this change
   * created (its create was started but its id never recorded): only a yes removes it.
   */
  confirmRemoval?: (description: string) => Promise<boolean>;
}

/**
 * Finishes or rolls back a change from its journal entry, with the same verified, idempotent
 * steps, recording progress in the same entry (so an interrupted recovery can be recovered too).
 * Returns the steps it ran or undid.
 */
export async function resumeChange(
  entry: JournalEntry,
  clientOf: (host: string) => DockerClient | undefined,
  action: ResumeAction,
  logger: Logger,
  options: ResumeOptions = {},
): Promise<string[]> {
  entry.owner = currentOwner();
  const touched: string[] = [];
  const onStep = options.onStep;
  if (action === 'finish') {
    await runEntry(entry, clientOf, logger, {
      ...options,
      verifyFirst: true,
      onStep: (description, index, total) => {
        touched.push(description);
        onStep?.(description, index, total);
      },
    });
    return touched;
  }
  const { scheduled, journal, originals } = prepare(entry, clientOf, logger, options);
  const reached = scheduled.map((_, index) => index).filter((index) => entry.steps[index].state === 'done' || entry.steps[index].state === 'started');
  for (const index of reached.filter((candidate) => !scheduled[candidate].action.undo)) {
    if (entry.steps[index].state === 'done' || (await lookAgain(scheduled[index].action, options.retry?.delayMs ?? defaultRetry.delayMs))) {
      throw new RecoveryError(
        'cannotRollBack',
        `${entry.steps[index].host}: "${describeStep(scheduled[index].step)}" already happened and cannot be undone, so this change can only be finished.`,
      );
    }
  }
  // A create whose id was never recorded (the process died before its reply): the same-named container may be
  // it, or may not. Only a yes removes it; otherwise nothing is touched.
  for (const index of reached) {
    const { host, step } = entry.steps[index];
    if (step.kind === 'createContainer' && !entry.created[host][step.ref]) {
      const named = await orUndefined(clientOf(host)!.inspectContainer(step.name));
      if (named && isCandidate(named, step.body.Image, originals)) {
        const question = `Remove ${named.name} (${named.id.slice(0, 12)}) on ${host}? The change was creating it when it stopped, but did not record its id.`;
        if (!(await options.confirmRemoval?.(question))) {
          throw new RecoveryError(
            'needsConfirmation',
            `${named.name} on ${host} may be the container this change created, but nothing records it, so rolling back needs your confirmation to remove it.`,
          );
        }
        entry.created[host][step.ref] = named.id;
      }
    }
  }
  const last = reached.length > 0 ? Math.max(...reached) : -1;
  const failures = await rollBack(scheduled, last, undefined, journal, logger, touched);
  if (failures.length > 0) {
    await journal.leave();
    throw new PlanError(`Could not roll back everything: ${failures.join('; ')}. The change stays interrupted; try again when the host answers.`, 'roll back', failures);
  }
  return touched;
}

function prepare(
  entry: JournalEntry,
  clientOf: (host: string) => DockerClient | undefined,
  logger: Logger,
  options: ExecuteOptions,
): { scheduled: Scheduled[]; journal: JournalWriter; originals: ReadonlySet<string> } {
  const originals = new Set(entry.steps.flatMap(({ step }) => ('container' in step && 'id' in step.container ? [step.container.id] : [])));
  const contexts = new Map<string, StepContext>();
  for (const host of entry.hosts) {
    const client = clientOf(host);
    if (!client) {
      throw new RecoveryError('hostUnavailable', `${host} is not connected; the change on it can be finished or rolled back once it is.`);
    }
    contexts.set(host, { client, created: (entry.created[host] ??= {}), originals, settleMs: options.settleMs ?? 500 });
  }
  const scheduled = entry.steps.map(({ host, step }) => ({ host, step, action: stepAction(step, contexts.get(host)!) }));
  return { scheduled, journal: new JournalWriter(entry, options.journal, logger), originals };
}

/** Runs the entry's steps that are not done yet, in order, with the point of no return. */
async function runEntry(entry: JournalEntry, clientOf: (host: string) => DockerClient | undefined, logger: Logger, options: ExecuteOptions): Promise<void> {
  const retry = options.retry ?? defaultRetry;
  const { scheduled, journal } = prepare(entry, clientOf, logger, options);
  const where = (host: string) => (entry.hosts.length > 1 ? `${host}: ` : '');
  entry.phase = 'applying';
  await journal.save();
  let pointOfNoReturn = false;
  for (const [index, item] of scheduled.entries()) {
    const state = entry.steps[index].state;
    pointOfNoReturn ||= irreversibleKinds.has(item.step.kind) && state !== 'pending';
    if (state === 'done') {
      continue;
    }
    const description = describeStep(item.step);
    if (options.signal?.aborted && !pointOfNoReturn) {
      const rollbackFailures = await rollBack(scheduled, index, options.signal.reason, journal, logger);
      if (rollbackFailures.length > 0) {
        await journal.leave();
      }
      const tail = rollbackFailures.length > 0 ? ` Undone, except: ${rollbackFailures.join('; ')}.` : ' Everything was put back as it was.';
      throw new PlanError(`Cancelled before ${item.host}: ${description}.${tail}`, description, rollbackFailures, { reason: 'cancelled' });
    }
    options.onStep?.(`${where(item.host)}${description}`, index, scheduled.length);
    logger.info(`[${item.host}] ${description}`);
    pointOfNoReturn ||= irreversibleKinds.has(item.step.kind);
    await journal.step(index, 'started');
    try {
      await runChecked(item, index, options, logger, retry.delayMs);
      await journal.step(index, 'done');
    } catch (error) {
      if (pointOfNoReturn) {
        await rollForward(scheduled, index, error, { journal, options, logger, retry });
        return;
      }
      const rollbackFailures = await rollBack(scheduled, index, error, journal, logger);
      if (rollbackFailures.length > 0) {
        await journal.leave();
      }
      const tail =
        rollbackFailures.length > 0
          ? ` Undone, except: ${rollbackFailures.join('; ')}. The change is kept as interrupted: "Recover Interrupted Change" can finish or roll it back later.`
          : ' Everything was put back as it was.';
      throw new PlanError(`${item.host}: could not ${description}: ${errorMessage(error)}.${tail}`, description, rollbackFailures, { cause: error });
    }
  }
  await journal.finish('done');
}

/** Runs a step; when it throws, looks at the host again before calling it failed. */
async function runChecked(item: Scheduled, index: number, options: ExecuteOptions, logger: Logger, lookDelayMs: number): Promise<void> {
  if (options.verifyFirst && (await lookAgain(item.action, lookDelayMs))) {
    logger.info(`[${item.host}] already done: ${describeStep(item.step)}`);
    return;
  }
  try {
    await options.beforeStep?.(item.step, index);
    await item.action.apply();
  } catch (error) {
    // The engine refused: it did nothing. Anything else (a timeout, a dropped connection) may have lost only the reply.
    if (!DockerApiError.is(error) && (await lookAgain(item.action, lookDelayMs))) {
      logger.warn(`[${item.host}] ${describeStep(item.step)}: ${errorMessage(error)}, but the host shows it done`);
      return;
    }
    throw error;
  }
}

/** Whether the step's effect is on the host; false when the host cannot tell (after a few tries). */
async function lookAgain(action: StepAction, delayMs: number): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await action.isDone();
    } catch {
      await delay(delayMs);
    }
  }
  return false;
}

async function rollBack(scheduled: Scheduled[], failedIndex: number, failure: unknown, journal: JournalWriter, logger: Logger, touched: string[] = []): Promise<string[]> {
  await journal.phase('rollingBack');
  const failures: string[] = [];
  for (let index = failedIndex; index >= 0; index--) {
    const { host, step, action } = scheduled[index];
    if (journal.entry.steps[index].state === 'pending' || journal.entry.steps[index].state === 'undone') {
      continue;
    }
    // A step the engine refused did nothing; every other one may have (its reply lost), and its undo checks first.
    if (!action.undo || (index === failedIndex && DockerApiError.is(failure))) {
      continue;
    }
    try {
      logger.info(`[${host}] undo: ${describeUndo(step)}`);
      await withRetries(action.undo, 2, 1000);
      await journal.step(index, 'undone');
      touched.push(`${host}: ${describeUndo(step)}`);
    } catch (error) {
      logger.error(`[${host}] undo failed: ${describeUndo(step)}: ${errorMessage(error)}`);
      failures.push(`${describeUndo(step)} (${errorMessage(error)})`);
    }
  }
  if (failures.length === 0) {
    await journal.finish('rolledBack');
  }
  return failures;
}

async function rollForward(
  scheduled: Scheduled[],
  failedIndex: number,
  failure: unknown,
  context: { journal: JournalWriter; options: ExecuteOptions; logger: Logger; retry: { attempts: number; delayMs: number } },
): Promise<void> {
  const { journal, options, logger, retry } = context;
  await journal.phase('rollingForward');
  let lastError = failure;
  logger.warn(
    `[${scheduled[failedIndex].host}] ${describeStep(scheduled[failedIndex].step)} failed after the point of no return (${errorMessage(failure)}); completing the change instead of undoing it`,
  );
  for (let attempt = 1; attempt < retry.attempts; attempt++) {
    await delay(retry.delayMs);
    try {
      for (let index = failedIndex; index < scheduled.length; index++) {
        if (journal.entry.steps[index].state === 'done') {
          continue;
        }
        await journal.step(index, 'started');
        await runChecked(scheduled[index], index, { ...options, verifyFirst: true }, logger, retry.delayMs);
        await journal.step(index, 'done');
      }
      await journal.finish('done');
      return;
    } catch (error) {
      lastError = error;
    }
  }
  await journal.leave();
  const left = scheduled.filter((_, index) => index >= failedIndex && journal.entry.steps[index].state !== 'done');
  const remaining = left.map(({ host, step }) => `${host}: ${describeStep(step)}`);
  const howToFinish = left.map(({ host, step }) => finishCommand(host, step));
  const running = scheduled.filter(({ step }) => step.kind === 'startContainer').map(({ step }) => (step as { name: string }).name);
  throw new IncompleteChangeError(
    `The change is done except for: ${remaining.join('; ')} (${errorMessage(lastError)}). ` +
      `${running.length > 0 ? `The new ${[...new Set(running)].join(', ')} ${running.length > 1 ? 'run' : 'runs'}; nothing was undone. ` : 'Nothing was undone. '}` +
      `When you are ready, finish with "Recover Interrupted Change" → Finish, or run: ${howToFinish.join('; ')}`,
    journal.entry.id,
    remaining,
    howToFinish,
    { cause: lastError },
  );
}

/** The docker command that completes a step by hand (removals are the only steps left after the point of no return). */
function finishCommand(host: string, step: PlanStep): string {
  switch (step.kind) {
    case 'removeContainer':
      return `(on ${host}) docker rm -f ${step.name}`;
    case 'removeNetwork':
      return `(on ${host}) docker network rm ${step.name}`;
    default:
      return `(on ${host}) ${describeStep(step)}`;
  }
}

async function withRetries(run: () => Promise<void>, attempts: number, delayMs: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts) {
        throw error;
      }
      await delay(delayMs);
    }
  }
}

function newEntry(runs: Array<{ plan: Plan }>, title: string | undefined): JournalEntry {
  const now = new Date().toISOString();
  const all = runs.flatMap(({ plan }) => plan.steps.map((step) => ({ host: plan.host, step, state: 'pending' as const })));
  const steps = [...all.filter(({ step }) => !irreversibleKinds.has(step.kind)), ...all.filter(({ step }) => irreversibleKinds.has(step.kind))];
  const hosts = [...new Set(runs.map(({ plan }) => plan.host))];
  return {
    version: 1,
    id: newChangeId(),
    title: title ?? runs.flatMap(({ plan }) => plan.description).join('; '),
    phase: 'applying',
    startedAt: now,
    updatedAt: now,
    owner: currentOwner(),
    hosts,
    steps,
    created: Object.fromEntries(hosts.map((host) => [host, {}])),
    originals: originalsOf(steps),
  };
}

/** Containers the change parks (renames aside) until their replacement runs; the stop step says they were running. */
export function originalsOf(steps: JournalEntry['steps']): JournalOriginal[] {
  return steps.flatMap(({ host, step }) => {
    if (step.kind !== 'renameContainer' || !('id' in step.container)) {
      return [];
    }
    const id = step.container.id;
    const running = steps.some((other) => other.host === host && other.step.kind === 'stopContainer' && 'id' in other.step.container && other.step.container.id === id);
    return [{ host, id, name: step.from, parkedName: step.to, running }];
  });
}

/** Records the entry as it changes; a journal that cannot be written is logged, not fatal to the change. */
class JournalWriter {
  constructor(
    readonly entry: JournalEntry,
    private readonly journal: Journal | undefined,
    private readonly logger: Logger,
  ) {}

  step(index: number, state: JournalEntry['steps'][number]['state']): Promise<void> {
    this.entry.steps[index].state = state;
    return this.save();
  }

  phase(phase: ChangePhase): Promise<void> {
    this.entry.phase = phase;
    return this.save();
  }

  /** This process stops working on the change; it stays in the journal for recovery. */
  leave(): Promise<void> {
    delete this.entry.owner;
    return this.save();
  }

  /** A finished change leaves nothing behind in the journal. */
  async finish(phase: 'done' | 'rolledBack'): Promise<void> {
    this.entry.phase = phase;
    try {
      await this.journal?.save(this.entry);
      await this.journal?.remove(this.entry.id);
    } catch (error) {
      this.logger.warn(`journal: could not record the end of change ${this.entry.id}: ${errorMessage(error)}`);
    }
  }

  async save(): Promise<void> {
    this.entry.updatedAt = new Date().toISOString();
    try {
      await this.journal?.save(this.entry);
    } catch (error) {
      this.logger.warn(`journal: could not record change ${this.entry.id}: ${errorMessage(error)}`);
    }
  }
}
