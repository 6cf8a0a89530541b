import { ConfigError } from '../../core/errors';
import { hostArgument } from './commandArguments';
import { CommandContext } from './commandContext';

/** Connects to one host again now instead of waiting for the next automatic attempt. Args: host node, name or `{ host }`. */
export async function retryHost({ model }: CommandContext, argument?: unknown): Promise<{ host: string; state: string }> {
  const hostName = hostArgument(argument);
  if (!hostName || !model.host(hostName)) {
    throw new ConfigError('invalidOption', `Retry needs a configured host; got "${hostName ?? ''}".`);
  }
  await model.refresh(hostName);
  return { host: hostName, state: model.host(hostName)?.state ?? 'unknown' };
}
