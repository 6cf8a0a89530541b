import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { ForwardError, errorMessage } from '../errors';
import { type DisposableLike, Emitter, type EventLike, type Logger, silentLogger } from '../like';
import { readIntoReusedBuffer, relayReusedBuffer, socketHighWaterMark } from '../hosts/reusedBufferSocket';

/** What the UI shows for one tunnel. Bytes count what local clients sent (in) and received (out). */
export interface ForwarderStats {
  activeConnections: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
  /** Connections that failed (target unreachable, reset, timeout) plus refused accepts. */
  errors: number;
}

export interface TcpForwarderOptions {
  /** The transport: one new stream to the target for each local connection (allowHalfOpen, or half-close breaks). */
  connect: () => Promise<Duplex>;
  logger: Logger;
  /** Names the tunnel in log lines, e.g. "beta/web:80". */
  name: string;
  /** Where to listen. Loopback unless the user asked for all interfaces ("0.0.0.0" or "::"). */
  bindAddress?: string;
  /** A target that neither answers nor fails within this time is given up; the client sees a reset. */
  connectTimeoutMs?: number;
  /** onDidChange fires at most this often; while connections are open it also reports moving bytes. */
  changeIntervalMs?: number;
}

/**
 * IPv4 loopback only, by choice: tools then see the same address the UI shows ("127.0.0.1:8080").
 * Clients that resolve "localhost" to ::1 first (Node ≥ 17) must use 127.0.0.1.
 */
export const loopbackAddress = '127.0.0.1';

const defaultConnectTimeoutMs = 15_000;
const defaultChangeIntervalMs = 500;
/** Linux caps this at net.core.somaxconn; a burst (a browser opening dozens of connections) must not overflow it. */
const listenBacklog = 1024;
/** Accept errors (EMFILE) repeat for every pending connection; one log line per interval is enough. */
const acceptErrorLogIntervalMs = 1000;

interface Connection {
  readonly id: number;
  readonly local: net.Socket;
  remote?: Duplex;
  /** An error was counted and both sides aborted; later events of this connection are echoes. */
  failed: boolean;
  /** The remote stream closed (or was told to); the local side must not wait for it any more. */
  remoteDone: boolean;
}

/**
 * Forwards one local TCP port to a target through an injected transport. Each connection is
 * independent: both directions are copied with backpressure, a FIN on one side becomes an end()
 * on the other while the reverse direction keeps flowing (half-close), and an error aborts only
 * that connection. Nothing here knows about Docker or SSH.
 */
export class TcpForwarder implements DisposableLike {
  readonly bindAddress: string;
  private server?: net.Server;
  private boundPort?: number;
  private readonly live = new Set<Connection>();
  private readonly idleWaiters: Array<() => void> = [];
  private nextConnectionId = 1;
  private totalConnections = 0;
  private errors = 0;
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  private lastAcceptErrorLogAt = 0;
  private readonly changed = new Emitter<ForwarderStats>();
  private changeTimer?: NodeJS.Timeout;
  private lastReported = '';
  private disposed = false;

  /** Throttled; carries the current counters. */
  readonly onDidChange: EventLike<ForwarderStats> = this.changed.event;

  constructor(private readonly options: TcpForwarderOptions) {
    this.bindAddress = options.bindAddress ?? loopbackAddress;
  }

  /** The port it listens on, or listened on before pause(). */
  get port(): number | undefined {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /**
   * Starts listening on `port` (0: any free port) and resolves with the bound port. A forwarder
   * that already listens moves to the new port; existing connections are kept.
   * Throws ForwardError 'portInUse', 'portForbidden', 'invalidPort' or 'invalidAddress'.
   */
  async listen(port: number): Promise<number> {
    if (this.disposed) {
      throw new ForwardError('noTransport', `The tunnel ${this.options.name} was stopped.`);
    }
    if (this.server && port === this.boundPort) {
      return port;
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true, highWaterMark: socketHighWaterMark }, (socket) => this.accept(socket));
    const boundPort = await bindServer(server, port, this.bindAddress);
    // Accept errors (EMFILE) leave the listener working: count them, never close it.
    server.on('error', (error) => this.acceptFailed(error));
    this.pause();
    this.server = server;
    this.boundPort = boundPort;
    this.options.logger.info(`[tunnel ${this.options.name}] listening on ${formatAddress(this.bindAddress, boundPort)}`);
    return boundPort;
  }

  /** Listens on `preferred` if it is free (and allowed), else on a port the OS picks. */
  async listenPreferring(preferred: number): Promise<number> {
    try {
      return await this.listen(preferred);
    } catch (error) {
      if (preferred === 0 || !(ForwardError.is(error, 'portInUse') || ForwardError.is(error, 'portForbidden'))) {
        throw error;
      }
      this.options.logger.info(`[tunnel ${this.options.name}] port ${preferred} is not available (${error.reason}); using a free one`);
      return this.listen(0);
    }
  }

  /**
   * Stops accepting; open connections keep running until either side closes them, so a
   * download or a database session survives a pause. The port is released at once.
   */
  pause(): void {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.close();
      this.options.logger.info(`[tunnel ${this.options.name}] stopped listening`);
    }
  }

  /** Listens again on the port it had. */
  async resume(): Promise<number> {
    if (this.server) {
      return this.boundPort as number;
    }
    return this.listen(this.boundPort ?? 0);
  }

  /** Stops listening and closes every connection; resolves once all of their sockets are closed. */
  async close(): Promise<void> {
    this.pause();
    for (const connection of this.live) {
      connection.remoteDone = true;
      connection.remote?.destroy();
      connection.local.destroy();
    }
    if (this.live.size > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  stats(): ForwarderStats {
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const { local } of this.live) {
      bytesIn += local.bytesRead;
      bytesOut += local.bytesWritten;
    }
    return { activeConnections: this.live.size, totalConnections: this.totalConnections, bytesIn, bytesOut, errors: this.errors };
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
    void this.close();
    this.changed.dispose();
  }

  private accept(local: net.Socket): void {
    const connection: Connection = { id: this.nextConnectionId++, local, failed: false, remoteDone: false };
    this.live.add(connection);
    this.totalConnections++;
    local.on('error', (error) => this.fail(connection, 'client', error));
    local.once('close', () => this.forget(connection));
    readIntoReusedBuffer(local);
    this.scheduleChange();
    void this.attachTarget(connection);
  }

  /** The local socket stays paused (pauseOnConnect) until the target stream exists, so no byte is read too early. */
  private async attachTarget(connection: Connection): Promise<void> {
    const { id, local } = connection;
    let remote: Duplex;
    try {
      remote = await connectWithin(this.options.connect, this.options.connectTimeoutMs ?? defaultConnectTimeoutMs, this.options.name);
    } catch (error) {
      this.errors++;
      this.options.logger.debug(`[tunnel ${this.options.name}] #${id} target not reached: ${errorMessage(error)}`);
      // A reset tells the client at once that nothing answers, as a refused connection would.
      abort(local);
      return;
    }
    if (local.destroyed || remote.destroyed) {
      // The client left or the forwarder closed while the target was being reached, or the target already dropped.
      remote.destroy();
      abort(local);
      return;
    }
    connection.remote = remote;
    remote.on('error', (error) => this.fail(connection, 'target', error));
    remote.once('close', () => this.remoteClosed(connection));
    relay(local, remote);
    relay(remote, local);
    local.resume();
    this.options.logger.debug(`[tunnel ${this.options.name}] #${id} open`);
  }

  /** An error on one side aborts both, with a reset where possible so the peer does not mistake the abort for a complete reply. */
  private fail(connection: Connection, side: 'client' | 'target', error: Error): void {
    if (connection.failed) {
      return;
    }
    connection.failed = true;
    this.errors++;
    this.options.logger.debug(`[tunnel ${this.options.name}] #${connection.id} ${side} error: ${errorMessage(error)}`);
    connection.remoteDone = true;
    if (connection.remote) {
      abort(connection.remote);
    }
    abort(connection.local);
  }

  /**
   * The target side is gone (both directions done, or its transport dropped). What is still
   * queued for the client is delivered, then the client socket closes: it must not linger half-open.
   */
  private remoteClosed(connection: Connection): void {
    connection.remoteDone = true;
    if (!connection.local.destroyed) {
      connection.local.destroySoon();
    }
  }

  private forget(connection: Connection): void {
    const { local, remote } = connection;
    if (remote && !connection.remoteDone) {
      // The client closed both ways: the target gets what is queued, then its stream closes.
      connection.remoteDone = true;
      endThenDestroy(remote);
    }
    this.live.delete(connection);
    this.closedBytesIn += local.bytesRead;
    this.closedBytesOut += local.bytesWritten;
    this.options.logger.debug(`[tunnel ${this.options.name}] #${connection.id} closed (in ${local.bytesRead} B, out ${local.bytesWritten} B)`);
    this.scheduleChange();
    if (this.live.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) {
        resolve();
      }
    }
  }

  private acceptFailed(error: Error): void {
    this.errors++;
    const now = Date.now();
    if (now - this.lastAcceptErrorLogAt >= acceptErrorLogIntervalMs) {
      this.lastAcceptErrorLogAt = now;
      this.options.logger.warn(`[tunnel ${this.options.name}] cannot accept a connection (${errorMessage(error)}); still listening`);
    }
    this.scheduleChange();
  }

  private scheduleChange(): void {
    if (this.changeTimer || this.disposed) {
      return;
    }
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      const stats = this.stats();
      const fingerprint = JSON.stringify(stats);
      if (fingerprint !== this.lastReported) {
        this.lastReported = fingerprint;
        this.changed.fire(stats);
      }
      // Bytes move without an event of ours: keep reporting while connections are open.
      if (this.live.size > 0) {
        this.scheduleChange();
      }
    }, this.options.changeIntervalMs ?? defaultChangeIntervalMs);
    this.changeTimer.unref();
  }
}

/**
 * Copies `source` into `sink` with backpressure, and passes the source's end on as `sink.end()`:
 * a half-close that leaves the reverse direction open. Plain listeners instead of pipe(): fewer
 * closures per connection, and errors and closes are handled by the forwarder, not unpiped away.
 */
function relay(source: Duplex, sink: Duplex): void {
  if (!relayReusedBuffer(source, sink)) {
    // Node reads 64 KiB at a time. Gathering what one event-loop turn read into one writev
    // (corked until setImmediate) halves the syscalls of a bulk upload and delays nothing.
    const coalesce = sink instanceof net.Socket;
    let corked = false;
    const uncork = () => {
      corked = false;
      sink.uncork();
    };
    source.on('data', (chunk: Buffer) => {
      if (coalesce && !corked) {
        corked = true;
        sink.cork();
        setImmediate(uncork);
      }
      if (!sink.write(chunk)) {
        source.pause();
      }
    });
    sink.on('drain', () => source.resume());
  }
  source.once('end', () => sink.end());
}

/** A TCP socket is reset (best-effort RST propagation); other streams (SSH channels) can only be closed. */
function abort(stream: Duplex): void {
  if (stream instanceof net.Socket && !stream.destroyed) {
    stream.resetAndDestroy();
  } else {
    stream.destroy();
  }
}

/** end() then destroy once flushed; ssh2 channels have no destroySoon(). */
function endThenDestroy(stream: Duplex): void {
  if (stream instanceof net.Socket) {
    stream.destroySoon();
    return;
  }
  stream.end();
  if (stream.writableFinished) {
    stream.destroy();
  } else {
    stream.once('finish', () => stream.destroy());
  }
}

/** Runs the transport's connect under a deadline; a stream that arrives after the deadline is closed. */
function connectWithin(connect: () => Promise<Duplex>, timeoutMs: number, name: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new ForwardError('targetUnreachable', `${name}: no answer from the target within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    connect().then(
      (stream) => {
        clearTimeout(timer);
        if (timedOut) {
          stream.destroy();
        } else {
          resolve(stream);
        }
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The port a new listener would get: `preferred` when it is free, else one the OS picks.
 * For prefilling a prompt; the tunnel itself binds with listenPreferring(), which has no race.
 */
export async function findFreePort(preferred: number, bindAddress: string = loopbackAddress): Promise<number> {
  const probe = new TcpForwarder({ connect: () => Promise.reject(new Error('probe only')), logger: silentLogger, name: 'port probe', bindAddress });
  try {
    return await probe.listenPreferring(preferred);
  } finally {
    probe.dispose();
  }
}

function bindServer(server: net.Server, port: number, host: string): Promise<number> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new ForwardError('invalidPort', `${port} is not a port number (0 to 65535).`));
  }
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(translateListenError(error, host, port)));
    server.listen({ port, host, backlog: listenBacklog }, () => {
      server.removeAllListeners('error');
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function translateListenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = formatAddress(host, port);
  switch (error.code) {
    case 'EADDRINUSE':
      return new ForwardError('portInUse', `Local port ${port} is already in use (${where}). Choose another port, or let Crosslink pick a free one.`, { cause: error });
    case 'EACCES':
      return new ForwardError('portForbidden', `Listening on ${where} needs administrator rights. Choose a port above 1023.`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new ForwardError('invalidAddress', `${host} is not an address of this machine; cannot listen on ${where}.`, { cause: error });
    default:
      return error;
  }
}

/** Where a client connects to reach a listener on `bindAddress`: loopback for a wildcard bind. */
export function connectableAddress(bindAddress: string): string {
  return bindAddress === '0.0.0.0' || bindAddress === '::' ? loopbackAddress : bindAddress;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
