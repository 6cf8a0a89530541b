import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigError } from '../core/errors';
import type { Logger } from '../core/like';
import { type HostSettingEntry, type HostSpec, parseHostEntries } from '../core/hosts/hostSpec';
import { discoverLocalHosts } from '../core/hosts/localHosts';
import { effectiveSetting, userSettingsOnly } from './trustedSettings';

export const settingsSection = 'crosslink';

export interface ConfiguredHosts {
  hosts: HostSpec[];
  problems: ConfigError[];
}

/** A `crosslink.*` setting; in Restricted Mode the workspace's values of restricted settings are ignored. */
export function crosslinkSetting<T>(key: string): T | undefined {
  return effectiveSetting(key, vscode.workspace.getConfiguration(settingsSection).inspect<T>(key), vscode.workspace.isTrusted);
}

/**
 * The restricted settings among `keys` that are read from user settings only because the folder is
 * not trusted (undefined when it is): a command that uses them returns and says this list.
 */
export function restrictedToUserSettings(...keys: string[]): string[] | undefined {
  return userSettingsOnly(keys, vscode.workspace.isTrusted);
}

/** `crosslink.hosts`, or when it is empty the local engine and Docker CLI contexts. */
export function readConfiguredHosts(logger: Logger): ConfiguredHosts {
  const entries = crosslinkSetting<unknown[]>('hosts') ?? [];
  if (Array.isArray(entries) && entries.length > 0) {
    return parseHostEntries(entries);
  }
  const includeContexts = crosslinkSetting<boolean>('includeDockerContexts') ?? true;
  return { hosts: discoverLocalHosts({ env: process.env, configDir: dockerCliConfigDir() }, includeContexts, logger), problems: [] };
}

/** Where the Docker CLI keeps its configuration and contexts. */
export function dockerCliConfigDir(): string {
  return process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

export function configuredHostEntries(): HostSettingEntry[] {
  return crosslinkSetting<HostSettingEntry[]>('hosts') ?? [];
}

/**
 * Writes the host list where the user keeps it: the workspace if it is set there (and trusted: an
 * untrusted workspace's list is not the one shown), else user settings.
 */
export async function writeHostEntries(entries: HostSettingEntry[]): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(settingsSection);
  const inspected = configuration.inspect<HostSettingEntry[]>('hosts');
  const inWorkspace = inspected?.workspaceValue !== undefined && vscode.workspace.isTrusted;
  const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await configuration.update('hosts', entries, target);
}

/** Image for ambassadors and helper containers (socat and a shell). */
export function ambassadorImage(): string {
  return crosslinkSetting<string>('ambassadorImage') || 'alpine/socat:latest';
}

/** Where tunnels listen: loopback unless the user opted into all interfaces. */
export function tunnelBindAddress(): string {
  return crosslinkSetting<string>('tunnels.localAddress') === 'allInterfaces' ? '0.0.0.0' : '127.0.0.1';
}
