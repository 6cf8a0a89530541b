/**
 * bench:forwarder's side of the extension-host subjects: one code-server and one headless
 * Chromium for the whole run, and a fresh workbench page (so a fresh extension host process) for
 * each start of a subject, as the plain Node rows start a fresh process. The page loads
 * bench/extensionHostSubject.ts as its `extensionTestsPath`, which dials back over a Unix socket.
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { loadCodeServerModule, workbenchNoise, withTimeout, type CodeServer, type CodeServerModule } from '../test/e2e/codeServer';
import { readTestbed, repoRoot } from '../test/support/testbed';
import { type ForwarderOptions, type SubjectReply, type SubjectRequest, channelVariable, readJsonLines, writeJsonLine } from './forwarderRole';

/** One extension host running the forwarders, until stop(). */
export interface ExtensionHostSession {
  pid: number;
  /** The extension host's soft limit on open files (inherited from the bench through code-server). */
  fileLimit: number;
  start(options: ForwarderOptions): Promise<number[]>;
  collectGarbage(): Promise<void>;
  /** Closes the forwarders, lets the tests end, and waits until the extension host process is gone. */
  stop(): Promise<void>;
}

export interface ExtensionHosts {
  session(): Promise<ExtensionHostSession>;
  close(): Promise<void>;
}

const sessionTimeoutMs = 120_000;
/** Said by the workbench on every page closed while its extension host ends: expected here. */
const closingNoise = /^\[lifecycle\] Long running operations during shutdown/;

/** Why the extension-host rows cannot run here, or undefined when they can (checked before anything starts). */
function extensionHostsUnavailable(codeServerModule: CodeServerModule): string | undefined {
  const chromiumPath = codeServerModule.chromiumPath();
  if (!codeServerModule.installedCodeServer()) {
    return 'code-server is not installed (node scripts/code-server.mjs install)';
  }
  if (!fs.existsSync(chromiumPath)) {
    return `no Chromium at ${chromiumPath} (scripts/install-packages.sh browser, or set CROSSLINK_CHROMIUM)`;
  }
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    return 'the extension is not built (npm run build)';
  }
  return undefined;
}

/** Starts code-server (testbed hosts, testbed HOME, an empty folder) and Chromium, or says why it cannot. */
export async function openExtensionHosts(): Promise<ExtensionHosts | { skipped: string }> {
  const codeServerModule = await loadCodeServerModule();
  const unavailable = extensionHostsUnavailable(codeServerModule);
  if (unavailable) {
    return { skipped: unavailable };
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-bench-exthost-'));
  const folder = path.join(base, 'folder');
  fs.mkdirSync(folder);
  const channelPath = path.join(base, 'channel.sock');
  const connections: net.Socket[] = [];
  const waiting: Array<(socket: net.Socket) => void> = [];
  const channel = net.createServer((socket) => {
    const waiter = waiting.shift();
    if (waiter) {
      waiter(socket);
    } else {
      connections.push(socket);
    }
  });
  channel.listen(channelPath);
  await once(channel, 'listening');
  // code-server passes its environment on to every extension host it starts.
  process.env[channelVariable] = channelPath;
  let codeServer: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await codeServer?.stop().catch(() => undefined);
    channel.close();
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    const testbed = readTestbed();
    codeServer = await codeServerModule.startCodeServer({ hosts: testbed.settings, folder, extensionDevelopmentPath: repoRoot, home: testbed.sshHome });
    browser = await chromium.launch({
      executablePath: codeServerModule.chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  } catch (error) {
    await close();
    return { skipped: `code-server or Chromium did not start: ${String(error)}` };
  }
  const started = { codeServer, browser };
  const nextConnection = () =>
    new Promise<net.Socket>((resolve) => {
      const queued = connections.shift();
      if (queued) {
        resolve(queued);
      } else {
        waiting.push(resolve);
      }
    });
  // One page at a time: the extension host that dials in next belongs to the page opened last.
  let opening = Promise.resolve();
  const session = () => {
    const opened = opening.then(() => openSession(started, nextConnection));
    opening = opened.then(
      () => undefined,
      () => undefined,
    );
    return opened;
  };
  return { session, close };
}

async function openSession(started: { codeServer: CodeServer; browser: Browser }, nextConnection: () => Promise<net.Socket>): Promise<ExtensionHostSession> {
  const extensionTestsPath = path.join(repoRoot, 'out', 'bench', 'extensionHostSubject.js');
  const context = await started.browser.newContext();
  let exited!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const page = await context.newPage();
  await page.exposeFunction('codeAutomationExit', (code: number) => exited(code));
  // The extension host's console: the forwarder's failure summaries, and why run() failed if it did.
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
    const text = typeof args === 'string' ? args : Array.isArray(args) ? format(...args) : JSON.stringify(args);
    if (type === 'error' && !workbenchNoise.test(text) && !closingNoise.test(text)) {
      console.error(`[extension host] ${text}`);
    }
  });
  let socket: net.Socket;
  try {
    await page.goto(started.codeServer.workbenchUrl({ extensionTestsPath }));
    socket = await withTimeout(nextConnection(), sessionTimeoutMs, 'the extension host dialling the bench');
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
  const replies: SubjectReply[] = [];
  const waiting: Array<(reply: SubjectReply) => void> = [];
  readJsonLines(socket, (message) => {
    const waiter = waiting.shift();
    if (waiter) {
      waiter(message as SubjectReply);
    } else {
      replies.push(message as SubjectReply);
    }
  });
  const nextReply = () =>
    withTimeout(
      new Promise<SubjectReply>((resolve) => (replies.length > 0 ? resolve(replies.shift()!) : waiting.push(resolve))),
      sessionTimeoutMs,
      'a reply from the extension host',
    );
  const request = async (message: SubjectRequest) => {
    writeJsonLine(socket, message);
    const reply = await nextReply();
    if ('error' in reply) {
      throw new Error(`extension host: ${reply.error}`);
    }
    return reply;
  };
  const hello = (await nextReply()) as { pid: number; fileLimit: number };
  return {
    pid: hello.pid,
    fileLimit: hello.fileLimit,
    start: async (options) => ((await request({ op: 'start', options })) as { ports: number[] }).ports,
    collectGarbage: async () => {
      await request({ op: 'gc' });
    },
    stop: async () => {
      try {
        await request({ op: 'quit' });
        await withTimeout(exit, 30_000, 'the end of the extension tests');
      } finally {
        socket.destroy();
        await context.close().catch(() => undefined);
        await untilGone(hello.pid);
      }
    },
  };
}

/** Waits for the extension host to exit (code-server ends it when its window goes); ends it after 10 s. */
async function untilGone(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (fs.existsSync(`/proc/${pid}`)) {
    if (Date.now() > deadline) {
      console.error(`extension host ${pid} still running 10 s after its window closed: ending it`);
      process.kill(pid);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
