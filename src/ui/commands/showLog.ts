import type { Command } from './command';

/** Shows the Crosslink output channel. No arguments. */
export const showLogCommand: Command<Record<string, never>, void> = {
  id: 'crosslink.showLog',
  parse: () => ({}),
  prompt: async () => ({}),
  async run({ channel }) {
    channel.show(true);
  },
};
