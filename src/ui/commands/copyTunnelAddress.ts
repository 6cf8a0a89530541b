import * as vscode from 'vscode';
import { resolveTunnel } from './tunnelArgument';
import type { CommandContext } from './commandContext';

export async function copyTunnelAddress(context: CommandContext, argument?: unknown): Promise<{ address: string } | undefined> {
  const tunnel = await resolveTunnel(context, argument, 'Copy a Tunnel Address');
  if (!tunnel?.localAddress) {
    return undefined;
  }
  await vscode.env.clipboard.writeText(tunnel.localAddress);
  vscode.window.setStatusBarMessage(`Copied ${tunnel.localAddress}`, 3000);
  return { address: tunnel.localAddress };
}
