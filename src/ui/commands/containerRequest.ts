import { formatContainerRef } from '../../core/values/containerRef';
import type { Prompter } from '../prompter';
import { type ResolvedContainer, pickContainer } from '../prompts';
import { ContainerNode, type TreeNode } from '../tree/treeNodes';
import { containerRefArgument } from './command';
import type { CommandContext } from './commandContext';

/** Requests that name one container: "host/name" or `{ container: "host/name" }`. */
export function containerRequest(command: string, args: unknown): { container: string } {
  return { container: containerRefArgument(command, args) };
}

/** The container a command was invoked on, else a quick pick of every container. */
export async function promptContainer(ui: Prompter, context: CommandContext, node: TreeNode | undefined, title: string): Promise<{ container: string } | undefined> {
  const resolved = await containerOf(ui, context, node, title);
  return resolved && { container: formatContainerRef(resolved.hostName, resolved.container.name) };
}

export async function containerOf(ui: Prompter, context: CommandContext, node: TreeNode | undefined, title: string): Promise<ResolvedContainer | undefined> {
  if (node instanceof ContainerNode) {
    const container = context.model.findContainer(node.hostName, node.containerId);
    if (container) {
      return { hostName: node.hostName, container };
    }
  }
  const picked = await pickContainer(ui, context.model, { title, placeholder: title, empty: { message: 'no host shows a container yet; add a host or start a container first.' } });
  return typeof picked === 'object' ? picked : undefined;
}

/** The container a command was invoked on from the tree, if any. */
export function startedOn(context: CommandContext, node: TreeNode | undefined): ResolvedContainer | undefined {
  const container = node instanceof ContainerNode ? context.model.findContainer(node.hostName, node.containerId) : undefined;
  return container && node instanceof ContainerNode ? { hostName: node.hostName, container } : undefined;
}
