import { execFile } from 'node:child_process';
import { type SshCommonOptions, type SshDestination, resolveArguments } from './sshArguments';

/** What `ssh -G` says ssh will use for a host: for display (tooltip, Add Docker Host); ssh applies it itself. */
export interface ResolvedSshRoute {
  hostName: string;
  user: string;
  port: number;
  proxyJump?: string;
  proxyCommand?: string;
  identityFiles: string[];
}

/** Parses `ssh -G` output: one "keyword value" per line, keywords in lower case. */
export function parseSshG(output: string): ResolvedSshRoute {
  const values = new Map<string, string[]>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (match) {
      values.set(match[1], [...(values.get(match[1]) ?? []), match[2]]);
    }
  }
  const one = (key: string) => {
    const value = values.get(key)?.[0];
    return value && value !== 'none' ? value : undefined;
  };
  return {
    hostName: one('hostname') ?? '',
    user: one('user') ?? '',
    port: Number(one('port') ?? 22),
    proxyJump: one('proxyjump'),
    proxyCommand: one('proxycommand'),
    identityFiles: values.get('identityfile') ?? [],
  };
}

/** "root@10.0.0.5:2222 via ProxyJump bastion": the route in one line. */
export function describeSshRoute(route: ResolvedSshRoute): string {
  const via = route.proxyJump ? ` via ProxyJump ${route.proxyJump}` : route.proxyCommand ? ` via ProxyCommand ${route.proxyCommand}` : '';
  return `${route.user}@${route.hostName}:${route.port}${via}`;
}

/** Runs `ssh -G`; it reads ssh_config only (no connection), so it is quick and has no side effects. */
export function resolveSshRoute(sshBinary: string, destination: SshDestination, options: SshCommonOptions = {}): Promise<ResolvedSshRoute> {
  return new Promise((resolve, reject) => {
    execFile(sshBinary, resolveArguments(destination, options), { timeout: 5000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`ssh -G ${destination.host} failed: ${(stderr || error.message).trim()}`));
        return;
      }
      resolve(parseSshG(stdout));
    });
  });
}
