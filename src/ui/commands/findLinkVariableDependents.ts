import { errorMessage } from '../../core/errors';
import type { LegacyLink, LinkVariableEvidence } from '../../core/links/linkVariables';
import { countOf } from '../../core/plural';
import { formatContainerRef } from '../../core/values/containerRef';
import type { Prompter } from '../prompter';
import { ContainerNode, HostNode } from '../tree/treeNodes';
import { ArgumentError, type Command, hostNameArgument, invoke } from './command';
import { operationsFor } from './commandArguments';
import type { CommandContext } from './commandContext';
import { migrateLegacyLinksCommand } from './migrateLegacyLinks';

const title = 'Containers That Depend on Link Variables';

export interface LinkVariableScan {
  host: string;
  containers: Array<{
    container: string;
    links: LegacyLink[];
    /** Its app may read link variables (they are in its environment, or its engine gives them at start). */
    linkVariables: boolean;
    evidence: LinkVariableEvidence;
    /** The link variables seen (names). */
    variables: string[];
  }>;
}

const evidenceLabel: Record<LinkVariableEvidence, string> = {
  config: 'link variables set in its config',
  process: 'link variables in its environment',
  engine: 'link variables given at start (engine before Docker 29)',
  none: 'no link variables',
};

/**
 * Lists the containers of a host that have legacy links, and whether their apps may read the
 * links' variables (which Docker 29 no longer sets). Args: a host node, "host" or `{ host }`.
 * Interactively the list is a quick pick: picking one starts Migrate Legacy Links on it.
 */
export const findLinkVariableDependentsCommand: Command<{ host: string }, LinkVariableScan> = {
  id: 'crosslink.findLinkVariableDependents',
  parse: (args) => ({ host: hostNameArgument(title, args) }),
  async prompt(ui, context, node) {
    if (node instanceof HostNode) {
      return { host: node.hostName };
    }
    const hosts = context.model.hosts().filter((host) => host.state === 'connected');
    if (hosts.length === 0) {
      void ui.notify('info', `${title}: no host is connected.`);
      return undefined;
    }
    if (hosts.length === 1) {
      return { host: hosts[0].spec.name };
    }
    const picked = await ui.pickOne({ title, placeholder: 'The host to look at', items: hosts.map((host) => ({ label: host.spec.name, value: host.spec.name })) });
    return typeof picked === 'string' ? { host: picked } : undefined;
  },
  progressTitle: ({ host }) => `Looking for legacy links on ${host}`,
  async run(context, { host }) {
    if (!context.model.host(host)) {
      throw new ArgumentError(title, 'host', 'invalidValue', `names no configured host; got "${host}".`);
    }
    const dependents = await operationsFor(context, host).linkVariableDependents();
    return {
      host,
      containers: dependents.map(({ container, links, use }) => ({
        container: formatContainerRef(host, container.name),
        links,
        linkVariables: use.present,
        evidence: use.evidence,
        variables: use.variables,
      })),
    };
  },
  report(ui, result, _request, context) {
    for (const entry of result.containers) {
      context.logger.info(
        `${title}: ${entry.container} links ${entry.links.map((link) => `${link.target} as ${link.alias}`).join(', ')}; ${evidenceLabel[entry.evidence]}${entry.variables.length > 0 ? ` (${entry.variables.join(', ')})` : ''}`,
      );
    }
    void pickToMigrate(ui, context, result).catch((error: unknown) => ui.notify('warning', errorMessage(error)));
  },
};

/** The scan as a quick pick, those whose apps may read link variables first; the one picked is migrated. */
export async function pickToMigrate(ui: Prompter, context: CommandContext, result: LinkVariableScan): Promise<void> {
  if (result.containers.length === 0) {
    void ui.notify('info', `No container on ${result.host} has legacy links.`);
    return;
  }
  const sorted = [...result.containers].sort((a, b) => Number(b.linkVariables) - Number(a.linkVariables));
  const picked = await ui.pickOne({
    title: `${title} on ${result.host}`,
    placeholder: `${countOf(result.containers.length, 'container')} with legacy links; pick one to move its links to a network`,
    items: sorted.map((entry) => ({
      label: `${entry.linkVariables ? '$(warning)' : '$(link)'} ${entry.container.split('/')[1]}`,
      description: evidenceLabel[entry.evidence],
      detail: entry.links.map((link) => (link.alias === link.target ? link.target : `${link.target} as ${link.alias}`)).join(', '),
      value: entry.container,
    })),
  });
  if (typeof picked !== 'string') {
    return;
  }
  const container = context.model.findContainer(result.host, picked.split('/')[1]);
  if (container) {
    await invoke(migrateLegacyLinksCommand, context, ui, [new ContainerNode(result.host, container.id)]);
  }
}
