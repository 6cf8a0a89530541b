import { errorMessage } from '../../core/errors';
import { formatContainerRef, parseContainerRef } from '../../core/values/containerRef';
import { RecoveryError } from '../../core/planning/journal';
import type { ResumeAction } from '../../core/planning/planExecutor';
import { recoverChange as recover } from '../../core/planning/recovery';
import { type Prompter, keep, runSteps } from '../prompter';
import { ContainerNode, InterruptedChangeNode, type TreeNode } from '../tree/treeNodes';
import { type Command, Fields, executeOptions } from './command';
import type { CommandContext } from './commandContext';

interface RecoverRequest {
  container: string;
  action: ResumeAction;
  /**
   * Asked before removing a container nothing proves the change created. Interactive: a modal
   * naming it. Scripted: "finish" consents (it removes the parked original it replaces), "rollBack" never does.
   */
  confirmRemoval?: (question: string) => Promise<boolean>;
}

/**
 * Finishes or rolls back an interrupted change. Args: `{ container: "host/name", action: "finish" | "rollBack" }`
 * (the container by its original name or its parked one); from the tree or a notification, the
 * action is asked for when missing, and removing a container nothing proves the change created
 * needs a confirmation that names it. A scripted "finish" consents to removing the parked
 * original it replaces; a scripted "rollBack" never removes an unproven container (it fails with
 * reason needsConfirmation). Returns `{ container, action, done }`, `done` one line per step.
 */
export const recoverChangeCommand: Command<RecoverRequest, { container: string; action: ResumeAction; done: string[] }> = {
  id: 'crosslink.recoverChange',
  parse(args) {
    const fields = new Fields('Recover Interrupted Change', args, '{ container: "host/name", action: "finish" | "rollBack" }');
    const container = fields.ref('container');
    const action = fields.oneOf('action', ['finish', 'rollBack'] as const);
    return { container, action: action ?? fields.fail('action', 'missing', 'is required when scripted: "finish" or "rollBack".') };
  },
  prompt: (ui, context, node) => promptRecovery(ui, context, node),
  progressTitle: (request) => `${request.action === 'finish' ? 'Finishing' : 'Rolling back'} the change to ${request.container}`,
  async run(context, request, progress) {
    const { host, container } = parseContainerRef(request.container);
    await context.interrupted.scan();
    const change = context.interrupted.forContainer(host, container);
    if (!change) {
      throw new RecoveryError('notFound', `There is no interrupted change of ${request.container} (on a connected host). Refresh the Containers view if one is shown.`);
    }
    const confirm = request.confirmRemoval ?? (async () => request.action === 'finish');
    const done = await recover(change, request.action, {
      clientOf: (name) => context.model.client(name),
      journal: context.journal,
      logger: context.logger,
      confirm,
      execute: executeOptions(progress),
    });
    context.logger.info(`recovered (${request.action}) ${change.key}: ${done.join('; ')}`);
    if (request.action === 'finish' && change.entry) {
      await context.crossLinks
        .registerRecovered(change.entry)
        .catch((error: unknown) => context.logger.warn(`Could not record the finished change's ambassadors: ${errorMessage(error)}; adopt the link to manage it`));
    }
    await context.model.refresh(host);
    await context.interrupted.scan();
    return { container: change.containers[0], action: request.action, done };
  },
};

/** The change (from the node, else picked) → Finish or Roll Back (unless the node says) ; removals are confirmed by name while it runs. */
export async function promptRecovery(ui: Prompter, context: Pick<CommandContext, 'interrupted' | 'model'>, node?: TreeNode): Promise<RecoverRequest | undefined> {
  const state: { container?: string; title?: string; action?: ResumeAction } = {};
  if (node instanceof InterruptedChangeNode) {
    Object.assign(state, { container: node.container, title: node.title, action: node.action });
  } else if (node instanceof ContainerNode) {
    const name = context.model.host(node.hostName)?.containers.get(node.containerId)?.name;
    const change = name && context.interrupted.forContainer(node.hostName, name);
    if (name && change) {
      Object.assign(state, { container: formatContainerRef(node.hostName, name), title: change.title });
    }
  }
  const fromNode = state.container !== undefined;
  const done = await runSteps([
    async (position) => {
      if (fromNode) {
        return 'skip';
      }
      await context.interrupted.scan();
      const changes = context.interrupted.list();
      if (changes.length === 0) {
        void ui.notify('info', 'No interrupted Crosslink change on the connected hosts.');
        return 'cancel';
      }
      const answer = await ui.pickOne({
        ...position,
        title: 'Recover an Interrupted Change',
        active: state.container,
        items: changes.map((change) => ({ label: change.containers.join(', '), description: change.title, value: change.containers[0] })),
      });
      return keep(answer, (container) => Object.assign(state, { container, title: changes.find((change) => change.containers[0] === container)?.title }));
    },
    async (position) => {
      if (fromNode && node instanceof InterruptedChangeNode && node.action) {
        return 'skip';
      }
      const answer = await ui.pickOne({
        ...position,
        title: `Interrupted: ${state.title ?? state.container}`,
        active: state.action,
        items: [
          { label: 'Finish', description: 'complete the change: the new container stays, the parked original is removed', value: 'finish' as const },
          { label: 'Roll Back', description: 'undo it: the original comes back under its name, as it was', value: 'rollBack' as const },
        ],
      });
      return keep(answer, (action) => (state.action = action));
    },
  ]);
  if (!done || !state.container || !state.action) {
    return undefined;
  }
  return { container: state.container, action: state.action, confirmRemoval: async (question) => (await ui.confirm({ message: question, actions: ['Remove'] })) === 'Remove' };
}
