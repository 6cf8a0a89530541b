import type { TunnelInfo, TunnelManager } from '../../core/forwarding/tunnelManager';
import type { Prompter } from '../prompter';
import { type TreeNode, TunnelNode } from '../tree/treeNodes';
import { ArgumentError, isScriptedArgument } from './command';
import type { CommandContext } from './commandContext';

/** A tunnel from a tree node, `{ id }` ("host/container:port"), or a quick pick of the open ones. */
export async function resolveTunnel(context: CommandContext, argument: unknown, title: string): Promise<TunnelInfo | undefined> {
  if (isScriptedArgument(argument)) {
    const id = (argument as { id?: unknown }).id;
    if (typeof id !== 'string') {
      throw new ArgumentError(title, 'id', id === undefined ? 'missing' : 'wrongType', 'must name a tunnel as "host/container:port".');
    }
    return tunnelById(context.tunnels, title, id);
  }
  return promptTunnel(context.ui, context.tunnels, argument as TreeNode | undefined, title);
}

export function tunnelById(tunnels: Pick<TunnelManager, 'get'>, command: string, id: string): TunnelInfo {
  const tunnel = tunnels.get(id);
  if (!tunnel) {
    throw new ArgumentError(command, 'id', 'invalidValue', `names no open tunnel: there is no tunnel ${id}.`);
  }
  return tunnel;
}

/** The tunnel the command was invoked on, else a pick of the open ones (with a word when there is none). */
export async function promptTunnel(ui: Prompter, tunnels: Pick<TunnelManager, 'get' | 'list'>, node: TreeNode | undefined, title: string): Promise<TunnelInfo | undefined> {
  const fromNode = node instanceof TunnelNode ? tunnels.get(node.id) : undefined;
  if (fromNode) {
    return fromNode;
  }
  const open = tunnels.list();
  if (open.length === 0) {
    void ui.notify('info', `${title}: no tunnel is open. Forward a port of a container first (Forward Port to Localhost…).`);
    return undefined;
  }
  const picked = await ui.pickOne({
    title,
    placeholder: 'Tunnel',
    items: open.map((tunnel) => ({ label: tunnel.localAddress ?? '(not listening)', description: `→ ${tunnel.id} · ${tunnel.state}`, value: tunnel })),
  });
  return typeof picked === 'object' ? picked : undefined;
}
