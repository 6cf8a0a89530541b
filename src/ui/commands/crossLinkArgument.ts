import * as vscode from 'vscode';
import { CrossLink, formatTarget } from '../../core/ambassadors/ambassadorLabels';
import { ConfigError } from '../../core/errors';
import { formatContainerRef } from '../../core/model/containerRef';
import { CrossLinkNode } from '../tree/treeNodes';
import { CommandContext } from './commandContext';

/** A cross-host link from a tree node, `{ client: "hostB/name", alias }`, or a quick pick of all links. */
export async function resolveCrossLink(context: CommandContext, argument: unknown, title: string): Promise<CrossLink | undefined> {
  if (argument instanceof CrossLinkNode) {
    return argument.link;
  }
  const links = await context.crossLinks.list();
  const request = argument as { client?: unknown; alias?: unknown } | undefined;
  if (typeof request?.client === 'string') {
    // Labels anyone can copy may name the same client and alias: this installation's own link comes first.
    const matches = links.filter((link) => formatContainerRef(link.client.host, link.client.container) === request.client && (request.alias === undefined || link.alias === request.alias));
    const match = matches.find((link) => link.origin === 'ours') ?? matches[0];
    if (!match) {
      throw new ConfigError('invalidOption', `${request.client} has no cross-host link${typeof request.alias === 'string' ? ` with the alias "${request.alias}"` : ''}.`);
    }
    return match;
  }
  const picked = await vscode.window.showQuickPick(
    links.map((link) => ({
      label: `${link.client.container} → ${link.alias}`,
      description: `${link.client.host} → ${formatTarget(link.target)}${link.origin === 'foreign' ? ' · not created here' : ''}`,
      link,
    })),
    { title, placeHolder: links.length === 0 ? 'No cross-host links on the connected hosts' : 'Cross-host link' },
  );
  return picked?.link;
}
