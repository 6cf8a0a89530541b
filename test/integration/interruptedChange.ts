// Interrupting a change for real: a child process (changeChild.ts) runs it journaled and is
// SIGKILLed at a chosen step; then recovery finishes or rolls it back from the journal.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import type { Logger } from '../../src/core/like';
import type { DockerClient } from '../../src/core/hosts/dockerClient';
import { FileJournal, type JournalEntry } from '../../src/core/planning/journal';
import { findInterruptedChanges, recoverChange } from '../../src/core/planning/recovery';
import type { ChildArgs } from './changeChild';

const reachTimeoutMs = 90_000;

/** Runs the change in a child process until it reaches step `pauseAt`, then SIGKILLs it there; returns that step's kind. */
export async function killAtStep(args: ChildArgs): Promise<string> {
  const child = spawn(process.execPath, [path.join(__dirname, 'changeChild.js'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const reached = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = new RegExp(`step ${args.pauseAt} (\\w+)`).exec(output);
      if (match) {
        resolve(match[1]);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the change ended (${code}) before step ${args.pauseAt}: ${output}`)));
    // A child that never gets there fails the test with what it printed, before mocha's bare timeout.
    setTimeout(() => reject(new Error(`the change did not reach step ${args.pauseAt} in ${reachTimeoutMs / 1000} s: ${output}`)), reachTimeoutMs).unref();
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  child.kill('SIGKILL');
  await once(child, 'exit');
  return reached;
}

/**
 * Finds the interrupted change of `host/container` from its journal and finishes or rolls it back
 * with a client per host (one client: a change on that host alone); the journal is empty afterwards.
 * `afterFinish` does what Recover Interrupted Change does once a change is finished (records what it made).
 */
export async function recoverFromJournal(
  clients: DockerClient | Record<string, DockerClient>,
  args: { host: string; container: string; journalDir: string; action: 'finish' | 'rollBack'; logger: Logger; afterFinish?: (entry: JournalEntry) => Promise<void> },
): Promise<string[]> {
  const byHost: Record<string, DockerClient> = 'hostName' in clients ? { [args.host]: clients as DockerClient } : clients;
  const journal = new FileJournal(args.journalDir);
  const hosts = await Promise.all(Object.entries(byHost).map(async ([name, client]) => ({ name, containers: await client.listContainers() })));
  const changes = await findInterruptedChanges(journal, hosts);
  const change = changes.find((candidate) => candidate.containers.includes(`${args.host}/${args.container}`));
  assert.ok(change?.entry, `the interrupted change of ${args.container} is found with its journal`);
  const done = await recoverChange(change, args.action, { clientOf: (host) => byHost[host], journal, logger: args.logger, confirm: async () => false });
  assert.deepEqual(await journal.list(), [], 'the journal is empty once recovered');
  if (args.action === 'finish') {
    await args.afterFinish?.(change.entry);
  }
  return done;
}
