import * as assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/like';
import { newPlan } from '../../src/core/planning/plan';
import { PlanError, executePlan } from '../../src/core/planning/planExecutor';
import { FakeDockerClient } from './fakes/fakeDockerClient';

/** Records every call; `failOn` makes the named call throw once. */
function recordingClient(failOn?: string): { client: FakeDockerClient; calls: string[] } {
  const calls: string[] = [];
  const client = new FakeDockerClient('alpha');
  const record =
    (method: string, result: unknown = undefined) =>
    async (...args: unknown[]) => {
      calls.push(`${method} ${args.filter((arg) => typeof arg === 'string').join(' ')}`.trim());
      if (failOn === method) {
        failOn = undefined;
        throw new Error(`${method} failed`);
      }
      return result;
    };
  Object.assign(client, {
    renameContainer: record('rename'),
    stopContainer: record('stop'),
    startContainer: record('start'),
    createContainer: record('create', 'new-id'),
    removeContainer: record('remove'),
    connectNetwork: record('connect'),
    disconnectNetwork: record('disconnect'),
    createNetwork: record('createNetwork', 'net-id'),
    removeNetwork: record('removeNetwork'),
    inspectContainer: async () => ({ state: 'running', raw: {} }),
  });
  return { client, calls };
}

const plan = newPlan('alpha', [
  { kind: 'createNetwork', name: 'appnet', labels: {} },
  { kind: 'renameContainer', container: { id: 'old' }, from: 'web', to: 'web-parked' },
  { kind: 'removeContainer', container: { id: 'old' }, name: 'web-parked' },
  { kind: 'stopContainer', container: { id: 'old' }, name: 'web' },
  { kind: 'createContainer', ref: 'new', name: 'web', body: { Image: 'i' } },
  { kind: 'connectNetwork', network: 'appnet', container: { ref: 'new' }, name: 'web', endpoint: {} },
  { kind: 'startContainer', container: { ref: 'new' }, name: 'web' },
]);

describe('planExecutor (unit)', () => {
  it('runs the steps in order, removals last, resolving created containers', async () => {
    const { client, calls } = recordingClient();
    const result = await executePlan(plan, client, silentLogger);
    assert.deepEqual(result.created, { new: 'new-id' });
    assert.deepEqual(calls, ['createNetwork appnet', 'rename old web-parked', 'stop old', 'create web', 'connect appnet new-id', 'start new-id', 'remove old']);
  });

  it('undoes what it did in reverse when a step fails, and never reaches the removal', async () => {
    const { client, calls } = recordingClient('start');
    await assert.rejects(executePlan(plan, client, silentLogger), (error: unknown) => PlanError.is(error) && error.failedStep === 'start web' && /put back as it was/.test(error.message));
    assert.deepEqual(calls, [
      'createNetwork appnet',
      'rename old web-parked',
      'stop old',
      'create web',
      'connect appnet new-id',
      'start new-id',
      'disconnect appnet new-id',
      'remove new-id',
      'start old',
      'rename old web',
      'removeNetwork net-id',
    ]);
  });

  it('reports the undos that failed', async () => {
    const { client } = recordingClient('start');
    const failingRename = client.renameContainer;
    let renames = 0;
    client.renameContainer = async (...args) => {
      renames++;
      if (renames === 2) {
        throw new Error('name in use');
      }
      return failingRename(...args);
    };
    await assert.rejects(executePlan(plan, client, silentLogger), (error: unknown) => PlanError.is(error) && error.rollbackFailures.length === 1 && /rename web-parked back to web \(name in use\)/.test(error.message));
  });
});
