import { portProblem } from '../../core/links/names';
import { keep, runSteps } from '../prompter';
import { type Command, Fields } from './command';
import { promptTunnel, tunnelById } from './tunnelArgument';

/** Moves a tunnel to another local port. Args: tunnel node, or `{ id, localPort }`. */
export const changeTunnelPortCommand: Command<{ id: string; localPort: number }, { localPort: number }> = {
  id: 'crosslink.changeTunnelPort',
  parse(args) {
    const fields = new Fields('Change Tunnel Port', args, '{ id: "host/container:port", localPort }');
    return { id: fields.string('id'), localPort: fields.port('localPort') };
  },
  async prompt(ui, context, node) {
    const tunnel = await promptTunnel(ui, context.tunnels, node, 'Change the Local Port of a Tunnel');
    if (!tunnel) {
      return undefined;
    }
    let localPort = tunnel.localPort ?? tunnel.port;
    const done = await runSteps([
      async () =>
        keep(
          await ui.inputText({
            title: `New local port for ${tunnel.id}`,
            value: String(localPort),
            validate: (text) => (/^\d+$/.test(text.trim()) ? portProblem(Number(text.trim())) : 'Type a port number (1-65535).'),
          }),
          (text) => (localPort = Number(text.trim())),
        ),
    ]);
    return done ? { id: tunnel.id, localPort } : undefined;
  },
  async run(context, { id, localPort }) {
    const moved = await context.tunnels.changeLocalPort(tunnelById(context.tunnels, 'Change Tunnel Port', id).id, localPort);
    return { localPort: moved.localPort! };
  },
};
