import type { ContainerCreateBody, EndpointConfig } from '../types';
import type { IgnoredPaths } from './writableLayer';

/**
 * A plan is data: what will happen on one host, in order, with a sentence per step for the
 * user. Containers the plan creates are named by a symbolic `ref` until the engine gives ids.
 */
export interface Plan {
  host: string;
  /** One line per step, for confirmations, progress and logs. */
  readonly description: string[];
  readonly steps: PlanStep[];
}

/** A container that exists (`id`) or one a previous step creates (`ref`). */
export type ContainerHandle = { id: string } | { ref: string };

export type PlanStep =
  /** `driver` defaults to bridge; an overlay is created `attachable` so standalone containers can join it. */
  | { kind: 'createNetwork'; name: string; labels: Record<string, string>; driver?: string; attachable?: boolean; options?: Record<string, string> }
  | { kind: 'createVolume'; name: string; labels: Record<string, string> }
  | { kind: 'renameContainer'; container: ContainerHandle; from: string; to: string }
  | { kind: 'stopContainer'; container: ContainerHandle; name: string }
  | { kind: 'createContainer'; ref: string; name: string; body: ContainerCreateBody }
  | { kind: 'connectNetwork'; network: string; container: ContainerHandle; name: string; endpoint: EndpointConfig }
  /** `restore` is how to reconnect it if a later step fails. */
  | { kind: 'disconnectNetwork'; network: string; container: ContainerHandle; name: string; restore: EndpointConfig }
  /**
   * Copies what `from` (stopped) wrote into its own filesystem, outside `ignored` (its mounts), into
   * `to` (created, not started). `paths` is what planning saw; the step reads the changes again.
   */
  | { kind: 'copyPaths'; from: ContainerHandle; to: ContainerHandle; name: string; paths: string[]; ignored: IgnoredPaths }
  | { kind: 'startContainer'; container: ContainerHandle; name: string }
  /**
   * Irreversible, like removeNetwork: the executor runs these only after every other step succeeded,
   * and the first one attempted is the change's point of no return (after it, failures roll forward).
   */
  | { kind: 'removeContainer'; container: ContainerHandle; name: string }
  | { kind: 'removeNetwork'; name: string };

export const irreversibleKinds: ReadonlySet<PlanStep['kind']> = new Set(['removeContainer', 'removeNetwork']);

export function describeStep(step: PlanStep): string {
  switch (step.kind) {
    case 'createNetwork':
      return `create ${step.driver && step.driver !== 'bridge' ? `${step.driver} ` : ''}network ${step.name}${step.options && 'encrypted' in step.options ? ' (encrypted)' : ''}`;
    case 'createVolume':
      return `create volume ${step.name}`;
    case 'renameContainer':
      return `rename ${step.from} to ${step.to}`;
    case 'stopContainer':
      return `stop ${step.name}`;
    case 'createContainer':
      return `create ${step.name}`;
    case 'connectNetwork':
      return `connect ${step.name} to ${step.network}${step.endpoint.Aliases?.length ? ` as ${step.endpoint.Aliases.join(', ')}` : ''}`;
    case 'disconnectNetwork':
      return `disconnect ${step.name} from ${step.network}`;
    case 'copyPaths':
      return `copy ${step.paths.length === 1 ? step.paths[0] : `${step.paths.length} changed paths`} from the original ${step.name} to the new one`;
    case 'startContainer':
      return `start ${step.name}`;
    case 'removeContainer':
      return `remove ${step.name}`;
    case 'removeNetwork':
      return `remove network ${step.name}`;
  }
}

/** What undoing a step does, for logs and for the message when an undo fails. */
export function describeUndo(step: PlanStep): string {
  switch (step.kind) {
    case 'createNetwork':
      return `remove network ${step.name}`;
    case 'createVolume':
      return `remove volume ${step.name}`;
    case 'renameContainer':
      return `rename ${step.to} back to ${step.from}`;
    case 'stopContainer':
      return `start ${step.name} again`;
    case 'createContainer':
      return `remove the new ${step.name}`;
    case 'connectNetwork':
      return `disconnect ${step.name} from ${step.network}`;
    case 'disconnectNetwork':
      return `reconnect ${step.name} to ${step.network}`;
    case 'copyPaths':
      return `(nothing: the copies go with the new ${step.name})`;
    case 'startContainer':
      return `stop ${step.name}`;
    case 'removeContainer':
    case 'removeNetwork':
      return `(cannot undo removing ${step.name})`;
  }
}

export function newPlan(host: string, steps: PlanStep[]): Plan {
  return { host, steps, description: steps.map(describeStep) };
}
