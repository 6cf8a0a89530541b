import { DisposableLike } from '../like';
import { ContainerDetails, ContainerSummary, DockerEvent, EngineInfo } from '../types';

export interface EventStreamHandlers {
  onEvent(event: DockerEvent): void;
  /** The stream ended or failed; the subscriber decides whether and when to resubscribe. */
  onClose(error?: Error): void;
}

/**
 * What Crosslink needs from one Docker engine. Every call has a timeout and throws
 * HostError (transport) or DockerApiError (the engine said no); nothing else leaks out.
 */
export interface DockerClient extends DisposableLike {
  readonly hostName: string;
  version(): Promise<EngineInfo>;
  /** All containers, running or not; `ids` narrows the list (for incremental updates). */
  listContainers(ids?: readonly string[]): Promise<ContainerSummary[]>;
  inspectContainer(idOrName: string): Promise<ContainerDetails>;
  /** Container and network events from now on. Resolves once the engine accepted the subscription. */
  subscribeEvents(handlers: EventStreamHandlers): Promise<DisposableLike>;
}
