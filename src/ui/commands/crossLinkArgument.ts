import { type CrossLink, formatTarget } from '../../core/values/labels';
import { formatContainerRef } from '../../core/values/containerRef';
import type { Prompter } from '../prompter';
import { CrossLinkNode, type TreeNode } from '../tree/treeNodes';
import { ArgumentError, Fields } from './command';
import type { CommandContext } from './commandContext';

/** A cross-host link as scripted callers name it: its client and the alias it reaches. `link` is the one a user picked. */
export interface CrossLinkRequest {
  client: string;
  alias?: string;
  link?: CrossLink;
}

export function parseCrossLink(command: string, args: unknown): CrossLinkRequest & { fields: Fields } {
  const fields = new Fields(command, args, '{ client: "hostB/name", alias }');
  return { client: fields.ref('client'), alias: fields.string('alias', 'optional'), fields };
}

/** The link a request names (labels anyone can copy may name the same client and alias: this installation's own comes first). */
export async function findCrossLink(context: CommandContext, command: string, request: CrossLinkRequest): Promise<CrossLink> {
  if (request.link) {
    return request.link;
  }
  const matches = (await context.crossLinks.list()).filter(
    (link) => formatContainerRef(link.client.host, link.client.container) === request.client && (request.alias === undefined || link.alias === request.alias),
  );
  const match = matches.find((link) => link.origin === 'ours') ?? matches[0];
  if (!match) {
    throw new ArgumentError(
      command,
      'client',
      'invalidValue',
      `names no link: ${request.client} has no cross-host link${request.alias !== undefined ? ` with the alias "${request.alias}"` : ''}.`,
    );
  }
  return match;
}

/** The link the command was invoked on, else a pick of all links (with a word when there is none). */
export async function promptCrossLink(ui: Prompter, context: CommandContext, node: TreeNode | undefined, title: string): Promise<CrossLinkRequest | undefined> {
  const link = node instanceof CrossLinkNode ? node.link : await pickCrossLink(ui, context, title);
  return link && { client: formatContainerRef(link.client.host, link.client.container), alias: link.alias, link };
}

async function pickCrossLink(ui: Prompter, context: CommandContext, title: string): Promise<CrossLink | undefined> {
  const links = await context.crossLinks.list();
  if (links.length === 0) {
    void ui.notify('info', `${title}: there is no cross-host link on the connected hosts. Link Container Across Hosts… makes one.`);
    return undefined;
  }
  const picked = await ui.pickOne({
    title,
    placeholder: 'Cross-host link',
    items: links.map((link) => ({
      label: `${link.client.container} → ${link.alias}`,
      description: `${link.client.host} → ${formatTarget(link.target)}${link.origin === 'foreign' ? ' · not created here' : ''}`,
      value: link,
    })),
  });
  return typeof picked === 'object' ? picked : undefined;
}

/** What a link is called in messages. */
export function describeCrossLink(link: CrossLink): string {
  return `${link.client.container} on ${link.client.host} → ${link.alias} (${formatTarget(link.target)})`;
}
