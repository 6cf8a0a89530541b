import * as vscode from 'vscode';
import type { HostDirectory } from '../core/hosts/hostDirectory';
import { aliasProblem } from '../core/links/names';
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
