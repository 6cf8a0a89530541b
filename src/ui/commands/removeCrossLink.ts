import * as vscode from 'vscode';
import { formatTarget } from '../../core/ambassadors/ambassadorLabels';
import { withStepProgress } from '../progress';
import { CrossLinkNode } from '../tree/treeNodes';
import { resolveCrossLink } from './crossLinkArgument';
import { CommandContext } from './commandContext';

/**
 * Removes both ambassadors (the server one only when no other client uses it) and the client's
 * network alias or legacy link — nothing else. Args: link node or `{ client: "hostB/name", alias }`.
 */
export async function removeCrossLink(context: CommandContext, argument?: unknown): Promise<{ removed: string } | undefined> {
  const link = await resolveCrossLink(context, argument, 'Remove a Cross-Host Link');
  if (!link) {
    return undefined;
  }
  const description = `${link.client.container} on ${link.client.host} → ${link.alias} (${formatTarget(link.target)})`;
  const interactive = argument === undefined || argument instanceof CrossLinkNode;
  if (interactive) {
    const detail =
      link.mode === 'link'
        ? `${link.client.container} is recreated without the link (settings and data kept); the ambassadors are removed.`
        : 'The ambassadors and the network membership Crosslink added are removed; your containers are not touched otherwise.';
    const choice = await vscode.window.showWarningMessage(`Remove the link ${description}?`, { modal: true, detail }, 'Remove Link');
    if (!choice) {
      return undefined;
    }
  }
  await withStepProgress(`Removing ${description}`, (options) => context.crossLinks.remove(link, options));
  void vscode.window.showInformationMessage(`Removed the link ${description}.`);
  return { removed: description };
}
