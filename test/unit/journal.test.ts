import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileJournal, type JournalEntry, isInProgress, newChangeId } from '../../src/core/planning/journal';

function entry(id: string, overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    version: 1,
    id,
    title: 'link alpha/web to alpha/database as db',
    phase: 'applying',
    startedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    owner: { hostname: os.hostname(), pid: process.pid },
    hosts: ['alpha'],
    steps: [{ host: 'alpha', step: { kind: 'renameContainer', container: { id: 'a'.repeat(64) }, from: 'web', to: 'web-crosslink-replaced-aaaaaaaa' }, state: 'pending' }],
    created: { alpha: {} },
    originals: [{ host: 'alpha', id: 'a'.repeat(64), name: 'web', parkedName: 'web-crosslink-replaced-aaaaaaaa', running: true }],
    ...overrides,
  };
}

describe('FileJournal (unit)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-journal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves one file per change, replaces it on each save, and removes it', async () => {
    const journal = new FileJournal(path.join(dir, 'changes'));
    assert.deepEqual(await journal.list(), [], 'a missing directory is an empty journal');
    const id = newChangeId();
    await journal.save(entry(id));
    await journal.save(entry(id, { phase: 'rollingForward' }));
    await journal.save(entry('other'));
    assert.deepEqual(
      (await journal.list()).map((saved) => [saved.id, saved.phase]).sort(),
      [
        [id, 'rollingForward'],
        ['other', 'applying'],
      ].sort(),
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, 'changes')).sort(), [`${id}.json`, 'other.json'].sort(), 'no temporary file is left');
    await journal.remove(id);
    assert.deepEqual(
      (await journal.list()).map((saved) => saved.id),
      ['other'],
    );
  });

  it('never leaves a torn record: a process killed (SIGKILL) while saving over and over leaves a whole record each time', async function () {
    this.timeout(20_000);
    const modulePath = path.resolve(__dirname, '../../src/core/planning/journal.js');
    const big = 'x'.repeat(200_000);
    const script = `
      const { FileJournal } = require(${JSON.stringify(modulePath)});
      const journal = new FileJournal(${JSON.stringify(dir)});
      const base = ${JSON.stringify(entry('victim'))};
      let n = 0;
      (async () => { for (;;) { await journal.save({ ...base, title: String(n++) + 'x'.repeat(${big.length}) }); if (n === 3) process.stdout.write('saving\\n'); } })();
    `;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 5 + round * 7));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const [saved, ...more] = await new FileJournal(dir).list();
      assert.equal(more.length, 0);
      assert.equal(saved.id, 'victim');
      assert.ok(saved.title.endsWith(big), 'the record is whole');
      assert.ok(
        fs.readdirSync(dir).every((name) => name.endsWith('.json')),
        'a temporary file of the dead process is cleaned up',
      );
    }
  });

  it('a change is in progress while its process lives on this machine, and final phases are never in progress', () => {
    assert.equal(isInProgress(entry('a')), true);
    assert.equal(isInProgress(entry('a', { phase: 'done' })), false);
    assert.equal(isInProgress(entry('a', { owner: { hostname: os.hostname(), pid: 2 ** 22 + 1 } })), false);
  });
});
