import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigError } from '../core/errors';
import type { Logger } from '../core/like';
import { type HostSettingEntry, type HostSpec, parseHostEntries } from '../core/hosts/hostSpec';
import { discoverLocalHosts } from '../core/hosts/localHosts';

export const settingsSection = 'crosslink';

export interface ConfiguredHosts {
  hosts: HostSpec[];
  problems: ConfigError[];
}

/** `crosslink.hosts`, or when it is empty the local engine and Docker CLI contexts. */
export function readConfiguredHosts(logger: Logger): ConfiguredHosts {
  const configuration = vscode.workspace.getConfiguration(settingsSection);
  const entries = configuration.get<unknown[]>('hosts') ?? [];
  if (Array.isArray(entries) && entries.length > 0) {
    return parseHostEntries(entries);
  }
  const includeContexts = configuration.get<boolean>('includeDockerContexts') ?? true;
  return { hosts: discoverLocalHosts({ env: process.env, configDir: dockerCliConfigDir() }, includeContexts, logger), problems: [] };
}

/** Where the Docker CLI keeps its configuration and contexts. */
export function dockerCliConfigDir(): string {
  return process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

export function configuredHostEntries(): HostSettingEntry[] {
  return vscode.workspace.getConfiguration(settingsSection).get<HostSettingEntry[]>('hosts') ?? [];
}

/** Writes the host list where the user keeps it: the workspace if it is set there, else user settings. */
export async function writeHostEntries(entries: HostSettingEntry[]): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(settingsSection);
  const inspected = configuration.inspect<HostSettingEntry[]>('hosts');
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await configuration.update('hosts', entries, target);
}

/** Image for ambassadors and helper containers (socat and a shell). */
export function ambassadorImage(): string {
  return vscode.workspace.getConfiguration(settingsSection).get<string>('ambassadorImage') || 'alpine/socat:latest';
}

/** Where tunnels listen: loopback unless the user opted into all interfaces. */
export function tunnelBindAddress(): string {
  return vscode.workspace.getConfiguration(settingsSection).get<string>('tunnels.localAddress') === 'allInterfaces' ? '0.0.0.0' : '127.0.0.1';
}
