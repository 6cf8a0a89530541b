import { withoutHostPrefix } from '../../core/hosts/translateError';
import type { Command } from './command';
import type { CommandContext } from './commandContext';

interface TunnelsPaused {
  paused: boolean;
  tunnels: number;
  /** Tunnels that could not resume (their port was taken meanwhile), told to the user. */
  failures: Array<{ id: string; error: Error }>;
}

/** Pause, Resume, and the status-bar toggle between them. No arguments. Result: `{ paused, tunnels }`. */
function tunnelsCommand(id: string, pause: (context: CommandContext) => boolean): Command<Record<string, never>, TunnelsPaused> {
  return {
    id,
    parse: () => ({}),
    prompt: async () => ({}),
    run: async (context) => setTunnelsPaused(context, pause(context)),
    report(ui, { failures }) {
      for (const { id: tunnel, error } of failures) {
        // The id starts with the host ("beta/web:80"); the error would name it again.
        void ui.notify('warning', `Tunnel ${tunnel} could not resume: ${withoutHostPrefix(tunnel.split('/')[0], error.message)}`);
      }
    },
    toResult: ({ paused, tunnels }) => ({ paused, tunnels }),
  };
}

/** The status-bar toggle: pauses every tunnel (listeners closed) or, when all are paused, resumes them. */
export const toggleTunnelsCommand = tunnelsCommand('crosslink.toggleTunnels', ({ tunnels }) => tunnels.list().some((tunnel) => tunnel.state !== 'paused'));
/** The tree's inline Pause and Resume (one icon each, shown by state). */
export const pauseTunnelsCommand = tunnelsCommand('crosslink.pauseTunnels', () => true);
export const resumeTunnelsCommand = tunnelsCommand('crosslink.resumeTunnels', () => false);

async function setTunnelsPaused(context: CommandContext, pause: boolean): Promise<TunnelsPaused> {
  const tunnels = context.tunnels.list();
  if (pause) {
    context.tunnels.pauseAll();
    return { paused: true, tunnels: tunnels.length, failures: [] };
  }
  return { paused: false, tunnels: tunnels.length, failures: await context.tunnels.resumeAll() };
}
