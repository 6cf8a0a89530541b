import * as assert from 'node:assert/strict';

/** A `docker inspect` document. */
export type Inspect = Record<string, any>;

const sortMounts = (mounts: Array<{ Destination: string; Mode?: string }>) =>
  [...mounts].sort((a, b) => a.Destination.localeCompare(b.Destination)).map(({ Mode: _mode, ...mount }) => mount);

/** HostConfig without `keys`; the engine lists legacy links in no fixed order (a map), so they are sorted. */
function without(document: Inspect, keys: string[]): Inspect {
  return Object.fromEntries(
    Object.entries(document)
      .filter(([key]) => !keys.includes(key))
      .map(([key, value]) => [key, key === 'Links' && Array.isArray(value) ? [...value].sort() : value]),
  );
}

/**
 * The same container as before in all the user chose: Config, HostConfig (but for what the change
 * adds), name, image, mounts and running state. `recreated`: a new container that carries `change`.
 * `addedEnv`: entries the change appends to Config.Env (everything else in Config stays equal).
 */
export function assertSameContainer(before: Inspect, after: Inspect, expectation: 'original' | 'recreated', changed: Array<'Links' | 'Mounts'>, addedEnv: string[] = []): void {
  assert.equal(after.Name, before.Name);
  assert.equal(after.Image, before.Image);
  assert.equal(after.State.Running, before.State.Running, 'running as before');
  assert.deepEqual(after.Config, { ...before.Config, ...(addedEnv.length > 0 ? { Env: [...before.Config.Env, ...addedEnv] } : {}) }, 'Config');
  if (expectation === 'original') {
    assert.equal(after.Id, before.Id, 'the original container');
    assert.deepEqual(without(after.HostConfig, []), without(before.HostConfig, []), 'HostConfig');
    assert.deepEqual(sortMounts(after.Mounts), sortMounts(before.Mounts), 'Mounts');
    return;
  }
  assert.notEqual(after.Id, before.Id, 'a new container');
  // Anonymous volumes become explicit mounts so their data follows (see links.test.ts).
  assert.deepEqual(without(after.HostConfig, [...changed, 'Mounts']), without(before.HostConfig, [...changed, 'Mounts']), 'HostConfig beyond the change');
  const kept = sortMounts(after.Mounts).filter((mount) => before.Mounts.some((old: { Destination: string }) => old.Destination === mount.Destination));
  assert.deepEqual(kept, sortMounts(before.Mounts), 'the mounts it had');
}
