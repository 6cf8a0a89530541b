import type { Journal, JournalEntry } from '../../../src/core/planning/journal';

/** Keeps changes in memory, with every saved state in order, for tests that check what was recorded when. */
export class MemoryJournal implements Journal {
  readonly entries = new Map<string, JournalEntry>();
  readonly history: JournalEntry[] = [];

  async save(entry: JournalEntry): Promise<void> {
    this.entries.set(entry.id, structuredClone(entry));
    this.history.push(structuredClone(entry));
  }

  async remove(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async list(): Promise<JournalEntry[]> {
    return [...this.entries.values()].map((entry) => structuredClone(entry));
  }
}
