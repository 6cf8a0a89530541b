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

/** Workbench chatter forwarded through codeAutomationLog that says nothing about Crosslink (open-vsx: no internet). */
export const workbenchNoise = /open-vsx\.org|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin|^\[Service Worker\]|^ChatSessionStore/;

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
