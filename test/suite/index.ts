// Extension-host test suite entry (the `extensionTestsPath` module): loaded inside VS Code's
// extension host by test/e2e/run.ts (code-server) and test/electron/run.ts (@vscode/test-electron).
// Runs every out/test/suite/**/*.test.js with mocha (bdd: describe/it), except restricted/: those
// need an untrusted folder and run in a session of their own (restricted/index.ts).
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function testFiles(dir: string, skip: readonly string[]): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return skip.includes(entry.name) ? [] : testFiles(full, skip);
      return entry.isFile() && entry.name.endsWith('.test.js') ? [full] : [];
    })
    .sort();
}

/** Runs the *.test.js files under `dir`, leaving out its subdirectories named in `skip`. */
export async function runTests(dir: string, skip: readonly string[] = []): Promise<void> {
  // CROSSLINK_SUITE_GREP (while iterating): only the tests whose titles match.
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', grep: process.env.CROSSLINK_SUITE_GREP || undefined });
  const files = testFiles(dir, skip);
  if (files.length === 0) throw new Error(`no *.test.js under ${dir}`);
  for (const file of files) mocha.addFile(file);
  await new Promise<void>((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
        else resolve();
      });
    } catch (err) {
      reject(err);
    }
  });
}

export function run(): Promise<void> {
  return runTests(__dirname, ['restricted']);
}
