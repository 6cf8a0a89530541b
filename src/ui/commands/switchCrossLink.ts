import type { VerifyResult } from '../../core/links/verifyLink';
import { formatContainerRef } from '../../core/values/containerRef';
import { ArgumentError, type Command, executeOptions } from './command';
import { type CrossLinkRequest, describeCrossLink, findCrossLink, parseCrossLink, promptCrossLink } from './crossLinkArgument';
import { askForeignConsent } from './foreignConsent';
import { OverlayLinkNode } from '../tree/treeNodes';
import { formatTarget } from '../../core/values/labels';

const command = 'Switch a Cross-Host Link';

type SwitchRequest = CrossLinkRequest & {
  to: 'overlay' | 'ambassadors';
  encrypted?: boolean;
  formSwarm?: boolean;
  publish?: 'reuse' | number;
  confirmForeign?: boolean;
};

export type SwitchCrossLinkResult = { to: 'overlay'; network: string; verified: VerifyResult } | { to: 'ambassadors'; clientAmbassador: string; verified: VerifyResult };

/**
 * Moves a cross-host link between ambassadors and a Swarm overlay network with no gap: the new
 * path is added and verified first (the alias answers both ways meanwhile), then the old one is
 * removed; a new path that fails its check is taken away again and the old one stays, and an old
 * path that cannot be removed stays beside the new one (OverlayError 'oldPathKept', `carriedBy`
 * naming the verified path; switching again removes it). Args: an
 * ambassador link node (→ overlay) or `{ client: "hostB/name", alias, to: "overlay" | "ambassadors",
 * encrypted?, formSwarm? (to overlay), publish? (to ambassadors), confirmForeign? }`.
 */
export const switchCrossLinkCommand: Command<SwitchRequest, SwitchCrossLinkResult> = {
  id: 'crosslink.switchCrossLink',
  parse(args) {
    const { fields, ...request } = parseCrossLink(command, args);
    const to = fields.oneOf('to', ['overlay', 'ambassadors'] as const) ?? fields.fail('to', 'missing', 'is required: "overlay" or "ambassadors".');
    if (request.alias === undefined) {
      fields.fail('alias', 'missing', 'is required: the alias the client reaches the target by.');
    }
    const options = to === 'overlay' ? { encrypted: fields.flag('encrypted'), formSwarm: fields.flag('formSwarm') } : { publish: fields.publish('publish') };
    return { ...request, to, ...options, confirmForeign: fields.flag('confirmForeign') };
  },
  async prompt(ui, context, node) {
    if (node instanceof OverlayLinkNode) {
      const { link } = node;
      const choice = await ui.confirm({
        message: `Move ${link.client.container} on ${link.client.host} → ${link.alias} (${formatTarget(link.target)}) onto ambassadors?`,
        detail: `The ambassadors are added and verified before the client leaves ${link.network.name}, so ${link.alias} keeps answering. The Swarm stays.`,
        actions: ['Switch to Ambassadors'],
      });
      return choice ? { client: formatContainerRef(link.client.host, link.client.container), alias: link.alias, to: 'ambassadors' } : undefined;
    }
    const request = await promptCrossLink(ui, context, node, command);
    const link = request?.link;
    if (!link) {
      return undefined;
    }
    const [target, client] = await Promise.all([context.overlay.membership(link.target.host), context.overlay.membership(link.client.host)]);
    const formSwarm = target.state === 'inactive' && client.state === 'inactive';
    const choice = await ui.confirm({
      message: `Move ${describeCrossLink(link)} onto an overlay network?`,
      detail: `${formSwarm ? `A Swarm of ${link.target.host} and ${link.client.host} is formed first (the ports it needs are checked). ` : ''}The overlay is added and verified before the ambassadors are removed, so ${link.alias} keeps answering.`,
      actions: [formSwarm ? 'Form Swarm and Move' : 'Move to Overlay'],
    });
    return choice ? { ...request, to: 'overlay', formSwarm } : undefined;
  },
  progressTitle: (request) => `Moving ${request.client} → ${request.alias} to ${request.to === 'overlay' ? 'an overlay network' : 'ambassadors'}`,
  async run(context, request, progress) {
    const options = { ...executeOptions(progress), confirmForeign: request.confirmForeign };
    if (request.to === 'overlay') {
      const link = await findCrossLink(context, command, request);
      const result = await context.overlay.promote(link, { ...options, encrypted: request.encrypted, formSwarm: request.formSwarm });
      return { to: 'overlay', network: result.link.network.name, verified: result.verified };
    }
    const overlay = await context.overlay.find(request.client, request.alias ?? '');
    if (!overlay) {
      throw new ArgumentError(command, 'client', 'invalidValue', `names no overlay link: ${request.client} has none with the alias "${request.alias}".`);
    }
    const result = await context.overlay.demote(overlay, { ...options, publish: request.publish });
    return { to: 'ambassadors', clientAmbassador: formatContainerRef(result.link.clientAmbassador.host, result.link.clientAmbassador.name), verified: result.verified };
  },
  async answer(ui, error, request) {
    const consent = await askForeignConsent(ui, error, 'Use them');
    return consent === 'rethrow' ? 'rethrow' : consent && { ...request, confirmForeign: true };
  },
  report(ui, { to, verified }, request) {
    void ui.notify(
      verified.ok ? 'info' : 'warning',
      `${request.client} reaches ${request.alias} over ${to === 'overlay' ? 'an overlay network' : 'ambassadors'} now: ${verified.message}`,
    );
  },
};
