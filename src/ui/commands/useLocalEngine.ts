import type { Command } from './command';

interface LocalEngine {
  host: string;
  state: string;
  /** Why it does not answer (for the message; scripted callers read `state`). */
  problem?: string;
}

/**
 * The welcome's "Use the Local Engine": connects to this machine's engine again now (after the user
 * started Docker, or joined the docker group) and, if it still does not answer, says why and what to
 * do. No arguments. Result: `{ host, state }` (state of the local engine; `missing` when crosslink.hosts replaces it).
 */
export const useLocalEngineCommand: Command<Record<string, never>, LocalEngine> = {
  id: 'crosslink.useLocalEngine',
  parse: () => ({}),
  prompt: async () => ({}),
  async run({ model }) {
    const local = model.hosts().find((host) => host.spec.source === 'default' || host.spec.source === 'environment');
    if (!local) {
      return { host: 'local', state: 'missing' };
    }
    await model.refresh(local.spec.name);
    const now = model.host(local.spec.name);
    const state = now?.state ?? 'unknown';
    return { host: local.spec.name, state, problem: state === 'connected' ? undefined : (now?.error?.message ?? `nothing answers at ${local.spec.url}`) };
  },
  report(ui, { state, problem }) {
    if (state === 'missing') {
      void ui.notify('info', 'crosslink.hosts lists your hosts, so the local engine is not shown; add it there (unix:///var/run/docker.sock) with Add Docker Host.');
    } else if (problem) {
      void ui.notify(
        'warning',
        `The local Docker engine does not answer: ${problem} Start Docker (Docker Desktop, or \`sudo systemctl start docker\`), make sure your user may use its socket (the docker group), or point DOCKER_HOST at it, then try again.`,
      );
    }
  },
  toResult: ({ host, state }) => ({ host, state }),
};
