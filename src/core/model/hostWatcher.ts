import { CrosslinkError, DockerApiError, HostError, errorMessage } from '../errors';
import type { DisposableLike, Logger } from '../like';
import type { ContainerSummary, DockerEvent, EngineInfo } from '../types';
import type { DockerClient } from '../hosts/dockerClient';
import type { HostSpec } from '../hosts/hostSpec';
import type { HostSnapshot, HostStatus } from '../hosts/hostDirectory';
import { countOf } from '../plural';
import { engineLabel } from '../hosts/engines';

// src/ui/commands imports the snapshot type from here.
export type { HostSnapshot, HostState, HostStatus } from '../hosts/hostDirectory';

export interface HostWatcherOptions {
  /** Events arriving within this window are applied with one list call. */
  eventDebounceMs: number;
  /** Reconnect delays grow from the first to the last value and stay there. */
  retryDelaysMs: readonly number[];
  /**
   * How often a connected host is asked for its version. A host that vanished without a reset
   * (shut down, network gone) leaves a quiet event stream that looks healthy until TCP keepalive
   * gives up about ten minutes later. Default 30 s.
   */
  livenessIntervalMs?: number;
}

const defaultLivenessIntervalMs = 30_000;

export const defaultHostWatcherOptions: HostWatcherOptions = {
  eventDebounceMs: 50,
  retryDelaysMs: [1_000, 2_000, 5_000, 10_000, 30_000, 60_000],
};

/**
 * Keeps one host's containers current from its event stream: a full list when it connects
 * (and again after every reconnect, since events may have been missed), then only the
 * containers named by events. Containers are never polled; a version check every 30 s only
 * asks whether the host still answers.
 */
export class HostWatcher implements DisposableLike {
  private status: HostStatus = { state: 'connecting' };
  private containers = new Map<string, ContainerSummary>();
  private subscription?: DisposableLike;
  private pendingIds = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  /** A flush's list call is under way: events meanwhile wait for it, so an older answer never lands after a newer one. */
  private flushing = false;
  private retryTimer?: NodeJS.Timeout;
  private livenessTimer?: NodeJS.Timeout;
  private failures = 0;
  private generation = 0;
  private disposed = false;
  private firstAttempt: Promise<void>;
  private resolveFirstAttempt!: () => void;

  constructor(
    readonly spec: HostSpec,
    readonly client: DockerClient,
    private readonly onChange: () => void,
    private readonly logger: Logger,
    private readonly options: HostWatcherOptions = defaultHostWatcherOptions,
  ) {
    this.firstAttempt = new Promise((resolve) => (this.resolveFirstAttempt = resolve));
  }

  get snapshot(): HostSnapshot {
    return { ...this.status, spec: this.spec, containers: this.containers };
  }

  /** Resolves once the first connection attempt succeeded or failed. */
  whenSettled(): Promise<void> {
    return this.firstAttempt;
  }

  start(): Promise<void> {
    void this.connect();
    return this.firstAttempt;
  }

  /** Connects again now (after a failure), or re-lists everything (when connected). */
  async refresh(): Promise<void> {
    if (this.status.state === 'connected' && this.subscription) {
      await this.resync();
      return;
    }
    this.failures = 0;
    await this.connect();
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    clearTimeout(this.flushTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.livenessTimer);
    this.subscription?.dispose();
    this.client.dispose();
    this.resolveFirstAttempt();
  }

  private async connect(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearTimeout(this.livenessTimer);
    this.subscription?.dispose();
    this.subscription = undefined;
    const generation = ++this.generation;
    if (this.status.state === 'connected') {
      this.setStatus({ state: 'reconnecting', engine: this.status.engine, error: new HostError(this.spec.name, 'closed', `${this.spec.name}: reconnecting.`) });
    } else if (this.status.state !== 'connecting') {
      // Tell listeners an attempt is under way (the state and reason stay what they were).
      this.setStatus(this.status);
    }
    let step = 'the version call';
    let engine: EngineInfo | undefined;
    try {
      engine = await this.client.version();
      step = 'the event stream';
      // Subscribe before listing so nothing that happens in between is missed.
      const subscription = await this.client.subscribeEvents({
        onEvent: (event) => generation === this.generation && this.onEvent(event),
        onClose: (error) => generation === this.generation && this.onStreamClosed(error),
      });
      if (generation !== this.generation) {
        subscription.dispose();
        return;
      }
      this.subscription = subscription;
      step = 'the container list';
      const containers = await this.client.listContainers();
      if (generation !== this.generation) {
        return;
      }
      this.containers = new Map(containers.map((container) => [container.id, container]));
      this.failures = 0;
      this.logger.info(`[${this.spec.name}] connected: ${engineLabel(engine)}, ${countOf(containers.length, 'container')}`);
      this.setStatus({ state: 'connected', engine });
      this.scheduleLivenessCheck(generation);
    } catch (error) {
      if (generation !== this.generation) {
        return;
      }
      this.subscription?.dispose();
      this.subscription = undefined;
      this.fail(DockerApiError.is(error) ? this.incompatible(step, engine, error) : error);
    } finally {
      if (generation === this.generation || this.disposed) {
        this.resolveFirstAttempt();
      }
    }
  }

  /**
   * The engine answered and refused one of the three calls every host needs: it speaks a dialect
   * Crosslink does not (an old Podman, an API version below the minimum), which retrying will not
   * fix and which "unreachable" would misdescribe.
   */
  private incompatible(step: string, engine: EngineInfo | undefined, error: DockerApiError): HostError {
    const who = engine ? engineLabel(engine) : 'The engine';
    return new HostError(
      this.spec.name,
      'incompatible',
      `${this.spec.name}: ${who} refused ${step} (${errorMessage(error).replace(`${this.spec.name}: `, '')}). Crosslink needs a Docker-compatible API: Docker Engine, or Podman's service 4.3 or newer.`,
      { cause: error },
    );
  }

  private fail(error: unknown): void {
    const reason = error instanceof CrosslinkError ? error : new HostError(this.spec.name, 'closed', errorMessage(error), { cause: error });
    const delay = this.options.retryDelaysMs[Math.min(this.failures, this.options.retryDelaysMs.length - 1)];
    this.failures++;
    this.logger.warn(`[${this.spec.name}] unreachable (${reason.reason}): ${reason.message} Retrying in ${delay / 1000} s.`);
    this.setStatus({ state: 'unreachable', engine: this.status.engine, error: reason });
    this.scheduleReconnect(delay);
  }

  private scheduleReconnect(delayMs: number): void {
    clearTimeout(this.retryTimer);
    if (!this.disposed) {
      this.retryTimer = setTimeout(() => void this.connect(), delayMs);
      this.retryTimer.unref?.();
    }
  }

  private scheduleLivenessCheck(generation: number): void {
    this.livenessTimer = setTimeout(() => void this.checkLiveness(generation), this.options.livenessIntervalMs ?? defaultLivenessIntervalMs);
    this.livenessTimer.unref?.();
  }

  /** A host that no longer answers is treated like a closed event stream: reconnecting, then unreachable. */
  private async checkLiveness(generation: number): Promise<void> {
    try {
      await this.client.version();
    } catch (error) {
      if (generation === this.generation && this.subscription) {
        this.subscription.dispose();
        // The dead stream may still report its end; it must not count as a second failure.
        this.generation++;
        this.onStreamClosed(error instanceof Error ? error : new Error(errorMessage(error)));
      }
      return;
    }
    if (generation === this.generation && this.subscription) {
      this.scheduleLivenessCheck(generation);
    }
  }

  private onStreamClosed(error?: Error): void {
    this.subscription = undefined;
    const reason = error instanceof CrosslinkError ? error : new HostError(this.spec.name, 'closed', `${this.spec.name}: the event stream ended.`);
    this.logger.warn(`[${this.spec.name}] event stream closed${error ? `: ${error.message}` : ''}; reconnecting`);
    this.setStatus({ state: 'reconnecting', engine: this.status.engine, error: reason });
    const delay = this.options.retryDelaysMs[Math.min(this.failures, this.options.retryDelaysMs.length - 1)];
    this.failures++;
    this.scheduleReconnect(this.failures === 1 ? 0 : delay);
  }

  private onEvent(event: DockerEvent): void {
    const containerId = event.type === 'container' ? event.actorId : networkEventContainer(event);
    if (!containerId) {
      return;
    }
    this.logger.trace(`[${this.spec.name}] event ${event.type} ${event.action} ${containerId.slice(0, 12)}`);
    this.pendingIds.add(containerId);
    this.scheduleFlush(this.options.eventDebounceMs);
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushing || this.disposed) {
      return; // the running flush schedules the next one when it ends
    }
    this.flushTimer ??= setTimeout(() => void this.flush(), delayMs);
    this.flushTimer.unref?.();
  }

  /**
   * Re-lists the containers that events named; those no longer listed were removed. One list call
   * at a time per host: a burst of events costs one call per debounce window, however long each takes.
   */
  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const ids = [...this.pendingIds];
    this.pendingIds.clear();
    const generation = this.generation;
    this.flushing = true;
    let retryDelayMs: number | undefined;
    try {
      const listed = await this.client.listContainers(ids);
      if (generation !== this.generation) {
        return;
      }
      const found = new Map(listed.map((container) => [container.id, container]));
      for (const id of ids) {
        const container = found.get(id);
        if (container) {
          this.containers.set(id, container);
        } else {
          this.containers.delete(id);
        }
      }
      this.onChange();
    } catch (error) {
      if (generation !== this.generation || this.disposed) {
        // A reconnect lists every container anew; these ids need no second try.
        return;
      }
      this.logger.warn(`[${this.spec.name}] could not apply events: ${errorMessage(error)}; trying again`);
      for (const id of ids) {
        this.pendingIds.add(id);
      }
      // No later event may come to trigger a flush: without this the tree would show the old state of these containers.
      retryDelayMs = Math.max(this.options.eventDebounceMs, this.options.retryDelaysMs[0] ?? 0);
    } finally {
      this.flushing = false;
      if (this.pendingIds.size > 0) {
        this.scheduleFlush(retryDelayMs ?? this.options.eventDebounceMs);
      }
    }
  }

  private async resync(): Promise<void> {
    const generation = this.generation;
    try {
      const containers = await this.client.listContainers();
      if (generation === this.generation) {
        this.containers = new Map(containers.map((container) => [container.id, container]));
        this.onChange();
      }
    } catch (error) {
      if (generation === this.generation) {
        this.fail(error);
      }
    }
  }

  private setStatus(status: HostStatus): void {
    this.status = status;
    this.onChange();
  }
}

/**
 * The container a network event is about. Docker's actor is the network and names the container
 * in `container` (and sends create/destroy with none); Podman's actor is the container itself,
 * and, like all its container-related events, it carries `podId`.
 */
function networkEventContainer(event: DockerEvent): string | undefined {
  return event.attributes.container ?? ('podId' in event.attributes ? event.actorId : undefined);
}
