/**
 * bench:activation — bundle size, and the time to `require` the bundle and run `activate()`
 * (median of 11 fresh processes each), for this tree and for a previous build side by side.
 * The previous build is made from git (`BENCH_BASE`, default `main`) in a temp dir with
 * `git archive`, built by its own scripts/build.mjs against this tree's node_modules.
 * `vscode` is a stub that records nothing; no host is connected (the time is activation's own).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const runs = 11;
const repoRoot = path.resolve(__dirname, '..', '..');

interface Sample {
  requireMs: number;
  activateMs: number;
}

if (process.argv[2] === '--measure') {
  void measureOnce(process.argv[3]).then(
    (sample) => {
      process.stdout.write(JSON.stringify(sample));
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(String((error as Error).stack ?? error));
      process.exit(1);
    },
  );
} else {
  main();
}

function main(): void {
  const base = process.env.BENCH_BASE ?? 'main';
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  const current = path.join(repoRoot, 'dist', 'extension.js');
  const previous = buildPrevious(base);
  const rows: Array<[string, string, Sample]> = [];
  for (const [label, bundle] of [
    [`previous (${base})`, previous],
    ['this tree', current],
  ] as const) {
    rows.push([label, bundle, median(Array.from({ length: runs }, () => measureInChild(bundle)))]);
  }
  console.log(`\nActivation, median of ${runs} fresh processes (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}):\n`);
  console.log('| build | bundle | require | activate() |');
  console.log('|---|---|---|---|');
  for (const [label, bundle, sample] of rows) {
    console.log(`| ${label} | ${(fs.statSync(bundle).size / 1e6).toFixed(2)} MB | ${sample.requireMs.toFixed(1)} ms | ${sample.activateMs.toFixed(1)} ms |`);
  }
}

function buildPrevious(ref: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-bench-base-'));
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(dir)}`], { cwd: repoRoot });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { cwd: dir, stdio: 'inherit' });
  return path.join(dir, 'dist', 'extension.js');
}

function measureInChild(bundle: string): Sample {
  const child = spawnSync(process.execPath, [__filename, '--measure', bundle], { encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) {
    throw new Error(`measuring ${bundle} failed: ${child.stderr}`);
  }
  return JSON.parse(child.stdout) as Sample;
}

function median(samples: Sample[]): Sample {
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { requireMs: mid(samples.map((sample) => sample.requireMs)), activateMs: mid(samples.map((sample) => sample.activateMs)) };
}

async function measureOnce(bundle: string): Promise<Sample> {
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  const vscode = vscodeStub();
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const started = process.hrtime.bigint();
  const extension = require(bundle) as { activate(context: unknown): Promise<void> | void };
  const required = process.hrtime.bigint();
  await extension.activate(extensionContext());
  const activated = process.hrtime.bigint();
  return { requireMs: Number(required - started) / 1e6, activateMs: Number(activated - required) / 1e6 };
}

/**
 * A plain object (esbuild's interop copies the module's own keys) whose members are callable,
 * constructible no-ops, except the few whose values activation reads.
 */
function vscodeStub(): unknown {
  const configuration = { get: (_key: string, fallback?: unknown) => fallback, inspect: () => undefined, update: async () => undefined, has: () => false };
  const names =
    'ConfigurationTarget Disposable EventEmitter MarkdownString ProgressLocation QuickPickItemKind Range Selection StatusBarAlignment TextEditorRevealType ThemeColor ThemeIcon TreeItem TreeItemCollapsibleState Uri commands dev extensions window l10n languages tasks';
  return {
    ...Object.fromEntries(names.split(' ').map((name) => [name, deepStub()])),
    workspace: deepStub({ getConfiguration: () => configuration, isTrusted: true, workspaceFolders: undefined }),
    env: deepStub({ remoteName: undefined, uiKind: 1 }),
    UIKind: { Desktop: 1, Web: 2 },
    ExtensionKind: { UI: 1, Workspace: 2 },
  };
}

/** `thenable`: results of calls can be awaited or `.then`-ed (they resolve to a plain stub). */
function deepStub(known: Record<string, unknown> = {}, thenable = false): unknown {
  const values = new Map<PropertyKey, unknown>(Object.entries(known));
  const target = function () {
    /* stub */
  };
  return new Proxy(target, {
    get: (_target, property) => {
      if (property === 'then') {
        return thenable ? (resolve: (value: unknown) => void) => resolve(deepStub()) : undefined;
      }
      if (values.has(property)) {
        return values.get(property);
      }
      if (property === Symbol.iterator) {
        return [][Symbol.iterator];
      }
      if (property === Symbol.toPrimitive) {
        return () => '';
      }
      return deepStub();
    },
    set: (_target, property, value) => {
      values.set(property, value);
      return true;
    },
    apply: () => deepStub({}, true),
    construct: () => deepStub() as object,
  });
}

function extensionContext(): unknown {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-bench-storage-'));
  const memento = () => {
    const values = new Map<string, unknown>();
    return {
      get: (key: string, fallback?: unknown) => (values.has(key) ? values.get(key) : fallback),
      update: async (key: string, value: unknown) => void values.set(key, value),
      keys: () => [...values.keys()],
    };
  };
  return {
    subscriptions: [],
    globalStorageUri: { fsPath: storage },
    storageUri: { fsPath: storage },
    extensionUri: { fsPath: repoRoot },
    extensionPath: repoRoot,
    globalState: memento(),
    workspaceState: memento(),
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
    extension: { id: 'crosslink.crosslink', extensionKind: 1, packageJSON: JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as unknown },
  };
}
