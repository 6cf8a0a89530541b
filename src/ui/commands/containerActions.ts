import { type LifecycleAction, type ContainerActionPlan, applyContainerAction, openLogs, openShell, planContainerAction } from '../../core/containers/containerActions';
import type { DockerClient } from '../../core/hosts/dockerClient';
import { Fields, type Command } from './command';
import { HostError } from '../../core/errors';
import type { ContainerDetails, ContainerState } from '../../core/types';
import { formatContainerRef } from '../../core/values/containerRef';
import { ContainerTerminal, showContainerTerminal, terminalTranscript } from '../containerTerminal';
import { findContainerRef } from './commandArguments';
import type { CommandContext } from './commandContext';
import { containerOf, containerRequest, promptContainer } from './containerRequest';

const verbs: Record<LifecycleAction, string> = { start: 'Starting', stop: 'Stopping', restart: 'Restarting', remove: 'Removing' };
const titles: Record<LifecycleAction, string> = { start: 'Start Container', stop: 'Stop Container', restart: 'Restart Container', remove: 'Remove Container' };

type LifecycleResult = { container: string; state: ContainerState } | { removed: string };

/**
 * Start, Stop, Restart and Remove. Args: container node, "host/name" or `{ container: "host/name" }`.
 * Result: `{ container, state }`, or `{ removed }` for Remove. Remove asks first (menu and palette only)
 * and refuses Crosslink's own ambassadors; Stop and Remove end with a notification of what they did.
 */
export function containerLifecycleCommand(action: LifecycleAction): Command<{ container: string }, { plan: ContainerActionPlan; state: ContainerState | 'removed' }> {
  return {
    id: `crosslink.${action}Container`,
    parse: (args) => containerRequest(titles[action], args),
    async prompt(ui, context, node) {
      const picked = await containerOf(ui, context, node, `Container to ${action}`);
      if (!picked) {
        return undefined;
      }
      const request = { container: formatContainerRef(picked.hostName, picked.container.name) };
      if (action !== 'remove') {
        return request;
      }
      // What a removal loses depends on the container as it is now (running, its volumes).
      const { hostName, container } = await currentContainer(context, request.container);
      const confirmation = planContainerAction(action, hostName, container, container).confirmation;
      if (confirmation && (await ui.confirm({ message: confirmation.message, detail: confirmation.detail, actions: [confirmation.button] })) !== confirmation.button) {
        return undefined;
      }
      return request;
    },
    progressTitle: (request) => `${verbs[action]} ${request.container}…`,
    async run(context, request) {
      const { hostName, client, container } = await currentContainer(context, request.container);
      const plan = planContainerAction(action, hostName, container, container);
      const state = await applyContainerAction(client, plan);
      context.logger.info(plan.done);
      return { plan, state };
    },
    report(ui, { plan }) {
      if (action === 'stop' || action === 'remove') {
        void ui.notify('info', plan.done);
      } else {
        ui.status(plan.done);
      }
    },
    toResult: ({ plan, state }): LifecycleResult => (state === 'removed' ? { removed: plan.ref } : { container: plan.ref, state }),
  };
}

export const containerLifecycleCommands = (['start', 'stop', 'restart', 'remove'] as const).map(containerLifecycleCommand);

/**
 * Streams a container's logs (the last 500 lines, then following while it runs) into a terminal;
 * closing the terminal ends the stream. Args as above. Result: `{ container, terminal }`.
 */
export const showLogsCommand: Command<{ container: string }, { container: string; terminal: string }> = {
  id: 'crosslink.showLogs',
  parse: (args) => containerRequest('Show Logs', args),
  prompt: (ui, context, node) => promptContainer(ui, context, node, 'Container whose logs to show'),
  async run(context, request) {
    const { client, container, ref } = await currentContainer(context, request.container);
    const { terminal, pty } = showContainerTerminal(
      `Logs: ${ref}`,
      (name) =>
        new ContainerTerminal(
          name,
          async () => {
            const output = await openLogs(client, container);
            return { output, dispose: () => output.destroy() };
          },
          { tty: false, endedMessage: `end of the logs of ${ref}`, logger: context.logger },
        ),
    );
    await opened(pty);
    return { container: ref, terminal: terminal.name };
  },
};

/**
 * An interactive shell (bash, else sh) in a running container, through exec with a TTY; the
 * terminal's size follows the panel. Args as above. Result: `{ container, shell, terminal }`.
 */
export const openShellCommand: Command<{ container: string }, { container: string; shell: string; terminal: string }> = {
  id: 'crosslink.openShell',
  parse: (args) => containerRequest('Open Shell', args),
  prompt: (ui, context, node) => promptContainer(ui, context, node, 'Container to open a shell in'),
  async run(context, request) {
    const { hostName, client, container, ref } = await currentContainer(context, request.container);
    // Chosen before the terminal opens, so a stopped container is refused without an empty terminal.
    const { shell, session } = await openShell(client, hostName, container);
    const { terminal, pty } = showContainerTerminal(
      `Shell: ${ref}`,
      (name) => new ContainerTerminal(name, async () => session, { tty: true, endedMessage: `${shell} ended`, logger: context.logger }),
    );
    await opened(pty);
    return { container: ref, shell, terminal: terminal.name };
  },
};

/** What a Crosslink terminal has shown so far (tests read it back). Args: `{ terminal }`. Not in the palette: asks nothing. */
export const terminalOutputCommand: Command<{ terminal: string }, string | undefined> = {
  id: 'crosslink.terminalOutput',
  parse: (args) => ({ terminal: new Fields('Terminal Output', args, '{ terminal }').string('terminal') }),
  prompt: async () => undefined,
  run: async (_context, { terminal }) => terminalTranscript(terminal),
};

/**
 * Waits until the terminal's session started, so a script can type into it; its failure is the
 * command's. Bounded: VS Code opens a terminal only once it can show it, and the command must not hang.
 */
async function opened(pty: ContainerTerminal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([pty.ready, new Promise<void>((resolve) => (timer = setTimeout(resolve, 15_000)))]).finally(() => clearTimeout(timer));
}

/**
 * The container as the engine sees it now: the tree's copy may lag an event behind, and a start
 * planned on a stale "running" would do nothing.
 */
async function currentContainer(context: CommandContext, reference: string): Promise<{ hostName: string; client: DockerClient; container: ContainerDetails; ref: string }> {
  const { hostName, container: listed } = findContainerRef(context.model, reference);
  const client = context.model.client(hostName);
  if (!client) {
    throw new HostError(hostName, 'closed', `${hostName} is no longer configured.`);
  }
  const container = await client.inspectContainer(listed.id);
  return { hostName, client, container, ref: formatContainerRef(hostName, container.name) };
}
