import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { resolveTunnel } from './tunnelArgument';
import type { CommandContext } from './commandContext';

/** Opens http://localhost:PORT of a tunnel (https for 443 and 8443). Args: tunnel node or `{ id }`. */
export async function openTunnelInBrowser(context: CommandContext, argument?: unknown): Promise<{ url: string } | undefined> {
  const tunnel = await resolveTunnel(context, argument, 'Open a Tunnel in the Browser');
  if (!tunnel) {
    return undefined;
  }
  if (tunnel.localPort === undefined || tunnel.state === 'paused') {
    throw new ConfigError('invalidOption', `Tunnel ${tunnel.id} is not listening; resume it first.`);
  }
  const scheme = [443, 8443].includes(tunnel.port) ? 'https' : 'http';
  const url = `${scheme}://localhost:${tunnel.localPort}/`;
  await vscode.env.openExternal(vscode.Uri.parse(url));
  return { url };
}
