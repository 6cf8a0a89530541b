import { HostNode, type TreeNode } from '../tree/treeNodes';
import { ArgumentError, type Command, hostNameArgument } from './command';

/** Connects to one host again now instead of waiting for the next automatic attempt. Args: host node, name or `{ host }`. */
export const retryHostCommand: Command<{ host: string }, { host: string; state: string }> = {
  id: 'crosslink.retryHost',
  parse: (args) => ({ host: hostNameArgument('Retry', args) }),
  async prompt(ui, context, node?: TreeNode) {
    if (node instanceof HostNode) {
      return { host: node.hostName };
    }
    const picked = await ui.pickOne({
      title: 'Retry Host',
      placeholder: 'The host to connect to again',
      items: context.model.hosts().map((host) => ({ label: host.spec.name, description: host.state, value: host.spec.name })),
    });
    return typeof picked === 'string' ? { host: picked } : undefined;
  },
  async run({ model, forgetSshDeclines }, { host }) {
    if (!model.host(host)) {
      throw new ArgumentError('Retry', 'host', 'invalidValue', `names no configured host; got "${host}".`);
    }
    // A host key or passphrase declined earlier is not asked by automatic reconnects; this retry asks again.
    forgetSshDeclines(host);
    await model.refresh(host);
    return { host, state: model.host(host)?.state ?? 'unknown' };
  },
};
