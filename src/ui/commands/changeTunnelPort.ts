import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { portProblem } from '../../core/links/names';
import { resolveTunnel } from './tunnelArgument';
import { CommandContext } from './commandContext';

/** Moves a tunnel to another local port. Args: tunnel node, or `{ id, localPort }`. */
export async function changeTunnelPort(context: CommandContext, argument?: unknown): Promise<{ localPort: number } | undefined> {
  const tunnel = await resolveTunnel(context, argument, 'Change the Local Port of a Tunnel');
  if (!tunnel) {
    return undefined;
  }
  const requested = (argument as { localPort?: unknown } | undefined)?.localPort;
  let localPort: number;
  if (typeof requested === 'number') {
    localPort = requested;
  } else {
    const value = await vscode.window.showInputBox({
      title: `New local port for ${tunnel.id}`,
      value: String(tunnel.localPort ?? tunnel.port),
      ignoreFocusOut: true,
      validateInput: (text) => portProblem(Number(text.trim())),
    });
    if (value === undefined) {
      return undefined;
    }
    localPort = Number(value.trim());
  }
  const problem = portProblem(localPort);
  if (problem) {
    throw new ConfigError('invalidOption', problem);
  }
  const moved = await context.tunnels.changeLocalPort(tunnel.id, localPort);
  return { localPort: moved.localPort! };
}
