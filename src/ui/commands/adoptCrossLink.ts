import { formatTarget } from '../../core/values/labels';
import { ArgumentError, type Command } from './command';
import { type CrossLinkRequest, findCrossLink, parseCrossLink, promptCrossLink } from './crossLinkArgument';

const command = 'Adopt a Cross-Host Link';

/**
 * Takes a link this installation did not create (an older Crosslink's, unsealed, or a
 * teammate's) as its own: its ambassadors and the networks they created are recorded by id, so
 * Repair, Remove Link and the network keeper act on them from then on. Nothing changes on the
 * hosts. Args: link node or `{ client, alias }`. Returns the adopted objects.
 */
export const adoptCrossLinkCommand: Command<CrossLinkRequest, { adopted: string[] }> = {
  id: 'crosslink.adoptCrossLink',
  parse: (args) => {
    const { fields: _fields, ...request } = parseCrossLink(command, args);
    return request;
  },
  async prompt(ui, context, node) {
    const request = await promptCrossLink(ui, context, node, command);
    const link = request?.link;
    if (!link) {
      return undefined;
    }
    const choice = await ui.confirm({
      message: `Trust the link ${link.client.container} on ${link.client.host} → ${link.alias} (${formatTarget(link.target)}) as created by this Crosslink?`,
      detail:
        `Its ambassadors (${link.clientAmbassador.name} on ${link.clientAmbassador.host}, and the server-side one on ${link.target.host}) and the networks their labels say Crosslink created ` +
        `will then be repaired, removed and kept connected on their labels' word. Adopt only what you know was made by Crosslink.`,
      actions: ['Adopt'],
    });
    return choice ? request : undefined;
  },
  async run(context, request) {
    const link = await findCrossLink(context, command, request);
    if (link.origin === 'ours') {
      throw new ArgumentError(
        command,
        'client',
        'invalidValue',
        `names a link created here already: ${link.clientAmbassador.name} on ${link.clientAmbassador.host}; there is nothing to adopt.`,
      );
    }
    return { adopted: await context.crossLinks.adopt(link) };
  },
  report(ui, { adopted }) {
    void ui.notify('info', `Adopted ${adopted.join(', ')}.`);
  },
};
