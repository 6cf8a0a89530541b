import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { formatContainerRef, parseContainerRef } from '../../core/model/containerRef';
import { RecoveryError } from '../../core/planning/journal';
import { ResumeAction } from '../../core/planning/planExecutor';
import { recoverChange as recover } from '../../core/planning/recovery';
import { withStepProgress } from '../progress';
import { ContainerNode, InterruptedChangeNode } from '../tree/treeNodes';
import { CommandContext } from './commandContext';

interface RecoverChangeArgs {
  container?: string;
  action?: ResumeAction;
}

/**
 * Finishes or rolls back an interrupted change. Args: `{ container: "host/name", action?: "finish" | "rollBack" }`
 * (the container by its original name or its parked one); from the tree or a notification, the
 * action is asked for when missing, and removing a container nothing proves the change created
 * needs a confirmation that names it. A scripted "finish" consents to removing the parked
 * original it replaces; a scripted "rollBack" never removes an unproven container (it fails with
 * reason needsConfirmation). Returns `{ container, action, done }`, `done` one line per step.
 */
export async function recoverChange(context: CommandContext, argument?: unknown): Promise<{ container: string; action: ResumeAction; done: string[] } | undefined> {
  const interactive = argument === undefined || argument instanceof ContainerNode || argument instanceof InterruptedChangeNode;
  const args: RecoverChangeArgs = argument instanceof InterruptedChangeNode ? { container: argument.container, action: argument.action } : interactive ? {} : (argument as RecoverChangeArgs);
  const reference = args.container ?? (argument instanceof ContainerNode ? containerRefOf(context, argument) : await pickChange(context));
  if (!reference) {
    return undefined;
  }
  const { host, container } = parseContainerRef(reference);
  await context.interrupted.scan();
  const change = context.interrupted.forContainer(host, container);
  if (!change) {
    throw new RecoveryError('notFound', `There is no interrupted change of ${reference} (on a connected host). Refresh the Containers view if one is shown.`);
  }
  if (args.action !== undefined && args.action !== 'finish' && args.action !== 'rollBack') {
    throw new ConfigError('invalidOption', `"action" must be "finish" or "rollBack", not ${JSON.stringify(args.action)}.`);
  }
  const action = args.action ?? (interactive ? await pickAction(change.title) : undefined);
  if (!action) {
    if (!interactive) {
      throw new ConfigError('invalidOption', 'crosslink.recoverChange needs "action": "finish" or "rollBack" when scripted.');
    }
    return undefined;
  }
  const confirm = async (question: string) =>
    interactive ? (await vscode.window.showWarningMessage(question, { modal: true }, 'Remove')) === 'Remove' : action === 'finish';
  const done = await withStepProgress(`${action === 'finish' ? 'Finishing' : 'Rolling back'} the change to ${change.containers.join(', ')}`, (options) =>
    recover(change, action, { clientOf: (name) => context.model.client(name), journal: context.journal, logger: context.logger, confirm, execute: options }),
  );
  context.logger.info(`recovered (${action}) ${change.key}: ${done.join('; ')}`);
  await context.model.refresh(host);
  await context.interrupted.scan();
  return { container: change.containers[0], action, done };
}

function containerRefOf(context: CommandContext, node: ContainerNode): string {
  const name = context.model.host(node.hostName)?.containers.get(node.containerId)?.name;
  if (!name) {
    throw new ConfigError('invalidOption', `That container is no longer on ${node.hostName}. Refresh the Containers view.`);
  }
  return formatContainerRef(node.hostName, name);
}

async function pickChange(context: CommandContext): Promise<string | undefined> {
  await context.interrupted.scan();
  const changes = context.interrupted.list();
  if (changes.length === 0) {
    void vscode.window.showInformationMessage('No interrupted Crosslink change on the connected hosts.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    changes.map((change) => ({ label: change.containers.join(', '), description: change.title, reference: change.containers[0] })),
    { title: 'Recover an Interrupted Change' },
  );
  return picked?.reference;
}

async function pickAction(title: string): Promise<ResumeAction | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Finish', description: 'complete the change: the new container stays, the parked original is removed', action: 'finish' as const },
      { label: 'Roll Back', description: 'undo it: the original comes back under its name, as it was', action: 'rollBack' as const },
    ],
    { title: `Interrupted: ${title}` },
  );
  return picked?.action;
}
