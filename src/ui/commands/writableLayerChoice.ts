import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { WritableLayerChoice } from '../../core/links/linkOperations';
import { UnsavedChangesError } from '../../core/planning/recreate';

/** What the confirmations of recreating commands say about a container's own files (checked before anything changes). */
export const writableLayerNote = 'files it wrote outside volumes are listed before anything changes, so you can copy them';

/**
 * The choice a scripted call makes with `copyChanges: true` or `discardChanges: true`; without
 * either, a recreation that would lose files is refused (UnsavedChangesError names them).
 */
export function scriptedWritableLayer(args: { copyChanges?: unknown; discardChanges?: unknown }, command: string): WritableLayerChoice | undefined {
  for (const key of ['copyChanges', 'discardChanges'] as const) {
    if (args[key] !== undefined && typeof args[key] !== 'boolean') {
      throw new ConfigError('invalidOption', `${command}: "${key}" must be true or false, not ${JSON.stringify(args[key])}.`);
    }
  }
  if (args.copyChanges && args.discardChanges) {
    throw new ConfigError('invalidOption', `${command}: pass either copyChanges or discardChanges, not both.`);
  }
  return args.copyChanges ? 'copy' : args.discardChanges ? 'discard' : undefined;
}

/**
 * Runs a recreating operation. When it refuses because files outside volumes would be lost, the
 * user sees them and chooses: copy them into the new container (the default), go on without
 * them, or cancel (undefined, nothing changed).
 */
export async function withWritableLayerChoice<T>(run: (choice?: WritableLayerChoice) => Promise<T>): Promise<T | undefined> {
  try {
    return await run(undefined);
  } catch (error) {
    if (!UnsavedChangesError.is(error)) {
      throw error;
    }
    const choice = await askAboutChanges(error);
    return choice ? run(choice) : undefined;
  }
}

async function askAboutChanges(error: UnsavedChangesError): Promise<WritableLayerChoice | undefined> {
  const copy = 'Copy Files and Continue';
  const without = 'Continue Without Them';
  const names = error.containers.map(({ name }) => name).join(', ');
  const detail = error.containers
    .map(({ name, paths, deleted }) => {
      const lines = [`${name}:`, ...firstOf(paths)];
      if (deleted.length > 0) {
        lines.push('Deleted from the image (they come back, copying cannot delete them again):', ...firstOf(deleted));
      }
      return lines.join('\n');
    })
    .join('\n\n');
  const choice = await vscode.window.showWarningMessage(
    `${names} wrote files outside volumes; recreating without copying them loses them.`,
    { modal: true, detail },
    copy,
    without,
  );
  return choice === copy ? 'copy' : choice === without ? 'discard' : undefined;
}

/** At most 20 paths, then how many more, so the dialog stays readable. */
function firstOf(paths: string[]): string[] {
  return [...paths.slice(0, 20).map((path) => `  ${path}`), ...(paths.length > 20 ? [`  … and ${paths.length - 20} more`] : [])];
}
