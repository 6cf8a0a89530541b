/**
 * bench:forwarder's forwarder inside code-server's extension host: the `extensionTestsPath`
 * module the bench's workbench page loads. It dials back to the bench over the Unix socket named
 * by CROSSLINK_BENCH_CHANNEL (code-server and its extension host inherit the bench's
 * environment), says its pid, runs the same forwarders as the plain Node role on request, and
 * returns from run() on "quit", so the workbench reports the tests done and the host ends.
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as vscode from 'vscode';
import { type Forwarders, type SubjectRequest, channelVariable, collectGarbage, readJsonLines, startForwarders, writeJsonLine } from './forwarderRole';

export async function run(): Promise<void> {
  const channel = process.env[channelVariable];
  if (!channel) {
    throw new Error(`${channelVariable} is not set: this module is started by bench/forwarder.ts (npm run bench:forwarder)`);
  }
  // The extension host as a user has it: Crosslink active with the testbed's hosts (onStartupFinished may not have come yet).
  await vscode.extensions.getExtension('crosslink.crosslink')?.activate();
  await startupExtensionsActive();
  const socket = net.connect(channel);
  await once(socket, 'connect');
  let forwarders: Forwarders | undefined;
  const quit = new Promise<void>((resolve, reject) => {
    const handle = async (request: SubjectRequest) => {
      switch (request.op) {
        case 'start':
          forwarders = await startForwarders(request.options);
          writeJsonLine(socket, { ports: forwarders.ports });
          return;
        case 'gc':
          collectGarbage();
          writeJsonLine(socket, { done: true });
          return;
        case 'quit':
          await forwarders?.close();
          writeJsonLine(socket, { done: true });
          socket.end();
          resolve();
      }
    };
    readJsonLines(socket, (message) => {
      handle(message as SubjectRequest).catch((error: unknown) => writeJsonLine(socket, { error: String(error) }));
    });
    // The bench ended (or died) without "quit": end the tests anyway, the forwarders with them.
    socket.on('close', () => {
      void forwarders?.close();
      resolve();
    });
    socket.on('error', reject);
  });
  writeJsonLine(socket, { pid: process.pid, fileLimit: openFileLimit() });
  await quit;
}

/** The soft limit on open files this process inherited, which caps how many connections it can hold. */
function openFileLimit(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? NaN);
}

/**
 * Waits (30 s at most) until the extensions that start with the window are active, so that their
 * loading does not land in a held row's memory figure; the tests may start before they do.
 */
async function startupExtensionsActive(): Promise<void> {
  const deadline = Date.now() + 30_000;
  const startup = vscode.extensions.all.filter((extension) =>
    ((extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? []).some((event) => event === '*' || event === 'onStartupFinished'),
  );
  while (startup.some((extension) => !extension.isActive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
