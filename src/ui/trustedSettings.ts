/**
 * Settings that choose hosts, images, listen addresses or commands are restricted in Restricted
 * Mode (package.json `capabilities.untrustedWorkspaces.restrictedConfigurations`): a folder the user
 * has not trusted must not point Crosslink at its own hosts or make it run its own image. VS Code
 * 1.100 (code-server, test/suite/restricted) already leaves the folder's values out of
 * `getConfiguration()` and `inspect()` then; the readers still choose from `inspect()` here, so
 * the rule holds whatever a host application of the API does. No run-time `vscode` import: this is
 * tested in plain Node with a fake trust flag.
 */

/** The part of `WorkspaceConfiguration.inspect()` the choice needs. */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** Every setting listed in restrictedConfigurations (keys without the `crosslink.` prefix). */
export const restrictedSettings: readonly string[] = ['hosts', 'includeDockerContexts', 'ambassadorImage', 'tunnels.localAddress', 'ssh.client', 'ssh.configFile'];

/**
 * The value in effect: the usual precedence (folder > workspace > user > default) when trusted;
 * untrusted, a restricted setting's workspace and folder values are ignored, so the user's own
 * hosts still show and the folder's do not.
 */
export function effectiveSetting<T>(key: string, inspected: InspectedSetting<T> | undefined, trusted: boolean): T | undefined {
  if (!inspected) {
    return undefined;
  }
  if (trusted || !restrictedSettings.includes(key)) {
    return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue ?? inspected.defaultValue;
  }
  return inspected.globalValue ?? inspected.defaultValue;
}

/**
 * The restricted settings among `keys` (without the prefix) that are read from user settings only,
 * as `crosslink.*` names; undefined when the workspace is trusted or none of `keys` is restricted.
 * A command that uses them says so: VS Code may already hide the folder's values from `inspect()`,
 * so whether the folder sets them cannot always be seen, only that they would be ignored.
 */
export function userSettingsOnly(keys: readonly string[], trusted: boolean): string[] | undefined {
  const restricted = trusted ? [] : keys.filter((key) => restrictedSettings.includes(key));
  return restricted.length > 0 ? restricted.map((key) => `crosslink.${key}`) : undefined;
}

/** What the view and the commands say while `settings` (from userSettingsOnly) come from user settings only. */
export function restrictedModeMessage(settings: readonly string[]): string {
  return `Restricted Mode: ${settings.join(', ')} ${settings.length === 1 ? 'is' : 'are'} taken from your user settings only; trust this folder to use its own.`;
}
