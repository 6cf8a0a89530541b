import * as vscode from 'vscode';
import { formatTarget } from '../../core/ambassadors/ambassadorLabels';
import { ConfigError } from '../../core/errors';
import { CrossLinkNode } from '../tree/treeNodes';
import { resolveCrossLink } from './crossLinkArgument';
import { CommandContext } from './commandContext';

/**
 * Takes a link this installation did not create (an older Crosslink's, unsealed, or a
 * teammate's) as its own: its ambassadors and the networks they created are recorded by id, so
 * Repair, Remove Link and the network keeper act on them from then on. Nothing changes on the
 * hosts. Args: link node or `{ client, alias }`. Returns the adopted objects.
 */
export async function adoptCrossLink(context: CommandContext, argument?: unknown): Promise<{ adopted: string[] } | undefined> {
  const link = await resolveCrossLink(context, argument, 'Adopt a Cross-Host Link');
  if (!link) {
    return undefined;
  }
  if (link.origin === 'ours') {
    throw new ConfigError('invalidOption', `${link.clientAmbassador.name} on ${link.clientAmbassador.host} was created here already; there is nothing to adopt.`);
  }
  const interactive = argument === undefined || argument instanceof CrossLinkNode;
  if (interactive) {
    const choice = await vscode.window.showWarningMessage(
      `Trust the link ${link.client.container} on ${link.client.host} → ${link.alias} (${formatTarget(link.target)}) as created by this Crosslink?`,
      {
        modal: true,
        detail:
          `Its ambassadors (${link.clientAmbassador.name} on ${link.clientAmbassador.host}, and the server-side one on ${link.target.host}) and the networks their labels say Crosslink created ` +
          `will then be repaired, removed and kept connected on their labels' word. Adopt only what you know was made by Crosslink.`,
      },
      'Adopt',
    );
    if (!choice) {
      return undefined;
    }
  }
  const adopted = await context.crossLinks.adopt(link);
  if (interactive) {
    void vscode.window.showInformationMessage(`Adopted ${adopted.join(', ')}.`);
  }
  return { adopted };
}
