import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { type DockerCommands, redacted } from '../../core/links/dockerCommands';
import type { CrossLink } from '../../core/values/labels';
import { formatContainerRef } from '../../core/values/containerRef';
import { AliasNode, CrossLinkNode, LinkNode } from '../tree/treeNodes';
import { type Command, Fields } from './command';
import { findContainerRef, operationsFor } from './commandArguments';
import type { CommandContext } from './commandContext';
import { promptContainer } from './containerRequest';

/** What to reproduce: a container, or a link from its tree node (scripted callers name a container). */
export type DockerCommandsRequest = { includeSecrets?: boolean } & (
  | { kind: 'container'; container: string }
  | { kind: 'crossLink'; link: CrossLink }
  | { kind: 'legacyLink'; host: string; client: string; target: string; alias: string }
  | { kind: 'alias'; host: string; container: string; network: string; alias: string }
);

interface Copied extends DockerCommands {
  container: string;
  /** The container or link, as the notification names it. */
  what: string;
}

/**
 * Copies the docker commands that reproduce a container, or a whole link (cross-host, legacy link,
 * network alias) from its tree node. Secret-looking env and log-option values are masked; the
 * notification then offers "Copy with Secrets". Scripted: `"host/name"` or `{ container: "host/name",
 * includeSecrets?: true }` returns `{ container, commands, maskedValues }` without a notification.
 */
export const copyDockerCommandsCommand: Command<DockerCommandsRequest, Copied> = {
  id: 'crosslink.copyDockerCommands',
  parse(args) {
    const fields = new Fields('Copy Docker Commands', typeof args === 'string' ? { container: args } : args, '"host/name" or { container: "host/name", includeSecrets? }');
    return { kind: 'container', container: fields.ref('container'), includeSecrets: fields.flag('includeSecrets') };
  },
  async prompt(ui, context, node) {
    if (node instanceof CrossLinkNode) {
      return { kind: 'crossLink', link: node.link };
    }
    if (node instanceof LinkNode) {
      return { kind: 'legacyLink', host: node.hostName, client: node.clientName, target: node.target, alias: node.alias };
    }
    if (node instanceof AliasNode) {
      return { kind: 'alias', host: node.hostName, container: node.containerName, network: node.network, alias: node.alias };
    }
    const picked = await promptContainer(ui, context, node, 'Container to copy as docker commands');
    return picked && { kind: 'container', ...picked };
  },
  async run(context, request) {
    const copied = await generate(context, request);
    await vscode.env.clipboard.writeText(copied.lines.join('\n'));
    return copied;
  },
  report(ui, copied, request, context) {
    if (copied.maskedValues === 0) {
      ui.status(`Copied the docker commands for ${copied.what}`);
      return;
    }
    const values = copied.maskedValues === 1 ? '1 secret-looking value is' : `${copied.maskedValues} secret-looking values are`;
    const withSecrets = 'Copy with Secrets';
    void ui
      .notify(
        'info',
        `Copied the docker commands for ${copied.what}. ${values} masked as ${redacted} (env variables and log options named like *PASSWORD*, *TOKEN*, *SECRET*, *KEY*).`,
        withSecrets,
      )
      .then(async (choice) => {
        if (choice === withSecrets) {
          await copyDockerCommandsCommand.run(context, { ...request, includeSecrets: true }, { report: () => undefined });
          ui.status(`Copied the docker commands for ${copied.what}, secrets included`);
        }
      })
      // The container may have gone since the first copy; the clipboard then keeps the masked commands.
      .catch((error: unknown) => ui.notify('warning', `Could not copy the docker commands with secrets: ${errorMessage(error)}`));
  },
  toResult: ({ container, lines, maskedValues }) => ({ container, commands: lines, maskedValues }),
};

async function generate(context: CommandContext, request: DockerCommandsRequest): Promise<Copied> {
  const options = { includeSecrets: request.includeSecrets === true };
  switch (request.kind) {
    case 'crossLink': {
      const { link } = request;
      const commands = await context.crossLinks.dockerCommands(link, options);
      return { ...commands, what: `the link ${link.client.container} → ${link.alias}`, container: formatContainerRef(link.client.host, link.client.container) };
    }
    case 'legacyLink': {
      const commands = await operationsFor(context, request.host).legacyLinkDockerCommands(request.client, request.target, options);
      return { ...commands, what: `the link ${request.client} → ${request.alias}`, container: formatContainerRef(request.host, request.client) };
    }
    case 'alias': {
      const commands = await operationsFor(context, request.host).networkAliasDockerCommands(request.container, request.network, options);
      return { ...commands, what: `${request.container} as ${request.alias} on ${request.network}`, container: formatContainerRef(request.host, request.container) };
    }
    case 'container': {
      const resolved = findContainerRef(context.model, request.container);
      const commands = await operationsFor(context, resolved.hostName).dockerCommands(resolved.container.id, options);
      return { ...commands, what: resolved.container.name, container: formatContainerRef(resolved.hostName, resolved.container.name) };
    }
  }
}
