import { resolveTunnel } from './tunnelArgument';
import type { CommandContext } from './commandContext';
import * as vscode from 'vscode';

/** Closes a tunnel and its connections, and removes the helper it created (nothing else). Args: tunnel node or `{ id }`. */
export async function stopTunnel(context: CommandContext, argument?: unknown): Promise<{ stopped: string } | undefined> {
  const tunnel = await resolveTunnel(context, argument, 'Stop a Tunnel');
  if (!tunnel) {
    return undefined;
  }
  await context.tunnels.stop(tunnel.id);
  vscode.window.setStatusBarMessage(`Stopped the tunnel to ${tunnel.id}.`, 5000);
  return { stopped: tunnel.id };
}
