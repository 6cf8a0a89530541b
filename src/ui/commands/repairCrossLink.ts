import { formatTarget } from '../../core/values/labels';
import { type Command, executeOptions } from './command';
import { type CrossLinkRequest, findCrossLink, parseCrossLink, promptCrossLink } from './crossLinkArgument';
import { askForeignConsent } from './foreignConsent';

const command = 'Repair a Cross-Host Link';

/**
 * Recreates missing and restarts stopped ambassadors of a cross-host link, then verifies it. Args:
 * link node or `{ client, alias, confirmForeign? }` (needed for a link this installation did not create).
 */
export const repairCrossLinkCommand: Command<CrossLinkRequest & { confirmForeign?: boolean }, { repairedSteps: number; ok: boolean; message: string }> = {
  id: 'crosslink.repairCrossLink',
  parse(args) {
    const { fields, ...request } = parseCrossLink(command, args);
    return { ...request, confirmForeign: fields.flag('confirmForeign') };
  },
  prompt: (ui, context, node) => promptCrossLink(ui, context, node, command),
  progressTitle: (request) => `Repairing ${request.link ? `${request.link.client.container} → ${formatTarget(request.link.target)}` : `${request.client} → ${request.alias}`}`,
  async run(context, request, progress) {
    const link = await findCrossLink(context, command, request);
    const plan = await context.crossLinks.repair(link, { ...executeOptions(progress), confirmForeign: request.confirmForeign });
    const refreshed = (await context.crossLinks.list()).find((candidate) => candidate.client.container === link.client.container && candidate.alias === link.alias) ?? link;
    const verified = await context.crossLinks.verify(refreshed);
    context.health.record(refreshed, verified);
    const repairedSteps = plan.server.steps.length + plan.client.steps.length;
    const message = `${repairedSteps === 0 ? 'Nothing was missing' : `Repaired (${[...plan.server.description, ...plan.client.description].join(', ')})`}; ${verified.message}`;
    return { repairedSteps, ok: verified.ok, message };
  },
  async answer(ui, error, request) {
    const consent = await askForeignConsent(ui, error, 'Repair them');
    return consent === 'rethrow' ? 'rethrow' : consent && { ...request, confirmForeign: true };
  },
  report(ui, { ok, message }) {
    void ui.notify(ok ? 'info' : 'warning', message);
  },
  toResult: ({ repairedSteps, ok }) => ({ repairedSteps, ok }),
};
