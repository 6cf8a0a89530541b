import * as vscode from 'vscode';
import { ConfigError, HostError } from '../../core/errors';
import { describeEndpoint } from '../../core/hosts/hostSpec';
import type { HostSnapshot } from '../../core/model/hostWatcher';
import { configuredHostEntries, settingsSection, writeHostEntries } from '../hostSettings';
import { HostNode } from '../tree/treeNodes';
import { hostArgument } from './commandArguments';
import type { CommandContext } from './commandContext';

/**
 * Opens the settings.json that holds the host's `crosslink.hosts` entry, with the entry selected.
 * Args: host node, name or `{ host }`. Result: `{ host, line }` (0-based line of the entry's name).
 */
export async function editHost(context: CommandContext, argument?: unknown): Promise<{ host: string; line?: number }> {
  const hostName = configuredHostName(context, argument, 'Edit Host');
  const inspected = vscode.workspace.getConfiguration(settingsSection).inspect<unknown[]>('hosts');
  const inWorkspace = inspected?.workspaceValue !== undefined && vscode.workspace.isTrusted;
  await vscode.commands.executeCommand(inWorkspace ? 'workbench.action.openWorkspaceSettingsFile' : 'workbench.action.openSettingsJson');
  const editor = vscode.window.activeTextEditor;
  const match = editor ? new RegExp(`"name"\\s*:\\s*"${hostName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).exec(editor.document.getText()) : null;
  if (!editor || !match) {
    return { host: hostName };
  }
  const start = editor.document.positionAt(match.index);
  const range = new vscode.Range(start, editor.document.positionAt(match.index + match[0].length));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  return { host: hostName, line: start.line };
}

/**
 * Removes a host's entry from `crosslink.hosts`; nothing on the host changes (its containers, links
 * and ambassadors stay). Asks first from the menu or palette. Args as above. Result: `{ removed }`.
 */
export async function removeHost(context: CommandContext, argument?: unknown): Promise<{ removed: string } | undefined> {
  const hostName = configuredHostName(context, argument, 'Remove Host');
  const entries = configuredHostEntries();
  const remaining = entries.filter((entry) => entry.name !== hostName);
  if (argument === undefined || argument instanceof HostNode) {
    const detail =
      'Only the setting is removed: its containers, links and ambassadors stay as they are, and adding the host again shows them.' +
      (remaining.length === 0 ? ' With no host left, the view lists the local engine and Docker contexts.' : '');
    if ((await vscode.window.showWarningMessage(`Remove ${hostName} from crosslink.hosts?`, { modal: true, detail }, 'Remove Host')) !== 'Remove Host') {
      return undefined;
    }
  }
  await writeHostEntries(remaining);
  context.logger.info(`Removed host ${hostName} from crosslink.hosts`);
  void vscode.window.showInformationMessage(`Removed ${hostName} from crosslink.hosts.`);
  return { removed: hostName };
}

export interface EngineInfoResult {
  host: string;
  endpoint: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  containers: { total: number; running: number };
}

/** The engine's version, API, OS and container count, in a modal (menu) or as data (scripted). Args as above. */
export async function showEngineInfo(context: CommandContext, argument?: unknown): Promise<EngineInfoResult> {
  const hostName = hostArgument(argument);
  const host = hostName ? context.model.host(hostName) : undefined;
  if (!hostName || !host) {
    throw new ConfigError('invalidOption', `Show Engine Info needs a configured host; got "${hostName ?? ''}".`);
  }
  const result = engineInfo(host);
  if (argument instanceof HostNode) {
    const lines = [
      `Endpoint: ${result.endpoint}`,
      `Docker ${result.version} (API ${result.apiVersion})`,
      `OS: ${result.os}/${result.arch}`,
      `Containers: ${result.containers.total} (${result.containers.running} running)`,
    ];
    void vscode.window.showInformationMessage(`Docker engine of ${hostName}`, { modal: true, detail: lines.join('\n') });
  }
  return result;
}

function engineInfo(host: HostSnapshot): EngineInfoResult {
  const name = host.spec.name;
  if (host.state !== 'connected' || !host.engine) {
    throw host.error ?? new HostError(name, 'closed', `${name} is ${host.state}; its engine can be asked once it is connected.`);
  }
  const containers = [...host.containers.values()];
  return {
    host: name,
    endpoint: describeEndpoint(host.spec.endpoint),
    ...host.engine,
    containers: { total: containers.length, running: containers.filter((container) => container.state === 'running').length },
  };
}

/** A host that comes from crosslink.hosts; the others (local engine, contexts) are not ours to edit. */
function configuredHostName(context: CommandContext, argument: unknown, what: string): string {
  const hostName = hostArgument(argument);
  if (!hostName) {
    throw new ConfigError('invalidOption', `${what} needs a host: a host node, its name or { host }.`);
  }
  if (!configuredHostEntries().some((entry) => entry.name === hostName)) {
    const source = context.model.host(hostName)?.spec.source;
    const origins: Record<string, string> = { context: 'a Docker CLI context (docker context ls)', environment: 'DOCKER_HOST', default: 'the local engine' };
    const origin = source ? origins[source] : undefined;
    throw new ConfigError(
      'invalidOption',
      origin ? `${hostName} comes from ${origin}, not from crosslink.hosts; change it with the Docker CLI.` : `There is no host "${hostName}" in crosslink.hosts.`,
    );
  }
  return hostName;
}

