import { CrosslinkError, errorMessage } from '../errors';
import { Logger } from '../like';
import { DockerClient } from '../hosts/dockerClient';
import { ContainerHandle, Plan, PlanStep, describeStep, describeUndo } from './plan';

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
  const created: Record<string, string> = {};
  const undo: Array<{ description: string; run: () => Promise<void> }> = [];
  const resolve = (handle: ContainerHandle): string => {
    if ('id' in handle) {
      return handle.id;
    }
    const id = created[handle.ref];
    if (!id) {
      throw new Error(`plan refers to container "${handle.ref}" before creating it`);
    }
    return id;
  };
  const reversible = plan.steps.filter((step) => step.kind !== 'removeContainer');
  const removals = plan.steps.filter((step) => step.kind === 'removeContainer');
  const ordered = [...reversible, ...removals];
  for (const [index, step] of ordered.entries()) {
    const description = describeStep(step);
    options.onStep?.(description, index, ordered.length);
    logger.info(`[${plan.host}] ${description}`);
    try {
      await options.beforeStep?.(step);
      const undoStep = await runStep(step, client, resolve, created);
      if (undoStep) {
        undo.push({ description: describeUndo(step), run: undoStep });
      }
    } catch (error) {
      const rollbackFailures = await rollBack(undo, plan.host, logger);
      const tail = rollbackFailures.length > 0 ? ` Undone, except: ${rollbackFailures.join('; ')}.` : ' Everything was put back as it was.';
      throw new PlanError(`${plan.host}: could not ${description}: ${errorMessage(error)}.${tail}`, description, rollbackFailures, { cause: error });
    }
  }
  return { created };
}

async function rollBack(undo: Array<{ description: string; run: () => Promise<void> }>, host: string, logger: Logger): Promise<string[]> {
  const failures: string[] = [];
  for (const step of undo.reverse()) {
    try {
      logger.info(`[${host}] undo: ${step.description}`);
      await step.run();
    } catch (error) {
      logger.error(`[${host}] undo failed: ${step.description}: ${errorMessage(error)}`);
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
