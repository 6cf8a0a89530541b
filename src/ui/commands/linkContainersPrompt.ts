import { defaultAlias } from '../../core/links/names';
import type { ContainerModel } from '../../core/model/containerModel';
import { formatContainerRef } from '../../core/values/containerRef';
import { type Prompter, keep, runSteps } from '../prompter';
import { type ResolvedContainer, inputAlias, pickContainer, recreatableContainer } from '../prompts';

const title = 'Link Containers';

/**
 * Client (unless started on it) → target on the same host's default bridge → alias, with Back.
 * With no target to pick, says why and offers the cross-host command or a network.
 */
export async function promptLink(
  ui: Prompter,
  model: Pick<ContainerModel, 'hosts'>,
  started: ResolvedContainer | undefined,
  runCommand: (id: string) => void,
): Promise<{ client: string; target: string; alias: string } | undefined> {
  const state: { client?: ResolvedContainer; target?: ResolvedContainer; alias?: string } = { client: started };
  const done = await runSteps([
    async (position) => {
      if (started) {
        return 'skip';
      }
      const answer = await pickContainer(ui, model, {
        ...position,
        title: `${title}: client`,
        placeholder: 'The container that will call the other one (it is recreated with the link)',
        active: state.client,
        ...recreatableContainer,
      });
      return keep(answer, (client) => (state.client = client));
    },
    async (position) => {
      const client = state.client!;
      const answer = await pickContainer(ui, model, {
        ...position,
        title: `${title}: target of ${client.container.name}`,
        placeholder: `The container ${client.container.name} will reach by name (containers on ${client.hostName}'s default bridge)`,
        hostName: client.hostName,
        active: state.target,
        unavailable: ({ container }) =>
          container.id === client.container.id ? 'itself' : container.networks.some((network) => network.name === 'bridge') ? undefined : 'not on the default bridge',
        empty: {
          message: `no other container on ${client.hostName}'s default bridge for ${client.container.name} to reach. To reach a container on another host, link across hosts.`,
          alternative: { label: 'Link Container Across Hosts…', run: () => runCommand('crosslink.linkAcrossHosts') },
        },
      });
      return keep(answer, (target) => (state.target = target));
    },
    async (position) => {
      const { client, target } = state as Required<typeof state>;
      const answer = await inputAlias(ui, {
        ...position,
        title: `${title}: alias`,
        prompt: `The name ${client.container.name} will use to reach ${target.container.name}`,
        value: state.alias ?? defaultAlias(target.container.name),
      });
      return keep(answer, (alias) => (state.alias = alias.trim()));
    },
  ]);
  if (!done) {
    return undefined;
  }
  const { client, target, alias } = state as Required<typeof state>;
  return { client: formatContainerRef(client.hostName, client.container.name), target: formatContainerRef(target.hostName, target.container.name), alias };
}
