import type { WritableLayerChoice } from '../../core/links/linkOperations';
import { UnsavedChangesError } from '../../core/planning/recreate';
import type { Prompter } from '../prompter';
import { Fields } from './command';

/** What the confirmations of recreating commands say about a container's own files (checked before anything changes). */
export const writableLayerNote = 'files it wrote outside volumes are listed before anything changes, so you can copy them';

/**
 * The choice a scripted call makes with `copyChanges: true` or `discardChanges: true`; without
 * either, a recreation that would lose files is refused (UnsavedChangesError names them).
 */
export function scriptedWritableLayer(args: unknown, command: string): WritableLayerChoice | undefined {
  return new Fields(command, args ?? {}, '{ …, copyChanges?, discardChanges? }').writableLayer();
}

/**
 * Runs a recreating operation. When it refuses because files outside volumes would be lost, the
 * user sees them and chooses: copy them into the new container (the default), go on without
 * them, or cancel (undefined, nothing changed).
 */
export async function withWritableLayerChoice<T>(ui: Prompter, run: (choice?: WritableLayerChoice) => Promise<T>): Promise<T | undefined> {
  try {
    return await run(undefined);
  } catch (error) {
    const choice = await askAboutChanges(ui, error);
    if (choice === 'rethrow') {
      throw error;
    }
    return choice ? run(choice) : undefined;
  }
}

/** The user's answer to an UnsavedChangesError; 'rethrow' for any other failure. */
export async function askAboutChanges(ui: Prompter, error: unknown): Promise<WritableLayerChoice | undefined | 'rethrow'> {
  if (!UnsavedChangesError.is(error)) {
    return 'rethrow';
  }
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
  const choice = await ui.confirm({ message: `${names} wrote files outside volumes; recreating without copying them loses them.`, detail, actions: [copy, without] });
  return choice === copy ? 'copy' : choice === without ? 'discard' : undefined;
}

/** At most 20 paths, then how many more, so the dialog stays readable. */
function firstOf(paths: string[]): string[] {
  return [...paths.slice(0, 20).map((path) => `  ${path}`), ...(paths.length > 20 ? [`  … and ${paths.length - 20} more`] : [])];
}
