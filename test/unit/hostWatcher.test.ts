import * as assert from 'node:assert/strict';
import { HostError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/like';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { HostWatcher } from '../../src/core/model/hostWatcher';
import { FakeDockerClient, container } from './fakes/fakeDockerClient';
import { waitFor } from '../support/waitFor';

/** Fails the next `failures` lists of named containers (the flush after events), as a blip on the wire would. */
class FlakyListClient extends FakeDockerClient {
  failures = 0;

  override async listContainers(ids?: readonly string[]) {
    if (ids && this.failures > 0) {
      this.failures--;
      this.listCalls.push(ids);
      throw new HostError(this.hostName, 'timeout', `${this.hostName}: no reply`);
    }
    return super.listContainers(ids);
  }
}

describe('HostWatcher (unit)', () => {
  const spec = parseHostEntry({ name: 'alpha', url: 'tcp://10.231.0.11:2375' });
  let watcher: HostWatcher | undefined;
  afterEach(() => watcher?.dispose());

  it('a failed flush schedules another, so the change shows without waiting for a later event', async () => {
    const client = new FlakyListClient('alpha');
    watcher = new HostWatcher(spec, client, () => undefined, silentLogger, { eventDebounceMs: 5, retryDelaysMs: [20, 40] });
    await watcher.start();
    assert.equal(watcher.snapshot.state, 'connected');
    client.failures = 2;
    client.upsert(container('a1', 'web'));
    await waitFor(() => watcher!.snapshot.containers.get('a1')?.name === 'web', 'the event applied');
    assert.equal(client.listCalls.filter((ids) => ids?.includes('a1')).length, 3, 'two failed flushes, then one that applied the event');
    assert.equal(watcher.snapshot.state, 'connected', 'a failed flush alone does not mark the host unreachable');
  });

  it('runs one flush at a time: events during a slow list call wait for it, so an older answer never lands last', async () => {
    let releaseList!: () => void;
    let slow = false;
    let concurrent = 0;
    let mostConcurrent = 0;
    class SlowListClient extends FakeDockerClient {
      override async listContainers(ids?: readonly string[]) {
        concurrent++;
        mostConcurrent = Math.max(mostConcurrent, concurrent);
        // Read the state when asked, answer later: what a slow engine does.
        const answer = await super.listContainers(ids);
        if (ids && slow) {
          await new Promise<void>((resolve) => (releaseList = resolve));
        }
        concurrent--;
        return answer;
      }
    }
    const client = new SlowListClient('alpha');
    watcher = new HostWatcher(spec, client, () => undefined, silentLogger, { eventDebounceMs: 5, retryDelaysMs: [20, 40] });
    await watcher.start();
    slow = true;
    client.upsert({ ...container('a1', 'web'), state: 'running' });
    await waitFor(() => client.listCalls.length === 2, 'the first flush asked');
    client.upsert({ ...container('a1', 'web'), state: 'exited' }, 'die');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(client.listCalls.length, 2, 'no second list call while the first is unanswered');
    slow = false;
    releaseList();
    await waitFor(() => client.listCalls.length === 3 && watcher!.snapshot.containers.get('a1')?.state === 'exited', 'the waiting event applied');
    assert.equal(mostConcurrent, 1);
  });

  it('reports its state as a union: connected has the engine, unreachable has the reason', async () => {
    const client = new FakeDockerClient('alpha');
    client.unreachable = new HostError('alpha', 'refused', 'alpha: refused');
    watcher = new HostWatcher(spec, client, () => undefined, silentLogger, { eventDebounceMs: 5, retryDelaysMs: [20, 40] });
    await watcher.start();
    const down = watcher.snapshot;
    assert.equal(down.state, 'unreachable');
    assert.equal(down.state === 'unreachable' && down.error.reason, 'refused');
    client.unreachable = undefined;
    await waitFor(() => watcher!.snapshot.state === 'connected', 'reconnected');
    const up = watcher.snapshot;
    assert.equal(up.state === 'connected' && up.engine.version, '20.10.24');
    assert.equal(up.error, undefined);
  });
});
