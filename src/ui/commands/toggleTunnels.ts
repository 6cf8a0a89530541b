import * as vscode from 'vscode';
import { withoutHostPrefix } from '../../core/hosts/translateError';
import type { CommandContext } from './commandContext';

/** The status-bar toggle: pauses every tunnel (listeners closed) or, when all are paused, resumes them. */
export async function toggleTunnels(context: CommandContext): Promise<{ paused: boolean; tunnels: number }> {
  const tunnels = context.tunnels.list();
  const pause = tunnels.some((tunnel) => tunnel.state !== 'paused');
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
