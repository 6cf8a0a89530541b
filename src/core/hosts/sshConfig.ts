import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { globToRegExp, matchesPatternList } from './hostPatterns';

/** The parts of ~/.ssh/config that decide where and as whom Crosslink connects. */
export interface SshHostOptions {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** Hops to go through first, as written ("[user@]host[:port]", comma-separated); "none" clears it. */
  proxyJump?: string;
}

interface SshConfigBlock {
  patterns: string[];
  /** Pattern lists of the Host blocks an Include sat in: the alias must match each of them too. */
  within: string[][];
  options: Array<[keyword: string, value: string]>;
}

/** The texts of the files an `Include` value names, in the order OpenSSH reads them. */
export type ReadIncluded = (value: string) => string[];

/** OpenSSH's own limit; it stops include loops. */
const maxIncludeDepth = 16;

/**
 * Parses ssh_config text into Host blocks. `Match` blocks are skipped (their conditions need
 * a shell); options before the first Host apply to every host, as in OpenSSH. `Include` reads
 * the named files in place; inside a Host block they apply only to hosts that block matches.
 */
export function parseSshConfig(text: string, readIncluded: ReadIncluded = () => []): SshConfigBlock[] {
  const blocks: SshConfigBlock[] = [];
  const parse = (source: string, within: string[][], depth: number): void => {
    const open = (patterns: string[]): SshConfigBlock => {
      const block: SshConfigBlock = { patterns, within, options: [] };
      blocks.push(block);
      return block;
    };
    let current: SshConfigBlock | undefined = open(['*']);
    for (const rawLine of source.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (!line || line.startsWith('#')) {
        continue;
      }
      const match = /^(\S+?)\s*(?:=\s*|\s+)(.*)$/.exec(line);
      if (!match) {
        continue;
      }
      const keyword = match[1].toLowerCase();
      const value = unquote(match[2].trim());
      if (keyword === 'host') {
        current = open(value.split(/\s+/));
      } else if (keyword === 'match') {
        current = undefined;
      } else if (keyword === 'include') {
        if (current && depth < maxIncludeDepth) {
          const enclosing: SshConfigBlock = current;
          for (const included of readIncluded(value)) {
            parse(included, [...enclosing.within, enclosing.patterns], depth + 1);
          }
          // Lines after the Include still belong to the enclosing block, after what the files said.
          current = open(enclosing.patterns);
        }
      } else if (current) {
        current.options.push([keyword, value]);
      }
    }
  };
  parse(text, [], 0);
  return blocks;
}

/**
 * Reads what an `Include` of the user's config names: paths relative to ~/.ssh, `~` expanded,
 * `*` and `?` in the file name matched and sorted. Unreadable files are skipped, as OpenSSH does.
 */
export function includedFilesReader(sshDir: string, homeDir = os.homedir()): ReadIncluded {
  return (value) =>
    value
      .split(/\s+/)
      .map((pattern) => path.resolve(sshDir, expandHome(pattern, homeDir)))
      .flatMap(matchingFiles)
      .flatMap((file) => {
        try {
          return [fs.readFileSync(file, 'utf8')];
        } catch {
          return [];
        }
      });
}

function matchingFiles(pattern: string): string[] {
  const directory = path.dirname(pattern);
  const name = path.basename(pattern);
  if (!/[*?]/.test(name)) {
    return [pattern];
  }
  const matcher = globToRegExp(name, '');
  try {
    return fs
      .readdirSync(directory)
      .filter((entry) => !entry.startsWith('.') && matcher.test(entry))
      .sort()
      .map((entry) => path.join(directory, entry));
  } catch {
    return [];
  }
}

/** Resolves the options for `alias` the way OpenSSH does: the first value obtained wins. */
export function resolveSshHost(blocks: SshConfigBlock[], alias: string, homeDir = os.homedir()): SshHostOptions {
  const resolved: SshHostOptions = { identityFiles: [] };
  for (const block of blocks) {
    if (!matchesPatternList(block.patterns, alias) || !block.within.every((patterns) => matchesPatternList(patterns, alias))) {
      continue;
    }
    for (const [keyword, value] of block.options) {
      switch (keyword) {
        case 'hostname':
          resolved.hostName ??= value.replace(/%h/g, alias);
          break;
        case 'user':
          resolved.user ??= value;
          break;
        case 'port': {
          const port = Number(value);
          if (resolved.port === undefined && Number.isInteger(port) && port > 0 && port <= 65535) {
            resolved.port = port;
          }
          break;
        }
        case 'proxyjump':
          resolved.proxyJump ??= value;
          break;
        case 'identityfile':
          // IdentityFile accumulates; every listed key is tried in order.
          resolved.identityFiles.push(expandHome(value.replace(/%h/g, alias).replace(/%d/g, homeDir), homeDir));
          break;
      }
    }
  }
  return resolved;
}

export function expandHome(file: string, homeDir = os.homedir()): string {
  if (file === '~') {
    return homeDir;
  }
  return file.startsWith('~/') ? path.join(homeDir, file.slice(2)) : file;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
