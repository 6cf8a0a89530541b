import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CrosslinkError } from '../errors';
import type { PlanStep } from './plan';

/**
 * Where a change stands. `applying`: steps run forward. `rollingBack`: a step failed before the
 * point of no return and the done steps are being undone. `rollingForward`: a step failed after
 * an irreversible one started, so the rest is being completed. `done` and `rolledBack` are final.
 */
export type ChangePhase = 'applying' | 'rollingBack' | 'rollingForward' | 'done' | 'rolledBack';

/** pending: not started. started: begun, its effect unknown (the process may have died during it). done: verified. undone: put back. */
export type JournalStepState = 'pending' | 'started' | 'done' | 'undone';

/** A container the change replaces: put aside as `parkedName` until its replacement runs. */
export interface JournalOriginal {
  host: string;
  id: string;
  name: string;
  parkedName: string;
  running: boolean;
}

/** One change (one executor run), as recorded before and after each step. */
export interface JournalEntry {
  version: 1;
  id: string;
  /** What the user asked for, for the recovery prompt. */
  title: string;
  phase: ChangePhase;
  startedAt: string;
  updatedAt: string;
  /**
   * The process running the change, so another window does not take it for an interrupted one.
   * None once a process gave up on it (left for recovery).
   */
  owner?: { hostname: string; pid: number };
  hosts: string[];
  /** In the order the executor runs them (removals last). */
  steps: Array<{ host: string; step: PlanStep; state: JournalStepState }>;
  /** Ids of the containers the change created, per host and ref. */
  created: Record<string, Record<string, string>>;
  originals: JournalOriginal[];
}

export const finalPhases: ReadonlySet<ChangePhase> = new Set(['done', 'rolledBack']);

/** An interrupted change cannot be finished or rolled back as asked; the message says what to do instead. */
export class RecoveryError extends CrosslinkError<'cannotFinish' | 'cannotRollBack' | 'needsConfirmation' | 'hostUnavailable' | 'notFound'> {
  static is(error: unknown, reason?: RecoveryError['reason']): error is RecoveryError {
    return error instanceof RecoveryError && (reason === undefined || error.reason === reason);
  }
}

/** Where changes are recorded so they survive the process. */
export interface Journal {
  save(entry: JournalEntry): Promise<void>;
  remove(id: string): Promise<void>;
  list(): Promise<JournalEntry[]>;
}

export function newChangeId(): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
}

export function currentOwner(): NonNullable<JournalEntry['owner']> {
  return { hostname: os.hostname(), pid: process.pid };
}

/** A change whose process still runs on this machine is in progress, not interrupted. */
export function isInProgress(entry: JournalEntry): boolean {
  if (finalPhases.has(entry.phase) || !entry.owner) {
    return false;
  }
  if (entry.owner.hostname !== os.hostname()) {
    return false;
  }
  if (entry.owner.pid === process.pid) {
    return true;
  }
  try {
    process.kill(entry.owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One JSON file per change in `dir`. Each save writes a temporary file, fsyncs it and renames it
 * over the old one (then fsyncs the directory), so a crash or SIGKILL leaves either the previous
 * record or the new one, never a torn file.
 */
export class FileJournal implements Journal {
  constructor(readonly dir: string) {}

  async save(entry: JournalEntry): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const file = this.file(entry.id);
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    const handle = await fs.promises.open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(entry, null, 1));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temporary, file);
    await this.syncDir();
  }

  async remove(id: string): Promise<void> {
    await fs.promises.rm(this.file(id), { force: true });
    await this.syncDir();
  }

  /** Every recorded change; temporary files (a save cut short) are not records and are cleaned up. */
  async list(): Promise<JournalEntry[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw error;
    }
    const entries: JournalEntry[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      if (name.endsWith('.tmp')) {
        const pid = Number(name.split('.').at(-2)?.split('-')[0]);
        if (pid !== process.pid) {
          await fs.promises.rm(file, { force: true });
        }
        continue;
      }
      if (!name.endsWith('.json')) {
        continue;
      }
      const entry = JSON.parse(await fs.promises.readFile(file, 'utf8')) as JournalEntry;
      if (entry.version === 1) {
        entries.push(entry);
      }
    }
    return entries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  private file(id: string): string {
    if (!/^[\w-]+$/.test(id)) {
      throw new Error(`not a change id: ${id}`);
    }
    return path.join(this.dir, `${id}.json`);
  }

  private async syncDir(): Promise<void> {
    const handle = await fs.promises.open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
