import type { CommandContext } from './commandContext';

export async function showLog({ channel }: CommandContext): Promise<void> {
  channel.show(true);
}
