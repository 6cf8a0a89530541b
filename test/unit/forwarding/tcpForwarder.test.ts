import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { ForwardError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/like';
import { dialTcp, readIntoReusedBuffer } from '../../../src/core/hosts/reusedBufferSocket';
import { type ForwarderStats, TcpForwarder, findFreePort } from '../../../src/core/forwarding/tcpForwarder';
import { waitFor } from '../../support/waitFor';
import { type LoopbackServer, connectAndWatch, dial, echo, howItEnds, listenLoopback, plainDialer, readToEnd, roundTrip } from './loopback';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Both ways the forwarder copies: its own reused-buffer sockets, and any other stream a transport hands it. */
const transports: Array<[string, (port: number) => () => Promise<Duplex>]> = [
  ['reused-buffer socket', (port) => () => dialTcp('127.0.0.1', port, 2000)],
  ['plain socket', plainDialer],
];

describe('TcpForwarder (unit)', () => {
  const cleanup: Array<() => unknown> = [];

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step();
    }
  });

  async function target(handle: (socket: net.Socket) => void): Promise<LoopbackServer> {
    const server = await listenLoopback(handle);
    cleanup.push(() => server.close());
    return server;
  }

  async function forwarder(connect: () => Promise<Duplex>, options: { bindAddress?: string; connectTimeoutMs?: number; changeIntervalMs?: number } = {}) {
    const forwarder = new TcpForwarder({ connect, logger: silentLogger, name: 'test', ...options });
    cleanup.push(() => forwarder.dispose());
    await forwarder.listen(0);
    return forwarder;
  }

  async function client(port: number): Promise<net.Socket> {
    const socket = await dial(port);
    cleanup.push(() => socket.destroy());
    return socket;
  }

  it('binds 127.0.0.1 by default, and all interfaces when asked', async () => {
    const connect = plainDialer(1);
    const local = await forwarder(connect);
    const everywhere = await forwarder(connect, { bindAddress: '0.0.0.0' });
    assert.equal(local.bindAddress, '127.0.0.1');
    assert.equal(everywhere.bindAddress, '0.0.0.0');
    const bound = (port: number) => {
      const server = net.createServer();
      return new Promise<string>((resolve) => server.once('error', () => resolve('taken')).listen(port, '0.0.0.0', () => server.close(() => resolve('free'))));
    };
    assert.equal(await bound(everywhere.port as number), 'taken', 'the all-interfaces tunnel holds 0.0.0.0');
  });

  for (const [name, dialer] of transports) {
    it(`forwards bytes both ways (${name})`, async () => {
      const server = await target(echo);
      const local = await forwarder(dialer(server.port));
      const socket = await client(local.port as number);
      assert.equal(await roundTrip(socket, 'hello through the tunnel'), 'hello through the tunnel');
    });
  }

  it('reads accepted sockets into the reused buffer on this Node version', async () => {
    const server = net.createServer({ pauseOnConnect: true });
    cleanup.push(() => server.close());
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = await client((server.address() as net.AddressInfo).port);
    const [local] = await accepted;
    cleanup.push(() => local.destroy());
    assert.ok(readIntoReusedBuffer(local), 'Node no longer offers the onread slots: uploads fall back to a fresh buffer per read');
    socket.end();
  });

  // Reused buffers are overwritten by the next read: random bulk data shows any chunk sent before it was copied out.
  for (const [name, dialer] of transports) {
    it(`echoes 48 MiB of random bytes intact while both directions are busy (${name})`, async function () {
      this.timeout(20_000);
      const server = await target(echo);
      const local = await forwarder(dialer(server.port));
      const socket = await client(local.port as number);
      const sent = createHash('sha256');
      const received = createHash('sha256');
      let receivedBytes = 0;
      socket.on('data', (chunk: Buffer) => {
        received.update(chunk);
        receivedBytes += chunk.length;
      });
      const ended = once(socket, 'end');
      const totalBytes = 48 * 1024 * 1024;
      for (let written = 0; written < totalBytes;) {
        // Sizes that straddle the 64 KiB scratch buffer and the bulk buffer.
        const chunk = randomBytes(Math.min(totalBytes - written, 1 + ((written * 7919) % (3 * 1024 * 1024))));
        sent.update(chunk);
        written += chunk.length;
        if (!socket.write(chunk)) {
          await once(socket, 'drain');
        }
      }
      socket.end();
      await ended;
      assert.equal(receivedBytes, totalBytes);
      assert.equal(received.digest('hex'), sent.digest('hex'));
    });
  }

  it('delivers a reply sent 2 s after the client half-closed, and data sent after the target half-closed', async function () {
    this.timeout(4000);
    const replyDelayMs = 2000;
    // Answers only after the client's FIN, and late.
    const lateReplier = await target((socket) => {
      let request = '';
      socket.on('data', (chunk: Buffer) => (request += chunk.toString()));
      socket.once('end', () => setTimeout(() => socket.end(`reply to ${request}`), replyDelayMs));
    });
    // Half-closes first, then keeps reading.
    const heardAfterFin: string[] = [];
    const earlyCloser = await target((socket) => {
      let heard = '';
      socket.on('data', (chunk: Buffer) => (heard += chunk.toString()));
      socket.once('end', () => heardAfterFin.push(heard));
      socket.end('done talking');
    });
    const checks = transports.map(async ([name, dialer]) => {
      const toLateReplier = await forwarder(dialer(lateReplier.port));
      const late = await client(toLateReplier.port as number);
      const reply = readToEnd(late);
      const startedAt = Date.now();
      late.end('late request');
      assert.equal((await reply).toString(), 'reply to late request', name);
      assert.ok(Date.now() - startedAt >= replyDelayMs - 50, `${name}: the reply came after the delay`);

      const toEarlyCloser = await forwarder(dialer(earlyCloser.port));
      const early = await client(toEarlyCloser.port as number);
      assert.equal((await readToEnd(early)).toString(), 'done talking', name);
      early.end(`still talking (${name})`);
      await waitFor(() => heardAfterFin.includes(`still talking (${name})`), `${name}: the target to hear the client after its own FIN`);
    });
    await Promise.all(checks);
  });

  for (const direction of ['download', 'upload'] as const) {
    it(`keeps memory bounded when the ${direction === 'download' ? 'client' : 'target'} stops reading while 64 MiB come in`, async function () {
      this.timeout(15_000);
      const totalBytes = 64 * 1024 * 1024;
      const chunk = Buffer.alloc(1024 * 1024, 7);
      let written = 0;
      const pump = async (socket: net.Socket) => {
        while (written < totalBytes) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            await once(socket, 'drain');
          }
        }
        socket.end();
      };
      let stalledReader: net.Socket | undefined;
      const server = await target((socket) => {
        if (direction === 'download') {
          void pump(socket).catch(() => undefined);
        } else {
          socket.pause();
          stalledReader = socket;
        }
      });
      const local = await forwarder(dialTcpTo(server.port));
      const socket = await client(local.port as number);
      if (direction === 'download') {
        socket.pause();
        stalledReader = socket;
      } else {
        void pump(socket).catch(() => undefined);
      }
      collectGarbage();
      const baseline = process.memoryUsage().arrayBuffers;
      await waitUntilStalled(() => written);
      collectGarbage();
      const held = process.memoryUsage().arrayBuffers - baseline;
      assert.ok(written < totalBytes, `the writer is held back (wrote ${written} of ${totalBytes} bytes)`);
      assert.ok(held < 8 * 1024 * 1024, `buffers grew by ${(held / 1024 / 1024).toFixed(1)} MiB`);

      let received = 0;
      const reader = stalledReader as net.Socket;
      reader.on('data', (data: Buffer) => (received += data.length));
      reader.resume();
      await waitFor(() => received === totalBytes, `all ${totalBytes} bytes (got ${received})`, 10_000);
    });
  }

  it('keeps other connections working when one fails', async () => {
    let connections = 0;
    const server = await target((socket) => {
      connections++;
      if (connections === 2) {
        socket.resetAndDestroy(); // The target resets this one connection.
      } else {
        echo(socket);
      }
    });
    const dialTarget = dialTcpTo(server.port);
    let attempts = 0;
    // The transport fails the fourth connection outright.
    const local = await forwarder(() => (++attempts === 4 ? Promise.reject(new Error('transport hiccup')) : dialTarget()));
    const first = await client(local.port as number);
    assert.equal(await roundTrip(first, 'one'), 'one');
    assert.equal(await connectAndWatch(local.port as number, 1000), 'reset');
    const third = await client(local.port as number);
    assert.equal(await connectAndWatch(local.port as number, 1000), 'reset');
    assert.equal(await roundTrip(first, 'still here'), 'still here');
    assert.equal(await roundTrip(third, 'three'), 'three');
    assert.equal(local.stats().errors, 2);
  });

  it('leaves no socket behind after close() and dispose()', async () => {
    const server = await target(echo);
    const handlesBefore = tcpHandles();
    for (const finish of ['close', 'dispose'] as const) {
      const local = new TcpForwarder({ connect: dialTcpTo(server.port), logger: silentLogger, name: finish });
      await local.listen(0);
      const sockets = await Promise.all(Array.from({ length: 5 }, () => dial(local.port as number)));
      await Promise.all(sockets.map((socket, index) => roundTrip(socket, `#${index}`)));
      assert.equal(server.open.size, 5);
      const ended = sockets.map((socket) => howItEnds(socket, 1000));
      if (finish === 'close') {
        await local.close();
      } else {
        local.dispose();
      }
      assert.ok(
        (await Promise.all(ended)).every((how) => how !== 'open'),
        `${finish}: every client was told`,
      );
      sockets.forEach((socket) => socket.destroy());
      await waitFor(() => server.open.size === 0, `${finish}: the target's sockets to close`);
      assert.equal(local.stats().activeConnections, 0);
      assert.equal(local.listening, false);
    }
    await waitFor(() => tcpHandles() <= handlesBefore, `TCP handles back to ${handlesBefore} (now ${tcpHandles()})`);
  });

  it('reports a taken port as ForwardError portInUse and finds a free one', async () => {
    const taken = await target(echo);
    const local = new TcpForwarder({ connect: plainDialer(1), logger: silentLogger, name: 'taken' });
    cleanup.push(() => local.dispose());
    await assert.rejects(local.listen(taken.port), (error: unknown) => ForwardError.is(error, 'portInUse') && /already in use/.test(error.message));
    await assert.rejects(local.listen(70_000), (error: unknown) => ForwardError.is(error, 'invalidPort'));
    const offered = await findFreePort(taken.port);
    assert.notEqual(offered, taken.port);
    assert.equal(await local.listen(offered), offered);
    local.pause();
    assert.equal(await findFreePort(offered), offered, 'a free port is offered as it is');
    assert.notEqual(await local.listenPreferring(taken.port), taken.port);
  });

  it('closes the client at once when the target is down, and after the connect timeout when it hangs', async () => {
    const closedPort = await findFreePort(0);
    const refused = await forwarder(dialTcpTo(closedPort));
    const hanging = await forwarder(() => new Promise<Duplex>(() => undefined), { connectTimeoutMs: 300 });
    const startedAt = Date.now();
    const [refusedEnd, hangingEnd] = await Promise.all([connectAndWatch(refused.port as number, 1000), connectAndWatch(hanging.port as number, 1000)]);
    assert.equal(refusedEnd, 'reset');
    assert.equal(hangingEnd, 'reset');
    assert.ok(Date.now() - startedAt < 1000);
    assert.equal(refused.stats().errors, 1);
  });

  it('pauses (listener closed, open connections kept) and resumes on the same port', async () => {
    const server = await target(echo);
    const local = await forwarder(dialTcpTo(server.port));
    const port = local.port as number;
    const open = await client(port);
    assert.equal(await roundTrip(open, 'before'), 'before');
    local.pause();
    assert.equal(local.listening, false);
    await assert.rejects(dial(port), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
    assert.equal(await roundTrip(open, 'during'), 'during');
    assert.equal(await local.resume(), port);
    assert.equal(await roundTrip(await client(port), 'after'), 'after');
  });

  it('counts connections and bytes and reports them at most once per interval', async () => {
    const server = await target(echo);
    const local = await forwarder(dialTcpTo(server.port), { changeIntervalMs: 50 });
    const reports: ForwarderStats[] = [];
    local.onDidChange((stats) => reports.push(stats));
    const sockets = await Promise.all([client(local.port as number), client(local.port as number)]);
    await Promise.all(sockets.map((socket) => roundTrip(socket, '12345')));
    sockets.forEach((socket) => socket.end());
    await waitFor(() => local.stats().activeConnections === 0, 'both connections to close');
    assert.deepEqual(local.stats(), { activeConnections: 0, totalConnections: 2, bytesIn: 10, bytesOut: 10, errors: 0 });
    await waitFor(() => reports.at(-1)?.activeConnections === 0, 'a report of the closed connections');
    assert.ok(reports.length <= 4, `${reports.length} reports for a burst of events`);
  });

  it('keeps listening when accepting fails for lack of file descriptors (EMFILE)', async function () {
    this.timeout(10_000);
    // A child with a low descriptor limit runs a forwarder to an echo server of its own.
    const script = `
      const net = require('node:net');
      const { TcpForwarder } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/forwarding/tcpForwarder.js'))});
      const { dialTcp } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/hosts/reusedBufferSocket.js'))});
      const logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
      const target = net.createServer({ allowHalfOpen: true }, (socket) => { socket.on('error', () => {}); socket.pipe(socket); }).listen(0, '127.0.0.1', async () => {
        const forwarder = new TcpForwarder({ connect: () => dialTcp('127.0.0.1', target.address().port, 2000), logger, name: 'emfile' });
        console.log(await forwarder.listen(0));
      });`;
    const child = spawn('bash', ['-c', 'ulimit -n 48 && exec "$0" -e "$1"', process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => child.kill());
    const [firstOutput] = (await once(child.stdout, 'data')) as [Buffer];
    const port = Number(firstOutput.toString().trim());
    const sockets = await Promise.all(Array.from({ length: 40 }, () => dial(port).catch(() => undefined)));
    const outcomes = await Promise.all(
      sockets.map((socket) =>
        socket
          ? roundTrip(socket, 'x').then(
              () => 'ok',
              () => 'failed',
            )
          : 'failed',
      ),
    );
    sockets.forEach((socket) => socket?.destroy());
    // libuv drops what it cannot accept (its EMFILE trick), so the listener never learns about those.
    assert.ok(outcomes.includes('failed'), 'the limit was reached');
    const after = await dial(port);
    cleanup.push(() => after.destroy());
    assert.equal(await roundTrip(after, 'back'), 'back', 'a new connection works once descriptors are free');
  });
});

function dialTcpTo(port: number): () => Promise<Duplex> {
  return () => dialTcp('127.0.0.1', port, 2000);
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap' || kind === 'TCPServerWrap').length;
}

/** Waits until `progress` stops moving for 200 ms: the writer is blocked by backpressure. */
async function waitUntilStalled(progress: () => number): Promise<void> {
  let last = -1;
  while (progress() !== last) {
    last = progress();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
