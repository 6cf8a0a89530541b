import * as vscode from 'vscode';
import { formatTarget } from '../../core/ambassadors/ambassadorLabels';
import { withStepProgress } from '../progress';
import { CrossLinkNode } from '../tree/treeNodes';
import { resolveCrossLink } from './crossLinkArgument';
import { CommandContext } from './commandContext';
import { scriptedWritableLayer, withWritableLayerChoice, writableLayerNote } from './writableLayerChoice';
import { withForeignConsent } from './foreignConsent';

/**
 * Removes both ambassadors (the server one only when no client on any host, connected or not,
 * uses it) and the client's network alias or legacy link — nothing else. Args: link node or
 * `{ client: "hostB/name", alias, copyChanges?, discardChanges?, confirmForeign? }` (the flags
 * answer for the client's files outside volumes when a legacy-link client is recreated); a link
 * this installation did not create is refused (ProvenanceError 'foreign') unless `confirmForeign: true`.
 */
export async function removeCrossLink(
  context: CommandContext,
  argument?: unknown,
): Promise<{ removed: string; serverAmbassador: 'removed' | 'kept' | 'none'; otherClients: string[]; offlineHosts: string[] } | undefined> {
  const link = await resolveCrossLink(context, argument, 'Remove a Cross-Host Link');
  if (!link) {
    return undefined;
  }
  const description = `${link.client.container} on ${link.client.host} → ${link.alias} (${formatTarget(link.target)})`;
  const interactive = argument === undefined || argument instanceof CrossLinkNode;
  const writableLayer = interactive ? undefined : scriptedWritableLayer(argument as { copyChanges?: unknown; discardChanges?: unknown }, 'Remove a Cross-Host Link');
  if (interactive) {
    const detail =
      link.mode === 'link'
        ? `${link.client.container} is recreated without the link (settings and volumes kept; ${writableLayerNote}); the ambassadors are removed.`
        : 'The ambassadors and the network membership Crosslink added are removed; your containers are not touched otherwise.';
    const choice = await vscode.window.showWarningMessage(`Remove the link ${description}?`, { modal: true, detail }, 'Remove Link');
    if (!choice) {
      return undefined;
    }
  }
  const run = (choice = writableLayer) =>
    withForeignConsent(interactive ? context.ui : undefined, (argument as { confirmForeign?: unknown } | undefined)?.confirmForeign === true, 'Remove them', (confirmForeign) =>
      withStepProgress(`Removing ${description}`, (options) => context.crossLinks.remove(link, { ...options, confirmForeign }, choice)),
    );
  const result = interactive ? await withWritableLayerChoice(context.ui, run) : await run();
  if (!result) {
    return undefined;
  }
  if (interactive) {
    const kept =
      result.offlineHosts.length > 0
        ? ` Kept the server-side ambassador on ${link.target.host}: ${result.offlineHosts.join(', ')} ${result.offlineHosts.length === 1 ? 'is' : 'are'} offline and may still use it. Remove the link again once ${result.offlineHosts.length === 1 ? 'it is' : 'they are'} back.`
        : '';
    void vscode.window.showInformationMessage(`Removed the link ${description}.${kept}`);
  }
  return { removed: description, ...result };
}
