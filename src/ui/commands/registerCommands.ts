import * as vscode from 'vscode';
import { CrosslinkError, errorMessage } from '../../core/errors';
import { AliasNode, ContainerNode, CrossLinkNode, HostNode, InterruptedChangeNode, LinkNode, TunnelNode } from '../tree/treeNodes';
import { addHost } from './addHost';
import { adoptCrossLink } from './adoptCrossLink';
import { CommandContext, CommandHandler } from './commandContext';
import { connectNetwork } from './connectNetwork';
import { containerLifecycle, openShellCommand, showLogs, terminalOutput } from './containerActions';
import { editHost, removeHost, showEngineInfo } from './hostActions';
import { copyDockerCommands } from './copyDockerCommands';
import { copyReference } from './copyReference';
import { inspectContainer } from './inspectContainer';
import { changeTunnelPort } from './changeTunnelPort';
import { copyTunnelAddress } from './copyTunnelAddress';
import { forwardPort } from './forwardPort';
import { linkAcrossHosts } from './linkAcrossHosts';
import { openTunnelInBrowser } from './openTunnelInBrowser';
import { stopTunnel } from './stopTunnel';
import { pauseTunnels, resumeTunnels, toggleTunnels } from './toggleTunnels';
import { useLocalEngine } from './useLocalEngine';
import { linkContainers } from './linkContainers';
import { removeCrossLink } from './removeCrossLink';
import { repairCrossLink } from './repairCrossLink';
import { recoverChange } from './recoverChange';
import { refresh } from './refresh';
import { retryHost } from './retryHost';
import { shareVolume } from './shareVolume';
import { showLog } from './showLog';
import { verifyLink } from './verifyLink';

const commands: Record<string, CommandHandler> = {
  'crosslink.refresh': refresh,
  'crosslink.addHost': addHost,
  'crosslink.retryHost': retryHost,
  'crosslink.copyReference': copyReference,
  'crosslink.inspectContainer': inspectContainer,
  'crosslink.showLog': showLog,
  'crosslink.linkContainers': linkContainers,
  'crosslink.connectNetwork': connectNetwork,
  'crosslink.shareVolume': shareVolume,
  'crosslink.verifyLink': verifyLink,
  'crosslink.copyDockerCommands': copyDockerCommands,
  'crosslink.linkAcrossHosts': linkAcrossHosts,
  'crosslink.repairCrossLink': repairCrossLink,
  'crosslink.removeCrossLink': removeCrossLink,
  'crosslink.adoptCrossLink': adoptCrossLink,
  'crosslink.forwardPort': forwardPort,
  'crosslink.toggleTunnels': toggleTunnels,
  'crosslink.pauseTunnels': pauseTunnels,
  'crosslink.resumeTunnels': resumeTunnels,
  'crosslink.useLocalEngine': useLocalEngine,
  'crosslink.stopTunnel': stopTunnel,
  'crosslink.openTunnelInBrowser': openTunnelInBrowser,
  'crosslink.copyTunnelAddress': copyTunnelAddress,
  'crosslink.changeTunnelPort': changeTunnelPort,
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
  'crosslink.recoverChange': recoverChange,
};

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  return Object.entries(commands).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await context.connect();
        return await handler(context, ...args);
      } catch (error) {
        context.logger.error(`${id} failed: ${errorMessage(error)}`);
        if (error instanceof CrosslinkError) {
          void vscode.window.showErrorMessage(error.message);
        } else {
          void vscode.window.showErrorMessage(`Crosslink: ${errorMessage(error)}`, 'Show Log').then((choice) => choice && context.channel.show());
        }
        // Scripted callers (executeCommand with arguments) get the error; menu and palette users got the message.
        if (isScripted(args)) {
          throw error;
        }
        return undefined;
      }
    }),
  );
}

function isScripted(args: unknown[]): boolean {
  const [first] = args;
  return first !== undefined && ![HostNode, ContainerNode, LinkNode, AliasNode, CrossLinkNode, TunnelNode, InterruptedChangeNode].some((nodeClass) => first instanceof nodeClass);
}
