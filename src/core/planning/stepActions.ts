import { setTimeout as delay } from 'node:timers/promises';
import { DockerApiError } from '../errors';
import type { DockerClient } from '../hosts/dockerClient';
import type { ContainerDetails } from '../types';
import { copyChangedPaths } from './copyPaths';
import type { ContainerHandle, PlanStep } from './plan';

/** What a step needs to act on its host. */
export interface StepContext {
  client: DockerClient;
  /** Ids of the containers the change created, by ref (filled in as create steps succeed or are adopted). */
  created: Record<string, string>;
  /** Ids of the containers the change found on the host: a container by one of these ids is never "the new one". */
  originals: ReadonlySet<string>;
  /** How long startContainer waits before checking that the container stayed up. */
  settleMs: number;
}

/**
 * How the executor runs, checks and undoes one kind of step. Every part is idempotent: `isDone`
 * looks at the host as it is now (a lost reply, a crash, another retry), `apply` may be run again
 * after `isDone` said no, and `undo` checks before it acts, so it works whatever the host's picture.
 * A new step kind is one more case in `stepAction`.
 */
export interface StepAction {
  apply(): Promise<void>;
  /** Whether the step's effect is on the host now; throws when the host cannot be asked. */
  isDone(): Promise<boolean>;
  /** Puts back what the step changed (nothing when it did not happen). Undefined: cannot be undone. */
  undo?: () => Promise<void>;
}

export function stepAction(step: PlanStep, context: StepContext): StepAction {
  const { client } = context;
  const resolve = (handle: ContainerHandle) => resolveHandle(handle, context.created);
  switch (step.kind) {
    case 'createNetwork': {
      // Ours only when it carries our labels: a same-named network made by someone else is never adopted or removed.
      const ours = async () => {
        const network = await orUndefined(client.inspectNetwork(step.name));
        return network !== undefined && hasLabels(network.labels, step.labels);
      };
      return {
        apply: async () => void (await client.createNetwork(step.name, { labels: step.labels, driver: step.driver, attachable: step.attachable, options: step.options })),
        isDone: ours,
        undo: async () => {
          if (await ours()) {
            await ignoreNotFound(client.removeNetwork(step.name));
          }
        },
      };
    }
    case 'createVolume': {
      const ours = async () => {
        const volume = (await client.listVolumes()).find((candidate) => candidate.name === step.name);
        return volume !== undefined && hasLabels(volume.labels, step.labels);
      };
      return {
        apply: async () => void (await client.createVolume(step.name, step.labels)),
        isDone: ours,
        undo: async () => {
          if (await ours()) {
            await ignoreNotFound(client.removeVolume(step.name));
          }
        },
      };
    }
    case 'renameContainer': {
      const named = async (name: string) => (await client.inspectContainer(resolve(step.container))).name === name;
      return {
        apply: () => client.renameContainer(resolve(step.container), step.to),
        isDone: () => named(step.to),
        undo: async () => {
          if (!(await named(step.from))) {
            await client.renameContainer(resolve(step.container), step.from);
          }
        },
      };
    }
    case 'stopContainer': {
      const id = () => resolve(step.container);
      return {
        apply: () => stopGracefully(client, id()),
        isDone: async () => !isUp(await client.inspectContainer(id())),
        undo: async () => {
          if (!isUp(await client.inspectContainer(id()))) {
            await client.startContainer(id());
          }
        },
      };
    }
    case 'createContainer': {
      // A create whose reply was lost still made the container: it is the one with the step's name that is none of the originals.
      const find = async (): Promise<string | undefined> => {
        const known = context.created[step.ref];
        if (known) {
          return (await orUndefined(client.inspectContainer(known)))?.id;
        }
        const named = await orUndefined(client.inspectContainer(step.name));
        if (named && isCandidate(named, step.body.Image, context.originals)) {
          context.created[step.ref] = named.id;
          return named.id;
        }
        return undefined;
      };
      return {
        apply: async () => {
          context.created[step.ref] = await client.createContainer(step.name, step.body);
        },
        isDone: async () => (await find()) !== undefined,
        undo: async () => {
          const id = await find();
          if (id) {
            // Volumes stay: they may hold data the original container still uses.
            await ignoreNotFound(client.removeContainer(id, { force: true, removeVolumes: false }));
          }
        },
      };
    }
    case 'connectNetwork': {
      const member = async () => onNetwork(await client.inspectContainer(resolve(step.container)), step.network);
      return {
        apply: () => client.connectNetwork(step.network, resolve(step.container), step.endpoint),
        isDone: member,
        undo: async () => {
          if (await member()) {
            await client.disconnectNetwork(step.network, resolve(step.container), true);
          }
        },
      };
    }
    case 'disconnectNetwork': {
      const member = async () => onNetwork(await client.inspectContainer(resolve(step.container)), step.network);
      return {
        apply: () => client.disconnectNetwork(step.network, resolve(step.container)),
        isDone: async () => !(await member()),
        undo: async () => {
          if (!(await member())) {
            await client.connectNetwork(step.network, resolve(step.container), step.restore);
          }
        },
      };
    }
    case 'copyPaths':
      return {
        apply: () => copyChangedPaths(client, resolve(step.from), resolve(step.to), step.ignored),
        // Copying again writes the same files over themselves, so after a lost reply or a crash it simply runs again.
        isDone: async () => false,
        // The copies live in the new container, which the create step's undo removes.
        undo: async () => undefined,
      };
    case 'startContainer': {
      const id = () => resolve(step.container);
      const stayedUp = async () => {
        await delay(context.settleMs);
        return isUp(await client.inspectContainer(id()));
      };
      return {
        apply: async () => {
          await client.startContainer(id());
          // A container whose process exits at once "started" without error; catch that before removing the original.
          if (!(await stayedUp())) {
            const details = await client.inspectContainer(id());
            const exitCode = (details.raw.State as { ExitCode?: number } | undefined)?.ExitCode;
            throw new Error(`${step.name} exited right after starting (state ${details.state}${exitCode !== undefined ? `, exit code ${exitCode}` : ''})`);
          }
        },
        isDone: stayedUp,
        undo: async () => {
          if (isUp(await client.inspectContainer(id()))) {
            await stopGracefully(client, id());
          }
        },
      };
    }
    case 'removeContainer':
      return {
        apply: () => ignoreNotFound(client.removeContainer(resolve(step.container), { force: true, removeVolumes: false })),
        isDone: async () => (await orUndefined(client.inspectContainer(resolve(step.container)))) === undefined,
      };
    case 'removeNetwork':
      return {
        apply: () => ignoreNotFound(client.removeNetwork(step.name)),
        isDone: async () => (await orUndefined(client.inspectNetwork(step.name))) === undefined,
      };
  }
}

/** A container with a create step's name may be the one it made: not one of the change's originals, and from the same image. */
export function isCandidate(details: ContainerDetails, image: string, originals: ReadonlySet<string>): boolean {
  return !originals.has(details.id) && (details.raw.Config as { Image?: string } | undefined)?.Image === image;
}

export function resolveHandle(handle: ContainerHandle, created: Record<string, string>): string {
  if ('id' in handle) {
    return handle.id;
  }
  const id = created[handle.ref];
  if (!id) {
    throw new Error(`plan refers to container "${handle.ref}" before creating it`);
  }
  return id;
}

/**
 * Stops with the container's own StopTimeout, passed explicitly: the client then waits that long
 * plus its call timeout, so a `--stop-timeout 90` database is not abandoned halfway.
 */
async function stopGracefully(client: DockerClient, id: string): Promise<void> {
  const details = await client.inspectContainer(id);
  const stopTimeout = (details.raw.Config as { StopTimeout?: number } | undefined)?.StopTimeout;
  await client.stopContainer(id, typeof stopTimeout === 'number' && stopTimeout >= 0 ? stopTimeout : 10);
}

export const isUp = (details: ContainerDetails) => details.state === 'running' || details.state === 'restarting';

/** Networks are named in plans; inspect lists them by name. */
const onNetwork = (details: ContainerDetails, network: string) => details.networks.some((candidate) => candidate.name === network);

function hasLabels(actual: Record<string, string>, expected: Record<string, string>): boolean {
  return Object.entries(expected).every(([key, value]) => actual[key] === value);
}

/** The call's result, or undefined when the engine says the object does not exist. */
export async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (DockerApiError.is(error, 'notFound')) {
      return undefined;
    }
    throw error;
  }
}

async function ignoreNotFound(call: Promise<void>): Promise<void> {
  await orUndefined(call);
}
