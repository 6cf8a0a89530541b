import * as vscode from 'vscode';
import type { HostDirectory } from '../core/hosts/hostDirectory';
import { aliasProblem, portProblem } from '../core/links/names';
import type { ContainerSummary } from '../core/types';

export interface ResolvedContainer {
  hostName: string;
  container: ContainerSummary;
}

export interface ContainerPickOptions {
  title: string;
  placeHolder: string;
  /** Only containers of this host. */
  hostName?: string;
  /** Why a container cannot be picked (it is then left out), or undefined when it can. */
  unavailable?: (candidate: ResolvedContainer) => string | undefined;
}

type ContainerItem = vscode.QuickPickItem & { resolved?: ResolvedContainer };

/** Quick pick items grouped by host: name, host · state · image; stopped containers are marked. */
function containerItems(model: HostDirectory, options: ContainerPickOptions, picked: ReadonlySet<string> = new Set()): ContainerItem[] {
  const items: ContainerItem[] = [];
  for (const host of model.hosts()) {
    if (options.hostName && host.spec.name !== options.hostName) {
      continue;
    }
    const candidates = [...host.containers.values()]
      .map((container) => ({ hostName: host.spec.name, container }))
      .filter((candidate) => !options.unavailable?.(candidate));
    if (candidates.length === 0) {
      continue;
    }
    items.push({ label: host.spec.name, kind: vscode.QuickPickItemKind.Separator });
    for (const candidate of candidates) {
      const { container } = candidate;
      const running = container.state === 'running';
      items.push({
        label: `${running ? '$(circle-filled)' : '$(circle-outline)'} ${container.name}`,
        description: `${candidate.hostName} · ${running ? 'running' : `${container.state} (stopped)`}`,
        detail: container.image,
        picked: picked.has(container.id),
        resolved: candidate,
      });
    }
  }
  return items;
}

export async function pickContainer(model: HostDirectory, options: ContainerPickOptions): Promise<ResolvedContainer | undefined> {
  const items = containerItems(model, options);
  if (!items.some((item) => item.resolved)) {
    void vscode.window.showInformationMessage(`${options.title}: no container can be picked here.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true });
  return picked?.resolved;
}

export async function pickContainers(model: HostDirectory, options: ContainerPickOptions & { picked?: ReadonlySet<string> }): Promise<ResolvedContainer[] | undefined> {
  const items = containerItems(model, options, options.picked);
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: options.placeHolder,
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!picked || picked.length === 0) {
    return undefined;
  }
  return picked.flatMap((item) => (item.resolved ? [item.resolved] : []));
}

/** An alias, validated as a DNS label while the user types. Empty input is allowed when `optional`. */
export async function inputAlias(options: { title: string; prompt: string; value?: string; optional?: boolean }): Promise<string | undefined> {
  const alias = await vscode.window.showInputBox({
    title: options.title,
    prompt: options.prompt,
    value: options.value,
    ignoreFocusOut: true,
    validateInput: (value) => (options.optional && value.trim() === '' ? undefined : aliasProblem(value.trim())),
  });
  return alias?.trim();
}

/** A TCP port of the container: its exposed and published ports are offered, any other can be typed. */
export async function pickContainerPort(target: ResolvedContainer, title: string): Promise<number | undefined> {
  const ports = [...new Set(target.container.ports.filter((port) => port.protocol === 'tcp').map((port) => port.privatePort))].sort((a, b) => a - b);
  const typed = { label: '$(edit) Type a Port…', port: undefined as number | undefined };
  const items = [
    ...ports.map((port) => {
      const published = target.container.ports.find((binding) => binding.privatePort === port && binding.publicPort);
      return { label: String(port), description: published ? `published on ${published.hostIp ?? '0.0.0.0'}:${published.publicPort}` : 'exposed', port };
    }),
    typed,
  ];
  const picked = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true });
  if (!picked) {
    return undefined;
  }
  if (picked.port !== undefined) {
    return picked.port;
  }
  const value = await vscode.window.showInputBox({
    title: `Port ${target.container.name} listens on`,
    placeHolder: '8080',
    ignoreFocusOut: true,
    validateInput: (text) => portProblem(Number(text.trim())),
  });
  return value === undefined ? undefined : Number(value.trim());
}

/**
 * Picks an existing named object (network, volume) or names a new one; the new name is validated
 * as the user types and may not repeat an existing one (those are in the list).
 */
export async function pickOrCreateName(options: {
  title: string;
  placeHolder?: string;
  existing: Array<{ name: string; description: string }>;
  /** Every name on the host, listed or not. */
  taken: ReadonlySet<string>;
  createLabel: string;
  suggestedName: string;
  nameProblem: (name: string) => string | undefined;
}): Promise<string | undefined> {
  const create = { label: `$(add) ${options.createLabel}`, create: true };
  const items = [create, ...options.existing.map(({ name, description }) => ({ label: name, description, create: false }))];
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder, ignoreFocusOut: true });
  if (!picked || !picked.create) {
    return picked?.label;
  }
  const name = await vscode.window.showInputBox({
    title: options.createLabel.replace(/…$/, ''),
    value: options.suggestedName,
    ignoreFocusOut: true,
    validateInput: (value) => options.nameProblem(value.trim()) ?? (options.taken.has(value.trim()) ? `${value.trim()} exists; pick it from the list instead.` : undefined),
  });
  return name?.trim();
}
