import { ForwardError } from '../../core/errors';
import type { TunnelInfo, TunnelManager } from '../../core/forwarding/tunnelManager';
import type { Prompter } from '../prompter';
import { type TreeNode, TunnelNode } from '../tree/treeNodes';
import { ArgumentError, Fields } from './command';

/** Requests that name one tunnel: `{ id: "host/container:port" }`. */
export function tunnelRequest(command: string, args: unknown): { id: string } {
  return { id: new Fields(command, args, '{ id: "host/container:port" }').string('id') };
}

export function tunnelById(tunnels: Pick<TunnelManager, 'get'>, command: string, id: string): TunnelInfo {
  const tunnel = tunnels.get(id);
  if (!tunnel) {
    throw new ArgumentError(command, 'id', 'invalidValue', `names no open tunnel: there is no tunnel ${id}.`);
  }
  return tunnel;
}

/** A tunnel that listens now, with the local address it listens on; a paused one is refused. */
export function listeningTunnel(tunnels: Pick<TunnelManager, 'get'>, command: string, id: string): TunnelInfo & { localPort: number; localAddress: string } {
  const tunnel = tunnelById(tunnels, command, id);
  const { localPort, localAddress } = tunnel;
  if (localPort === undefined || localAddress === undefined || tunnel.state === 'paused') {
    throw new ForwardError('notListening', `Tunnel ${tunnel.id} is not listening; resume it first.`);
  }
  return { ...tunnel, localPort, localAddress };
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

/** promptTunnel as a request. */
export async function promptTunnelRequest(
  ui: Prompter,
  tunnels: Pick<TunnelManager, 'get' | 'list'>,
  node: TreeNode | undefined,
  title: string,
): Promise<{ id: string } | undefined> {
  const tunnel = await promptTunnel(ui, tunnels, node, title);
  return tunnel && { id: tunnel.id };
}
