import { portProblem } from '../../core/links/names';
import { formatContainerRef } from '../../core/values/containerRef';
import { type Prompter, keep, runSteps } from '../prompter';
import { type PortCandidate, type ResolvedContainer, pickPort } from '../prompts';

export interface ForwardRequest {
  container: string;
  port: number;
  localPort?: number;
}

/**
 * Port of the container (offered: exposed, published, listening; any other typed right there) →
 * local port (the same number when free here, else a free one). Back goes from the local port to
 * the container port, keeping both answers.
 */
export async function promptForward(
  ui: Prompter,
  target: ResolvedContainer,
  candidates: PortCandidate[],
  suggestLocalPort: (port: number) => Promise<number>,
): Promise<ForwardRequest | undefined> {
  const state: { port?: number; localPort?: number } = {};
  const done = await runSteps([
    async (position) =>
      keep(await pickPort(ui, candidates, { ...position, title: `Forward a port of ${target.container.name} to localhost`, active: state.port }), (port) => (state.port = port)),
    async (position) => {
      const port = state.port ?? 0;
      const suggested = await suggestLocalPort(port);
      const answer = await ui.inputText({
        ...position,
        title: 'Local port',
        prompt: suggested === port ? `Port ${port} is free here` : `Port ${port} is taken here; ${suggested} is free`,
        value: String(state.localPort ?? suggested),
        validate: (text) => (/^\d+$/.test(text.trim()) ? portProblem(Number(text.trim())) : 'Type a port number (1-65535).'),
      });
      return keep(answer, (text) => (state.localPort = Number(text.trim())));
    },
  ]);
  return done && state.port !== undefined ? { container: formatContainerRef(target.hostName, target.container.name), port: state.port, localPort: state.localPort } : undefined;
}
