import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { TunnelInfo } from '../../core/forwarding/tunnelManager';
import { TunnelNode } from '../tree/treeNodes';
import { CommandContext } from './commandContext';

/** A tunnel from a tree node, `{ id }` ("host/container:port"), or a quick pick of the open ones. */
export async function resolveTunnel(context: CommandContext, argument: unknown, title: string): Promise<TunnelInfo | undefined> {
  const id = argument instanceof TunnelNode ? argument.id : (argument as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string') {
    const tunnel = context.tunnels.get(id);
    if (!tunnel) {
      throw new ConfigError('invalidOption', `There is no tunnel ${id}.`);
    }
    return tunnel;
  }
  const picked = await vscode.window.showQuickPick(
    context.tunnels.list().map((tunnel) => ({ label: tunnel.localAddress ?? '(not listening)', description: `→ ${tunnel.id} · ${tunnel.state}`, tunnel })),
    { title, placeHolder: 'Tunnel' },
  );
  return picked?.tunnel;
}
