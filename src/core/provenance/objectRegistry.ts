import * as fs from 'node:fs';
import * as path from 'node:path';

/** One object Crosslink created (or the user adopted) on a host, by the id the engine gave it. */
export interface RegistryEntry {
  id: string;
  /** 'swarm': a Swarm this installation formed, by its cluster ID. */
  kind: 'container' | 'network' | 'swarm';
  host: string;
  name: string;
  role: string;
  /** Made by an older Crosslink or another installation, and accepted by the user: trusted by id, not by seal. */
  adopted?: boolean;
  /** A tunnel ambassador: the extension host process that owns it (a leftover when that process is gone). */
  ownerPid?: number;
  /** A server-side ambassador: the client-side ambassadors ("host/name") that use it. */
  clients?: string[];
}

interface RegistryFile {
  version: 1;
  objects: RegistryEntry[];
}

/**
 * The ids of the objects this installation created, in a JSON file (extension global storage).
 * Every change re-reads the file first, so two windows sharing it do not drop each other's
 * entries, and writes a temporary file that is renamed over the old one, so a crash never leaves
 * half a file. Reads are cached until the file's modification time changes.
 */
export class ObjectRegistry {
  private cache?: { stamp: string; entries: Map<string, RegistryEntry> };

  constructor(readonly file: string) {}

  has(id: string): boolean {
    return this.load().has(id);
  }

  get(id: string): RegistryEntry | undefined {
    return this.load().get(id);
  }

  entries(): RegistryEntry[] {
    return [...this.load().values()];
  }

  add(entry: RegistryEntry): void {
    this.update((entries) => entries.set(entry.id, { ...entries.get(entry.id), ...entry }));
  }

  remove(id: string): void {
    this.update((entries) => entries.delete(id));
  }

  /** Records that a client-side ambassador uses the server-side ambassador `serverId`. */
  addClient(serverId: string, client: string): void {
    this.update((entries) => {
      const entry = entries.get(serverId);
      if (entry && !entry.clients?.includes(client)) {
        entries.set(serverId, { ...entry, clients: [...(entry.clients ?? []), client] });
      }
    });
  }

  removeClient(client: string): void {
    this.update((entries) => {
      for (const [id, entry] of entries) {
        if (entry.clients?.includes(client)) {
          entries.set(id, { ...entry, clients: entry.clients.filter((other) => other !== client) });
        }
      }
    });
  }

  private update(change: (entries: Map<string, RegistryEntry>) => void): void {
    this.cache = undefined;
    const entries = this.load();
    change(entries);
    const body: RegistryFile = { version: 1, objects: [...entries.values()] };
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(body, undefined, 1), { mode: 0o600 });
    fs.renameSync(temporary, this.file);
    this.cache = undefined;
  }

  private load(): Map<string, RegistryEntry> {
    let stamp: string;
    try {
      const stat = fs.statSync(this.file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return new Map();
    }
    if (this.cache?.stamp === stamp) {
      return this.cache.entries;
    }
    const entries = new Map<string, RegistryEntry>();
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<RegistryFile>;
      for (const entry of Array.isArray(parsed.objects) ? parsed.objects : []) {
        if (typeof entry?.id === 'string') {
          entries.set(entry.id, entry);
        }
      }
    } catch {
      // An unreadable registry proves nothing: every object is then judged foreign, never acted on silently.
    }
    this.cache = { stamp, entries };
    return entries;
  }
}
