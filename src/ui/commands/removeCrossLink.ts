import type { CrossLinkRemoval } from '../../core/ambassadors/crossLinkOperations';
import type { WritableLayerChoice } from '../../core/links/linkOperations';
import { type Command, executeOptions } from './command';
import { type CrossLinkRequest, describeCrossLink, findCrossLink, parseCrossLink, promptCrossLink } from './crossLinkArgument';
import { askForeignConsent } from './foreignConsent';
import { askAboutChanges, writableLayerNote } from './writableLayerChoice';
import { OverlayLinkNode } from '../tree/treeNodes';
import { formatContainerRef } from '../../core/values/containerRef';
import { formatTarget } from '../../core/values/labels';

const command = 'Remove a Cross-Host Link';

type RemoveRequest = CrossLinkRequest & { writableLayer?: WritableLayerChoice; confirmForeign?: boolean; leaveSwarm?: boolean };

/** An overlay link's removal adds what happened to its network and to the Swarm. */
type RemoveResult = { removed: string } & CrossLinkRemoval & { mode?: 'overlay'; removedNetwork?: boolean; swarm?: 'left' | 'kept' };

/**
 * Removes both ambassadors (the server one only when no client on any host, connected or not,
 * uses it) and the client's network alias or legacy link — nothing else. Args: link node or
 * `{ client: "hostB/name", alias, copyChanges?, discardChanges?, confirmForeign? }` (the flags
 * answer for the client's files outside volumes when a legacy-link client is recreated); a link
 * this installation did not create is refused (ProvenanceError 'foreign') unless `confirmForeign: true`.
 * An overlay link (scripted `{ client, alias, leaveSwarm? }`) is disconnected at both ends, its
 * network removed when Crosslink made it; `leaveSwarm: true` also dissolves a Swarm Crosslink formed.
 */
export const removeCrossLinkCommand: Command<RemoveRequest, RemoveResult> = {
  id: 'crosslink.removeCrossLink',
  parse(args) {
    const { fields, ...request } = parseCrossLink(command, args);
    const leaveSwarm = fields.flag('leaveSwarm');
    return { ...request, writableLayer: fields.writableLayer(), confirmForeign: fields.flag('confirmForeign'), ...(leaveSwarm !== undefined ? { leaveSwarm } : {}) };
  },
  async prompt(ui, context, node) {
    if (node instanceof OverlayLinkNode) {
      const { link } = node;
      // Leaving is offered only for a Swarm this installation formed (remove refuses any other).
      const clusterId = (await context.overlay.membership(link.client.host)).clusterId;
      const leave = clusterId !== undefined && context.overlay.formedHere(clusterId) ? ['Remove Link and Leave Swarm'] : [];
      const choice = await ui.confirm({
        message: `Remove the overlay link ${link.client.container} on ${link.client.host} → ${link.alias} (${formatTarget(link.target)})?`,
        detail: `Both containers are disconnected from ${link.network.name}, and the network is removed when Crosslink made it.${leave.length > 0 ? ' Leave Swarm also makes both hosts leave the Swarm Crosslink formed, when no other overlay link uses it.' : ''}`,
        actions: ['Remove Link', ...leave],
      });
      return choice ? { client: formatContainerRef(link.client.host, link.client.container), alias: link.alias, leaveSwarm: choice === 'Remove Link and Leave Swarm' } : undefined;
    }
    const request = await promptCrossLink(ui, context, node, command);
    const link = request?.link;
    if (!link) {
      return undefined;
    }
    const detail =
      link.mode === 'link'
        ? `${link.client.container} is recreated without the link (settings and volumes kept; ${writableLayerNote}); the ambassadors are removed.`
        : 'The ambassadors and the network membership Crosslink added are removed; your containers are not touched otherwise.';
    const choice = await ui.confirm({ message: `Remove the link ${describeCrossLink(link)}?`, detail, actions: ['Remove Link'] });
    return choice ? request : undefined;
  },
  progressTitle: (request) => `Removing ${request.link ? describeCrossLink(request.link) : `${request.client} → ${request.alias}`}`,
  async run(context, request, progress) {
    const overlay = !request.link && request.alias !== undefined ? await context.overlay.find(request.client, request.alias) : undefined;
    if (overlay) {
      const removal = await context.overlay.remove(overlay, { ...executeOptions(progress), confirmForeign: request.confirmForeign, leaveSwarm: request.leaveSwarm });
      return { removed: `${request.client} → ${overlay.alias} (overlay)`, mode: 'overlay', ...removal, serverAmbassador: 'none', otherClients: [], offlineHosts: [] };
    }
    const link = await findCrossLink(context, command, request);
    const result = await context.crossLinks.remove(link, { ...executeOptions(progress), confirmForeign: request.confirmForeign }, request.writableLayer);
    return { removed: describeCrossLink(link), ...result };
  },
  async answer(ui, error, request) {
    const writableLayer = await askAboutChanges(ui, error);
    if (writableLayer !== 'rethrow') {
      return writableLayer && { ...request, writableLayer };
    }
    const consent = await askForeignConsent(ui, error, 'Remove them');
    return consent === 'rethrow' ? 'rethrow' : consent && { ...request, confirmForeign: true };
  },
  report(ui, result, request) {
    const offline = result.offlineHosts;
    const kept =
      offline.length > 0
        ? ` Kept the server-side ambassador on ${request.link?.target.host}: ${offline.join(', ')} ${offline.length === 1 ? 'is' : 'are'} offline and may still use it. Remove the link again once ${offline.length === 1 ? 'it is' : 'they are'} back.`
        : '';
    void ui.notify('info', `Removed the link ${result.removed}.${kept}`);
  },
};
