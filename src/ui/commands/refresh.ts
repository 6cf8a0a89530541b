import { HostNode } from '../tree/treeNodes';
import { type Command, Fields } from './command';

export interface RefreshResult {
  hosts: Array<{ name: string; state: string; error?: string; containers: string[] }>;
}

/** Reconnects unreachable hosts and re-lists the others: one host (its node, "host" or `{ host }`) or all. */
export const refreshCommand: Command<{ host?: string }, RefreshResult> = {
  id: 'crosslink.refresh',
  parse: (args) => (typeof args === 'string' ? { host: args } : { host: new Fields('Refresh', args, '{ host? }').string('host', 'optional') }),
  prompt: async (_ui, _context, node) => ({ host: node instanceof HostNode ? node.hostName : undefined }),
  async run({ model }, { host }) {
    await model.refresh(host);
    return {
      hosts: model.hosts().map((snapshot) => ({
        name: snapshot.spec.name,
        state: snapshot.state,
        error: snapshot.error?.message,
        containers: [...snapshot.containers.values()].map((container) => container.name),
      })),
    };
  },
};
