import { ConfigError, errorMessage } from '../../core/errors';
import { type HostSettingEntry, parseHostEntry } from '../../core/hosts/hostSpec';
import { withoutHostPrefix } from '../../core/hosts/translateError';
import { configuredHostEntries, writeHostEntries } from '../hostSettings';
import { promptUntilChecked } from './addHostPrompt';
import { type Command, Fields } from './command';
import type { CommandContext } from './commandContext';

export interface AddHostResult {
  host: string;
  /** Whether the engine answered before the host was saved (always "unchecked" when scripted). */
  connection: 'ok' | 'failed' | 'unchecked';
}

/**
 * Adds an entry to `crosslink.hosts`. Scripted: `{ name, url, identityFile?, tls?, address? }`,
 * validated and saved without prompts. Interactive: name → URL → key or TLS files, then a
 * connection check before saving, so a typo is caught while the user still remembers it.
 */
export const addHostCommand: Command<{ entry: HostSettingEntry; connection: AddHostResult['connection'] }, AddHostResult> = {
  id: 'crosslink.addHost',
  parse(args) {
    const fields = new Fields('Add Docker Host', args, '{ name, url, identityFile?, tls?, address? }');
    fields.string('name');
    fields.string('url');
    fields.string('identityFile', 'optional');
    fields.string('address', 'optional');
    return { entry: args as HostSettingEntry, connection: 'unchecked' };
  },
  prompt(ui, context) {
    const taken = new Set([...configuredHostEntries().map((entry) => entry.name), ...context.model.hosts().map((host) => host.spec.name)]);
    return promptUntilChecked(ui, taken, async (entry) => {
      const problem = await checkConnection(context, validatedEntry(entry, configuredHostEntries()));
      return problem && withoutHostPrefix(entry.name, problem);
    });
  },
  async run(context, { entry, connection }) {
    const existing = configuredHostEntries();
    const saved = validatedEntry(entry, existing);
    await save(context, existing, saved);
    return { host: saved.name, connection };
  },
};

function validatedEntry(entry: HostSettingEntry, existing: HostSettingEntry[]): HostSettingEntry {
  const spec = parseHostEntry(entry);
  if (existing.some((other) => other.name === spec.name)) {
    throw new ConfigError('duplicateName', `A host named "${spec.name}" already exists; choose another name or edit crosslink.hosts.`);
  }
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as unknown as HostSettingEntry;
}

/**
 * While the setting is empty the view shows the local engine and contexts; keep the ones that
 * answer when the first explicit host is added, so they do not silently disappear.
 */
async function save(context: CommandContext, existing: HostSettingEntry[], entry: HostSettingEntry): Promise<void> {
  const kept =
    existing.length > 0
      ? existing
      : context.model
          .hosts()
          .filter((host) => host.state === 'connected' && host.spec.name !== entry.name)
          .map((host) => ({ name: host.spec.name, url: host.spec.url, ...(host.spec.endpoint.kind === 'tcp' && host.spec.endpoint.tls ? { tls: host.spec.endpoint.tls } : {}) }));
  await writeHostEntries([...kept, entry]);
  context.logger.info(`Added host ${entry.name} (${entry.url})`);
}

/** Undefined when the engine answered; else what went wrong. */
async function checkConnection(context: CommandContext, entry: HostSettingEntry): Promise<string | undefined> {
  let client;
  try {
    client = context.createClient(parseHostEntry(entry));
    await client.version();
    return undefined;
  } catch (error) {
    return errorMessage(error);
  } finally {
    client?.dispose();
  }
}
