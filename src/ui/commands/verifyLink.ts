import * as vscode from 'vscode';
import type { CrossLink, OverlayLink } from '../../core/values/labels';
import { verifyLink as verify, type VerifyResult } from '../../core/links/verifyLink';
import { aliasProblem } from '../../core/links/names';
import { formatContainerRef } from '../../core/values/containerRef';
import { ambassadorImage } from '../hostSettings';
import type { ContainerModel } from '../../core/model/containerModel';
import { type Prompter, keep, runSteps } from '../prompter';
import { type ResolvedContainer, inputAlias, pickContainer } from '../prompts';
import { CrossLinkNode, LinkNode, OverlayLinkNode } from '../tree/treeNodes';
import { type Command, Fields } from './command';
import { findContainerRef, operationsFor } from './commandArguments';
import { startedOn } from './containerRequest';

export interface VerifyRequest {
  client: string;
  alias: string;
  port?: number;
  /** The cross-host link of the tree node the command was invoked on, checked as it is shown. */
  link?: CrossLink;
  /** The overlay link of the tree node: checked over its network (the alias, and the target's address on the network). */
  overlay?: OverlayLink;
}

interface Verified {
  result: VerifyResult;
  clientName: string;
  /** The cross-host link checked, when the client has one with that alias. */
  crossLink?: CrossLink;
}

const title = 'Verify Link';

/**
 * Checks a link hop by hop, each from where it lives, and reports the first failing hop with its
 * cause and what to do (Repair for an ambassador). Args: a link node, or
 * `{ client: "host/name", alias, port? }` (a cross-host link when the client has one with that
 * alias; else a link on one host). Returns `{ ok, hops: [{ name, from, to, ok, ms?, reason?,
 * error? }], failedHop?, reason?, action?, message, resolvedIp?, connectMs?, failedStep? }`.
 */
export const verifyLinkCommand: Command<VerifyRequest, Verified> = {
  id: 'crosslink.verifyLink',
  parse(args) {
    const fields = new Fields(title, args, '{ client: "host/name", alias, port? }');
    const client = fields.ref('client');
    const alias = fields.string('alias');
    const problem = aliasProblem(alias);
    if (problem) {
      fields.fail('alias', 'invalidValue', problem);
    }
    return { client, alias, port: fields.port('port', 'optional') };
  },
  async prompt(ui, context, node) {
    if (node instanceof CrossLinkNode) {
      return { client: formatContainerRef(node.link.client.host, node.link.client.container), alias: node.link.alias, link: node.link };
    }
    if (node instanceof LinkNode) {
      return { client: formatContainerRef(node.hostName, node.clientName), alias: node.alias, port: node.port };
    }
    if (node instanceof OverlayLinkNode) {
      return { client: formatContainerRef(node.link.client.host, node.link.client.container), alias: node.link.alias, port: node.link.target.port, overlay: node.link };
    }
    return promptVerify(ui, context.model, startedOn(context, node));
  },
  progressTitle: ({ client, alias }) => `Verifying ${alias} from ${client.split('/')[1]}…`,
  async run(context, request) {
    const { client: reference, alias, port } = request;
    const crossLink = request.overlay
      ? undefined
      : (request.link ?? (await context.crossLinks.list()).find((link) => formatContainerRef(link.client.host, link.client.container) === reference && link.alias === alias));
    let verified: Verified;
    if (request.overlay) {
      verified = { result: await context.overlay.verify(request.overlay), clientName: request.overlay.client.container };
    } else if (crossLink) {
      const result = await context.crossLinks.verify(crossLink);
      context.health.record(crossLink, result);
      verified = { result, clientName: crossLink.client.container, crossLink };
    } else {
      const resolved = findContainerRef(context.model, reference);
      const client = await operationsFor(context, resolved.hostName).inspect(resolved.container.id);
      const result = await verify(context.model.client(resolved.hostName)!, context.logger, { client, alias, port, helperImage: ambassadorImage() });
      verified = { result, clientName: client.name };
    }
    const { result, clientName } = verified;
    context.logger.info(`verify ${clientName} → ${alias}: ${result.message}`);
    for (const hop of result.hops) {
      context.logger.info(
        `  ${hop.ok ? 'ok' : hop.reason} ${hop.name}: ${hop.from} → ${hop.to}${hop.ms !== undefined ? ` ${hop.ms} ms` : ''}${hop.error ? ` (${hop.error})` : ''}`,
      );
    }
    return verified;
  },
  /** A failure an ambassador explains offers Repair right there. */
  report(ui, { result, clientName, crossLink }, _request, context) {
    if (result.ok) {
      const ms = result.connectMs !== undefined ? ` (connect ${result.connectMs} ms)` : '';
      void ui.notify('info', `${clientName}: ${result.message}${ms}`);
      return;
    }
    const repair = crossLink && result.action === 'repair' ? ['Repair'] : [];
    void ui.notify('warning', `${clientName}: ${result.message}`, ...repair, 'Show Log').then((choice) => {
      if (choice === 'Repair' && crossLink) {
        void vscode.commands.executeCommand('crosslink.repairCrossLink', new CrossLinkNode(crossLink, 'client'));
      } else if (choice === 'Show Log') {
        context.channel.show();
      }
    });
  },
  toResult: ({ result }) => result,
};

/** The client (the container the command was started on, else a pick), then the alias to check; Back keeps the answers. */
export async function promptVerify(ui: Prompter, model: Pick<ContainerModel, 'hosts'>, started: ResolvedContainer | undefined): Promise<VerifyRequest | undefined> {
  let client = started;
  let alias: string | undefined;
  const done = await runSteps([
    async (position) =>
      started
        ? 'skip'
        : keep(
            await pickContainer(ui, model, {
              ...position,
              title: 'Container to verify from',
              placeholder: 'The container that uses the link',
              active: client,
              empty: { message: 'no host shows a container yet; add a host or start a container first.' },
            }),
            (picked) => (client = picked),
          ),
    async (position) =>
      keep(
        await inputAlias(ui, { ...position, title: `Verify a link from ${client!.container.name}`, prompt: 'The name to resolve and connect to', value: alias }),
        (typed) => (alias = typed.trim()),
      ),
  ]);
  return done && client && alias ? { client: formatContainerRef(client.hostName, client.container.name), alias } : undefined;
}
