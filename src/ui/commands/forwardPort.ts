import * as vscode from 'vscode';
import { ConfigError, ForwardError } from '../../core/errors';
import { findFreePort } from '../../core/forwarding/tcpForwarder';
import { TunnelInfo } from '../../core/forwarding/tunnelManager';
import { portProblem } from '../../core/links/names';
import { tunnelBindAddress } from '../hostSettings';
import { pickContainerPort } from '../pickers';
import { resolveContainerArgument } from './commandArguments';
import { CommandContext } from './commandContext';
import { reachableTunnelAddress } from '../tunnels/reachableAddress';

/**
 * Tunnels a container port (published or not) to this machine, on 127.0.0.1 unless
 * crosslink.tunnels.localAddress says otherwise. Args: `{ container: "host/name", port, localPort? }`
 * or a container node; returns `{ localPort }`.
 */
export async function forwardPort(context: CommandContext, argument?: unknown): Promise<{ localPort: number; localAddress: string; transport: string } | undefined> {
  const request = argument && typeof argument === 'object' && 'port' in argument ? (argument as { container?: unknown; port?: unknown; localPort?: unknown }) : undefined;
  const resolved = await resolveContainerArgument(context.model, request ? request.container : argument, 'Container whose port to forward');
  if (!resolved) {
    return undefined;
  }
  let port: number | undefined;
  let localPort: number | undefined;
  if (request) {
    port = numberArgument(request.port, 'port');
    localPort = request.localPort === undefined ? undefined : numberArgument(request.localPort, 'localPort');
  } else {
    port = await pickContainerPort(resolved, `Forward a port of ${resolved.container.name} to localhost`);
    if (port === undefined) {
      return undefined;
    }
    localPort = await askLocalPort(port);
    if (localPort === undefined) {
      return undefined;
    }
  }
  const open = (chosen: number | undefined) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Forwarding ${resolved.container.name}:${port}…` }, () =>
      context.tunnels.open({ host: resolved.hostName, container: resolved.container.name, port: port!, localPort: chosen, bindAddress: tunnelBindAddress() }),
    );
  let tunnel: TunnelInfo;
  try {
    tunnel = await open(localPort);
  } catch (error) {
    if (request || !ForwardError.is(error, 'portInUse') || localPort === undefined) {
      throw error;
    }
    const free = await findFreePort(localPort + 1, tunnelBindAddress());
    const choice = await vscode.window.showWarningMessage(`${error.message}`, { modal: true }, `Use Port ${free}`);
    if (!choice) {
      return undefined;
    }
    tunnel = await open(free);
  }
  if (!request) {
    const { address, listensOn } = await reachableTunnelAddress({ ...tunnel, localPort: tunnel.localPort!, localAddress: tunnel.localAddress! });
    const message = `${address} → ${tunnel.id} (${tunnel.transport}; listens on ${listensOn})`;
    void vscode.window.showInformationMessage(message, 'Open in Browser', 'Copy Address').then((choice) => {
      if (choice === 'Open in Browser') {
        void vscode.commands.executeCommand('crosslink.openTunnelInBrowser', { id: tunnel.id });
      } else if (choice === 'Copy Address') {
        void vscode.commands.executeCommand('crosslink.copyTunnelAddress', { id: tunnel.id });
      }
    });
  }
  return { localPort: tunnel.localPort!, localAddress: tunnel.localAddress!, transport: tunnel.transport };
}

/** The same port number when it is free here, else a free one; the user may change it. */
async function askLocalPort(port: number): Promise<number | undefined> {
  const suggested = await findFreePort(port, tunnelBindAddress());
  const value = await vscode.window.showInputBox({
    title: 'Local port',
    prompt: suggested === port ? `Port ${port} is free here` : `Port ${port} is taken here; ${suggested} is free`,
    value: String(suggested),
    ignoreFocusOut: true,
    validateInput: (text) => portProblem(Number(text.trim())),
  });
  return value === undefined ? undefined : Number(value.trim());
}

function numberArgument(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw new ConfigError('invalidOption', `"${name}" must be a number, got ${JSON.stringify(value)}.`);
  }
  const problem = portProblem(value);
  if (problem) {
    throw new ConfigError('invalidOption', `"${name}": ${problem}`);
  }
  return value;
}
