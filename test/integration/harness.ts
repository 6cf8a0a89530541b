import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../src/core/like';
import { DockerodeClient, type DockerodeClientOptions } from '../../src/core/hosts/dockerodeClient';
import { type HostSettingEntry, type HostSpec, parseHostEntry } from '../../src/core/hosts/hostSpec';
import type { SshFiles } from '../../src/core/hosts/sshConnection';
import type { OpenSshOptions } from '../../src/core/hosts/openssh/openSshConnection';
import { ContainerModel } from '../../src/core/model/containerModel';
import { type Testbed, readTestbed } from '../support/testbed';

export const testbed: Testbed & { settings: HostSettingEntry[] } = readTestbed() as Testbed & { settings: HostSettingEntry[] };

/** Records log lines so a failing test can show them, and so tests can check nothing secret was logged. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  trace = (message: string) => this.record('trace', message);
  debug = (message: string) => this.record('debug', message);
  info = (message: string) => this.record('info', message);
  warn = (message: string) => this.record('warn', message);
  error = (message: string | Error) => this.record('error', String(message));
  private record(level: string, message: string): void {
    this.lines.push(`${level} ${message}`);
  }
}

/** SSH files of the testbed only: never the developer's ~/.ssh or agent. */
export function testbedSshFiles(overrides: Partial<SshFiles> = {}): SshFiles {
  const beta = testbed.hosts.find((host) => host.sshUrl) as { knownHostsFile: string } | undefined;
  return {
    configFile: '/nonexistent/ssh_config',
    knownHostsFiles: beta ? [beta.knownHostsFile] : [],
    defaultIdentityFiles: [],
    agentSocket: undefined,
    homeDir: os.tmpdir(),
    ...overrides,
  };
}

/** A testbed host's crosslink.hosts entry: alpha and beta (what the UI runs list), or gamma (Podman, in extraSettings). */
export function settingFor(name: string): HostSettingEntry {
  const extra = (testbed as { extraSettings?: HostSettingEntry[] }).extraSettings ?? [];
  const setting = [...testbed.settings, ...extra].find((entry) => entry.name === name);
  if (!setting) {
    throw new Error(`testbed has no host ${name}`);
  }
  return setting;
}

export function newModel(logger: Logger, options: Partial<DockerodeClientOptions> = {}): { model: ContainerModel; clients: DockerodeClient[] } {
  const clients: DockerodeClient[] = [];
  const model = new ContainerModel((spec: HostSpec) => {
    const client = new DockerodeClient(spec, logger, { callTimeoutMs: 10_000, sshFiles: testbedSshFiles(), ...options });
    clients.push(client);
    return client;
  }, logger);
  return { model, clients };
}

export const specs = (...entries: HostSettingEntry[]): HostSpec[] => entries.map((entry) => parseHostEntry(entry));

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a command inside a testbed host's network namespace (firewall rules for failure tests). */
export function inNamespace(host: string, command: string[]): string {
  return execFileSync('nsenter', [`--net=/run/netns/cl-${host}`, ...command], { encoding: 'utf8' });
}

export const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * OpenSSH client options for the testbed: an ssh_config of its own passed with -F (never the
 * developer's ~/.ssh), the testbed's known_hosts only, no agent unless a test says so.
 */
export function testbedOpenSsh(overrides: Partial<OpenSshOptions> & { hostBlocks?: string; knownHostsFile?: string } = {}): OpenSshOptions {
  const beta = testbed.hosts.find((host) => host.sshUrl) as unknown as { knownHostsFile: string };
  const { hostBlocks = '', knownHostsFile = beta.knownHostsFile, ...options } = overrides;
  const dir = tempDir('crosslink-openssh-');
  const configFile = path.join(dir, 'ssh_config');
  fs.writeFileSync(
    configFile,
    `${hostBlocks}\nHost *\n  UserKnownHostsFile ${knownHostsFile}\n  GlobalKnownHostsFile /dev/null\n  IdentitiesOnly yes\n  IdentityAgent none\n  PasswordAuthentication no\n`,
  );
  return { sshBinary: 'ssh', configFile, runtimeDir: dir, platform: 'posix', ...options };
}

/** Which SSH client a parameterised suite runs against; OpenSSH gets the testbed's own ssh_config. */
export const sshClients = [
  { name: 'builtin (ssh2)', options: (): Partial<DockerodeClientOptions> => ({}) },
  { name: 'OpenSSH', options: (): Partial<DockerodeClientOptions> => ({ openSsh: testbedOpenSsh() }) },
] as const;

/** This process and every process below it (the OpenSSH client's ssh processes). */
export function ownProcessTree(root = process.pid): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(root)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    // pgrep exits 1 when there are none.
  }
  return [root, ...children.flatMap((child) => ownProcessTree(child))];
}
