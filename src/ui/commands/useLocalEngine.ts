import * as vscode from 'vscode';
import type { CommandContext } from './commandContext';

/**
 * The welcome's "Use the Local Engine": connects to this machine's engine again now (after the user
 * started Docker, or joined the docker group) and, if it still does not answer, says why and what to
 * do. Result: `{ host, state }` (state of the local engine; `missing` when crosslink.hosts replaces it).
 */
export async function useLocalEngine({ model }: CommandContext): Promise<{ host: string; state: string }> {
  const local = model.hosts().find((host) => host.spec.source === 'default' || host.spec.source === 'environment');
  if (!local) {
    void vscode.window.showInformationMessage('crosslink.hosts lists your hosts, so the local engine is not shown; add it there (unix:///var/run/docker.sock) with Add Docker Host.');
    return { host: 'local', state: 'missing' };
  }
  await model.refresh(local.spec.name);
  const now = model.host(local.spec.name);
  if (now?.state !== 'connected') {
    const reason = now?.error?.message ?? `nothing answers at ${local.spec.url}`;
    void vscode.window.showWarningMessage(
      `The local Docker engine does not answer: ${reason} Start Docker (Docker Desktop, or \`sudo systemctl start docker\`), make sure your user may use its socket (the docker group), or point DOCKER_HOST at it, then try again.`,
    );
  }
  return { host: local.spec.name, state: now?.state ?? 'unknown' };
}
