import * as os from 'node:os';
import * as path from 'node:path';
import { matchesPatternList } from './hostPatterns';

/** The parts of ~/.ssh/config that decide where and as whom Crosslink connects. */
export interface SshHostOptions {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
}

interface SshConfigBlock {
  patterns: string[];
  options: Array<[keyword: string, value: string]>;
}

/**
 * Parses ssh_config text into Host blocks. `Match` blocks are skipped (their conditions need
 * a shell); options before the first Host apply to every host, as in OpenSSH.
 */
export function parseSshConfig(text: string): SshConfigBlock[] {
  const blocks: SshConfigBlock[] = [{ patterns: ['*'], options: [] }];
  let current: SshConfigBlock | undefined = blocks[0];
  for (const rawLine of text.split(/\r?\n/)) {
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
      current = { patterns: value.split(/\s+/), options: [] };
      blocks.push(current);
    } else if (keyword === 'match') {
      current = undefined;
    } else if (current) {
      current.options.push([keyword, value]);
    }
  }
  return blocks;
}

/** Resolves the options for `alias` the way OpenSSH does: the first value obtained wins. */
export function resolveSshHost(blocks: SshConfigBlock[], alias: string, homeDir = os.homedir()): SshHostOptions {
  const resolved: SshHostOptions = { identityFiles: [] };
  for (const block of blocks) {
    if (!matchesPatternList(block.patterns, alias)) {
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
