import type { Readable } from 'node:stream';
import { CrosslinkError } from '../errors';
import { ambassadorLabel, isManaged, roleOf } from '../values/labels';
import type { DockerClient, InteractiveExec } from '../hosts/dockerClient';
import { formatContainerRef } from '../values/containerRef';
import { countOf } from '../plural';
import type { ContainerDetails, ContainerState, ContainerSummary } from '../types';

export type ContainerActionErrorReason =
  | 'managedByCrosslink' // an ambassador or helper: its link or tunnel owns it
  | 'notRunning' // the action needs a running container (shell)
  | 'invalidState'; // the container's state does not allow the action (start a paused or dead one)

/** A container action that cannot run as asked; nothing was changed. */
export class ContainerActionError extends CrosslinkError<ContainerActionErrorReason> {
  static is(error: unknown, reason?: ContainerActionErrorReason): error is ContainerActionError {
    return error instanceof ContainerActionError && (reason === undefined || error.reason === reason);
  }
}

export type LifecycleAction = 'start' | 'stop' | 'restart' | 'remove';

/**
 * The states in which each action does something. package.json's menu `when` clauses on
 * `container.<state>` follow the same table, so a menu entry is only shown where it works.
 */
export const actionStates: Record<LifecycleAction | 'shell' | 'followLogs', readonly ContainerState[]> = {
  start: ['created', 'exited'],
  stop: ['running', 'paused', 'restarting'],
  restart: ['running', 'paused', 'restarting', 'exited', 'created'],
  remove: ['created', 'running', 'paused', 'restarting', 'exited', 'dead'],
  shell: ['running'],
  followLogs: ['running', 'restarting', 'paused'],
};

/** Where an action leaves a container when it already is there: nothing to do. */
const alreadyDone: Partial<Record<LifecycleAction, readonly ContainerState[]>> = {
  start: ['running'],
  stop: ['exited', 'created', 'dead'],
};

export interface ContainerActionPlan {
  action: LifecycleAction;
  /** "host/name", as commands name containers. */
  ref: string;
  container: { id: string; name: string; state: ContainerState };
  /** The container already is where the action would bring it. */
  noop: boolean;
  /** Remove: the container runs, so the removal stops it (force). */
  force: boolean;
  /** Shown before a destructive action; absent when nothing is lost. */
  confirmation?: { message: string; detail: string; button: string };
  /** Said once it ran, so the user knows what happened. */
  done: string;
}

/**
 * What an action on one container will do, or a ContainerActionError when it must not run.
 * Remove needs `details` (the mounts) to say which volumes stay.
 */
export function planContainerAction(action: LifecycleAction, hostName: string, container: ContainerSummary, details?: ContainerDetails): ContainerActionPlan {
  const ref = formatContainerRef(hostName, container.name);
  const base = { action, ref, container: { id: container.id, name: container.name, state: container.state }, force: false };
  if (action === 'remove') {
    refuseManaged(ref, container);
  }
  if (alreadyDone[action]?.includes(container.state)) {
    return { ...base, noop: true, done: `${ref} is already ${container.state === 'running' ? 'running' : 'stopped'}.` };
  }
  if (!actionStates[action].includes(container.state)) {
    throw new ContainerActionError('invalidState', `Cannot ${action} ${ref}: it is ${container.state}.${stateHint(container.state)}`);
  }
  switch (action) {
    case 'start':
      return { ...base, noop: false, done: `Started ${ref}.` };
    case 'stop':
      return { ...base, noop: false, done: `Stopped ${ref}.` };
    case 'restart':
      return { ...base, noop: false, done: `Restarted ${ref}.` };
    case 'remove': {
      const running = container.state === 'running' || container.state === 'restarting' || container.state === 'paused';
      return {
        ...base,
        noop: false,
        force: running,
        confirmation: {
          message: `Remove the container ${ref}?`,
          detail: [running ? `It is ${container.state}; it is stopped first.` : undefined, volumesKept(details), 'Its image and networks are not touched.']
            .filter(Boolean)
            .join(' '),
          button: 'Remove',
        },
        done: `Removed ${ref}${volumeCount(details) > 0 ? ` (its ${countOf(volumeCount(details), 'volume')} kept)` : ''}.`,
      };
    }
  }
}

/** Runs a plan; the state the container ended in ("removed" once gone). */
export async function applyContainerAction(client: DockerClient, plan: ContainerActionPlan): Promise<ContainerState | 'removed'> {
  const { id } = plan.container;
  if (plan.noop) {
    return plan.container.state;
  }
  switch (plan.action) {
    case 'start':
      await client.startContainer(id);
      break;
    case 'stop':
      await client.stopContainer(id);
      break;
    case 'restart':
      await client.restartContainer(id);
      break;
    case 'remove':
      // Volumes stay: a container's data outlives it unless the user removes the volume on purpose.
      await client.removeContainer(id, { force: plan.force, removeVolumes: false });
      return 'removed';
  }
  // The state the engine reports now: a container that exits at once shows as exited, not running.
  return (await client.inspectContainer(id)).state;
}

/** Logs follow while the container can still write; of a stopped one they are read to the end. */
export function openLogs(client: DockerClient, container: ContainerSummary, tail = 500): Promise<Readable> {
  return client.logs(container.id, { follow: actionStates.followLogs.includes(container.state), tail });
}

export type ShellName = 'bash' | 'sh';

/** An interactive shell with a TTY: bash when the image has it, else sh. */
export async function openShell(client: DockerClient, hostName: string, container: ContainerSummary): Promise<{ shell: ShellName; session: InteractiveExec }> {
  if (!actionStates.shell.includes(container.state)) {
    throw new ContainerActionError('notRunning', `${formatContainerRef(hostName, container.name)} is ${container.state}; start it to open a shell.`);
  }
  const probe = await client.exec(container.id, ['sh', '-c', 'command -v bash']).catch(() => undefined);
  const shell: ShellName = probe?.exitCode === 0 && probe.stdout.trim() ? 'bash' : 'sh';
  return { shell, session: await client.execInteractive(container.id, [shell], { tty: true }) };
}

function refuseManaged(ref: string, container: ContainerSummary): void {
  if (!isManaged(container.labels)) {
    return;
  }
  const role = roleOf(container.labels);
  const target = container.labels[ambassadorLabel.target];
  const what =
    role === 'client-ambassador'
      ? `the client-side ambassador of the link ${container.labels[ambassadorLabel.client]} → ${target}; remove it with "Remove Link" on that link`
      : role === 'server-ambassador'
        ? `the server-side ambassador of ${target}; it goes with the last link to it ("Remove Link")`
        : role === 'tunnel-ambassador'
          ? `the ambassador of a tunnel to ${target}; "Stop Tunnel" removes it`
          : 'a helper Crosslink created and removes itself';
  throw new ContainerActionError('managedByCrosslink', `${ref} is ${what}.`);
}

function stateHint(state: ContainerState): string {
  switch (state) {
    case 'paused':
      return ' Unpause it first (docker unpause).';
    case 'dead':
      return ' A dead container can only be removed.';
    case 'removing':
      return ' The engine is removing it.';
    default:
      return '';
  }
}

interface MountDocument {
  Type?: string;
  Name?: string;
  Destination?: string;
}

function volumeMounts(details: ContainerDetails | undefined): MountDocument[] {
  return ((details?.raw.Mounts as MountDocument[] | undefined) ?? []).filter((mount) => mount.Type === 'volume');
}

function volumeCount(details: ContainerDetails | undefined): number {
  return volumeMounts(details).length;
}

/** Docker names an anonymous volume by 64 hex digits; named ones were chosen by someone. */
function volumesKept(details: ContainerDetails | undefined): string | undefined {
  const mounts = volumeMounts(details);
  if (mounts.length === 0) {
    return undefined;
  }
  const anonymous = mounts.filter((mount) => /^[0-9a-f]{64}$/.test(mount.Name ?? ''));
  const named = mounts.filter((mount) => !anonymous.includes(mount));
  const parts = [
    anonymous.length > 0 ? `its ${countOf(anonymous.length, 'anonymous volume')} (${anonymous.map((mount) => mount.Destination).join(', ')})` : undefined,
    named.length > 0 ? `the ${countOf(named.length, 'named volume')} ${named.map((mount) => mount.Name).join(', ')}` : undefined,
  ].filter(Boolean);
  return `Kept: ${parts.join(' and ')} — remove ${mounts.length === 1 ? 'it' : 'them'} yourself if no longer needed.`;
}
