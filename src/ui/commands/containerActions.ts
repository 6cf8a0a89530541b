import * as vscode from 'vscode';
import { type LifecycleAction, applyContainerAction, openLogs, openShell, planContainerAction } from '../../core/containers/containerActions';
import type { DockerClient } from '../../core/hosts/dockerClient';
import { HostError } from '../../core/errors';
import type { ContainerDetails } from '../../core/types';
import { formatContainerRef } from '../../core/values/containerRef';
import { ContainerTerminal, showContainerTerminal, terminalTranscript } from '../containerTerminal';
import { ContainerNode } from '../tree/treeNodes';
import { resolveContainerArgument } from './commandArguments';
import type { CommandContext, CommandHandler } from './commandContext';

const verbs: Record<LifecycleAction, string> = { start: 'Starting', stop: 'Stopping', restart: 'Restarting', remove: 'Removing' };

/**
 * Start, Stop, Restart and Remove. Args: container node, "host/name" or `{ container: "host/name" }`.
 * Result: `{ container, state }`, or `{ removed }` for Remove. Remove asks first (menu and palette only)
 * and refuses Crosslink's own ambassadors; Stop and Remove end with a notification of what they did.
 */
export function containerLifecycle(action: LifecycleAction): CommandHandler {
  return async (context: CommandContext, argument?: unknown) => {
    const resolved = await currentContainer(context, argument, `Container to ${action}`);
    if (!resolved) {
      return undefined;
    }
    const { hostName, client, container } = resolved;
    const plan = planContainerAction(action, hostName, container, container);
    const interactive = argument === undefined || argument instanceof ContainerNode;
    if (plan.confirmation && interactive) {
      const { message, detail, button } = plan.confirmation;
      if ((await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) !== button) {
        return undefined;
      }
    }
    const state = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verbs[action]} ${plan.ref}…` }, () =>
      applyContainerAction(client, plan),
    );
    context.logger.info(plan.done);
    if (action === 'stop' || action === 'remove') {
      void vscode.window.showInformationMessage(plan.done);
    } else {
      vscode.window.setStatusBarMessage(plan.done, 5000);
    }
    return state === 'removed' ? { removed: plan.ref } : { container: plan.ref, state };
  };
}

/**
 * Streams a container's logs (the last 500 lines, then following while it runs) into a terminal;
 * closing the terminal ends the stream. Args as above. Result: `{ container, terminal }`.
 */
export async function showLogs(context: CommandContext, argument?: unknown): Promise<{ container: string; terminal: string } | undefined> {
  const resolved = await currentContainer(context, argument, 'Container whose logs to show');
  if (!resolved) {
    return undefined;
  }
  const { client, container, ref } = resolved;
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
}

/**
 * An interactive shell (bash, else sh) in a running container, through exec with a TTY; the
 * terminal's size follows the panel. Args as above. Result: `{ container, shell, terminal }`.
 */
export async function openShellCommand(context: CommandContext, argument?: unknown): Promise<{ container: string; shell: string; terminal: string } | undefined> {
  const resolved = await currentContainer(context, argument, 'Container to open a shell in');
  if (!resolved) {
    return undefined;
  }
  const { hostName, client, container, ref } = resolved;
  // Chosen before the terminal opens, so a stopped container is refused without an empty terminal.
  const { shell, session } = await openShell(client, hostName, container);
  const { terminal, pty } = showContainerTerminal(
    `Shell: ${ref}`,
    (name) => new ContainerTerminal(name, async () => session, { tty: true, endedMessage: `${shell} ended`, logger: context.logger }),
  );
  await opened(pty);
  return { container: ref, shell, terminal: terminal.name };
}

/** What a Crosslink terminal has shown so far (tests read it back). Args: `{ terminal }`. Not in the palette. */
export async function terminalOutput(_context: CommandContext, argument?: unknown): Promise<string | undefined> {
  const name = (argument as { terminal?: unknown } | undefined)?.terminal;
  return typeof name === 'string' ? terminalTranscript(name) : undefined;
}

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
async function currentContainer(
  context: CommandContext,
  argument: unknown,
  placeHolder: string,
): Promise<{ hostName: string; client: DockerClient; container: ContainerDetails; ref: string } | undefined> {
  const resolved = await resolveContainerArgument(context.model, argument, placeHolder);
  if (!resolved) {
    return undefined;
  }
  const { hostName } = resolved;
  const client = context.model.client(hostName);
  if (!client) {
    throw new HostError(hostName, 'closed', `${hostName} is no longer configured.`);
  }
  const container = await client.inspectContainer(resolved.container.id);
  return { hostName, client, container, ref: formatContainerRef(hostName, container.name) };
}
