import type { Duplex } from 'node:stream';
import { DockerApiError, ForwardError, HostError, errorMessage } from '../errors';
import { type DisposableLike, Emitter, type EventLike, type Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import type { HostSpec } from '../hosts/hostSpec';
import type { HostDirectory } from '../hosts/hostDirectory';
import { type ForwarderStats, TcpForwarder, connectableAddress, formatAddress } from './tcpForwarder';
import type { Provenance } from '../provenance/provenance';
import { type Transport, type TransportPlan, openTransport, planTransport, removeHelper, tunnelAmbassadorRole } from './transports';
import { processAlive } from '../processes';
import { roleLabel } from '../values/labels';
import { ContainerRoutes } from './containerRoutes';
import type { LocalMachine } from '../hosts/engines';

/** The client and spec of a configured host; the UI passes `name => model.client(name)` and `model.host(name).spec`. */
/** What tunnels need of the host seam: a host's client and spec (the ContainerModel in the extension). */
export type TunnelHosts = Pick<HostDirectory, 'client' | 'spec'>;

function hostAccess(hosts: TunnelHosts, hostName: string): { client: DockerClient; spec: HostSpec } | undefined {
  const client = hosts.client(hostName);
  const spec = hosts.spec(hostName);
  return client && spec ? { client, spec } : undefined;
}

export interface TunnelRequest {
  host: string;
  /** The container's name (as in "host/name"); it is looked up again whenever the target moves. */
  container: string;
  port: number;
  /** Default: the container port if free, else one the OS picks. An explicit port that is taken fails with 'portInUse'. */
  localPort?: number;
  /** Default 127.0.0.1; "0.0.0.0" exposes the tunnel to the network. */
  bindAddress?: string;
}

/**
 * 'active': listening, the target was reachable last time. 'paused': not listening (pauseAll).
 * 'reconnecting': the host did not answer; retried in the background, and any new connection that
 * gets through makes it active again. 'error': the target did not answer or the listener failed; `problem` says why.
 */
export type TunnelState = 'active' | 'paused' | 'reconnecting' | 'error';

/** A tunnel's state as shown: a tunnel in trouble always says why. */
export type TunnelStatus = { state: 'active' | 'paused'; problem?: undefined } | { state: 'reconnecting' | 'error'; problem: string };

/**
 * The local listener, apart from how the target is reached (RouteHealth): listening, closed on
 * purpose (Pause), or unable to listen (its port was taken while paused or across a reload).
 */
export type ListenerState = { kind: 'listening' } | { kind: 'paused' } | { kind: 'listenFailed'; problem: string };

export type TunnelInfo = TunnelStatus & {
  /** "host/container:port": one tunnel per target. */
  id: string;
  host: string;
  container: string;
  port: number;
  bindAddress: string;
  /** The local port, or the one it will use again after a pause; undefined only if it never could listen. */
  localPort?: number;
  /** "127.0.0.1:8080", for Copy Local Address and Open in Browser (loopback also when bound to all interfaces). */
  localAddress?: string;
  /** How the target is reached, e.g. "SSH channel to 172.31.12.5:80"; empty until the host answered once. */
  transport: string;
  transportKind?: TransportPlan['kind'];
  stats: ForwarderStats;
};

/** What the UI persists (workspace state) to reopen tunnels after a window reload. */
export interface TunnelRecord {
  host: string;
  container: string;
  port: number;
  localPort: number;
  bindAddress: string;
  /** Paused tunnels come back paused; one that could not listen tries again. */
  listener: 'listening' | 'paused';
  /** This tunnel created its ambassador and removes it on stop; carried over the reload. */
  ownsHelper: boolean;
}

/**
 * Saved records as they were written, by this version or an earlier one (which kept `paused: true`
 * instead of `listener`); a record that is not one of those is dropped and named in `dropped`.
 */
export function readTunnelRecords(saved: unknown): { records: TunnelRecord[]; dropped: string[] } {
  const records: TunnelRecord[] = [];
  const dropped: string[] = [];
  for (const raw of Array.isArray(saved) ? saved : []) {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { host, container, port, localPort, bindAddress, ownsHelper } = entry;
    const listener = entry.listener ?? (entry.paused === true ? 'paused' : 'listening');
    if (
      typeof host === 'string' &&
      typeof container === 'string' &&
      typeof port === 'number' &&
      typeof localPort === 'number' &&
      typeof bindAddress === 'string' &&
      (listener === 'listening' || listener === 'paused')
    ) {
      records.push({ host, container, port, localPort, bindAddress, listener, ownsHelper: ownsHelper === true });
    } else {
      dropped.push(JSON.stringify(raw));
    }
  }
  return { records, dropped };
}

export interface TunnelManagerOptions {
  logger: Logger;
  /** Seals and records tunnel ambassadors; only this installation's are reused or removed. */
  provenance: Provenance;
  /** The process that owns the ambassadors this manager creates (default: this one). */
  ownerPid?: number;
  ambassadorImage?: string;
  /** Per new connection: how long the transport may take to reach the target. */
  connectTimeoutMs?: number;
  /** How often a tunnel's counters may fire onDidChangeCounters. */
  changeIntervalMs?: number;
  /** Background retry of a 'reconnecting' tunnel: first delay, doubled up to the maximum. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** The machine tunnels listen on, to tell engines in a VM apart (default: this process's). */
  localMachine?: LocalMachine;
}

const defaults = {
  connectTimeoutMs: 10_000,
  reconnectInitialMs: 1000,
  reconnectMaxMs: 30_000,
};
/** A target that keeps failing is looked up again at most this often. */
const minResolveIntervalMs = 1000;

export function tunnelId(host: string, container: string, port: number): string {
  return `${host}/${container}:${port}`;
}

/**
 * Every tunnel of the window. Each has its own listener and transport; a failing host or target
 * affects only its tunnels. The container is resolved again (new IP, new published port,
 * missing ambassador) when a connection fails, so tunnels survive restarts and recreation.
 */
export class TunnelManager implements DisposableLike {
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly opening = new Map<string, Promise<TunnelInfo>>();
  private readonly changed = new Emitter<string>();
  private readonly routes: ContainerRoutes;
  private readonly countersChanged = new Emitter<string>();

  /**
   * Fires with the id of the tunnel whose state, local port or pause changed, or '' when tunnels were
   * added or removed: everything `serialize()` and a tunnel's state show. Not for moving counters,
   * so what persists tunnels writes only when they change.
   */
  readonly onDidChange: EventLike<string> = this.changed.event;
  /** Fires with the id of a tunnel whose byte and connection counters moved (at most every `changeIntervalMs`). */
  readonly onDidChangeCounters: EventLike<string> = this.countersChanged.event;

  constructor(
    private readonly hosts: TunnelHosts,
    private readonly options: TunnelManagerOptions,
  ) {
    this.routes = new ContainerRoutes(options.logger, options.localMachine);
  }

  /**
   * Opens a tunnel and resolves once it listens, or returns the existing one for the same target
   * (moved to `localPort` if another was asked for). Throws ForwardError: 'portInUse',
   * 'portForbidden', 'invalidPort', 'invalidAddress', 'hostUnreachable', 'targetUnreachable', 'noTransport'.
   */
  open(request: TunnelRequest): Promise<TunnelInfo> {
    const id = tunnelId(request.host, request.container, request.port);
    // A second open of the same target while the first still creates its ambassador waits for it.
    const pending = this.opening.get(id) ?? this.openOnce(id, request).finally(() => this.opening.delete(id));
    this.opening.set(id, pending);
    return pending;
  }

  /** Closes the listener and its connections, and removes the ambassador the tunnel created. */
  async stop(id: string): Promise<void> {
    const tunnel = this.tunnels.get(id);
    if (!tunnel) {
      return;
    }
    this.tunnels.delete(id);
    this.changed.fire('');
    await tunnel.stop();
  }

  /** Closes every listener; open connections finish on their own (a download is not cut). */
  pauseAll(): void {
    for (const tunnel of this.tunnels.values()) {
      tunnel.pause();
    }
  }

  /** Listens again on the same ports; a port taken meanwhile leaves that tunnel in 'error', listed here. */
  async resumeAll(): Promise<Array<{ id: string; error: Error }>> {
    const failures: Array<{ id: string; error: Error }> = [];
    await Promise.all(
      [...this.tunnels.values()].map(async (tunnel) => {
        const error = await tunnel.resume();
        if (error) {
          failures.push({ id: tunnel.id, error });
        }
      }),
    );
    return failures;
  }

  /** Moves the listener; existing connections stay. On failure (ForwardError 'portInUse', …) the old port keeps listening. */
  async changeLocalPort(id: string, localPort: number): Promise<TunnelInfo> {
    const tunnel = this.require(id);
    await tunnel.listen(localPort);
    return tunnel.info();
  }

  /**
   * Looks the containers up again, of every tunnel or one host's. The UI calls it when the model
   * sees a host drop or come back, so a tunnel shows it before its next connection would.
   */
  async refresh(hostName?: string): Promise<void> {
    const affected = [...this.tunnels.values()].filter((tunnel) => hostName === undefined || tunnel.host === hostName);
    await Promise.all(affected.map((tunnel) => tunnel.refresh()));
  }

  list(): TunnelInfo[] {
    return [...this.tunnels.values()].map((tunnel) => tunnel.info());
  }

  get(id: string): TunnelInfo | undefined {
    return this.tunnels.get(id)?.info();
  }

  serialize(): TunnelRecord[] {
    return [...this.tunnels.values()].map((tunnel) => tunnel.record());
  }

  /**
   * Reopens saved tunnels; call it once the hosts are configured. A tunnel whose host does not
   * answer yet comes back 'reconnecting' and recovers by itself; one whose port is taken comes
   * back in 'error' (Change Local Port fixes it). `bindAddress` is where tunnels listen now (the
   * current setting): a saved one is not trusted to still be wanted. Never throws.
   */
  async restore(records: readonly TunnelRecord[], bindAddress?: string): Promise<void> {
    await Promise.all(
      records
        .filter((record) => !this.tunnels.has(tunnelId(record.host, record.container, record.port)))
        .map(async (saved) => {
          const record = bindAddress === undefined ? saved : { ...saved, bindAddress };
          const tunnel = this.createTunnel(tunnelId(record.host, record.container, record.port), record, record.ownsHelper);
          this.add(tunnel);
          await tunnel.reopen(record);
        }),
    );
  }

  /**
   * Removes the tunnel ambassadors this installation created on `hostName` whose window is gone
   * (it crashed or was killed before it could remove them) and that no tunnel here uses. Helpers
   * of another open window, and look-alikes Crosslink did not create, stay. Returns the names removed.
   */
  async removeLeftoverHelpers(hostName: string): Promise<string[]> {
    const access = hostAccess(this.hosts, hostName);
    if (!access) {
      return [];
    }
    const { client } = access;
    const { provenance, logger } = this.options;
    const [containers, engineId] = await Promise.all([client.listContainers(), provenance.engineIdOf(client)]);
    const inUse = new Set([...this.tunnels.values()].map((tunnel) => tunnel.helperName()).filter((name) => name !== undefined));
    const removed: string[] = [];
    for (const helper of containers) {
      const entry = provenance.registry.get(helper.id);
      const leftover =
        helper.labels[roleLabel] === tunnelAmbassadorRole && !inUse.has(helper.name) && provenance.isOurs('container', helper, engineId) && !processAlive(entry?.ownerPid);
      if (leftover && (await removeHelper(client, helper.name, { logger, provenance }))) {
        removed.push(helper.name);
      }
    }
    return removed;
  }

  /**
   * Closes every listener and connection and removes the ambassadors this window created: a
   * container must not stay published on the network after the window is gone. Saved records are
   * not touched (no change event), so a reload restores the tunnels with fresh ambassadors.
   */
  async shutdown(): Promise<void> {
    const tunnels = [...this.tunnels.values()];
    this.tunnels.clear();
    this.changed.dispose();
    this.countersChanged.dispose();
    await Promise.all(tunnels.map((tunnel) => tunnel.stop()));
  }

  /** As shutdown(), without waiting for the ambassadors' removal (deactivate waits for it). */
  dispose(): void {
    void this.shutdown();
  }

  private async openOnce(id: string, request: TunnelRequest): Promise<TunnelInfo> {
    const existing = this.tunnels.get(id);
    if (existing) {
      if (request.localPort !== undefined) {
        await existing.listen(request.localPort);
      }
      return existing.info();
    }
    const tunnel = this.createTunnel(id, request, false);
    try {
      await tunnel.resolve();
      await (request.localPort === undefined ? tunnel.listenPreferring(request.port) : tunnel.listen(request.localPort));
    } catch (error) {
      await tunnel.stop();
      throw error;
    }
    this.add(tunnel);
    return tunnel.info();
  }

  private createTunnel(id: string, request: TunnelRequest, adoptHelper: boolean): Tunnel {
    return new Tunnel(id, request, adoptHelper, this.hosts, this.routes, this.options, {
      state: () => this.changed.fire(id),
      counters: () => this.countersChanged.fire(id),
    });
  }

  private add(tunnel: Tunnel): void {
    this.tunnels.set(tunnel.id, tunnel);
    this.changed.fire('');
  }

  private require(id: string): Tunnel {
    const tunnel = this.tunnels.get(id);
    if (!tunnel) {
      throw new ForwardError('noTransport', `There is no tunnel ${id}.`);
    }
    return tunnel;
  }
}

/** How the target was reached last time; the listener's own trouble is kept apart (ListenerState). */
type RouteHealth = { state: 'active' } | { state: 'reconnecting' | 'error'; problem: string };

/** One tunnel: a forwarder whose connections go through a transport that is re-resolved when it fails. */
class Tunnel {
  readonly forwarder: TcpForwarder;
  readonly host: string;
  private readonly container: string;
  private readonly port: number;
  private readonly requestedPort?: number;
  private transport?: Transport;
  private transportClient?: DockerClient;
  private resolving?: Promise<Transport>;
  private lastResolvedAt = 0;
  private route: RouteHealth = { state: 'active' };
  private listener: ListenerState = { kind: 'listening' };
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private disposed = false;

  constructor(
    readonly id: string,
    request: TunnelRequest,
    private readonly adoptHelper: boolean,
    private readonly hosts: TunnelHosts,
    private readonly routes: ContainerRoutes,
    private readonly options: TunnelManagerOptions,
    private readonly notify: { state(): void; counters(): void },
  ) {
    this.host = request.host;
    this.container = request.container;
    this.port = request.port;
    this.requestedPort = request.localPort;
    this.retryDelayMs = options.reconnectInitialMs ?? defaults.reconnectInitialMs;
    this.forwarder = new TcpForwarder({
      connect: this.connect,
      logger: options.logger,
      name: id,
      bindAddress: request.bindAddress,
      connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
      changeIntervalMs: options.changeIntervalMs,
    });
    // The forwarder reports its counters; every state change below calls notify.state itself.
    this.forwarder.onDidChange(() => notify.counters());
  }

  info(): TunnelInfo {
    const localPort = this.forwarder.port ?? this.requestedPort;
    const { listener, route } = this;
    const status: TunnelStatus = listener.kind === 'paused' ? { state: 'paused' } : listener.kind === 'listenFailed' ? { state: 'error', problem: listener.problem } : route;
    return {
      ...status,
      id: this.id,
      host: this.host,
      container: this.container,
      port: this.port,
      bindAddress: this.forwarder.bindAddress,
      localPort,
      localAddress: localPort === undefined ? undefined : formatAddress(connectableAddress(this.forwarder.bindAddress), localPort),
      transport: this.transport?.label ?? '',
      transportKind: this.transport?.plan.kind,
      stats: this.forwarder.stats(),
    };
  }

  record(): TunnelRecord {
    return {
      host: this.host,
      container: this.container,
      port: this.port,
      localPort: this.forwarder.port ?? this.requestedPort ?? this.port,
      bindAddress: this.forwarder.bindAddress,
      listener: this.listener.kind === 'paused' ? 'paused' : 'listening',
      ownsHelper: this.transport?.ownsHelper ?? this.adoptHelper,
    };
  }

  async listen(localPort: number): Promise<void> {
    await this.forwarder.listen(localPort);
    this.listening();
  }

  async listenPreferring(localPort: number): Promise<void> {
    await this.forwarder.listenPreferring(localPort);
    this.listening();
  }

  pause(): void {
    this.forwarder.pause();
    this.setListener({ kind: 'paused' });
  }

  /** Resolves with the error that kept it from listening, if any. */
  async resume(): Promise<Error | undefined> {
    if (this.listener.kind === 'listening' && this.forwarder.listening) {
      return undefined;
    }
    try {
      // A tunnel restored onto a taken port never listened: it tries its saved port again.
      await (this.forwarder.port === undefined ? this.forwarder.listen(this.requestedPort ?? 0) : this.forwarder.resume());
      this.listening();
      return undefined;
    } catch (error) {
      this.setListener({ kind: 'listenFailed', problem: errorMessage(error) });
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Restore after a reload: tolerant of a host that is not back yet and of a port that is taken. */
  async reopen(record: TunnelRecord): Promise<void> {
    await this.resolve().catch((error: unknown) => this.failed(error));
    try {
      await this.forwarder.listen(record.localPort);
      if (record.listener === 'paused') {
        this.pause();
      }
    } catch (error) {
      this.setListener({ kind: 'listenFailed', problem: errorMessage(error) });
    }
  }

  /** Looks the container up and (re)opens the transport when the route changed. Concurrent callers share one lookup. */
  resolve(): Promise<Transport> {
    this.resolving ??= this.resolveOnce().finally(() => {
      this.resolving = undefined;
      this.lastResolvedAt = Date.now();
    });
    return this.resolving;
  }

  async refresh(): Promise<void> {
    await this.resolve().then(
      () => this.reached(),
      (error: unknown) => this.failed(error),
    );
  }

  /** Closes everything and removes the helper this tunnel owns. */
  async stop(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    await this.forwarder.close();
    this.forwarder.dispose();
    await this.transport?.dispose();
  }

  /** The ambassador this tunnel reaches its target through, if any. */
  helperName(): string | undefined {
    return this.transport?.plan.kind === 'ambassador' ? this.transport.plan.name : undefined;
  }

  /** The forwarder's transport: one stream per local connection. */
  private readonly connect = async (): Promise<Duplex> => {
    const current = this.transport;
    try {
      const stream = await (current ?? (await this.resolve())).connect();
      this.reached();
      return stream;
    } catch (firstError) {
      // A direct dial that found no route to a local engine's container (a VM) switches this host to ambassadors.
      const routeLost = this.routes.noteFailedDial(this.transportClient, this.transport?.plan, firstError);
      // The route may be stale (a restart gave the container a new IP; the ambassador was removed): look it
      // up once more. While it keeps failing, at most once per interval, not once per client retry.
      const mayResolve =
        routeLost || (current !== undefined && (this.route.state === 'active' || this.resolving !== undefined || Date.now() - this.lastResolvedAt >= minResolveIntervalMs));
      try {
        const fresh = mayResolve ? await this.resolve() : undefined;
        if (!fresh || fresh === current) {
          throw firstError;
        }
        const stream = await fresh.connect();
        this.reached();
        return stream;
      } catch (error) {
        this.failed(error);
        throw error;
      }
    }
  };

  private async resolveOnce(): Promise<Transport> {
    const access = hostAccess(this.hosts, this.host);
    if (!access) {
      throw new ForwardError('hostUnreachable', `Host ${this.host} is not configured.`);
    }
    const { client, spec } = access;
    const details = await client.inspectContainer(this.container).catch((error: unknown) => {
      throw this.lookupError(error);
    });
    const canDial = await this.routes.canDial(client, spec).catch((error: unknown) => {
      throw this.lookupError(error);
    });
    const plan = planTransport(spec, details, this.port, canDial, { ambassadorImage: this.options.ambassadorImage });
    const previous = this.transport;
    const samePlan = previous !== undefined && JSON.stringify(previous.plan) === JSON.stringify(plan);
    if (previous && samePlan && this.transportClient === client) {
      return previous;
    }
    if (previous && !samePlan) {
      this.options.logger.info(`[tunnel ${this.id}] route changed: ${previous.plan.label} → ${plan.label}`);
      await previous.dispose();
    }
    const transport = await openTransport(plan, client, {
      logger: this.options.logger,
      connectTimeoutMs: this.options.connectTimeoutMs ?? defaults.connectTimeoutMs,
      adoptHelper: previous?.ownsHelper ?? this.adoptHelper,
      provenance: this.options.provenance,
      ownerPid: this.options.ownerPid ?? process.pid,
    });
    if (this.disposed) {
      await transport.dispose(); // Stopped while the ambassador was being created.
      throw new ForwardError('noTransport', `The tunnel ${this.id} was stopped.`);
    }
    this.transport = transport;
    this.transportClient = client;
    this.options.logger.info(`[tunnel ${this.id}] via ${transport.label}`);
    this.notify.state();
    return transport;
  }

  private lookupError(error: unknown): ForwardError {
    if (HostError.is(error)) {
      return new ForwardError('hostUnreachable', error.message, { cause: error });
    }
    if (DockerApiError.is(error, 'notFound')) {
      return new ForwardError('targetUnreachable', `There is no container ${this.container} on ${this.host} any more.`, { cause: error });
    }
    return ForwardError.is(error) ? error : new ForwardError('targetUnreachable', errorMessage(error), { cause: error });
  }

  private listening(): void {
    this.setListener({ kind: 'listening' });
  }

  private setListener(listener: ListenerState): void {
    this.listener = listener;
    this.notify.state();
  }

  /** Runs once per connection: keep it cheap when nothing changes. */
  private reached(): void {
    if (this.route.state === 'active' && !this.retryTimer) {
      return;
    }
    this.retryDelayMs = this.options.reconnectInitialMs ?? defaults.reconnectInitialMs;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setRoute({ state: 'active' });
  }

  private failed(error: unknown): void {
    const problem = errorMessage(error);
    if (ForwardError.is(error, 'hostUnreachable')) {
      this.setRoute({ state: 'reconnecting', problem });
      this.scheduleRetry();
    } else {
      this.setRoute({ state: 'error', problem });
    }
  }

  /** While the host is away, look the container up with backoff; when it answers, the tunnel is active again. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.disposed) {
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.reconnectMaxMs ?? defaults.reconnectMaxMs);
      void this.refresh();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  private setRoute(route: RouteHealth): void {
    if (JSON.stringify(route) !== JSON.stringify(this.route)) {
      this.route = route;
      this.options.logger.info(`[tunnel ${this.id}] ${route.state}${route.state === 'active' ? '' : `: ${route.problem}`}`);
      this.notify.state();
    }
  }
}
