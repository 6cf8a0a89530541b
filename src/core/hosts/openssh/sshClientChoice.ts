import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../like';
import { processAlive } from '../../processes';
import { exitArguments } from './sshArguments';
import { masterDirPrefix } from './openSshConnection';

/** `crosslink.ssh.client`: auto uses OpenSSH when an `ssh` binary is found, builtin is the ssh2 client. */
export type SshClientSetting = 'auto' | 'openssh' | 'builtin';

/** The `ssh` on PATH (and Windows' own OpenSSH feature folder), or undefined. */
export function findSshBinary(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const names = platform === 'win32' ? ['ssh.exe'] : ['ssh'];
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  if (platform === 'win32' && env.SystemRoot) {
    dirs.push(path.join(env.SystemRoot, 'System32', 'OpenSSH'));
  }
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) {
          return candidate;
        }
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/** Which client a setting means on this machine: `openssh` without a binary falls back to builtin, with a log line. */
export function chooseSshClient(setting: SshClientSetting, sshBinary: string | undefined, logger: Logger): { client: 'openssh'; sshBinary: string } | { client: 'builtin' } {
  if (setting === 'builtin') {
    return { client: 'builtin' };
  }
  if (!sshBinary) {
    if (setting === 'openssh') {
      logger.warn('crosslink.ssh.client is "openssh" but no ssh binary is on PATH; using the built-in client. Install the OpenSSH client.');
    }
    return { client: 'builtin' };
  }
  return { client: 'openssh', sshBinary };
}

/**
 * Ends the masters a window that died left behind (its guard normally ends them at once; this catches
 * what it cannot, e.g. a guard killed together with the window) and removes their private directories.
 * Only directories of this user whose owner process is gone are touched.
 */
export function sweepLeftoverMasters(runtimeDir: string, sshBinary: string, logger: Logger): number {
  let swept = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(runtimeDir).filter((name) => name.startsWith(masterDirPrefix));
  } catch {
    return 0;
  }
  for (const name of entries) {
    const dir = path.join(runtimeDir, name);
    try {
      const stat = fs.statSync(dir);
      if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) {
        continue;
      }
      const owner = Number(fs.readFileSync(path.join(dir, 'owner'), 'utf8').trim());
      if (processAlive(owner)) {
        continue;
      }
      const controlPath = path.join(dir, 'ctl');
      if (fs.existsSync(controlPath)) {
        spawnSync(sshBinary, exitArguments(controlPath), { stdio: 'ignore', timeout: 5000 });
      }
      killIfOurs(dir);
      fs.rmSync(dir, { recursive: true, force: true });
      swept++;
    } catch (error) {
      logger.debug(`[ssh] leftover ${dir}: ${String(error)}`);
    }
  }
  if (swept > 0) {
    logger.info(`[ssh] ended ${swept} ssh process(es) left by a window that closed without cleaning up`);
  }
  return swept;
}

/** The recorded ssh pid, killed only when its command line names this directory (a reused pid is left alone). */
function killIfOurs(dir: string): void {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dir, 'ssh.pid'), 'utf8').trim());
  } catch {
    return;
  }
  if (!pid || !processAlive(pid)) {
    return;
  }
  try {
    if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) {
      return;
    }
  } catch {
    return; // No /proc (macOS): the control socket's `-O exit` above is the way there.
  }
  process.kill(pid, 'SIGTERM');
}
