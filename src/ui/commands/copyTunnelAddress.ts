import * as vscode from 'vscode';
import { reachableTunnelAddress } from '../tunnels/reachableAddress';
import { resolveTunnel } from './tunnelArgument';
import type { CommandContext } from './commandContext';

/** Copies the address the user's browser reaches (in a remote window, through asExternalUri). Result: `{ address, listensOn }`. */
export async function copyTunnelAddress(context: CommandContext, argument?: unknown): Promise<{ address: string; listensOn: string } | undefined> {
  const tunnel = await resolveTunnel(context, argument, 'Copy a Tunnel Address');
  if (!tunnel?.localAddress || tunnel.localPort === undefined) {
    return undefined;
  }
  const { address, listensOn } = await reachableTunnelAddress({ ...tunnel, localPort: tunnel.localPort, localAddress: tunnel.localAddress });
  await vscode.env.clipboard.writeText(address);
  vscode.window.setStatusBarMessage(`Copied ${address}`, 3000);
  return { address, listensOn };
}
