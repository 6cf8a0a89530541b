/**
 * Settings that choose hosts, images, listen addresses or commands are restricted in Restricted
 * Mode (package.json `capabilities.untrustedWorkspaces.restrictedConfigurations`): a folder the user
 * has not trusted must not point Crosslink at its own hosts or make it run its own image. VS Code
 * does not drop such values by itself, so the readers take them from `inspect()` here. No run-time
 * `vscode` import: this is tested in plain Node with a fake trust flag.
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
