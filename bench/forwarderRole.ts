/**
 * The forwarder under test in bench:forwarder, shared by the two places it runs: a plain Node
 * process (the "forwarder" role of bench/forwarder.ts) and code-server's extension host
 * (bench/extensionHostSubject.ts). Both run this same code, so their rows differ only in the
 * process around it.
 */
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { DockerodeClient } from '../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../src/core/hosts/hostSpec';
import { silentLogger } from '../src/core/like';
import { dialTcp } from '../src/core/hosts/reusedBufferSocket';
import { TcpForwarder } from '../src/core/forwarding/tcpForwarder';
import { settingFor, testbedOpenSsh, testbedSshFiles } from '../test/integration/harness';

export type ForwarderMode = 'plain' | 'ssh' | 'openssh';

export interface ForwarderOptions {
  mode: ForwarderMode;
  targets: Array<{ host: string; port: number }>;
}

export interface Forwarders {
  /** Listening ports on 127.0.0.1, in the order of the targets. */
  ports: number[];
  close(): Promise<void>;
}

/**
 * One TcpForwarder per target, plain TCP or channels of one SSH connection to beta.
 * Both modes run with dockerode and ssh2 loaded, as in the extension host: a larger heap makes
 * every garbage collection dearer, and Node's per-read buffers (the upload side) feed it.
 */
export async function startForwarders(options: ForwarderOptions): Promise<Forwarders> {
  let dial: (host: string, port: number) => Promise<Duplex>;
  let client: DockerodeClient | undefined;
  if (options.mode !== 'plain') {
    // OpenSSH: the same cipher as the ssh -L row and ssh2 (aes128-gcm), the testbed's own ssh_config.
    const openSsh = options.mode === 'openssh' ? testbedOpenSsh({ hostBlocks: 'Host *\n  Ciphers aes128-gcm@openssh.com\n' }) : undefined;
    client = new DockerodeClient(parseHostEntry(settingFor('beta')), silentLogger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles(), openSsh });
    dial = client.dialFromHost as (host: string, port: number) => Promise<Duplex>;
    // Connect (and add each forward) before measuring, so the ssh processes exist when the parent counts their CPU.
    await Promise.all(options.targets.map(async (target) => (await dial(target.host, target.port)).destroy()));
  } else {
    dial = (host, port) => dialTcp(host, port, 10_000);
  }
  const forwarders: TcpForwarder[] = [];
  const ports: number[] = [];
  for (const target of options.targets) {
    const forwarder = new TcpForwarder({ connect: () => dial(target.host, target.port), logger: failureLogger, name: `${target.host}:${target.port}` });
    forwarders.push(forwarder);
    ports.push(await forwarder.listen(0));
  }
  return {
    ports,
    close: async () => {
      await Promise.all(forwarders.map((forwarder) => forwarder.close()));
      client?.dispose();
    },
  };
}

/**
 * A full garbage collection before memory is read. A process started with --expose-gc has `gc`;
 * the extension host is not, and V8 accepts the flag at run time for contexts made after it.
 */
export function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) {
    exposed();
    return;
  }
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Why the forwarder could not reach a target, counted by message and printed once a second: the held rows' errors explained. */
const failures = new Map<string, number>();
const failureLogger = {
  ...silentLogger,
  debug: (line: string) => {
    const reason = /target not reached: (.*)$/.exec(line)?.[1];
    if (reason) {
      const key = reason.replace(/\/tmp\/\S+/g, '<socket>');
      if (failures.size === 0) {
        setTimeout(() => {
          console.error(`forwarder: ${[...failures].map(([text, n]) => `${n} × ${text}`).join('; ')}`);
          failures.clear();
        }, 1000);
      }
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
  },
};

// ---------------------------------------------------------------- the extension host's channel

/**
 * What bench/forwarder.ts asks the extension host subject, one JSON object per line over a Unix
 * socket: start the forwarders, collect garbage, or close them and end the extension tests.
 */
export type SubjectRequest = { op: 'start'; options: ForwarderOptions } | { op: 'gc' } | { op: 'quit' };
/** The first line the subject sends (`pid`), then one reply per request. */
export type SubjectReply = { pid: number; fileLimit: number } | { ports: number[] } | { done: true } | { error: string };

/** The environment variable that carries the socket's path into code-server and its extension host. */
export const channelVariable = 'CROSSLINK_BENCH_CHANNEL';

/** Calls `onMessage` with each JSON line the socket receives. */
export function readJsonLines(socket: net.Socket, onMessage: (message: unknown) => void): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    lines.filter(Boolean).forEach((line) => onMessage(JSON.parse(line)));
  });
}

export function writeJsonLine(socket: net.Socket, message: SubjectRequest | SubjectReply): void {
  socket.write(`${JSON.stringify(message)}\n`);
}
