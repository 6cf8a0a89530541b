import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * The lint configuration is code too: these fixtures prove the architecture rules bite, so a
 * config edit that silently disables one fails here rather than letting the layers leak again.
 */
describe('npm run lint', function () {
  this.timeout(120_000);

  describe('dependency-cruiser (layers and cycles)', () => {
    let dir: string;

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-lint-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true }, include: ['src/**/*.ts'] }),
        // hosts importing model: the upward import issue 12 found (core/hosts -> core/model/aliases).
        'src/core/hosts/client.ts': "import { watcher } from '../model/watcher';\nexport const client = watcher;\n",
        'src/core/model/watcher.ts': 'export const watcher = 1;\n',
        // A type-only upward import is still a layer violation: the layers are about what depends on what.
        'src/core/values/ref.ts': "import type { Tunnel } from '../forwarding/tunnel';\nexport type Ref = Tunnel;\n",
        'src/core/forwarding/tunnel.ts': 'export interface Tunnel { port: number }\n',
        // Two modules of one layer importing each other.
        'src/core/links/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'src/core/links/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
        // A downward import is fine.
        'src/ui/view.ts': "import { client } from '../core/hosts/client';\nexport const view = client;\n",
        // A folder no layer names, imported from a layer.
        'src/core/newthing/x.ts': 'export const x = 1;\n',
        'src/core/model/usesNew.ts': "import { x } from '../newthing/x';\nexport const y = x;\n",
      };
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function violations(): Array<{ rule: string; from: string; to: string }> {
      let output: string;
      try {
        output = execFileSync(path.join(repoRoot, 'node_modules/.bin/depcruise'), ['src', '--config', path.join(repoRoot, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
          cwd: dir,
          encoding: 'utf8',
        });
      } catch (error) {
        // depcruise exits non-zero when it finds violations; its JSON report is still on stdout.
        output = (error as { stdout: string }).stdout;
      }
      const report = JSON.parse(output) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
      return report.summary.violations.map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
    }

    it('fails an upward import, a type-only upward import, a cycle and an unlayered folder, and passes a downward import', () => {
      const found = violations();
      assert.ok(
        found.some((v) => v.rule === 'layer: core/hosts' && v.from === 'src/core/hosts/client.ts' && v.to === 'src/core/model/watcher.ts'),
        JSON.stringify(found),
      );
      assert.ok(
        found.some((v) => v.rule === 'layer: core/values' && v.from === 'src/core/values/ref.ts'),
        JSON.stringify(found),
      );
      assert.ok(
        found.some((v) => v.rule === 'no-circular' && v.from.startsWith('src/core/links/')),
        JSON.stringify(found),
      );
      assert.ok(
        found.some((v) => v.rule === 'layer: unknown folder' && v.to === 'src/core/newthing/x.ts'),
        JSON.stringify(found),
      );
      assert.ok(!found.some((v) => v.from === 'src/ui/view.ts'), JSON.stringify(found));
    });

    it('passes on the real src/', () => {
      const output = execFileSync(path.join(repoRoot, 'node_modules/.bin/depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      assert.deepEqual((JSON.parse(output) as { summary: { violations: unknown[] } }).summary.violations, []);
    });
  });

  describe('ESLint', () => {
    // The fixtures exist only as text: the project service types them with its default project.
    const fixtures = ['src/core/hosts/lintFixture.ts', 'src/ui/lintFixture.ts'];
    const eslint = new ESLint({ cwd: repoRoot, overrideConfig: { languageOptions: { parserOptions: { projectService: { allowDefaultProject: fixtures } } } } });

    async function ruleIds(relativePath: string, code: string): Promise<string[]> {
      const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, relativePath) });
      return result.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`);
    }

    it('fails a run-time vscode import in src/core and allows a type-only one', async () => {
      assert.deepEqual(await ruleIds('src/core/hosts/lintFixture.ts', "import * as vscode from 'vscode';\nexport const x = vscode.window;\n"), [
        '@typescript-eslint/no-restricted-imports',
      ]);
      assert.deepEqual(await ruleIds('src/core/hosts/lintFixture.ts', "import type * as vscode from 'vscode';\nexport type X = vscode.Uri;\n"), []);
      assert.deepEqual(await ruleIds('src/ui/lintFixture.ts', "import * as vscode from 'vscode';\nexport const x = vscode.window;\n"), []);
    });

    it('fails a floating promise, an async callback where void is expected, and a value import used only as a type', async () => {
      const code = [
        "import { ConfigError } from '../errors';",
        'export type E = ConfigError;',
        'async function work(): Promise<number> { return 1; }',
        'export function start(): void {',
        '  work();',
        '  setTimeout(async () => { await work(); }, 1);',
        '  [1].forEach(async () => { await work(); });',
        '}',
        '',
      ].join('\n');
      assert.deepEqual((await ruleIds('src/core/hosts/lintFixture.ts', code)).sort(), [
        '@typescript-eslint/consistent-type-imports',
        '@typescript-eslint/no-floating-promises',
        '@typescript-eslint/no-misused-promises',
        '@typescript-eslint/no-misused-promises',
      ]);
    });
  });
});
