import type { FilesystemChange } from '../types';

/**
 * Files the engine itself writes into every container's filesystem (or mounts over it): they are
 * made again for the new container, so they never count as the user's data.
 */
const engineManagedPaths = [
  '/etc/hosts',
  '/etc/hostname',
  '/etc/resolv.conf',
  '/etc/mtab',
  '/dev',
  '/proc',
  '/sys',
  '/run/.containerenv',
  '/run/secrets',
  '/.dockerenv',
  '/sbin/docker-init', // --init
];

/** What a container wrote into its own filesystem (not a volume, bind or tmpfs), which recreation would lose. */
export interface UnsavedChanges {
  /** Smallest set of added or modified paths whose copies carry every such change (a new directory is copied whole). */
  copy: string[];
  /** Image paths the container deleted: a new container has them again, and the archive API cannot delete. */
  deleted: string[];
  /** Every added or modified path, descendants of copied directories included: what a copy must make appear. */
  changed: string[];
}

/**
 * Where changes are not the container's own. `subtrees`: its mounts (volume, bind, tmpfs) and the
 * engine's files, with everything below them. `directories`: what the engine creates by itself for
 * a new container too (the working directory); only what is inside them counts. Directories that
 * lead to either (the engine makes mount points and the working directory) never count by themselves.
 */
export interface IgnoredPaths {
  subtrees: string[];
  directories: string[];
}

export function ignoredPaths(raw: Record<string, unknown>): IgnoredPaths {
  const mounts = (raw.Mounts as Array<{ Destination?: string }> | null | undefined) ?? [];
  const hostConfig = (raw.HostConfig ?? {}) as { Mounts?: Array<{ Target?: string }> | null; Tmpfs?: Record<string, string> | null; Binds?: string[] | null };
  const subtrees = [
    ...mounts.map((mount) => mount.Destination),
    ...(hostConfig.Mounts ?? []).map((mount) => mount.Target),
    ...Object.keys(hostConfig.Tmpfs ?? {}),
    ...(hostConfig.Binds ?? []).map((bind) => bind.split(':')[1]),
    ...engineManagedPaths,
  ];
  const workingDir = (raw.Config as { WorkingDir?: string } | undefined)?.WorkingDir;
  return { subtrees: absolutePaths(subtrees), directories: absolutePaths([workingDir]) };
}

function absolutePaths(paths: Array<string | undefined>): string[] {
  return [...new Set(paths.filter((path): path is string => typeof path === 'string' && path.startsWith('/') && path !== '/').map(withoutTrailingSlash))].sort();
}

/**
 * The container's own changes, from the engine's list. Left out: what `ignored` says, and a
 * modified directory with changed paths below it (it changed because of them; copying them is
 * enough, copying it would copy the image's files too).
 */
export function unsavedChanges(changes: readonly FilesystemChange[], ignored: IgnoredPaths): UnsavedChanges {
  // A layer can list hundreds of thousands of paths (a runtime npm install): look up ancestors in sets, never pairwise.
  const withDescendants = new Set(changes.flatMap((change) => ancestors(change.path)));
  const kept = changes.filter(
    (change) =>
      !ignored.subtrees.some((root) => isWithin(change.path, root) || isWithin(root, change.path)) &&
      !ignored.directories.some((directory) => isWithin(directory, change.path)) &&
      !(change.kind === 'modified' && withDescendants.has(change.path)),
  );
  const present = kept.filter((change) => change.kind !== 'deleted').map((change) => change.path);
  const added = new Set(kept.filter((change) => change.kind === 'added').map((change) => change.path));
  const deleted = new Set(kept.filter((change) => change.kind === 'deleted').map((change) => change.path));
  const underAny = (paths: Set<string>) => (path: string) => !ancestors(path).some((ancestor) => paths.has(ancestor));
  return {
    copy: [...new Set(present.filter(underAny(added)))].sort(),
    deleted: [...deleted].filter(underAny(deleted)).sort(),
    changed: [...new Set(present)].sort(),
  };
}

/** "/a/b/c" → ["/a/b", "/a"]. */
function ancestors(path: string): string[] {
  const result: string[] = [];
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
    result.push(path.slice(0, end));
  }
  return result;
}

/** True when `path` is `root` or below it. */
function isWithin(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The directory that holds `path` ("/" for a top-level entry), where an archive of it is extracted. */
export function parentDirectory(path: string): string {
  const parent = path.slice(0, path.lastIndexOf('/'));
  return parent === '' ? '/' : parent;
}
