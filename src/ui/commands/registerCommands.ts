import * as vscode from 'vscode';
import { CrosslinkError, errorMessage } from '../../core/errors';
import { addHostCommand } from './addHost';
import { adoptCrossLinkCommand } from './adoptCrossLink';
import { type AnyCommand, invoke, isScriptedArgument } from './command';
import type { CommandContext } from './commandContext';
import { connectNetworkCommand } from './connectNetwork';
import { containerLifecycleCommands, openShellCommand, showLogsCommand, terminalOutputCommand } from './containerActions';
import { editHostCommand, removeHostCommand, showEngineInfoCommand } from './hostActions';
import { copyDockerCommandsCommand } from './copyDockerCommands';
import { copyReferenceCommand } from './copyReference';
import { inspectContainerCommand, registerInspectProvider } from './inspectContainer';
import { changeTunnelPortCommand } from './changeTunnelPort';
import { copyTunnelAddressCommand } from './copyTunnelAddress';
import { forwardPortCommand } from './forwardPort';
import { linkAcrossHostsCommand } from './linkAcrossHosts';
import { openTunnelInBrowserCommand } from './openTunnelInBrowser';
import { stopTunnelCommand } from './stopTunnel';
import { pauseTunnelsCommand, resumeTunnelsCommand, toggleTunnelsCommand } from './toggleTunnels';
import { useLocalEngineCommand } from './useLocalEngine';
import { linkContainersCommand } from './linkContainers';
import { findLinkVariableDependentsCommand } from './findLinkVariableDependents';
import { migrateLegacyLinksCommand } from './migrateLegacyLinks';
import { removeCrossLinkCommand } from './removeCrossLink';
import { switchCrossLinkCommand } from './switchCrossLink';
import { repairCrossLinkCommand } from './repairCrossLink';
import { recoverChangeCommand } from './recoverChange';
import { refreshCommand } from './refresh';
import { retryHostCommand } from './retryHost';
import { shareVolumeCommand } from './shareVolume';
import { showLogCommand } from './showLog';
import { showTopologyCommand } from './showTopology';
import { exportTopologyCommand } from './exportTopology';
import { verifyLinkCommand } from './verifyLink';
import type { Prompter } from '../prompter';
import { createVscodePrompter } from '../vscodePrompter';

/** Every command this extension registers, in the parse / prompt / run shape (command.ts). */
export const commands: AnyCommand[] = [
  refreshCommand,
  copyReferenceCommand,
  showLogCommand,
  verifyLinkCommand,
  copyDockerCommandsCommand,
  toggleTunnelsCommand,
  pauseTunnelsCommand,
  resumeTunnelsCommand,
  useLocalEngineCommand,
  stopTunnelCommand,
  openTunnelInBrowserCommand,
  copyTunnelAddressCommand,
  ...containerLifecycleCommands,
  showLogsCommand,
  openShellCommand,
  terminalOutputCommand,
  editHostCommand,
  removeHostCommand,
  showEngineInfoCommand,
  addHostCommand,
  retryHostCommand,
  forwardPortCommand,
  inspectContainerCommand,
  linkAcrossHostsCommand,
  changeTunnelPortCommand,
  repairCrossLinkCommand,
  removeCrossLinkCommand,
  switchCrossLinkCommand,
  adoptCrossLinkCommand,
  connectNetworkCommand,
  shareVolumeCommand,
  recoverChangeCommand,
  linkContainersCommand,
  migrateLegacyLinksCommand,
  findLinkVariableDependentsCommand,
  showTopologyCommand,
  exportTopologyCommand,
];

/** Every command id this extension registers. */
export const registeredIds: readonly string[] = commands.map((command) => command.id);

export function registerCommands(services: Omit<CommandContext, 'ui'>, ui: Prompter = createVscodePrompter()): vscode.Disposable[] {
  const context: CommandContext = { ...services, ui };
  return [
    registerInspectProvider(),
    ...commands.map((command) =>
      vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
        const id = command.id;
        try {
          await context.connect();
          return await invoke(command, context, ui, args);
        } catch (error) {
          context.logger.error(`${id} failed: ${errorMessage(error)}`);
          if (error instanceof CrosslinkError) {
            void vscode.window.showErrorMessage(error.message);
          } else {
            void vscode.window.showErrorMessage(`Crosslink: ${errorMessage(error)}`, 'Show Log').then((choice) => choice && context.channel.show());
          }
          // Scripted callers (executeCommand with arguments) get the error; menu and palette users got the message.
          if (isScriptedArgument(args[0])) {
            throw error;
          }
          return undefined;
        }
      }),
    ),
  ];
}
