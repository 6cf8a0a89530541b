import * as vscode from 'vscode';
import { isManaged } from '../../core/links/labels';
import { mountPathProblem, volumeNameProblem } from '../../core/links/names';
import { formatContainerRef } from '../../core/model/containerRef';
import { pickOrCreateName } from '../pickers';
import { withStepProgress } from '../progress';
import { ContainerNode } from '../tree/treeNodes';
import { containersArgument, operationsFor } from './commandArguments';
import { CommandContext } from './commandContext';
import { scriptedWritableLayer, withWritableLayerChoice, writableLayerNote } from './writableLayerChoice';

interface ShareVolumeArgs {
  containers?: string[];
  volume?: string;
  mountPath?: string;
  readOnly?: boolean;
  copyChanges?: boolean;
  discardChanges?: boolean;
}

/**
 * Mounts one named volume into several containers; those without it are recreated with the mount
 * (settings and volumes kept, rolled back on failure). Args:
 * `{ containers: ["host/name", …], volume, mountPath, readOnly?, copyChanges?, discardChanges? }`;
 * what is missing is asked for. Files written outside volumes are handled as in Link Containers.
 */
export async function shareVolume(context: CommandContext, argument?: unknown): Promise<{ volume: string; containers: string[] } | undefined> {
  const args: ShareVolumeArgs = argument instanceof ContainerNode || argument === undefined ? {} : (argument as ShareVolumeArgs);
  const interactive = !args.containers || !args.volume || !args.mountPath;
  const writableLayer = scriptedWritableLayer(args, 'Share a Volume');
  const selection = await containersArgument(context, argument, args.containers, 'Share a Volume', {
    title: 'Share a Volume (1/4): containers',
    placeHolder: 'Containers that will share the volume (all on one host)',
  });
  if (!selection) {
    return undefined;
  }
  const { hostName, containers } = selection;
  const volume = args.volume ?? (await pickVolume(context, hostName));
  if (volume === undefined) {
    return undefined;
  }
  const mountPath =
    args.mountPath ??
    (await vscode.window.showInputBox({
      title: 'Share a Volume (3/4): mount path',
      prompt: `Where ${volume} appears inside the containers`,
      value: '/shared',
      ignoreFocusOut: true,
      validateInput: (value) => mountPathProblem(value.trim()),
    }))?.trim();
  if (mountPath === undefined) {
    return undefined;
  }
  const readOnly = args.readOnly ?? (interactive ? await pickReadOnly() : false);
  if (readOnly === undefined) {
    return undefined;
  }
  if (interactive) {
    const names = containers.map((resolved) => resolved.container.name).join(', ');
    const choice = await vscode.window.showWarningMessage(
      `Mount ${volume} at ${mountPath} in ${names}?`,
      {
        modal: true,
        detail: `Containers without this mount are stopped, recreated with it and started again; their settings and volumes are kept, ${writableLayerNote.replace('it wrote', 'they wrote')}, and everything is restored if a step fails.`,
      },
      'Recreate and Mount',
    );
    if (!choice) {
      return undefined;
    }
  }
  const operations = operationsFor(context, hostName);
  const run = (choice = writableLayer) =>
    withStepProgress(`Sharing ${volume}`, (options) =>
      operations.shareVolume({ containers: containers.map((resolved) => resolved.container.name), volume, mountPath, readOnly, writableLayer: choice }, options),
    );
  const plan = interactive ? await withWritableLayerChoice(context.ui, run) : await run();
  if (!plan) {
    return undefined;
  }
  return { volume, containers: containers.map((resolved) => formatContainerRef(hostName, resolved.container.name)) };
}

async function pickVolume(context: CommandContext, hostName: string): Promise<string | undefined> {
  const volumes = (await context.model.client(hostName)?.listVolumes()) ?? [];
  return pickOrCreateName({
    title: `Share a Volume (2/4): volume on ${hostName}`,
    // Anonymous volumes (64 hex digits) belong to one container each; they are not offered for sharing.
    existing: volumes
      .filter((volume) => !/^[0-9a-f]{64}$/.test(volume.name))
      .map((volume) => ({ name: volume.name, description: isManaged(volume.labels) ? 'made by Crosslink' : volume.driver })),
    taken: new Set(volumes.map((volume) => volume.name)),
    createLabel: `Create a New Volume on ${hostName}…`,
    suggestedName: 'shared-data',
    nameProblem: volumeNameProblem,
  });
}

async function pickReadOnly(): Promise<boolean | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Read and write', readOnly: false },
      { label: 'Read-only', description: 'the containers can read but not change the data', readOnly: true },
    ],
    { title: 'Share a Volume (4/4): access', ignoreFocusOut: true },
  );
  return picked?.readOnly;
}
