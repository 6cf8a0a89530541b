import * as vscode from 'vscode';
import { reachableTunnelAddress } from '../tunnels/reachableAddress';
import type { Command } from './command';
import { listeningTunnel, promptTunnelRequest, tunnelRequest } from './tunnelArgument';

/**
 * Copies the address the user's browser reaches (in a remote window, through asExternalUri).
 * Args: tunnel node or `{ id }`. Result: `{ address, listensOn }`.
 */
export const copyTunnelAddressCommand: Command<{ id: string }, { address: string; listensOn: string }> = {
  id: 'crosslink.copyTunnelAddress',
  parse: (args) => tunnelRequest('Copy Tunnel Address', args),
  prompt: (ui, context, node) => promptTunnelRequest(ui, context.tunnels, node, 'Copy a Tunnel Address'),
  async run({ tunnels }, { id }) {
    const { address, listensOn } = await reachableTunnelAddress(listeningTunnel(tunnels, 'Copy Tunnel Address', id));
    await vscode.env.clipboard.writeText(address);
    return { address, listensOn };
  },
  report: (ui, { address }) => ui.status(`Copied ${address}`),
};
