import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConfigError, errorMessage } from '../../core/errors';
import { HostSettingEntry, TlsFiles, hostNameProblem, hostUrlProblem, parseHostEntry, parseHostUrl } from '../../core/hosts/hostSpec';
import { withoutHostPrefix } from '../../core/hosts/translateError';
import { configuredHostEntries, writeHostEntries } from '../hostSettings';
import { CommandContext } from './commandContext';

export interface AddHostResult {
  host: string;
  /** Whether the engine answered before the host was saved (always "unchecked" when scripted). */
  connection: 'ok' | 'failed' | 'unchecked';
}

/**
 * Adds an entry to `crosslink.hosts`. Scripted: `{ name, url, identityFile?, tls?, address? }`,
 * validated and saved without prompts. Interactive: name → URL → key or TLS files, then a
 * connection check before saving, so a typo is caught while the user still remembers it.
 */
export async function addHost(context: CommandContext, argument?: unknown): Promise<AddHostResult | undefined> {
  const existing = configuredHostEntries();
  if (argument && typeof argument === 'object') {
    const entry = validatedEntry(argument as HostSettingEntry, existing);
    await save(context, existing, entry);
    return { host: entry.name, connection: 'unchecked' };
  }
  let previous: HostSettingEntry | undefined;
  for (;;) {
    const entry = await promptForEntry(existing, context, previous);
    if (!entry) {
      return undefined;
    }
    const problem = await checkConnection(context, entry);
    if (problem) {
      // Edit comes first, so Enter goes back to fix the typo rather than saving a host that does not answer.
      const choice = await vscode.window.showWarningMessage(
        `${entry.name} did not answer: ${withoutHostPrefix(entry.name, problem)}`,
        { modal: true, detail: 'Edit the entry, or save it as it is and fix the host later.' },
        'Edit',
        'Save Anyway',
      );
      if (choice === 'Edit') {
        previous = entry;
        continue;
      }
      if (choice !== 'Save Anyway') {
        return undefined;
      }
    }
    await save(context, existing, entry);
    return { host: entry.name, connection: problem ? 'failed' : 'ok' };
  }
}

function validatedEntry(entry: HostSettingEntry, existing: HostSettingEntry[]): HostSettingEntry {
  const spec = parseHostEntry(entry);
  if (existing.some((other) => other.name === spec.name)) {
    throw new ConfigError('duplicateName', `A host named "${spec.name}" already exists; choose another name or edit crosslink.hosts.`);
  }
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as unknown as HostSettingEntry;
}

/**
 * While the setting is empty the view shows the local engine and contexts; keep the ones that
 * answer when the first explicit host is added, so they do not silently disappear.
 */
async function save(context: CommandContext, existing: HostSettingEntry[], entry: HostSettingEntry): Promise<void> {
  const kept =
    existing.length > 0
      ? existing
      : context.model
          .hosts()
          .filter((host) => host.state === 'connected' && host.spec.name !== entry.name)
          .map((host) => ({ name: host.spec.name, url: host.spec.url, ...(host.spec.endpoint.kind === 'tcp' && host.spec.endpoint.tls ? { tls: host.spec.endpoint.tls } : {}) }));
  await writeHostEntries([...kept, entry]);
  context.logger.info(`Added host ${entry.name} (${entry.url})`);
}

/** `previous`: what the user entered before Edit, offered again. */
async function promptForEntry(existing: HostSettingEntry[], context: CommandContext, previous?: HostSettingEntry): Promise<HostSettingEntry | undefined> {
  const taken = new Set([...existing.map((entry) => entry.name), ...context.model.hosts().map((host) => host.spec.name)]);
  const name = await vscode.window.showInputBox({
    title: 'Add Docker Host (1/3): name',
    prompt: 'A short name, used in the tree and in "host/container" references',
    placeHolder: 'staging',
    value: previous?.name,
    ignoreFocusOut: true,
    validateInput: (value) => hostNameProblem(value.trim()) ?? (taken.has(value.trim()) ? `"${value.trim()}" is already a host name.` : undefined),
  });
  if (name === undefined) {
    return undefined;
  }
  const url = await vscode.window.showInputBox({
    title: `Add Docker Host (2/3): how to reach ${name.trim()}`,
    prompt: 'unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host[:port]',
    placeHolder: 'ssh://user@build-box',
    value: previous?.url,
    ignoreFocusOut: true,
    validateInput: (value) => hostUrlProblem(value.trim()),
  });
  if (url === undefined) {
    return undefined;
  }
  const entry: HostSettingEntry = { name: name.trim(), url: url.trim() };
  const endpoint = parseHostUrl(entry.url);
  if (endpoint.kind === 'ssh') {
    const identityFile = await pickIdentityFile(entry.name);
    if (identityFile === null) {
      return undefined;
    }
    entry.identityFile = identityFile;
  } else if (endpoint.kind === 'tcp') {
    const tls = await pickTlsFiles(entry.name, endpoint.port);
    if (tls === null) {
      return undefined;
    }
    entry.tls = tls;
  }
  return validatedEntry(entry, existing);
}

/** undefined: use ssh-agent and ~/.ssh/config; null: cancelled. */
async function pickIdentityFile(hostName: string): Promise<string | undefined | null> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Use ssh-agent and ~/.ssh/config', description: 'like the ssh command', choice: 'agent' as const },
      { label: 'Choose a private key file…', choice: 'file' as const },
    ],
    { title: `Add Docker Host (3/3): SSH key for ${hostName}`, ignoreFocusOut: true },
  );
  if (!choice) {
    return null;
  }
  if (choice.choice === 'agent') {
    return undefined;
  }
  const files = await vscode.window.showOpenDialog({ title: 'SSH private key', canSelectMany: false, openLabel: 'Use Key' });
  return files?.[0]?.fsPath ?? null;
}

/** undefined: plain TCP; null: cancelled. Docker keeps ca.pem, cert.pem and key.pem in one folder. */
async function pickTlsFiles(hostName: string, port: number): Promise<TlsFiles | undefined | null> {
  const items = [
    { label: 'TLS with client certificates…', description: 'a folder with ca.pem, cert.pem, key.pem', choice: 'tls' as const },
    { label: 'No TLS', description: 'only on a trusted network', choice: 'plain' as const },
  ];
  const choice = await vscode.window.showQuickPick(port === 2375 ? items.reverse() : items, {
    title: `Add Docker Host (3/3): TLS for ${hostName}`,
    ignoreFocusOut: true,
  });
  if (!choice) {
    return null;
  }
  if (choice.choice === 'plain') {
    return undefined;
  }
  const folders = await vscode.window.showOpenDialog({ title: 'Folder with ca.pem, cert.pem and key.pem', canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Certificates' });
  const folder = folders?.[0]?.fsPath;
  return folder ? { ca: path.join(folder, 'ca.pem'), cert: path.join(folder, 'cert.pem'), key: path.join(folder, 'key.pem') } : null;
}

/** Undefined when the engine answered; else what went wrong. */
async function checkConnection(context: CommandContext, entry: HostSettingEntry): Promise<string | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Connecting to ${entry.name}…` }, async () => {
    let client;
    try {
      client = context.createClient(parseHostEntry(entry));
      await client.version();
      return undefined;
    } catch (error) {
      return errorMessage(error);
    } finally {
      client?.dispose();
    }
  });
}
