import * as vscode from 'vscode';
import { CrosslinkError, errorMessage } from '../../core/errors';
import { addHostCommand } from './addHost';
import { adoptCrossLinkCommand } from './adoptCrossLink';
import { type AnyCommand, invoke, isScriptedArgument } from './command';
import type { CommandContext, CommandHandler } from './commandContext';
import { connectNetworkCommand } from './connectNetwork';
import { containerLifecycle, openShellCommand, showLogs, terminalOutput } from './containerActions';
import { editHost, removeHost, showEngineInfo } from './hostActions';
import { copyDockerCommands } from './copyDockerCommands';
import { copyReference } from './copyReference';
import { inspectContainerCommand, registerInspectProvider } from './inspectContainer';
import { changeTunnelPortCommand } from './changeTunnelPort';
import { copyTunnelAddress } from './copyTunnelAddress';
import { forwardPortCommand } from './forwardPort';
import { linkAcrossHostsCommand } from './linkAcrossHosts';
import { openTunnelInBrowser } from './openTunnelInBrowser';
import { stopTunnel } from './stopTunnel';
import { pauseTunnels, resumeTunnels, toggleTunnels } from './toggleTunnels';
import { useLocalEngine } from './useLocalEngine';
import { linkContainersCommand } from './linkContainers';
import { removeCrossLinkCommand } from './removeCrossLink';
import { switchCrossLinkCommand } from './switchCrossLink';
import { repairCrossLinkCommand } from './repairCrossLink';
import { recoverChangeCommand } from './recoverChange';
import { refresh } from './refresh';
import { retryHostCommand } from './retryHost';
import { shareVolumeCommand } from './shareVolume';
import { showLog } from './showLog';
import { verifyLink } from './verifyLink';
import type { Prompter } from '../prompter';
import { createVscodePrompter } from '../vscodePrompter';

/** Commands in the parse / prompt / run shape (command.ts). */
export const commands: AnyCommand[] = [
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
];

/** Handlers not yet in that shape: they tell scripted calls from interactive ones themselves. */
const handlers: Record<string, CommandHandler> = {
  'crosslink.refresh': refresh,
  'crosslink.copyReference': copyReference,
  'crosslink.showLog': showLog,
  'crosslink.verifyLink': verifyLink,
  'crosslink.copyDockerCommands': copyDockerCommands,
  'crosslink.toggleTunnels': toggleTunnels,
  'crosslink.pauseTunnels': pauseTunnels,
  'crosslink.resumeTunnels': resumeTunnels,
  'crosslink.useLocalEngine': useLocalEngine,
  'crosslink.stopTunnel': stopTunnel,
  'crosslink.openTunnelInBrowser': openTunnelInBrowser,
  'crosslink.copyTunnelAddress': copyTunnelAddress,
  'crosslink.startContainer': containerLifecycle('start'),
  'crosslink.stopContainer': containerLifecycle('stop'),
  'crosslink.restartContainer': containerLifecycle('restart'),
  'crosslink.removeContainer': containerLifecycle('remove'),
  'crosslink.showLogs': showLogs,
  'crosslink.openShell': openShellCommand,
  'crosslink.terminalOutput': terminalOutput,
  'crosslink.editHost': editHost,
  'crosslink.removeHost': removeHost,
  'crosslink.showEngineInfo': showEngineInfo,
};

/** Every command id this extension registers. */
export const registeredIds: readonly string[] = [...commands.map((command) => command.id), ...Object.keys(handlers)];

export function registerCommands(services: Omit<CommandContext, 'ui'>, ui: Prompter = createVscodePrompter()): vscode.Disposable[] {
  const context: CommandContext = { ...services, ui };
  const entries: Array<[string, (args: unknown[]) => Promise<unknown>]> = [
    ...commands.map((command): [string, (args: unknown[]) => Promise<unknown>] => [command.id, (args) => invoke(command, context, ui, args)]),
    ...Object.entries(handlers).map(([id, handler]): [string, (args: unknown[]) => Promise<unknown>] => [id, (args) => handler(context, ...args)]),
  ];
  return [registerInspectProvider(), ...entries.map(([id, handle]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await context.connect();
        return await handle(args);
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
  )];
}
