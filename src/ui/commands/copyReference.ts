import * as vscode from 'vscode';
import { formatContainerRef } from '../../core/values/containerRef';
import { resolveContainerArgument } from './commandArguments';
import type { CommandContext } from './commandContext';

/** Copies "host/name", the form every Crosslink command takes as an argument. */
export async function copyReference({ model }: CommandContext, argument?: unknown): Promise<{ reference: string } | undefined> {
  const resolved = await resolveContainerArgument(model, argument, 'Container to copy as host/name');
  if (!resolved) {
    return undefined;
  }
  const reference = formatContainerRef(resolved.hostName, resolved.container.name);
  await vscode.env.clipboard.writeText(reference);
  vscode.window.setStatusBarMessage(`Copied ${reference}`, 3000);
  return { reference };
}
