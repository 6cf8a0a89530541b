import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { reachableTunnelAddress } from '../tunnels/reachableAddress';
import { resolveTunnel } from './tunnelArgument';
import type { CommandContext } from './commandContext';

/**
 * Opens http://localhost:PORT of a tunnel (https for 443 and 8443), mapped by asExternalUri in a
 * remote window. Args: tunnel node or `{ id }`. Result: `{ url, listensOn }`.
 */
export async function openTunnelInBrowser(context: CommandContext, argument?: unknown): Promise<{ url: string; listensOn: string } | undefined> {
  const tunnel = await resolveTunnel(context, argument, 'Open a Tunnel in the Browser');
  if (!tunnel) {
    return undefined;
  }
  if (tunnel.localPort === undefined || tunnel.localAddress === undefined || tunnel.state === 'paused') {
    throw new ConfigError('invalidOption', `Tunnel ${tunnel.id} is not listening; resume it first.`);
  }
  const { url, listensOn } = await reachableTunnelAddress({ ...tunnel, localPort: tunnel.localPort, localAddress: tunnel.localAddress });
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
  return { url, listensOn };
}
