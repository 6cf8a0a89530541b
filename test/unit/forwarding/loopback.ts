// Real loopback servers and clients for the forwarding tests: port 0, 127.0.0.1 only.
import * as net from 'node:net';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';

export interface LoopbackServer {
  server: net.Server;
  port: number;
  /** Sockets the server accepted and that are still open. */
  readonly open: Set<net.Socket>;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 with half-close allowed; `handle` runs for each connection. */
export async function listenLoopback(handle: (socket: net.Socket) => void): Promise<LoopbackServer> {
  const open = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => open.delete(socket));
    handle(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as net.AddressInfo).port,
    open,
    close: async () => {
      for (const socket of open) {
        socket.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Echoes everything and half-closes back when the client half-closes. */
export const echo = (socket: net.Socket): void => {
  socket.pipe(socket);
};

/** A transport for the forwarder that dials with a plain net socket (the path SSH-less custom transports take). */
export function plainDialer(port: number): () => Promise<Duplex> {
  return () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
}

export async function dial(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect({ port, host, allowHalfOpen: true });
  await once(socket, 'connect');
  return socket;
}

/** Everything the socket receives until its peer's FIN. */
export function readToEnd(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

/** Sends `text` and waits for as many characters back (an echo round trip); rejects if the connection ends first. */
export function roundTrip(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString();
      if (received.length >= text.length) {
        finish();
        resolve(received);
      }
    };
    const onEnd = (error?: Error) => {
      finish();
      reject(error ?? new Error(`the connection ended after ${JSON.stringify(received)}`));
    };
    const finish = () => {
      socket.off('data', onData).off('error', onEnd).off('end', onEnd).off('close', onEnd);
    };
    socket.on('data', onData).once('error', onEnd).once('end', onEnd).once('close', onEnd);
    socket.write(text);
  });
}

/** Opens a connection without waiting for it: a reset may come before or after the handshake completes. */
export function connectAndWatch(port: number, withinMs: number): Promise<'reset' | 'end' | 'open'> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  return howItEnds(socket, withinMs).finally(() => socket.destroy());
}

/** How the client side of a connection ended: 'reset' (RST), 'end' (FIN) or still 'open' after `withinMs`. */
export function howItEnds(socket: net.Socket, withinMs: number): Promise<'reset' | 'end' | 'open'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), withinMs);
    socket.once('error', () => {
      clearTimeout(timer);
      resolve('reset');
    });
    socket.once('end', () => {
      clearTimeout(timer);
      resolve('end');
    });
    socket.resume();
  });
}
