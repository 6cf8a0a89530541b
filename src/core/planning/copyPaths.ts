import type { DockerClient } from '../hosts/dockerClient';
import { type IgnoredPaths, parentDirectory, unsavedChanges } from './writableLayer';

/**
 * Copies what the (stopped) original wrote into its own filesystem to the new container, which
 * is created but not started, then checks that every changed path arrived. The changes are read
 * again here rather than taken from the plan: the original may have written more between planning
 * and its stop. Owners, modes and links come along in the tar streams.
 */
export async function copyChangedPaths(client: DockerClient, fromId: string, toId: string, ignored: IgnoredPaths): Promise<void> {
  const source = unsavedChanges(await client.containerChanges(fromId), ignored);
  for (const path of source.copy) {
    const tar = await client.getArchive(fromId, path);
    try {
      await client.putArchive(toId, parentDirectory(path), tar);
    } finally {
      tar.destroy(); // frees the download when the upload failed
    }
  }
  const arrived = new Set((await client.containerChanges(toId)).filter((change) => change.kind !== 'deleted').map((change) => change.path));
  const missing = source.changed.filter((path) => !arrived.has(path));
  if (missing.length > 0) {
    throw new Error(`${missing.length} of the copied paths did not arrive in the new container: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  }
}
