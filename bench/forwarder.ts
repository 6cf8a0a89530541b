/**
 * bench:forwarder — the embedded TCP forwarder side by side with a direct connection, socat and
 * `ssh -L`, in one run:
 *   - 1 GiB throughput each way (upload: client → server, download: server → client);
 *   - connection setup p50/p99 over 2,000 sequential connections (connect, 1-byte echo, close);
 *   - 1,000 and 10,000 concurrent held connections: errors, and memory per connection of the
 *     process in the middle (PSS delta from /proc/PID/smaps_rollup, after a GC for Node).
 * Loopback rows use servers on 127.0.0.1; SSH rows go through the testbed's beta host to servers
 * on 10.231.0.1 (the root namespace's testbed address, reachable from beta). Nothing else is
 * contacted. Every party runs in its own process: a load-generating client, the servers, and the
 * subject in the middle, so its memory can be measured alone. The "… in extension host" rows run
 * the same forwarder inside code-server's extension host, one fresh host per start (see
 * bench/extensionHosts.ts); where code-server or Chromium is missing they are skipped, saying why.
 *
 * The same file is each of those processes: `node out/bench/forwarder.js [role] [json]`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { findFreePort } from '../src/core/forwarding/tcpForwarder';
import { testbed } from '../test/integration/harness';
import { type ExtensionHosts, openExtensionHosts } from './extensionHosts';
import { type ForwarderMode, type ForwarderOptions, collectGarbage, startForwarders } from './forwarderRole';

const throughputBytes = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const throughputRuns = Number(process.env.BENCH_RUNS ?? 3);
const setupConnections = 2000;
/**
 * Comma-separated parts of names to run only some subjects while tuning, e.g. "direct,forwarder (plain),socat -b",
 * or "ssh -L,in extension host" for `ssh -L` and the extension-host rows.
 */
const onlySubjects = process.env.BENCH_SUBJECTS?.split(',');
/** The sandbox's hard limit on open files; a plain forward holds two per connection. */
const fileLimit = 20_000;
/** The most connections a plain forward can hold under `fileLimit`: two descriptors each, and some spare. */
const maxPlainHeld = Math.floor((fileLimit - 200) / 2);
const sshServerAddress = '10.231.0.1';
const loopback = '127.0.0.1';
const chunkBytes = 256 * 1024;
const beta = testbed.hosts.find((host) => host.name === 'beta') as unknown as { ip: string; identityFile: string; knownHostsFile: string };

const names = {
  direct: 'direct',
  plain: 'forwarder (plain)',
  socatTuned: 'socat -b 262144 (ambassador flags)',
  socatDefault: 'socat (defaults)',
  sshL: 'ssh -L (OpenSSH, aes128-gcm)',
  ownSsh: 'forwarder (SSH, builtin ssh2)',
  openSsh: 'forwarder (SSH, OpenSSH master)',
  ownSshInExtensionHost: 'forwarder (SSH, builtin ssh2) in extension host',
  openSshInExtensionHost: 'forwarder (SSH, OpenSSH master) in extension host',
};

type ServerKind = 'sink' | 'source' | 'echo';
type Ports = Record<ServerKind, number>;
const serverKinds: ServerKind[] = ['sink', 'source', 'echo'];

// ---------------------------------------------------------------- servers role

/** sink: reads everything, FIN after the client's FIN. source: sends `throughputBytes`. echo: echoes. */
async function runServers(): Promise<void> {
  const chunk = Buffer.alloc(chunkBytes, 0x5a);
  const handlers: Record<ServerKind, (socket: net.Socket) => void> = {
    // A no-op 'data' listener: resume() without one is about a third slower in Node 20.
    sink: (socket) => {
      socket.on('data', () => undefined);
      socket.on('end', () => socket.end());
    },
    source: (socket) => {
      let left = throughputBytes;
      const pump = () => {
        while (left > 0) {
          left -= chunkBytes;
          if (!socket.write(left >= 0 ? chunk : chunk.subarray(0, chunkBytes + left))) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      socket.resume();
      pump();
    },
    echo: (socket) => {
      socket.on('data', (data: Buffer) => socket.write(data));
      socket.on('end', () => socket.end());
    },
  };
  const ports: Record<string, Ports> = {};
  let open = 0;
  // Asked between measurements: how many connections are still open (see untilServersIdle).
  process.on('message', (message) => message === 'connections' && process.send?.({ connections: open }));
  for (const address of [loopback, sshServerAddress]) {
    ports[address] = {} as Ports;
    for (const kind of serverKinds) {
      const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
        open++;
        socket.once('close', () => open--);
        socket.on('error', () => undefined);
        handlers[kind](socket);
      });
      server.listen({ port: 0, host: address, backlog: 4096 });
      await once(server, 'listening');
      ports[address][kind] = (server.address() as net.AddressInfo).port;
    }
  }
  process.send?.({ ports });
}

// ---------------------------------------------------------------- forwarder role

/** The subject in a plain Node process: bench/forwarderRole.ts, as the extension host runs it too. */
async function runForwarder(options: ForwarderOptions): Promise<void> {
  const { ports } = await startForwarders(options);
  process.on('message', (message) => {
    if (message === 'gc') {
      collectGarbage();
      process.send?.('gcDone');
    }
  });
  process.send?.({ ports });
}

// ---------------------------------------------------------------- client role

type ClientRequest = { op: 'upload' | 'download'; port: number } | { op: 'setup'; port: number; count: number } | { op: 'hold'; port: number; count: number } | { op: 'release' };

function runClient(): void {
  const held: net.Socket[] = [];
  const chunk = Buffer.alloc(chunkBytes, 0x33);
  const ops = {
    /** Seconds until the sink's FIN: every byte arrived. */
    upload: async ({ port }: { port: number }) => {
      const socket = net.connect({ port, host: loopback, allowHalfOpen: true, noDelay: true });
      await once(socket, 'connect');
      const startedAt = performance.now();
      const ended = once(socket, 'end');
      socket.resume();
      for (let sent = 0; sent < throughputBytes; sent += chunkBytes) {
        if (!socket.write(chunk)) {
          await once(socket, 'drain');
        }
      }
      socket.end();
      await ended;
      socket.destroy();
      return { seconds: (performance.now() - startedAt) / 1000 };
    },
    /** Reads into one reused buffer, so the client costs as little CPU as possible; no half-close (socat's -t would cut it). */
    download: async ({ port }: { port: number }) => {
      let received = 0;
      const startedAt = performance.now();
      const socket = net.connect({
        port,
        host: loopback,
        onread: {
          buffer: Buffer.allocUnsafe(chunkBytes),
          callback: (length: number) => {
            received += length;
            return true;
          },
        },
      });
      await once(socket, 'end');
      socket.destroy();
      if (received !== throughputBytes) {
        throw new Error(`download got ${received} of ${throughputBytes} bytes`);
      }
      return { seconds: (performance.now() - startedAt) / 1000 };
    },
    setup: async ({ port, count }: { port: number; count: number }) => {
      const samples: number[] = [];
      let errors = 0;
      for (let index = 0; index < count; index++) {
        const startedAt = performance.now();
        try {
          const socket = await echoOnce(port);
          samples.push(performance.now() - startedAt);
          socket.destroy();
        } catch {
          errors++;
        }
      }
      return { ...percentiles(samples), errors };
    },
    /** Opens `count` connections (200 at a time), each proven end to end by a 1-byte echo, and keeps them. */
    hold: async ({ port, count }: { port: number; count: number }) => {
      let errors = 0;
      let next = 0;
      const startedAt = performance.now();
      const kinds = new Map<string, number>();
      const worker = async () => {
        while (next < count) {
          next++;
          try {
            held.push(await echoOnce(port));
          } catch (error) {
            errors++;
            const kind = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
            kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          }
        }
      };
      await Promise.all(Array.from({ length: 200 }, worker));
      if (errors > 0) {
        // What failed, so an error count can be told apart: a timeout, a reset, a refused listener.
        console.error(`held ${count} through port ${port}: ${[...kinds].map(([kind, n]) => `${n} × ${kind}`).join(', ')}`);
      }
      return { errors, seconds: (performance.now() - startedAt) / 1000 };
    },
    release: async () => {
      const closed = held.splice(0).map((socket) => {
        socket.destroy();
        return socket.closed ? undefined : once(socket, 'close');
      });
      await Promise.all(closed);
      return {};
    },
  };
  process.on('message', (message: ClientRequest & { id: number }) => {
    const op = ops[message.op] as (request: ClientRequest) => Promise<object>;
    op(message).then(
      (result) => process.send?.({ id: message.id, result }),
      (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
    );
  });
  process.send?.({ ready: true });
}

/** Connects, sends one byte, waits for it to come back. */
function echoOnce(port: number, timeoutMs = 10_000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: loopback, noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error('echo timed out')), timeoutMs);
    socket.once('connect', () => socket.write('x'));
    socket.once('data', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('end', () => socket.destroy(new Error('closed before the echo')));
  });
}

// ---------------------------------------------------------------- main role

/** A process in the middle (or none, for "direct"): its listening ports, and the pids whose CPU and memory count. */
interface Subject {
  ports: Ports;
  /** Every process of the subject; CPU includes their reaped children (socat forks one per connection). */
  pids: number[];
  /** The processes serving the echo port, where connections are held. */
  memoryPids(): number[];
  collectGarbage(): Promise<void>;
  stop(): void | Promise<void>;
}

interface SubjectResult {
  subject: string;
  section: Plan['section'];
  uploadGBps: number;
  downloadGBps: number;
  /** CPU seconds the subject spent per GiB moved. */
  cpuSecondsPerGiB?: number;
  setupP50Ms: number;
  setupP99Ms: number;
  setupErrors: number;
  held: Array<{ connections: number; errors: number; openSeconds: number; kbPerConnection: number }>;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const versions = [`Node ${process.version}`, commandVersion('socat', ['-V'], /socat version (\S+)/), commandVersion('ssh', ['-V'], /(OpenSSH_\S+)/)];
  console.log(`bench:forwarder on ${os.cpus().length} CPUs, ${versions.join(', ')}`);
  console.log(`${throughputBytes / 1024 ** 3} GiB × ${throughputRuns} runs per direction, ${setupConnections} sequential connections, held 1,000 and 10,000\n`);
  const servers = spawnRole('servers');
  const client = spawnRole('client');
  const [{ ports: serverPorts }] = (await once(servers, 'message')) as [{ ports: Record<string, Ports> }];
  await once(client, 'message');
  const request = requester(client);
  let extensionHosts: ExtensionHosts | undefined;

  // sshd walks all its channels on every poll, so 10,000 SSH channels take about a minute to open:
  // that row is kept for our forwarder only.
  const plans: Plan[] = [
    { name: names.direct, section: 'loopback', start: async () => directSubject(serverPorts[loopback]), held: [] },
    { name: names.plain, section: 'loopback', start: () => forwarderSubject('plain', loopback, serverPorts[loopback]), held: [1000, maxPlainHeld] },
    { name: names.socatTuned, section: 'loopback', start: () => socatSubject(true, serverPorts[loopback]), held: [1000] },
    { name: names.socatDefault, section: 'loopback', start: () => socatSubject(false, serverPorts[loopback]), held: [] },
    { name: names.sshL, section: 'ssh', start: () => sshSubject(serverPorts[sshServerAddress]), held: [1000] },
    { name: names.ownSsh, section: 'ssh', start: () => forwarderSubject('ssh', sshServerAddress, serverPorts[sshServerAddress]), held: [1000, 10_000] },
    // OpenSSH: like plain mode, the forwarder holds two descriptors per connection (client and forwarded socket).
    { name: names.openSsh, section: 'ssh', start: () => forwarderSubject('openssh', sshServerAddress, serverPorts[sshServerAddress]), held: [1000, maxPlainHeld] },
    // The same forwarders inside code-server's extension host, beside the activated extension. Its heap
    // has free space left from loading the extensions, so 1,000 held connections may add next to nothing.
    ...(['ssh', 'openssh'] as const).map((mode) => ({
      name: mode === 'ssh' ? names.ownSshInExtensionHost : names.openSshInExtensionHost,
      section: 'ssh' as const,
      inExtensionHost: true,
      start: () => extensionHostSubject(extensionHosts as ExtensionHosts, mode, sshServerAddress, serverPorts[sshServerAddress]),
      held: [1000, mode === 'ssh' ? 10_000 : maxPlainHeld],
    })),
  ];
  let selected = plans.filter(({ name }) => !onlySubjects || onlySubjects.some((part) => name.includes(part)));
  let results: SubjectResult[];
  try {
    if (selected.some((plan) => plan.inExtensionHost)) {
      const opened = await openExtensionHosts();
      if ('skipped' in opened) {
        console.log(`extension-host rows skipped: ${opened.skipped}\n`);
        selected = selected.filter((plan) => !plan.inExtensionHost);
      } else {
        extensionHosts = opened;
      }
    }
    results = await measure(selected, request, servers);
  } finally {
    stopQuietly(servers);
    stopQuietly(client);
    await extensionHosts?.close();
  }
  report(results, Math.round((Date.now() - startedAt) / 1000));
}

/** A subject to start (again for each held count), and how many connections to hold through it. */
interface Plan {
  name: string;
  section: 'loopback' | 'ssh';
  /** Needs code-server and Chromium: skipped, with the reason printed, where they are missing. */
  inExtensionHost?: boolean;
  start(): Promise<Subject>;
  held: number[];
}

/**
 * Throughput runs take turns (each subject once per round) so that a slow spell of this shared
 * machine falls on every subject alike rather than on whichever ran then; the median of the
 * rounds is reported. Setup and held connections follow, one subject at a time.
 */
async function measure(plans: Plan[], request: (message: ClientRequest) => Promise<Record<string, number>>, servers: ChildProcess): Promise<SubjectResult[]> {
  const measured: Array<{ plan: Plan; subject: Subject; upload: number[]; download: number[]; cpuSeconds: number }> = [];
  try {
    for (const plan of plans) {
      const subject = await plan.start();
      measured.push({ plan, subject, upload: [], download: [], cpuSeconds: 0 });
      await request({ op: 'setup', port: subject.ports.echo, count: 20 }); // Warm-up (SSH handshake, JIT).
    }
    for (let run = 0; run < throughputRuns; run++) {
      process.stdout.write(`throughput round ${run + 1}/${throughputRuns} `);
      for (const entry of measured) {
        const cpuBefore = cpuTime(entry.subject.pids);
        entry.upload.push(throughputBytes / 1e9 / (await request({ op: 'upload', port: entry.subject.ports.sink })).seconds);
        entry.download.push(throughputBytes / 1e9 / (await request({ op: 'download', port: entry.subject.ports.source })).seconds);
        // socat's forked children count once their listener has reaped them.
        await delay(200);
        entry.cpuSeconds += cpuTime(entry.subject.pids) - cpuBefore;
      }
    }
    console.log('');
  } finally {
    await Promise.all(measured.map(({ subject }) => subject.stop()));
  }
  const results: SubjectResult[] = [];
  for (const { plan, upload, download, cpuSeconds } of measured) {
    results.push({
      ...(await measureConnections(plan, request, servers)),
      uploadGBps: round(median(upload), 2),
      downloadGBps: round(median(download), 2),
      cpuSecondsPerGiB: cpuSecondsPerGiB(plan, cpuSeconds),
    });
  }
  return results;
}

function cpuSecondsPerGiB(plan: Plan, cpuSeconds: number): number | undefined {
  return plan.name === names.direct ? undefined : round(cpuSeconds / ((2 * throughputRuns * throughputBytes) / 1024 ** 3), 2);
}

/**
 * Waits until the servers hold no connection: a subject stopped with 10,000 connections leaves sshd
 * and the servers closing them for seconds, and the next subject's figures would carry that work.
 */
async function untilServersIdle(servers: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    servers.send('connections');
    const [{ connections }] = (await once(servers, 'message')) as [{ connections: number }];
    if (connections === 0 || Date.now() > deadline) {
      return;
    }
    await delay(200);
  }
}

/** Setup latency through a fresh subject, then each held count through another fresh one. */
async function measureConnections(
  plan: Plan,
  request: (message: ClientRequest) => Promise<Record<string, number>>,
  servers: ChildProcess,
): Promise<Omit<SubjectResult, 'uploadGBps' | 'downloadGBps' | 'cpuSecondsPerGiB'>> {
  process.stdout.write(`${plan.name}: `);
  await untilServersIdle(servers);
  const subject = await plan.start();
  let setup: Record<string, number>;
  try {
    await request({ op: 'setup', port: subject.ports.echo, count: 20 });
    setup = await request({ op: 'setup', port: subject.ports.echo, count: setupConnections });
    process.stdout.write('setup ');
  } finally {
    await subject.stop();
  }
  // A fresh process: the throughput runs grew the heap, and connections would fill that free space unseen.
  const held: SubjectResult['held'] = [];
  for (const count of plan.held) {
    await untilServersIdle(servers);
    const fresh = await plan.start();
    try {
      await request({ op: 'setup', port: fresh.ports.echo, count: 20 });
      await fresh.collectGarbage();
      const before = pss(fresh.memoryPids());
      const opened = await request({ op: 'hold', port: fresh.ports.echo, count });
      await fresh.collectGarbage();
      const after = pss(fresh.memoryPids());
      await request({ op: 'release' });
      held.push({ connections: count, errors: opened.errors, openSeconds: round(opened.seconds, 1), kbPerConnection: round((after - before) / count, 1) });
      process.stdout.write(`held ${count} `);
    } finally {
      await fresh.stop();
    }
  }
  console.log('');
  return {
    subject: plan.name,
    section: plan.section,
    setupP50Ms: round(setup.p50, 3),
    setupP99Ms: round(setup.p99, 3),
    setupErrors: setup.errors,
    held,
  };
}

function directSubject(ports: Ports): Subject {
  return { ports, pids: [], memoryPids: () => [], collectGarbage: async () => undefined, stop: () => undefined };
}

async function forwarderSubject(mode: ForwarderMode, host: string, targets: Ports): Promise<Subject> {
  const child = spawnRole('forwarder', forwarderOptions(mode, host, targets), ['--expose-gc']);
  const [{ ports }] = (await once(child, 'message')) as [{ ports: number[] }];
  return {
    ...forwarderProcesses(mode, child.pid as number, ports),
    collectGarbage: async () => {
      child.send('gc');
      await once(child, 'message');
    },
    stop: () => stopQuietly(child),
  };
}

/** The forwarders in a fresh extension host (a fresh workbench page), as forwarderSubject starts a fresh process. */
async function extensionHostSubject(hosts: ExtensionHosts, mode: ForwarderMode, host: string, targets: Ports): Promise<Subject> {
  const session = await hosts.session();
  let ports: number[];
  try {
    ports = await session.start(forwarderOptions(mode, host, targets));
  } catch (error) {
    await session.stop();
    throw error;
  }
  if (session.fileLimit < fileLimit) {
    console.error(`the extension host may open only ${session.fileLimit} files (run the bench under ulimit -n ${fileLimit}): held rows will fail`);
  }
  return { ...forwarderProcesses(mode, session.pid, ports), collectGarbage: () => session.collectGarbage(), stop: () => session.stop() };
}

function forwarderOptions(mode: ForwarderMode, host: string, targets: Ports): ForwarderOptions {
  return { mode, targets: serverKinds.map((kind) => ({ host, port: targets[kind] })) };
}

/** The listening ports in serverKinds' order, and the processes that count for CPU and memory. */
function forwarderProcesses(mode: ForwarderMode, pid: number, ports: number[]): Pick<Subject, 'ports' | 'pids' | 'memoryPids'> {
  // OpenSSH: the relay and the ssh masters it started (under their guards) are one subject; all count.
  // Memory is looked up again each time: extra masters start while thousands of connections are held.
  const pids = mode === 'openssh' ? descendantPids(pid) : [pid];
  return { ports: { sink: ports[0], source: ports[1], echo: ports[2] }, pids, memoryPids: () => (mode === 'openssh' ? descendantPids(pid) : pids) };
}

async function socatSubject(tuned: boolean, targets: Ports): Promise<Subject> {
  const processes: ChildProcess[] = [];
  const ports = {} as Ports;
  for (const kind of serverKinds) {
    ports[kind] = await findFreePort(0);
    const listen = tuned
      ? [`TCP-LISTEN:${ports[kind]},bind=${loopback},fork,reuseaddr,backlog=512,max-children=4096,keepalive,nodelay`, `TCP:${loopback}:${targets[kind]},keepalive,nodelay`]
      : [`TCP-LISTEN:${ports[kind]},bind=${loopback},fork,reuseaddr`, `TCP:${loopback}:${targets[kind]}`];
    processes.push(spawnLimited('socat', [...(tuned ? ['-t', '3600', '-b', '262144'] : []), ...listen]));
  }
  await Promise.all(serverKinds.map((kind) => untilListening(ports[kind])));
  const echoListener = processes[2].pid as number;
  return {
    ports,
    pids: processes.map((listener) => listener.pid as number),
    // One process per connection: the listener and its children.
    memoryPids: () => [echoListener, ...childPids(echoListener)],
    collectGarbage: async () => undefined,
    stop: () => processes.forEach(stopQuietly),
  };
}

async function sshSubject(targets: Ports): Promise<Subject> {
  const ports = {} as Ports;
  const forwards: string[] = [];
  for (const kind of serverKinds) {
    ports[kind] = await findFreePort(0);
    forwards.push('-L', `${loopback}:${ports[kind]}:${sshServerAddress}:${targets[kind]}`);
  }
  // Same cipher as ssh2 negotiates (aes128-gcm); the testbed key and known_hosts, no user config.
  const ssh = spawnLimited('ssh', [
    '-N',
    '-F',
    '/dev/null',
    '-i',
    beta.identityFile,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${beta.knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ExitOnForwardFailure=yes',
    '-c',
    'aes128-gcm@openssh.com',
    ...forwards,
    `root@${beta.ip}`,
  ]);
  await Promise.all(serverKinds.map((kind) => untilListening(ports[kind])));
  return {
    ports,
    pids: [ssh.pid as number],
    memoryPids: () => [ssh.pid as number],
    collectGarbage: async () => undefined,
    stop: () => stopQuietly(ssh),
  };
}

function report(results: SubjectResult[], seconds: number): void {
  const direct = results.find((result) => result.subject === names.direct);
  const sshL = results.find((result) => result.subject === names.sshL);
  // What a row adds to connection setup: loopback rows over a direct connection, SSH rows over ssh -L to the same target.
  const baseline = (result: SubjectResult) => (result.section === 'loopback' ? direct : sshL);
  const heldCell = (result: SubjectResult, index: number) => {
    const held = result.held[index];
    return held ? `${held.connections}: ${held.errors} err, ${held.kbPerConnection} KB/conn` : '–';
  };
  const rows = [
    ['subject', 'upload GB/s', 'download GB/s', 'CPU s/GiB', 'setup p50 ms', 'setup p99 ms', 'added p50 ms', 'held (first)', 'held (second)'],
    ...results.map((result) => [
      result.section === 'ssh' ? `${result.subject} via beta` : result.subject,
      String(result.uploadGBps),
      String(result.downloadGBps),
      result.cpuSecondsPerGiB === undefined ? '–' : String(result.cpuSecondsPerGiB),
      String(result.setupP50Ms),
      String(result.setupP99Ms),
      baseline(result) && result !== baseline(result) ? String(round(result.setupP50Ms - baseline(result)!.setupP50Ms, 3)) : '–',
      heldCell(result, 0),
      heldCell(result, 1),
    ]),
  ];
  printMarkdown(rows);

  const find = (name: string) => results.find((result) => result.subject === name);
  const ratio = (ours?: number, theirs?: number) => (ours !== undefined && theirs ? round(ours / theirs, 2) : undefined);
  const [plain, socat, ownSsh, openSsh, ownSshInHost, openSshInHost] = [
    names.plain,
    names.socatTuned,
    names.ownSsh,
    names.openSsh,
    names.ownSshInExtensionHost,
    names.openSshInExtensionHost,
  ].map(find);
  const targets = {
    plainVsTunedSocat: { upload: ratio(plain?.uploadGBps, socat?.uploadGBps), download: ratio(plain?.downloadGBps, socat?.downloadGBps) },
    sshVsSshL: { upload: ratio(ownSsh?.uploadGBps, sshL?.uploadGBps), download: ratio(ownSsh?.downloadGBps, sshL?.downloadGBps) },
    openSshVsSshL: { upload: ratio(openSsh?.uploadGBps, sshL?.uploadGBps), download: ratio(openSsh?.downloadGBps, sshL?.downloadGBps) },
    sshInExtensionHostVsSshL: { upload: ratio(ownSshInHost?.uploadGBps, sshL?.uploadGBps), download: ratio(ownSshInHost?.downloadGBps, sshL?.downloadGBps) },
    openSshInExtensionHostVsSshL: { upload: ratio(openSshInHost?.uploadGBps, sshL?.uploadGBps), download: ratio(openSshInHost?.downloadGBps, sshL?.downloadGBps) },
    openSshAddedSetupP50Ms: openSsh && sshL ? round(openSsh.setupP50Ms - sshL.setupP50Ms, 3) : undefined,
    ownSshAddedSetupP50Ms: ownSsh && sshL ? round(ownSsh.setupP50Ms - sshL.setupP50Ms, 3) : undefined,
    openSshInExtensionHostAddedSetupP50Ms: openSshInHost && sshL ? round(openSshInHost.setupP50Ms - sshL.setupP50Ms, 3) : undefined,
    ownSshInExtensionHostAddedSetupP50Ms: ownSshInHost && sshL ? round(ownSshInHost.setupP50Ms - sshL.setupP50Ms, 3) : undefined,
    addedSetupP50Ms: plain && direct ? round(plain.setupP50Ms - direct.setupP50Ms, 3) : undefined,
    held: [plain, ownSsh, openSsh, ownSshInHost, openSshInHost].flatMap((result) => (result?.held ?? []).map((held) => ({ subject: result?.subject, ...held }))),
  };
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const throughputLine = (what: string, pair: { upload?: number; download?: number }, goal: number) => {
    if (pair.upload !== undefined && pair.download !== undefined) {
      console.log(`- ${what} ≥ ${goal}×: upload ${pair.upload}×, download ${pair.download}× — ${verdict(Math.min(pair.upload, pair.download) >= goal)}`);
    }
  };
  console.log('');
  throughputLine('plain throughput vs tuned socat', targets.plainVsTunedSocat, 1);
  throughputLine('SSH (ssh2) throughput vs ssh -L', targets.sshVsSshL, 0.9);
  throughputLine('SSH (OpenSSH master) throughput vs ssh -L', targets.openSshVsSshL, 1);
  throughputLine('SSH (ssh2) in the extension host throughput vs ssh -L', targets.sshInExtensionHostVsSshL, 0.9);
  throughputLine('SSH (OpenSSH master) in the extension host throughput vs ssh -L', targets.openSshInExtensionHostVsSshL, 1);
  const addedSetupLine = (what: string, added: number | undefined, goal?: number) => {
    if (added !== undefined) {
      console.log(`- ${what}: setup p50 added over ssh -L${goal === undefined ? '' : ` ≤ ${goal} ms`}: ${added} ms${goal === undefined ? '' : ` — ${verdict(added <= goal)}`}`);
    }
  };
  addedSetupLine('SSH (ssh2)', targets.ownSshAddedSetupP50Ms);
  addedSetupLine('OpenSSH master', targets.openSshAddedSetupP50Ms, 1);
  addedSetupLine('SSH (ssh2) in the extension host', targets.ownSshInExtensionHostAddedSetupP50Ms);
  addedSetupLine('OpenSSH master in the extension host', targets.openSshInExtensionHostAddedSetupP50Ms, 1);
  if (targets.addedSetupP50Ms !== undefined) {
    console.log(`- added setup p50 ≤ 0.5 ms: ${targets.addedSetupP50Ms} ms — ${verdict(targets.addedSetupP50Ms <= 0.5)}`);
  }
  // The goal is stated for 10,000; at 1,000 the heap's growth steps still show in the average.
  for (const held of targets.held.filter((entry) => entry.connections >= maxPlainHeld)) {
    // The memory goal is the plain forwarder's; SSH rows are held to 0 errors.
    const met = held.errors === 0 && (held.subject !== names.plain || held.kbPerConnection <= 16);
    console.log(`- ${held.subject}, ${held.connections} concurrent: ${held.errors} errors, ${held.kbPerConnection} KB each (goal 0, ≤ 16 KB) — ${verdict(met)}`);
  }
  console.log(`(${seconds} s; plain mode and OpenSSH hold two file descriptors per connection, so the sandbox's limit of ${fileLimit} caps them at ${maxPlainHeld})`);
  console.log(JSON.stringify({ bench: 'forwarder', node: process.version, cpus: os.cpus().length, throughputBytes, runs: throughputRuns, results, targets, seconds }));
}

// ---------------------------------------------------------------- helpers

/** This file in another role, with the file limit raised as far as the sandbox allows. */
function spawnRole(role: string, options?: object, nodeFlags: string[] = []): ChildProcess {
  return spawnLimited(process.execPath, [...nodeFlags, __filename, role, ...(options ? [JSON.stringify(options)] : [])], true);
}

/** socat and ssh report every reset client on stderr; that is the benchmark's own doing, not news. */
function spawnLimited(command: string, args: string[], ipc = false): ChildProcess {
  const child = spawn('bash', ['-c', `ulimit -n ${fileLimit} && exec "$0" "$@"`, command, ...args], {
    stdio: ['ignore', 'inherit', ipc ? 'inherit' : 'ignore', ...(ipc ? (['ipc'] as const) : [])],
  });
  child.on('exit', (code) => {
    if (code !== 0 && !stopped.has(child)) {
      console.error(`${command} ${args.join(' ').slice(0, 80)} exited with ${code}`);
    }
  });
  return child;
}

const stopped = new WeakSet<ChildProcess>();

function stopQuietly(child: ChildProcess): void {
  stopped.add(child);
  child.kill();
}

function requester(child: ChildProcess): (message: ClientRequest) => Promise<Record<string, number>> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: Record<string, number>) => void; reject: (error: Error) => void }>();
  child.on('message', (reply: { id: number; result?: Record<string, number>; error?: string }) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error) {
      waiter?.reject(new Error(reply.error));
    } else {
      waiter?.resolve(reply.result ?? {});
    }
  });
  return (message) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...message, id });
    });
}

async function untilListening(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const socket = net.connect({ port, host: loopback });
      await once(socket, 'connect');
      socket.destroy();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await delay(20);
    }
  }
}

/** Proportional set size in KB: shared pages (socat's forks) are split between the processes sharing them. */
function pss(pids: number[]): number {
  return pids.reduce((sum, pid) => {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      return sum + Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    } catch {
      return sum; // Exited meanwhile.
    }
  }, 0);
}

/** utime + stime of the processes and of their reaped children, in seconds. */
function cpuTime(pids: number[]): number {
  const ticksPerSecond = 100;
  return pids.reduce((sum, pid) => {
    try {
      // Fields after the command name (which may hold spaces): state is field 3, utime 14 … cstime 17.
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return sum + fields.slice(11, 15).reduce((ticks, value) => ticks + Number(value), 0) / ticksPerSecond;
    } catch {
      return sum;
    }
  }, 0);
}

/** A process and everything below it. */
function descendantPids(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap(descendantPids)];
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** "socat 1.7.4.4", "ssh OpenSSH_9.2p1": the version line may come on stdout or stderr. */
function commandVersion(command: string, args: string[], pattern: RegExp): string {
  const { stdout, stderr } = spawnSync(command, args, { encoding: 'utf8' });
  return `${command} ${pattern.exec(`${stdout}${stderr}`)?.[1] ?? 'unknown'}`;
}

function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

function median(values: number[]): number {
  return percentiles(values).p50;
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

function printMarkdown(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  rows.slice(1).forEach((cells) => console.log(line(cells)));
}

const roles: Record<string, () => Promise<void> | void> = {
  main,
  servers: runServers,
  forwarder: () => runForwarder(JSON.parse(process.argv[3])),
  client: runClient,
};

// A child whose orchestrator died (Ctrl+C, a closed pipe) must not linger holding ports.
process.on('disconnect', () => process.exit(0));

Promise.resolve((roles[process.argv[2] ?? 'main'] ?? main)()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
