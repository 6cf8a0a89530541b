import type { TopologyFilter, TopologyGraph } from '../../core/topology/topology';
import { ArgumentError, type Command, Fields } from './command';
import type { CommandContext } from './commandContext';

const id = 'crosslink.showTopology';

/**
 * Opens the Topology view, optionally on one host or only the linked containers, and returns the
 * graph it draws: `{ nodes, edges }`, each edge with its kind, health and both "host/name" ends.
 */
export const showTopologyCommand: Command<TopologyFilter, TopologyGraph> = {
  id,
  parse(args) {
    const fields = new Fields(id, args, '{ host?: "name", linkedOnly?: true }');
    return { host: fields.string('host', 'optional'), linkedOnly: fields.flag('linkedOnly') };
  },
  // The whole picture first; the view's own filters narrow it.
  prompt: async () => ({}),
  async run(context, request) {
    checkHost(context, id, request.host);
    return context.topology.show(request);
  },
};

/** A host filter must name a configured host: the picture of an unknown one would only be empty. */
export function checkHost(context: CommandContext, command: string, host: string | undefined): void {
  if (host !== undefined && !context.model.spec(host)) {
    const known = context.model.hosts().map((entry) => `"${entry.spec.name}"`);
    throw new ArgumentError(command, 'host', 'invalidValue', `names no configured host: "${host}"${known.length > 0 ? ` (hosts: ${known.join(', ')})` : ''}.`);
  }
}
