import * as net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Node reads every socket into a fresh 64 KiB allocation. For bulk transfers that allocation
 * churn (page faults, GC) costs more CPU than the copy itself; socat's edge is one reused buffer.
 * Sockets we dial ourselves can do the same through `onread` (accepted ones through
 * readIntoReusedBuffer): small reads land in one scratch buffer shared by all connections and are
 * copied out at once; a read that fills it means bulk data, and the connection gets its own larger
 * buffer that is written on without a copy. Reading pauses until that write has flushed, so the
 * buffer is never overwritten while queued.
 */
const scratchReadBytes = 64 * 1024;
/** 1 MiB reads measured fastest on loopback (about 1,000 reads and writes per GiB); only busy connections hold one. */
const bulkReadBytes = 1024 * 1024;
/**
 * A read this small ends a burst, and the connection gives its large buffer back. Not "less than
 * the buffer": ssh's forwarded Unix sockets deliver 32–200 KiB per read during a transfer (their
 * send buffer is small), and dropping the buffer after each such read allocated 1 MiB every other
 * read: three quarters of the relay's CPU went to V8's mark-compact of that external memory.
 */
const burstEndBytes = 16 * 1024;
const sharedScratch = Buffer.allocUnsafeSlow(scratchReadBytes);

/**
 * Node's default (16 KiB) is below its own 64 KiB read size, so every chunk would pause and
 * resume the reader (two epoll_ctl calls each); 1 MiB lets a corked batch of reads through in
 * one writev. It bounds what one busy connection queues, not what an idle one holds.
 */
export const socketHighWaterMark = 1024 * 1024;

class ReusedBufferReader {
  socket?: net.Socket;
  private sink?: Duplex;
  private ownBuffer?: Buffer;
  /** Copies of what arrived before a sink was attached (a server greeting). */
  private early: Buffer[] = [];

  readonly nextBuffer = (): Buffer => this.ownBuffer ?? sharedScratch;

  readonly onRead = (length: number, buffer: Buffer): boolean => {
    const sink = this.sink;
    if (buffer === sharedScratch) {
      const copy = Buffer.from(buffer.subarray(0, length));
      if (length === scratchReadBytes) {
        this.ownBuffer = Buffer.allocUnsafeSlow(bulkReadBytes);
      }
      if (!sink) {
        this.early.push(copy);
        return false;
      }
      return sink.write(copy) || this.resumeOnDrain(sink);
    }
    (sink as Duplex).write(buffer.subarray(0, length), this.resume);
    if ((sink as Duplex).writableLength > 0) {
      return false; // Queued: the buffer is still referenced until the write callback.
    }
    if (length < burstEndBytes) {
      this.ownBuffer = undefined; // The burst is over; idle connections keep no large buffer.
    }
    return true;
  };

  private readonly resume = (): void => {
    this.socket?.resume();
  };

  attach(sink: Duplex): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    const writable = early.map((chunk) => sink.write(chunk)).every(Boolean);
    if (writable) {
      this.resume();
    } else {
      this.resumeOnDrain(sink);
    }
  }

  private resumeOnDrain(sink: Duplex): false {
    sink.once('drain', this.resume);
    return false;
  }
}

const readers = new WeakMap<Duplex, ReusedBufferReader>();

/**
 * Connects to host:port with half-close allowed and Nagle off. Reading waits until
 * `relayReusedBuffer` attaches the sink, so nothing is lost in between.
 */
export function dialTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return dialReusingBuffer({ host, port, noDelay: true }, `${host}:${port}`, timeoutMs);
}

/** The same for a Unix socket: a listener the OpenSSH master forwards to a container. */
export function dialUnix(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return dialReusingBuffer({ path: socketPath }, socketPath, timeoutMs);
}

function dialReusingBuffer(target: { host: string; port: number; noDelay: boolean } | { path: string }, where: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const reader = new ReusedBufferReader();
    // The typings lag: Node ≥ 18.17 takes highWaterMark here too.
    const socket = net.connect({
      ...target,
      allowHalfOpen: true,
      highWaterMark: socketHighWaterMark,
      timeout: timeoutMs,
      onread: { buffer: reader.nextBuffer, callback: reader.onRead },
    } as unknown as net.NetConnectOpts);
    reader.socket = socket;
    readers.set(socket, reader);
    // The 'error' listener stays: until the forwarder adds its own, an error must not go unheard.
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error(`connect to ${where} timed out`), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
  });
}

/**
 * Node's `onread` option exists only for sockets it dials; an accepted socket always reads into
 * fresh allocations. Node keeps that option in three per-socket slots, which `Socket.resume()` and
 * the read path consult, so filling them (and the handle's user buffer) before the first read
 * gives an accepted socket the same reused buffer. The slots are internal: found by name on a
 * probe socket, and when a Node version lacks them the socket keeps Node's ordinary reads.
 */
const onreadSlots = findOnreadSlots();

function findOnreadSlots(): { buffer: symbol; generator: symbol; callback: symbol } | undefined {
  const probe = new net.Socket({ onread: { buffer: () => sharedScratch, callback: () => true } } as net.SocketConstructorOpts);
  const named = (description: string) => Object.getOwnPropertySymbols(probe).find((symbol) => symbol.description === description);
  const [buffer, generator, callback] = [named('kBuffer'), named('kBufferGen'), named('kBufferCb')];
  probe.destroy();
  return buffer && generator && callback ? { buffer, generator, callback } : undefined;
}

interface ReadableHandle {
  reading?: boolean;
  useUserBuffer?: (buffer: Buffer) => void;
}

/**
 * Gives a socket that has not read yet (an accepted one, with pauseOnConnect) the reused-buffer
 * reader of dialTcp sockets. Returns false, changing nothing, where Node offers no way to do so.
 */
export function readIntoReusedBuffer(socket: net.Socket): boolean {
  const handle = (socket as unknown as { _handle?: ReadableHandle })._handle;
  if (!onreadSlots || typeof handle?.useUserBuffer !== 'function' || handle.reading) {
    return false;
  }
  const reader = new ReusedBufferReader();
  reader.socket = socket;
  const first = reader.nextBuffer();
  Object.assign(socket, { [onreadSlots.buffer]: first, [onreadSlots.generator]: reader.nextBuffer, [onreadSlots.callback]: reader.onRead });
  handle.useUserBuffer(first);
  readers.set(socket, reader);
  return true;
}

/**
 * Sends what `source` reads into `sink` when `source` came from dialTcp or readIntoReusedBuffer;
 * returns false for any other stream, which the caller then copies the ordinary way.
 * Backpressure is built in: reading pauses while the sink is full.
 */
export function relayReusedBuffer(source: Duplex, sink: Duplex): boolean {
  const reader = readers.get(source);
  if (!reader) {
    return false;
  }
  reader.attach(sink);
  return true;
}
