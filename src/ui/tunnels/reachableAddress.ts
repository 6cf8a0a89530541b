import * as vscode from 'vscode';
import type { TunnelInfo } from '../../core/forwarding/tunnelManager';
import { localTunnelUrl, shownTunnelAddress, type TunnelMachine, tunnelMachine } from './tunnelAddress';

const extensionId = 'crosslink.crosslink';

/** Where this window's tunnels listen (see tunnelAddress.ts). */
export function currentTunnelMachine(): TunnelMachine {
  return tunnelMachine({
    remoteName: vscode.env.remoteName,
    web: vscode.env.uiKind === vscode.UIKind.Web,
    workspaceSide: vscode.extensions.getExtension(extensionId)?.extensionKind === vscode.ExtensionKind.Workspace,
  });
}

export interface ReachableAddress {
  /** What the browser opens. */
  url: string;
  /** What is shown and copied. */
  address: string;
  /** Which machine the tunnel listens on, for the UI. */
  listensOn: string;
}

/**
 * The address of a listening tunnel as the user's browser reaches it: every address Crosslink
 * shows, copies or opens goes through here, so a remote window never hands out the remote's localhost.
 */
export async function reachableTunnelAddress(tunnel: TunnelInfo & { localPort: number; localAddress: string }): Promise<ReachableAddress> {
  const machine = currentTunnelMachine();
  const local = localTunnelUrl(tunnel.port, tunnel.localPort);
  const external = machine.remote ? (await vscode.env.asExternalUri(vscode.Uri.parse(local))).toString(true) : undefined;
  return { url: external ?? local, address: shownTunnelAddress(tunnel.localAddress, external), listensOn: machine.label };
}
