import * as vscode from 'vscode';
import { reachableTunnelAddress } from '../tunnels/reachableAddress';
import type { Command } from './command';
import { listeningTunnel, promptTunnelRequest, tunnelRequest } from './tunnelArgument';

/**
 * Opens http://localhost:PORT of a tunnel (https for 443 and 8443), mapped by asExternalUri in a
 * remote window. Args: tunnel node or `{ id }`. Result: `{ url, listensOn }`.
 */
export const openTunnelInBrowserCommand: Command<{ id: string }, { url: string; listensOn: string }> = {
  id: 'crosslink.openTunnelInBrowser',
  parse: (args) => tunnelRequest('Open Tunnel in Browser', args),
  prompt: (ui, context, node) => promptTunnelRequest(ui, context.tunnels, node, 'Open a Tunnel in the Browser'),
  async run({ tunnels }, { id }) {
    const { url, listensOn } = await reachableTunnelAddress(listeningTunnel(tunnels, 'Open Tunnel in Browser', id));
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
    return { url, listensOn };
  },
};
