import * as vscode from 'vscode';
import { withoutHostPrefix } from '../../core/hosts/translateError';
import type { CommandContext } from './commandContext';

/** The status-bar toggle: pauses every tunnel (listeners closed) or, when all are paused, resumes them. */
export async function toggleTunnels(context: CommandContext): Promise<{ paused: boolean; tunnels: number }> {
  return setTunnelsPaused(context, context.tunnels.list().some((tunnel) => tunnel.state !== 'paused'));
}

/** The tree's inline Pause and Resume (one icon each, shown by state). Result as toggleTunnels. */
export const pauseTunnels = (context: CommandContext) => setTunnelsPaused(context, true);
export const resumeTunnels = (context: CommandContext) => setTunnelsPaused(context, false);

async function setTunnelsPaused(context: CommandContext, pause: boolean): Promise<{ paused: boolean; tunnels: number }> {
  const tunnels = context.tunnels.list();
  if (pause) {
    context.tunnels.pauseAll();
  } else {
    const failures = await context.tunnels.resumeAll();
    for (const { id, error } of failures) {
      // The id starts with the host ("beta/web:80"); the error would name it again.
      void vscode.window.showWarningMessage(`Tunnel ${id} could not resume: ${withoutHostPrefix(id.split('/')[0], error.message)}`);
    }
  }
  return { paused: pause, tunnels: tunnels.length };
}
