import * as vscode from 'vscode';
import { ConfigError, HostError } from '../../core/errors';
import { describeEndpoint } from '../../core/hosts/hostSpec';
import type { HostSnapshot } from '../../core/model/hostWatcher';
import { configuredHostEntries, settingsSection, writeHostEntries } from '../hostSettings';
import type { Prompter } from '../prompter';
import { HostNode, type TreeNode } from '../tree/treeNodes';
import { type Command, hostNameArgument } from './command';
import type { CommandContext } from './commandContext';

/**
 * Opens the settings.json that holds the host's `crosslink.hosts` entry, with the entry selected.
 * Args: host node, name or `{ host }`. Result: `{ host, line }` (0-based line of the entry's name).
 */
export const editHostCommand: Command<{ host: string }, { host: string; line?: number }> = {
  id: 'crosslink.editHost',
  parse: (args) => ({ host: hostNameArgument('Edit Host', args) }),
  prompt: (ui, context, node) => promptHost(ui, context, node, 'Edit Host', (host) => host.spec.source === 'settings'),
  async run(context, request) {
    const hostName = configuredHostName(context, request.host);
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
  },
};

/**
 * Removes a host's entry from `crosslink.hosts`; nothing on the host changes (its containers, links
 * and ambassadors stay). Asks first from the menu or palette. Args as above. Result: `{ removed }`.
 */
export const removeHostCommand: Command<{ host: string }, { removed: string }> = {
  id: 'crosslink.removeHost',
  parse: (args) => ({ host: hostNameArgument('Remove Host', args) }),
  async prompt(ui, context, node) {
    const fromSettings = (host: HostSnapshot) => host.spec.source === 'settings';
    const request = await promptHost(ui, context, node, 'Remove Host', fromSettings);
    if (!request) {
      return undefined;
    }
    const last = context.model.hosts().filter((host) => fromSettings(host) && host.spec.name !== request.host).length === 0;
    const detail =
      'Only the setting is removed: its containers, links and ambassadors stay as they are, and adding the host again shows them.' +
      (last ? ' With no host left, the view lists the local engine and Docker contexts.' : '');
    const answer = await ui.confirm({ message: `Remove ${request.host} from crosslink.hosts?`, detail, actions: ['Remove Host'] });
    return answer === 'Remove Host' ? request : undefined;
  },
  async run(context, request) {
    const hostName = configuredHostName(context, request.host);
    await writeHostEntries(configuredHostEntries().filter((entry) => entry.name !== hostName));
    context.logger.info(`Removed host ${hostName} from crosslink.hosts`);
    return { removed: hostName };
  },
  report: (ui, { removed }) => void ui.notify('info', `Removed ${removed} from crosslink.hosts.`),
};

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
export const showEngineInfoCommand: Command<{ host: string }, EngineInfoResult> = {
  id: 'crosslink.showEngineInfo',
  parse: (args) => ({ host: hostNameArgument('Show Engine Info', args) }),
  prompt: (ui, context, node) => promptHost(ui, context, node, 'Show Engine Info', (host) => host.state === 'connected'),
  async run({ model }, request) {
    const host = model.host(request.host);
    if (!host) {
      throw new ConfigError('hostUnknown', `Show Engine Info: there is no host "${request.host}".`);
    }
    return engineInfo(host);
  },
  report(ui, result) {
    const lines = [
      `Endpoint: ${result.endpoint}`,
      `Docker ${result.version} (API ${result.apiVersion})`,
      `OS: ${result.os}/${result.arch}`,
      `Containers: ${result.containers.total} (${result.containers.running} running)`,
    ];
    void ui.inform(`Docker engine of ${result.host}`, lines.join('\n'));
  },
};

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

/** The host the command was invoked on, else a pick of the hosts it applies to (with a word when there is none). */
async function promptHost(
  ui: Prompter,
  context: CommandContext,
  node: TreeNode | undefined,
  title: string,
  applies: (host: HostSnapshot) => boolean,
): Promise<{ host: string } | undefined> {
  if (node instanceof HostNode) {
    return { host: node.hostName };
  }
  const hosts = context.model.hosts().filter(applies);
  if (hosts.length === 0) {
    void ui.notify('info', `${title}: no host can be picked here; add one with Add Docker Host.`);
    return undefined;
  }
  const picked = await ui.pickOne({
    title,
    placeholder: 'Host',
    items: hosts.map((host) => ({ label: host.spec.name, description: `${host.spec.url} · ${host.state}`, value: host.spec.name })),
  });
  return typeof picked === 'string' ? { host: picked } : undefined;
}

/** A host that comes from crosslink.hosts; the others (local engine, contexts) are not ours to edit. */
function configuredHostName(context: CommandContext, hostName: string): string {
  if (!configuredHostEntries().some((entry) => entry.name === hostName)) {
    const source = context.model.host(hostName)?.spec.source;
    const origins: Record<string, string> = { context: 'a Docker CLI context (docker context ls)', environment: 'DOCKER_HOST', default: 'the local engine' };
    const origin = source ? origins[source] : undefined;
    throw origin
      ? new ConfigError('hostNotInSettings', `${hostName} comes from ${origin}, not from crosslink.hosts; change it with the Docker CLI.`)
      : new ConfigError('hostUnknown', `There is no host "${hostName}" in crosslink.hosts.`);
  }
  return hostName;
}
