import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/like';
import { DockerodeClient, defaultDockerodeClientOptions } from '../../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../../src/core/hosts/hostSpec';
import { ContainerModel } from '../../../src/core/model/containerModel';
import { ContainersTreeProvider } from '../../../src/ui/tree/containersTree';
import { RefreshBatcher, TaskLimiter } from '../../../src/ui/tree/pacing';
import type { TreeNode } from '../../../src/ui/tree/treeNodes';
import { FakeDockerEngine } from '../../support/fakeDockerEngine';
import { waitFor } from '../../support/waitFor';

const quiet = { dispose: () => undefined };

/** The provider's other sources of refreshes, silent: only the model speaks in these tests. */
function treeOver(model: ContainerModel): ContainersTreeProvider {
  return new ContainersTreeProvider(
    model,
    { onDidChange: () => quiet, get: () => undefined } as never,
    { onDidChange: () => quiet, onDidChangeCounters: () => quiet, list: () => [], get: () => undefined } as never,
    { knownEngineId: () => 'engine', engineIdOf: async () => 'engine', isOurs: () => true } as never,
    { onDidChange: () => quiet, forContainer: () => undefined } as never,
  );
}

describe('20 hosts × 250 containers (unit, fake engines over HTTP)', function () {
  this.timeout(60_000);
  const hostCount = 20;
  let engines: FakeDockerEngine[] = [];
  let model: ContainerModel | undefined;
  let tree: ContainersTreeProvider | undefined;

  before(async () => {
    engines = await Promise.all(
      Array.from({ length: hostCount }, (_, index) =>
        FakeDockerEngine.start({ name: `h${index}`, containers: 250, ambassadors: 3, linkTargetHost: `h${(index + 1) % hostCount}` }),
      ),
    );
  });
  after(async () => {
    tree?.dispose();
    model?.dispose();
    await Promise.all(engines.map((engine) => engine.close()));
  });

  it('holds one event stream per host, and a burst of 250 changes across hosts redraws the tree a bounded number of times', async () => {
    model = new ContainerModel((spec) => new DockerodeClient(spec, silentLogger, defaultDockerodeClientOptions()), silentLogger);
    tree = treeOver(model);
    await model.setHosts(engines.map((engine) => parseHostEntry(engine.setting)));
    assert.deepEqual(
      model.hosts().map((host) => [host.state, host.containers.size]),
      engines.map(() => ['connected', 250]),
    );
    const hostNodes = await tree.getChildren();
    for (const node of hostNodes) {
      for (const row of await tree.getChildren(node)) {
        tree.getTreeItem(row); // draws every row, as the view does, which starts the rows' own inspect calls
      }
    }
    assert.deepEqual(
      engines.map((engine) => engine.snapshot().eventStreams),
      engines.map(() => ({ open: 1, peak: 1, total: 1 })),
      'exactly one event subscription per host, ever',
    );
    // Let the rows' inspect calls end, so the refreshes counted below are the burst's own.
    await waitFor(() => engines.every((engine) => engine.busy === 0), 'the rows inspected', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const refreshes: Array<TreeNode | TreeNode[] | undefined> = [];
    const listening = tree.onDidChangeTreeData((nodes) => refreshes.push(nodes));
    const lists = engines.map((engine) => engine.snapshot().calls['GET /containers/json'] ?? 0);
    // 250 state changes, 12 or 13 per host, past each host's ambassadors.
    const changes = engines.flatMap((engine, index) => engine.flip(index < 10 ? 13 : 12, 3).map((change) => ({ host: engine.options.name, ...change })));
    assert.equal(changes.length, 250);
    await waitFor(() => changes.every((change) => model!.host(change.host)?.containers.get(change.id)?.state === change.state), 'the burst in the model', 10_000);
    // The model shows an event's state at once; the hosts' redraws follow their list calls, later on a busy machine.
    const redrawnHosts = () => new Set(refreshes.flatMap((nodes) => (Array.isArray(nodes) ? nodes : [])));
    await waitFor(() => hostNodes.every((node) => redrawnHosts().has(node)), 'every host with a change to be redrawn', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // any refresh still to come
    listening.dispose();

    // One refresh per host would be 20; merged, a burst is one or two (three on a slow machine).
    assert.ok(refreshes.length >= 1 && refreshes.length <= 4, `${refreshes.length} tree refreshes for one burst over ${hostCount} hosts`);
    assert.ok(
      refreshes.every((nodes) => Array.isArray(nodes)),
      'only the changed hosts are redrawn, never the whole tree',
    );
    const listCalls = engines.map((engine, index) => (engine.snapshot().calls['GET /containers/json'] ?? 0) - lists[index]);
    assert.ok(
      listCalls.every((calls) => calls >= 1 && calls <= 2),
      `one list call per host for the burst (at most two when it straddles the debounce window): ${listCalls.join(' ')}`,
    );
    assert.deepEqual(
      engines.map((engine) => engine.snapshot().eventStreams.open),
      engines.map(() => 1),
    );
  });
});

describe('tree pacing (unit)', () => {
  it('merges refresh requests until a quiet spell or the longest wait, and "everything" wins', async () => {
    const fired: Array<string[] | undefined> = [];
    const batcher = new RefreshBatcher<string>(20, 100, (nodes) => fired.push(nodes));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    batcher.request('alpha');
    await sleep(5);
    batcher.request('beta');
    batcher.request('alpha');
    await sleep(60);
    assert.deepEqual(fired, [['alpha', 'beta']]);
    // A steady trickle (a request every 10 ms, never 20 ms quiet) still fires after the longest wait.
    const started = Date.now();
    while (fired.length === 1 && Date.now() - started < 1000) {
      batcher.request('trickle');
      await sleep(10);
    }
    assert.ok(Date.now() - started < 400, 'fired within the longest wait, not after the trickle');
    await sleep(30);
    batcher.request('gamma');
    batcher.request(undefined);
    await sleep(60);
    assert.deepEqual(fired.slice(-1), [undefined]);
    const count = fired.length;
    batcher.request('late');
    batcher.dispose();
    await sleep(60);
    assert.equal(fired.length, count, 'nothing fires after dispose');
  });

  it('runs at most the limit of tasks at once, in order, and a failed task frees its place', async () => {
    const limiter = new TaskLimiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (index: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      order.push(index);
      if (index === 1) {
        throw new Error('inspect failed');
      }
      return index;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((index) => limiter.run(task(index))));
    assert.equal(most, 2);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
  });
});
