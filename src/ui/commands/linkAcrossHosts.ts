import * as vscode from 'vscode';
import type { CrossLinkArgs } from '../../core/ambassadors/crossLinkOperations';
import { PortInUseError, reusablePublishedPort } from '../../core/ambassadors/crossLinkPlanner';
import type { VerifyResult } from '../../core/links/verifyLink';
import { formatContainerRef } from '../../core/values/containerRef';
import { portCandidates } from '../prompts';
import { ContainerNode } from '../tree/treeNodes';
import { type Command, Fields, executeOptions } from './command';
import { askForeignConsent } from './foreignConsent';
import { promptCrossLink } from './linkAcrossHostsPrompt';
import { askAboutChanges } from './writableLayerChoice';
import type { CrossLinkMode } from '../../core/values/labels';
import type { OverlayOperations } from '../../core/overlay/overlayOperations';
import { type SwarmChoice, swarmChoiceOf } from '../../core/overlay/swarm';

/**
 * Ambassador modes name both ambassadors; "overlay" names the link's network, the Swarm manager
 * that holds it, whether it was created now, and the cluster ID when this call formed the Swarm.
 */
export type LinkAcrossHostsResult =
  | { mode: CrossLinkMode; serverAmbassador: string; clientAmbassador: string; verified?: VerifyResult }
  | { mode: 'overlay'; network: string; manager: string; createdNetwork: boolean; formedSwarm?: string; verified: VerifyResult };

export type LinkAcrossHostsRequest = Omit<CrossLinkArgs, 'mode'> & {
  mode?: CrossLinkMode | 'overlay';
  /** Overlay only: IPsec between the hosts. */
  encrypted?: boolean;
  /** Overlay only: form a Swarm of the two hosts first when they are in none. */
  formSwarm?: boolean;
  confirmForeign?: boolean;
};

/**
 * The ambassador pattern from VS Code: target → port → client on another host → alias → how the
 * client reaches it; ends with a verified connection. Args:
 * `{ client: "hostB/name", target: "hostA/name", port, alias?, mode?: "network" | "link" | "overlay", publish?: "reuse" | number, encrypted?, formSwarm?, copyChanges?, discardChanges?, confirmForeign? }`
 * (the flags answer for the client's files outside volumes when "link" mode recreates it;
 * `confirmForeign: true` lets it reuse an ambassador or network this installation did not create).
 * "overlay" links over an attachable Swarm overlay network instead of ambassadors (`encrypted`:
 * IPsec; `formSwarm`: form a Swarm of two hosts in none first); a link that fails its check is
 * rolled back (OverlayError 'notVerified').
 * From a container's context menu, the user says which end of the link that container is.
 */
export const linkAcrossHostsCommand: Command<LinkAcrossHostsRequest, LinkAcrossHostsResult> = {
  id: 'crosslink.linkAcrossHosts',
  parse(args) {
    const fields = new Fields('Link Container Across Hosts', args, '{ client: "hostB/name", target: "hostA/name", port, alias?, mode?, publish?, encrypted?, formSwarm? }');
    const request: LinkAcrossHostsRequest = {
      client: fields.ref('client'),
      target: fields.ref('target'),
      port: fields.port('port'),
      alias: fields.alias('alias'),
      mode: fields.oneOf('mode', ['network', 'link', 'overlay'] as const),
      publish: fields.publish('publish'),
      writableLayer: fields.writableLayer(),
      confirmForeign: fields.flag('confirmForeign'),
    };
    const encrypted = fields.flag('encrypted');
    const formSwarm = fields.flag('formSwarm');
    if ((encrypted !== undefined || formSwarm !== undefined) && request.mode !== 'overlay') {
      fields.fail(encrypted !== undefined ? 'encrypted' : 'formSwarm', 'conflict', 'applies only with mode: "overlay".');
    }
    return request.mode === 'overlay' ? { ...request, encrypted, formSwarm } : request;
  },
  prompt(ui, context, node) {
    const started = node instanceof ContainerNode ? context.model.findContainer(node.hostName, node.containerId) : undefined;
    return promptCrossLink(
      ui,
      {
        model: context.model,
        portCandidates: (target) => portCandidates(target, context.model.client(target.hostName), context.logger),
        async publishedPort(target, port) {
          const address = context.model.spec(target.hostName)?.address ?? '';
          const details = await context.model.client(target.hostName)?.inspectContainer(target.container.id);
          const published = details && reusablePublishedPort(details, port, address);
          return published ? { address, published } : undefined;
        },
        runCommand: (id) => void vscode.commands.executeCommand(id),
        swarmOf: (target, client) => swarmChoice(context.overlay, target, client),
      },
      started && node instanceof ContainerNode ? { hostName: node.hostName, container: started } : undefined,
    );
  },
  progressTitle: (request) => `Linking ${request.client} → ${request.target}:${request.port}`,
  async run(context, request, progress) {
    const { mode, encrypted, formSwarm, ...rest } = request;
    if (mode === 'overlay') {
      const result = await context.overlay.link({ ...rest, encrypted, formSwarm }, executeOptions(progress));
      return {
        mode,
        network: result.link.network.name,
        manager: result.manager,
        createdNetwork: result.createdNetwork,
        formedSwarm: result.formedSwarm,
        verified: result.verified,
      };
    }
    const result = await context.crossLinks.link({ ...rest, mode }, { ...executeOptions(progress), onPull: (status) => context.logger.info(status) });
    const link = (await context.crossLinks.list()).find((candidate) => formatContainerRef(candidate.clientAmbassador.host, candidate.clientAmbassador.name) === result.clientRef);
    const verified = link ? await context.crossLinks.verify(link) : undefined;
    if (link && verified) {
      context.health.record(link, verified);
    }
    return { mode: mode ?? 'network', serverAmbassador: result.serverRef, clientAmbassador: result.clientRef, verified };
  },
  async answer(ui, error, request) {
    if (PortInUseError.is(error)) {
      const choice = await ui.confirm({ message: error.message, actions: [`Use Port ${error.suggestedPort}`] });
      return choice ? { ...request, publish: error.suggestedPort } : undefined;
    }
    const writableLayer = await askAboutChanges(ui, error);
    if (writableLayer !== 'rethrow') {
      return writableLayer && { ...request, writableLayer };
    }
    const consent = await askForeignConsent(ui, error, 'Use them');
    return consent === 'rethrow' ? 'rethrow' : consent && { ...request, confirmForeign: true };
  },
  report(ui, { verified }, request, context) {
    const summary = `${request.client} reaches ${request.target} as ${request.alias ?? ''}:${request.port}`;
    if (verified?.ok) {
      void ui.notify('info', `${summary} — verified: ${verified.message}`);
    } else {
      void ui
        .notify('warning', `${summary}, but the check failed: ${verified?.message ?? 'the link was not found'}`, 'Show Log')
        .then((choice) => choice && context.channel.show());
    }
  },
};

/** What the quick pick offers for an overlay between two hosts; undefined when it cannot be asked. */
async function swarmChoice(overlay: OverlayOperations, targetHost: string, clientHost: string): Promise<SwarmChoice | undefined> {
  const [target, client] = await Promise.all([overlay.membership(targetHost), overlay.membership(clientHost)]).catch(() => [undefined, undefined]);
  return target && client ? swarmChoiceOf({ target: { host: targetHost, membership: target }, client: { host: clientHost, membership: client } }) : undefined;
}
