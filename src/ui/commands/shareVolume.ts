import { isManaged } from '../../core/values/labels';
import type { WritableLayerChoice } from '../../core/links/linkOperations';
import { mountPathProblem, volumeNameProblem } from '../../core/links/names';
import { formatContainerRef } from '../../core/values/containerRef';
import { type Prompter, keep, runSteps } from '../prompter';
import { type ResolvedContainer, pickContainersOnOneHost, pickOrCreateName } from '../prompts';
import { type Command, Fields, executeOptions } from './command';
import { operationsFor } from './commandArguments';
import type { CommandContext } from './commandContext';
import { sameHost } from './connectNetwork';
import { startedOn } from './containerRequest';
import { askAboutChanges, writableLayerNote } from './writableLayerChoice';

const title = 'Share a Volume';

interface ShareVolumeRequest {
  containers: string[];
  volume: string;
  mountPath: string;
  readOnly: boolean;
  writableLayer?: WritableLayerChoice;
}

/**
 * Mounts one named volume into several containers; those without it are recreated with the mount
 * (settings and volumes kept, rolled back on failure). Args:
 * `{ containers: ["host/name", …], volume, mountPath, readOnly?, copyChanges?, discardChanges? }`.
 * Files written outside volumes are handled as in Link Containers.
 */
export const shareVolumeCommand: Command<ShareVolumeRequest, { volume: string; containers: string[] }> = {
  id: 'crosslink.shareVolume',
  parse(args) {
    const fields = new Fields(title, args, '{ containers: ["host/name", …], volume, mountPath, readOnly? }');
    const mountPath = fields.string('mountPath');
    const problem = mountPathProblem(mountPath);
    if (problem) {
      fields.fail('mountPath', 'invalidValue', problem);
    }
    return { containers: fields.refs('containers'), volume: fields.string('volume'), mountPath, readOnly: fields.flag('readOnly') ?? false, writableLayer: fields.writableLayer() };
  },
  prompt: (ui, context, node) => promptShareVolume(ui, context, startedOn(context, node)),
  progressTitle: (request) => `Sharing ${request.volume}`,
  async run(context, request, progress) {
    const containers = sameHost(context, request.containers, title);
    const hostName = containers[0].hostName;
    const names = containers.map((resolved) => resolved.container.name);
    await operationsFor(context, hostName).shareVolume(
      { containers: names, volume: request.volume, mountPath: request.mountPath, readOnly: request.readOnly, writableLayer: request.writableLayer },
      executeOptions(progress),
    );
    return { volume: request.volume, containers: names.map((name) => formatContainerRef(hostName, name)) };
  },
  async answer(ui, error, request) {
    const writableLayer = await askAboutChanges(ui, error);
    return writableLayer === 'rethrow' ? 'rethrow' : writableLayer && { ...request, writableLayer };
  },
};

/** Containers → volume (picked, typed or created) → mount path → access, then a confirmation of the recreation. */
export async function promptShareVolume(ui: Prompter, context: CommandContext, started?: ResolvedContainer): Promise<ShareVolumeRequest | undefined> {
  const state: { containers?: ResolvedContainer[]; volume?: string; mountPath?: string; readOnly?: boolean } = {};
  const done = await runSteps([
    async (position) =>
      keep(
        await pickContainersOnOneHost(ui, context.model, {
          ...position,
          title: `${title}: containers`,
          placeholder: 'Containers that will share the volume (all on one host)',
          started,
          picked: state.containers,
        }),
        (containers) => (state.containers = containers),
      ),
    async (position) => {
      const hostName = state.containers![0].hostName;
      const volumes = (await context.model.client(hostName)?.listVolumes()) ?? [];
      const answer = await pickOrCreateName(ui, {
        ...position,
        title: `${title}: volume on ${hostName}`,
        placeholder: 'A named volume, or type a new name',
        // Anonymous volumes (64 hex digits) belong to one container each; they are not offered for sharing.
        existing: volumes
          .filter((volume) => !/^[0-9a-f]{64}$/.test(volume.name))
          .map((volume) => ({ name: volume.name, description: isManaged(volume.labels) ? 'made by Crosslink' : volume.driver })),
        taken: new Set(volumes.map((volume) => volume.name)),
        createLabel: `Create a New Volume on ${hostName}…`,
        suggestedName: 'shared-data',
        nameProblem: volumeNameProblem,
        active: state.volume,
      });
      return keep(answer, (volume) => (state.volume = volume));
    },
    async (position) =>
      keep(
        await ui.inputText({
          ...position,
          title: `${title}: mount path`,
          prompt: `Where ${state.volume} appears inside the containers`,
          value: state.mountPath ?? '/shared',
          validate: (text) => mountPathProblem(text.trim()),
        }),
        (mountPath) => (state.mountPath = mountPath.trim()),
      ),
    async (position) =>
      keep(
        await ui.pickOne({
          ...position,
          title: `${title}: access`,
          active: state.readOnly,
          items: [
            { label: 'Read and write', value: false },
            { label: 'Read-only', description: 'the containers can read but not change the data', value: true },
          ],
        }),
        (readOnly) => (state.readOnly = readOnly),
      ),
  ]);
  if (!done) {
    return undefined;
  }
  const { containers, volume, mountPath, readOnly } = state as Required<typeof state>;
  const choice = await ui.confirm({
    message: `Mount ${volume} at ${mountPath} in ${containers.map((resolved) => resolved.container.name).join(', ')}?`,
    detail: `Containers without this mount are stopped, recreated with it and started again; their settings and volumes are kept, ${writableLayerNote.replace('it wrote', 'they wrote')}, and everything is restored if a step fails.`,
    actions: ['Recreate and Mount'],
  });
  return choice ? { containers: containers.map((resolved) => formatContainerRef(resolved.hostName, resolved.container.name)), volume, mountPath, readOnly } : undefined;
}
