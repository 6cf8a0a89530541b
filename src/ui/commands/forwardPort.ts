import * as vscode from 'vscode';
import { ForwardError } from '../../core/errors';
import { findFreePort } from '../../core/forwarding/tcpForwarder';
import { restrictedToUserSettings, tunnelBindAddress } from '../hostSettings';
import { restrictedModeMessage } from '../trustedSettings';
import { portCandidates } from '../prompts';
import { reachableTunnelAddress } from '../tunnels/reachableAddress';
import { type Command, Fields } from './command';
import { findContainerRef } from './commandArguments';
import { containerOf } from './containerRequest';
import { type ForwardRequest, promptForward } from './forwardPortPrompt';

/**
 * Tunnels a container port (published or not) to this machine, on 127.0.0.1 unless
 * crosslink.tunnels.localAddress says otherwise. Args: `{ container: "host/name", port, localPort? }`
 * or a container node; returns `{ localPort, localAddress, transport }`, and in Restricted Mode
 * `userSettingsOnly`: the listen address and ambassador image settings, taken from user settings only.
 */
export const forwardPortCommand: Command<ForwardRequest, { localPort: number; localAddress: string; transport: string; userSettingsOnly?: string[] }> = {
  id: 'crosslink.forwardPort',
  parse(args) {
    const fields = new Fields('Forward Port', args, '{ container: "host/name", port, localPort? }');
    return { container: fields.ref('container'), port: fields.port('port'), localPort: fields.port('localPort', 'optional') };
  },
  async prompt(ui, context, node) {
    const target = await containerOf(ui, context, node, 'Container whose port to forward');
    if (!target) {
      return undefined;
    }
    const candidates = await portCandidates(target, context.model.client(target.hostName), context.logger);
    return promptForward(ui, target, candidates, (port) => findFreePort(port, tunnelBindAddress()));
  },
  progressTitle: (request) => `Forwarding ${request.container}:${request.port}…`,
  async run(context, request) {
    const resolved = findContainerRef(context.model, request.container);
    const tunnel = await context.tunnels.open({
      host: resolved.hostName,
      container: resolved.container.name,
      port: request.port,
      localPort: request.localPort,
      bindAddress: tunnelBindAddress(),
    });
    return {
      localPort: tunnel.localPort!,
      localAddress: tunnel.localAddress!,
      transport: tunnel.transport,
      userSettingsOnly: restrictedToUserSettings('tunnels.localAddress', 'ambassadorImage'),
    };
  },
  async answer(ui, error, request) {
    if (!ForwardError.is(error, 'portInUse') || request.localPort === undefined) {
      return 'rethrow';
    }
    const free = await findFreePort(request.localPort + 1, tunnelBindAddress());
    const choice = await ui.confirm({ message: error.message, actions: [`Use Port ${free}`] });
    return choice ? { ...request, localPort: free } : undefined;
  },
  report(ui, result, request, context) {
    const id = `${request.container}:${request.port}`;
    const tunnel = context.tunnels.list().find((candidate) => candidate.id === id);
    // In a remote window the address the browser reaches is not this machine's 127.0.0.1.
    const reachable = tunnel ? reachableTunnelAddress({ ...tunnel, localPort: result.localPort, localAddress: result.localAddress }) : Promise.resolve(undefined);
    const restricted = result.userSettingsOnly ? `. ${restrictedModeMessage(result.userSettingsOnly)}` : '';
    void reachable
      .then((shown) =>
        ui.notify(
          'info',
          `${shown?.address ?? result.localAddress} → ${id} (${result.transport}${shown ? `; listens on ${shown.listensOn}` : ''})${restricted}`,
          'Open in Browser',
          'Copy Address',
        ),
      )
      .then((choice) => {
        if (choice === 'Open in Browser') {
          void vscode.commands.executeCommand('crosslink.openTunnelInBrowser', { id });
        } else if (choice === 'Copy Address') {
          void vscode.commands.executeCommand('crosslink.copyTunnelAddress', { id });
        }
      });
  },
};
