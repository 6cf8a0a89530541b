import * as path from 'node:path';
import { type HostSettingEntry, type TlsFiles, hostNameProblem, hostUrlProblem, parseHostUrl } from '../../core/hosts/hostSpec';
import { type Prompter, keep, runSteps } from '../prompter';

const title = 'Add Docker Host';

/**
 * Name → URL → SSH key or TLS files, with Back; answers are kept when going back.
 * `previous` is what the user entered before choosing Edit after a failed connection check.
 */
export async function promptForHostEntry(ui: Prompter, taken: ReadonlySet<string>, previous?: HostSettingEntry): Promise<HostSettingEntry | undefined> {
  const state: { name?: string; url?: string; credentials?: { identityFile?: string; tls?: TlsFiles } } = { name: previous?.name, url: previous?.url };
  const done = await runSteps([
    async (position) =>
      keep(
        await ui.inputText({
          ...position,
          title,
          prompt: 'A short name, used in the tree and in "host/container" references',
          placeholder: 'staging',
          value: state.name,
          validate: (value) => hostNameProblem(value.trim()) ?? (taken.has(value.trim()) ? `"${value.trim()}" is already a host name.` : undefined),
        }),
        (name) => (state.name = name.trim()),
      ),
    async (position) =>
      keep(
        await ui.inputText({
          ...position,
          title: `${title}: how to reach ${state.name}`,
          prompt: 'unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host[:port]',
          placeholder: 'ssh://user@build-box',
          value: state.url,
          validate: (value) => hostUrlProblem(value.trim()),
        }),
        (url) => (state.url = url.trim()),
      ),
    async (position) => {
      const endpoint = parseHostUrl(state.url ?? '');
      if (endpoint.kind === 'ssh') {
        return keep(await pickIdentityFile(ui, state.name ?? '', position), (identityFile) => (state.credentials = { identityFile: identityFile ?? undefined }));
      }
      if (endpoint.kind === 'tcp') {
        return keep(await pickTlsFiles(ui, state.name ?? '', endpoint.port, position), (tls) => (state.credentials = { tls: tls ?? undefined }));
      }
      state.credentials = {};
      return 'skip';
    },
  ]);
  if (!done || !state.name || !state.url) {
    return undefined;
  }
  const entry: HostSettingEntry = { name: state.name, url: state.url };
  if (state.credentials?.identityFile) {
    entry.identityFile = state.credentials.identityFile;
  }
  if (state.credentials?.tls) {
    entry.tls = state.credentials.tls;
  }
  return entry;
}

/** null: use ssh-agent and ~/.ssh/config; a path: that key; undefined/back: Escape/Back (also when the dialog is cancelled). */
async function pickIdentityFile(ui: Prompter, hostName: string, position: { step: number; totalSteps: number }) {
  const choice = await ui.pickOne({
    ...position,
    title: `${title}: SSH key for ${hostName}`,
    items: [
      { label: 'Use ssh-agent and ~/.ssh/config', description: 'like the ssh command', value: 'agent' as const },
      { label: 'Choose a private key file…', value: 'file' as const },
    ],
  });
  if (choice !== 'file') {
    return choice === 'agent' ? null : choice;
  }
  return ui.pickPath({ title: 'SSH private key', folders: false, openLabel: 'Use Key' });
}

/** null: plain TCP. Docker keeps ca.pem, cert.pem and key.pem in one folder. */
async function pickTlsFiles(ui: Prompter, hostName: string, port: number, position: { step: number; totalSteps: number }) {
  const items = [
    { label: 'TLS with client certificates…', description: 'a folder with ca.pem, cert.pem, key.pem', value: 'tls' as const },
    { label: 'No TLS', description: 'only on a trusted network', value: 'plain' as const },
  ];
  const choice = await ui.pickOne({ ...position, title: `${title}: TLS for ${hostName}`, items: port === 2375 ? items.reverse() : items });
  if (choice !== 'tls') {
    return choice === 'plain' ? null : choice;
  }
  const folder = await ui.pickPath({ title: 'Folder with ca.pem, cert.pem and key.pem', folders: true, openLabel: 'Use Certificates' });
  return folder === undefined ? undefined : { ca: path.join(folder, 'ca.pem'), cert: path.join(folder, 'cert.pem'), key: path.join(folder, 'key.pem') };
}

/**
 * After the entry: the connection check's problem (undefined when the engine answered). On a
 * problem the user edits the entry (the default, so Enter fixes the typo), saves anyway, or cancels.
 */
export async function promptUntilChecked(
  ui: Prompter,
  taken: ReadonlySet<string>,
  check: (entry: HostSettingEntry) => Promise<string | undefined>,
): Promise<{ entry: HostSettingEntry; connection: 'ok' | 'failed' } | undefined> {
  let previous: HostSettingEntry | undefined;
  for (;;) {
    const entry = await promptForHostEntry(ui, taken, previous);
    if (!entry) {
      return undefined;
    }
    const problem = await ui.withProgress(`Connecting to ${entry.name}…`, () => check(entry));
    if (!problem) {
      return { entry, connection: 'ok' };
    }
    const choice = await ui.confirm({
      message: `${entry.name} did not answer: ${problem}`,
      detail: 'Edit the entry, or save it as it is and fix the host later.',
      actions: ['Edit', 'Save Anyway'],
    });
    if (choice === 'Save Anyway') {
      return { entry, connection: 'failed' };
    }
    if (choice !== 'Edit') {
      return undefined;
    }
    previous = entry;
  }
}
