import { CrosslinkError, errorMessage } from '../errors';
import { Logger } from '../like';
import { DockerClient } from '../hosts/dockerClient';
import { copyChangedPaths } from './copyPaths';
import { ContainerHandle, Plan, PlanStep, describeStep, describeUndo, irreversibleKinds } from './plan';

/** A step failed; everything the plan had done was undone (or `rollbackFailures` says what was not). */
export class PlanError extends CrosslinkError<'stepFailed'> {
  constructor(
    message: string,
    readonly failedStep: string,
    readonly rollbackFailures: string[],
    options?: { cause?: unknown },
  ) {
    super('stepFailed', message, options);
  }

  static is(error: unknown): error is PlanError {
    return error instanceof PlanError;
  }
}

export interface ExecutionResult {
  /** Ids of the containers the plan created, by ref. */
  created: Record<string, string>;
}

export interface ExecuteOptions {
  onStep?: (description: string, index: number, total: number) => void;
  /** Test seam: lets a test make a chosen step fail as the engine would. */
  beforeStep?: (step: PlanStep) => Promise<void> | void;
}

/**
 * Applies a plan on its host. Each step that succeeds pushes its undo; when a step fails the
 * undos run in reverse, so the host is left as it was. Removals are irreversible, so they are
 * deferred until every other step has succeeded.
 */
export async function executePlan(plan: Plan, client: DockerClient, logger: Logger, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  const [result] = await executePlans([{ plan, client }], logger, options);
  return result;
}

/**
 * Applies plans on several hosts as one: if a step on any host fails, what every plan did so far is
 * undone, last first. Removals on all hosts wait until every other step everywhere succeeded.
 */
export async function executePlans(runs: Array<{ plan: Plan; client: DockerClient }>, logger: Logger, options: ExecuteOptions = {}): Promise<ExecutionResult[]> {
  const undo: Array<{ description: string; host: string; run: () => Promise<void> }> = [];
  const results = runs.map(() => ({ created: {} as Record<string, string> }));
  const scheduled = runs.flatMap(({ plan, client }, runIndex) =>
    plan.steps.map((step) => ({ step, plan, client, created: results[runIndex].created })),
  );
  const ordered = [...scheduled.filter(({ step }) => !irreversibleKinds.has(step.kind)), ...scheduled.filter(({ step }) => irreversibleKinds.has(step.kind))];
  for (const [index, { step, plan, client, created }] of ordered.entries()) {
    const description = describeStep(step);
    const where = runs.length > 1 ? `${plan.host}: ` : '';
    options.onStep?.(`${where}${description}`, index, ordered.length);
    logger.info(`[${plan.host}] ${description}`);
    try {
      await options.beforeStep?.(step);
      const undoStep = await runStep(step, client, handleResolver(created), created);
      if (undoStep) {
        undo.push({ description: describeUndo(step), host: plan.host, run: undoStep });
      }
    } catch (error) {
      const rollbackFailures = await rollBack(undo, logger);
      const tail = rollbackFailures.length > 0 ? ` Undone, except: ${rollbackFailures.join('; ')}.` : ' Everything was put back as it was.';
      throw new PlanError(`${plan.host}: could not ${description}: ${errorMessage(error)}.${tail}`, description, rollbackFailures, { cause: error });
    }
  }
  return results;
}

function handleResolver(created: Record<string, string>): (handle: ContainerHandle) => string {
  return (handle) => {
    if ('id' in handle) {
      return handle.id;
    }
    const id = created[handle.ref];
    if (!id) {
      throw new Error(`plan refers to container "${handle.ref}" before creating it`);
    }
    return id;
  };
}

async function rollBack(undo: Array<{ description: string; host: string; run: () => Promise<void> }>, logger: Logger): Promise<string[]> {
  const failures: string[] = [];
  for (const step of undo.reverse()) {
    try {
      logger.info(`[${step.host}] undo: ${step.description}`);
      await step.run();
    } catch (error) {
      logger.error(`[${step.host}] undo failed: ${step.description}: ${errorMessage(error)}`);
      failures.push(`${step.description} (${errorMessage(error)})`);
    }
  }
  return failures;
}

/** Runs one step; returns how to undo it (undefined when there is nothing to undo). */
async function runStep(
  step: PlanStep,
  client: DockerClient,
  resolve: (handle: ContainerHandle) => string,
  created: Record<string, string>,
): Promise<(() => Promise<void>) | undefined> {
  switch (step.kind) {
    case 'createNetwork': {
      const id = await client.createNetwork(step.name, { labels: step.labels });
      return () => client.removeNetwork(id);
    }
    case 'createVolume': {
      await client.createVolume(step.name, step.labels);
      return () => client.removeVolume(step.name);
    }
    case 'renameContainer': {
      const id = resolve(step.container);
      await client.renameContainer(id, step.to);
      return () => client.renameContainer(id, step.from);
    }
    case 'stopContainer': {
      const id = resolve(step.container);
      await client.stopContainer(id);
      return () => client.startContainer(id);
    }
    case 'createContainer': {
      const id = await client.createContainer(step.name, step.body);
      created[step.ref] = id;
      // Volumes stay: they may hold data the original container still uses.
      return () => client.removeContainer(id, { force: true, removeVolumes: false });
    }
    case 'connectNetwork': {
      const id = resolve(step.container);
      await client.connectNetwork(step.network, id, step.endpoint);
      return () => client.disconnectNetwork(step.network, id, true);
    }
    case 'disconnectNetwork': {
      const id = resolve(step.container);
      await client.disconnectNetwork(step.network, id);
      return () => client.connectNetwork(step.network, id, step.restore);
    }
    case 'copyPaths': {
      // Nothing to undo: the copies live in the new container, which createContainer's undo removes.
      await copyChangedPaths(client, resolve(step.from), resolve(step.to), step.ignored);
      return undefined;
    }
    case 'startContainer': {
      const id = resolve(step.container);
      await client.startContainer(id);
      await expectRunning(client, id, step.name);
      return () => client.stopContainer(id, 5);
    }
    case 'removeContainer': {
      await client.removeContainer(resolve(step.container), { force: true, removeVolumes: false });
      return undefined;
    }
    case 'removeNetwork': {
      await client.removeNetwork(step.name);
      return undefined;
    }
  }
}

/** A container whose process exits at once "started" without error; catch that before removing the original. */
async function expectRunning(client: DockerClient, id: string, name: string): Promise<void> {
  const settleMs = 500;
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const details = await client.inspectContainer(id);
  if (details.state !== 'running' && details.state !== 'restarting') {
    const exitCode = (details.raw.State as { ExitCode?: number } | undefined)?.ExitCode;
    throw new Error(`${name} exited right after starting (state ${details.state}${exitCode !== undefined ? `, exit code ${exitCode}` : ''})`);
  }
}
