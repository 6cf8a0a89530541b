import * as vscode from 'vscode';
import { formatTarget } from '../../core/ambassadors/ambassadorLabels';
import { withStepProgress } from '../progress';
import { resolveCrossLink } from './crossLinkArgument';
import { CommandContext } from './commandContext';
import { withForeignConsent } from './foreignConsent';
import { CrossLinkNode } from '../tree/treeNodes';

/**
 * Recreates missing and restarts stopped ambassadors of a cross-host link, then verifies it. Args:
 * link node or `{ client, alias, confirmForeign? }` (needed for a link this installation did not create).
 */
export async function repairCrossLink(context: CommandContext, argument?: unknown): Promise<{ repairedSteps: number; ok: boolean } | undefined> {
  const link = await resolveCrossLink(context, argument, 'Repair a Cross-Host Link');
  if (!link) {
    return undefined;
  }
  const interactive = argument === undefined || argument instanceof CrossLinkNode;
  const plan = await withForeignConsent(interactive ? context.ui : undefined, (argument as { confirmForeign?: unknown } | undefined)?.confirmForeign === true, 'Repair them', (confirmForeign) =>
    withStepProgress(`Repairing ${link.client.container} → ${formatTarget(link.target)}`, (options) => context.crossLinks.repair(link, { ...options, confirmForeign })),
  );
  if (!plan) {
    return undefined;
  }
  const refreshed = (await context.crossLinks.list()).find((candidate) => candidate.client.container === link.client.container && candidate.alias === link.alias) ?? link;
  const verified = await context.crossLinks.verify(refreshed);
  context.health.record(refreshed, verified);
  const repairedSteps = plan.server.steps.length + plan.client.steps.length;
  const message = `${repairedSteps === 0 ? 'Nothing was missing' : `Repaired (${[...plan.server.description, ...plan.client.description].join(', ')})`}; ${verified.message}`;
  void (verified.ok ? vscode.window.showInformationMessage(message) : vscode.window.showWarningMessage(message));
  return { repairedSteps, ok: verified.ok };
}
