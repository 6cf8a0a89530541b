// Typed access to scripts/code-server.mjs (an ES module) from the CommonJS test runners.
import * as path from 'path';
import { pathToFileURL } from 'url';
import { repoRoot } from '../support/testbed';
import type * as CodeServerScript from '../../scripts/code-server.mjs';

// The types come from the script's JSDoc (checked by tsconfig.scripts.json), never copied here.
export type CodeServerModule = typeof CodeServerScript;
export type CodeServer = Awaited<ReturnType<CodeServerModule['startCodeServer']>>;

// tsc (module: commonjs) turns `import()` into `require()`, which cannot load an .mjs on every
// Node 20; keep a real dynamic import.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

export function loadCodeServerModule(): Promise<CodeServerModule> {
  return dynamicImport(pathToFileURL(path.join(repoRoot, 'scripts', 'code-server.mjs')).href) as Promise<CodeServerModule>;
}
