// Typed access to scripts/code-server.mjs (an ES module) from the CommonJS test runners.
import * as path from 'path';
import { pathToFileURL } from 'url';
import { repoRoot } from '../support/testbed';

export interface CodeServer {
  /** Workbench URL with the repo loaded as development extension. */
  url: string;
  origin: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  workbenchUrl(opts?: { extensionTestsPath?: string; authority?: string; developmentPath?: string }): string;
  stop(): Promise<void>;
}

export interface CodeServerModule {
  CODE_SERVER_VERSION: string;
  ensureCodeServer(): Promise<string>;
  ensureChromium(): string;
  installPackages(groups: string[]): void;
  startCodeServer(opts: {
    hosts: unknown[];
    folder: string;
    port?: number;
    extensionDevelopmentPath?: string;
    settings?: Record<string, unknown>;
    quiet?: boolean;
    timeoutMs?: number;
    home?: string;
  }): Promise<CodeServer>;
}

// tsc (module: commonjs) turns `import()` into `require()`, which cannot load an .mjs on every
// Node 20; keep a real dynamic import.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

export function loadCodeServerModule(): Promise<CodeServerModule> {
  return dynamicImport(pathToFileURL(path.join(repoRoot, 'scripts', 'code-server.mjs')).href) as Promise<CodeServerModule>;
}
