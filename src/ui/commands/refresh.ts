import { restrictedToUserSettings } from '../hostSettings';
import { hostArgument } from './commandArguments';
import type { CommandContext } from './commandContext';

export interface RefreshResult {
  hosts: Array<{ name: string; state: string; error?: string; containers: string[] }>;
  /** In Restricted Mode: the settings choosing the hosts, taken from user settings only. */
  userSettingsOnly?: string[];
}

/**
 * Reconnects unreachable hosts and re-lists the others. Args: none, a host node, or `{ host }`.
 * Result: each host's state and containers (and `userSettingsOnly` in Restricted Mode).
 */
export async function refresh({ model }: CommandContext, argument?: unknown): Promise<RefreshResult> {
  await model.refresh(hostArgument(argument));
  return {
    hosts: model.hosts().map((host) => ({
      name: host.spec.name,
      state: host.state,
      error: host.error?.message,
      containers: [...host.containers.values()].map((container) => container.name),
    })),
    userSettingsOnly: restrictedToUserSettings('hosts', 'includeDockerContexts'),
  };
}
