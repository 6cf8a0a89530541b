import type { Command } from './command';
import { promptTunnelRequest, tunnelById, tunnelRequest } from './tunnelArgument';

/** Closes a tunnel and its connections, and removes the helper it created (nothing else). Args: tunnel node or `{ id }`. */
export const stopTunnelCommand: Command<{ id: string }, { stopped: string }> = {
  id: 'crosslink.stopTunnel',
  parse: (args) => tunnelRequest('Stop Tunnel', args),
  prompt: (ui, context, node) => promptTunnelRequest(ui, context.tunnels, node, 'Stop a Tunnel'),
  async run({ tunnels }, { id }) {
    const tunnel = tunnelById(tunnels, 'Stop Tunnel', id);
    await tunnels.stop(tunnel.id);
    return { stopped: tunnel.id };
  },
  report: (ui, { stopped }) => ui.status(`Stopped the tunnel to ${stopped}.`),
};
