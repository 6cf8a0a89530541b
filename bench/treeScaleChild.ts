/**
 * The measuring side of bench:tree's scale case (see treeScale.ts), in a process of its own per
 * build: it loads that build's bundle, connects to every host and plays the tree view the way VS
 * Code does: it draws what the provider returns and redraws whatever onDidChangeTreeData names.
 */
import '../test/unit/fakes/vscodeStub';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../src/core/like';
import { testbedSshFiles } from '../test/integration/harness';
import { type ScaleFigures, type ToChild, type ToParent, measureTopologyFirstPaint, scaleConstants } from './treeScale';

/** The bundled classes, typed only as far as the measuring uses them (the builds differ inside). */
interface Node {
  kind: string;
  hostName?: string;
  containerId?: string;
}
interface Item {
  contextValue?: string;
}
interface Snapshot {
  state: string;
  spec: { name: string };
  containers: Map<string, { state: string }>;
}
interface Model {
  setHosts(specs: unknown[]): Promise<void>;
  hosts(): Snapshot[];
  host(name: string): Snapshot | undefined;
  onDidChange(listener: () => void): { dispose(): void };
  dispose(): void;
}
interface Provider {
  getChildren(element?: Node): Promise<Node[]>;
  getTreeItem(element: Node): Item;
  onDidChangeTreeData(listener: (nodes: Node | Node[] | undefined) => void): { dispose(): void };
  dispose(): void;
}
interface Client {
  subscribeEvents(handlers: unknown): Promise<{ dispose(): void }>;
}
interface Build {
  ContainerModel: new (createClient: (spec: { name: string }) => Client, logger: unknown) => Model;
  ContainersTreeProvider: new (model: Model, health: unknown, tunnels: unknown, provenance: unknown, interrupted: unknown) => Provider;
  DockerodeClient: new (spec: unknown, logger: unknown, options: unknown) => Client;
  parseHostEntry(setting: unknown): { name: string };
}

const quiet = { dispose: () => undefined };
const health = { onDidChange: () => quiet, get: () => undefined };
const tunnels = { onDidChange: () => quiet, onDidChangeCounters: () => quiet, list: () => [], get: () => undefined };
const provenance = { knownEngineId: () => 'bench', engineIdOf: async () => 'bench', isOurs: () => true };
const interrupted = { onDidChange: () => quiet, forContainer: () => undefined };

/** Plays the view: draws on request and on every refresh the provider fires, one draw at a time. */
class View {
  fires = 0;
  rows = 0;
  lastFire = 0;
  /** By host: each drawn container row's contextValue ("container.<state>…"). */
  readonly drawn = new Map<string, Map<string, string>>();
  /** Called after every draw: the burst checks there whether its rows show the new states. */
  onDrawn: () => void = () => undefined;
  private work: Promise<void> = Promise.resolve();
  private readonly subscription: { dispose(): void };

  constructor(private readonly provider: Provider) {
    this.subscription = provider.onDidChangeTreeData((nodes) => {
      this.fires++;
      this.lastFire = performance.now();
      void this.enqueue(nodes === undefined ? undefined : Array.isArray(nodes) ? nodes : [nodes]);
    });
  }

  enqueue(nodes: Node[] | undefined): Promise<void> {
    this.work = this.work.then(() => this.draw(nodes)).then(() => this.onDrawn());
    return this.work;
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private async draw(nodes: Node[] | undefined): Promise<void> {
    for (const node of nodes ?? (await this.provider.getChildren())) {
      this.provider.getTreeItem(node);
      this.rows++;
      if (node.kind === 'host') {
        const rows = new Map<string, string>();
        for (const child of await this.provider.getChildren(node)) {
          this.drawRow(child, rows);
        }
        this.drawn.set(node.hostName!, rows);
      } else if (node.kind === 'container') {
        this.drawRow(node, this.drawn.get(node.hostName!) ?? new Map());
      }
    }
  }

  private drawRow(node: Node, rows: Map<string, string>): void {
    const item = this.provider.getTreeItem(node);
    this.rows++;
    if (node.kind === 'container') {
      rows.set(node.containerId!, item.contextValue ?? '');
    }
  }
}

export async function measure(bundle: string, settings: Array<{ name: string; url: string }>, fakeNames: string[]): Promise<void> {
  const build = require(bundle) as Build;
  const specs = settings.map((setting) => build.parseHostEntry(setting));
  const streams = new Map<string, { open: number }>(specs.map((spec) => [spec.name, { open: 0 }]));
  const createClient = (spec: { name: string }): Client => {
    const client = new build.DockerodeClient(spec, silentLogger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() });
    const subscribe = client.subscribeEvents.bind(client);
    const count = streams.get(spec.name)!;
    // Open from the engine's answer until disposed or ended, whichever comes first.
    client.subscribeEvents = async (handlers) => {
      let open = false;
      const close = () => {
        if (open) {
          open = false;
          count.open--;
        }
      };
      const { onEvent, onClose } = handlers as { onEvent: unknown; onClose: (error?: Error) => void };
      const subscription = await subscribe({ onEvent, onClose: (error?: Error) => (close(), onClose(error)) });
      open = true;
      count.open++;
      return { dispose: () => (close(), subscription.dispose()) };
    };
    return client;
  };

  const firstTreeMs: number[] = [];
  const blockedMs: number[] = [];
  let unconnected = 0;
  let model!: Model;
  let provider!: Provider;
  let view!: View;
  let statsAtLastRun!: Awaited<ReturnType<typeof stats>>;
  for (let run = 0; run < scaleConstants.firstTreeRuns; run++) {
    statsAtLastRun = await stats();
    model = new build.ContainerModel(createClient, silentLogger);
    provider = new build.ContainersTreeProvider(model, health, tunnels, provenance, interrupted);
    view = new View(provider);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();
    await model.setHosts(specs);
    await view.enqueue(undefined);
    firstTreeMs.push(performance.now() - started);
    loopDelay.disable();
    blockedMs.push(loopDelay.max / 1e6);
    // Hosts whose calls timed out while the event loop was blocked are a finding, not a fault of the harness: counted, not fatal.
    const missing = model.hosts().filter((host) => host.state !== 'connected');
    unconnected = Math.max(unconnected, missing.length);
    for (const host of model.hosts()) {
      if (host.state === 'connected' && view.drawn.get(host.spec.name)?.size !== host.containers.size) {
        throw new Error(
          `${host.spec.name}: ${host.state} (${(host as { error?: Error }).error?.message}), ${view.drawn.get(host.spec.name)?.size} of ${host.containers.size} rows drawn`,
        );
      }
    }
    console.log(
      `  first full tree, run ${run + 1}: ${firstTreeMs[run].toFixed(0)} ms, event loop blocked up to ${blockedMs[run].toFixed(0)} ms` +
        (missing.length ? `; not connected: ${missing.map((host) => `${host.spec.name} (${(host as { error?: Error }).error?.message})`).join(', ')}` : ''),
    );
    if (run < scaleConstants.firstTreeRuns - 1) {
      await settle(view);
      view.dispose();
      provider.dispose();
      model.dispose();
    }
  }
  const rowsDrawn = [...view.drawn.values()].reduce((sum, rows) => sum + rows.size, 0);
  const firesBeforeSettle = view.fires;
  const settled = await settle(view);
  const settle_ = { inspectCalls: calls(statsAtLastRun, settled, 'GET /containers/{id}/json'), treeRefreshes: view.fires - firesBeforeSettle };
  (global as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();

  // The burst: the parent flips containers on the fake hosts; done when every changed row was redrawn with its new state.
  const before = await stats();
  const fires = view.fires;
  const rows = view.rows;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let toModelMs = 0;
  let toTreeMs = 0;
  let changes: Array<{ host: string; id: string; state: string }> = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const check = () => {
    if (changes.length === 0 || toTreeMs) {
      return;
    }
    if (!toModelMs && changes.every((change) => model.host(change.host)?.containers.get(change.id)?.state === change.state)) {
      toModelMs = performance.now() - started;
    }
    if (toModelMs && changes.every((change) => view.drawn.get(change.host)?.get(change.id)?.startsWith(`container.${change.state}`))) {
      toTreeMs = performance.now() - started;
      done();
    }
  };
  const modelWatch = model.onDidChange(check);
  view.onDrawn = check;
  changes = (await ask('burst')).changes;
  check();
  // 0 ms in the figures means the burst never showed within two minutes.
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 120_000).unref())]);
  const cpuUsed = process.cpuUsage(cpu);
  modelWatch.dispose();
  const after = await settle(view);
  const perHostStreams = [...streams.values()].map((count) => count.open);
  const fakeStats = fakeNames.map((name) => after[name]);
  const streamCounts = [...perHostStreams, ...fakeStats.map((fake) => fake.eventStreams.open)];
  const figures: ScaleFigures = {
    hosts: specs.length,
    containers: model.hosts().reduce((sum, host) => sum + host.containers.size, 0),
    firstTreeMs,
    blockedMs,
    unconnected,
    rowsDrawn,
    burst: {
      events: changes.length,
      toModelMs,
      toTreeMs,
      treeRefreshes: view.fires - fires,
      rowsRedrawn: view.rows - rows,
      listCalls: calls(before, after, 'GET /containers/json'),
      cpuUsPerEvent: (cpuUsed.user + cpuUsed.system) / changes.length,
    },
    settle: settle_,
    memory: { heapMB: memory.heapUsed / 2 ** 20, rssMB: memory.rss / 2 ** 20 },
    perHost: {
      eventStreams: [Math.min(...streamCounts), Math.max(...streamCounts)],
      socketsOpen: [Math.min(...fakeStats.map((fake) => fake.sockets.open)), Math.max(...fakeStats.map((fake) => fake.sockets.open))],
      socketsPeak: [Math.min(...fakeStats.map((fake) => fake.sockets.peak)), Math.max(...fakeStats.map((fake) => fake.sockets.peak))],
    },
    topology: await measureTopologyFirstPaint({ model, build: build as unknown as Record<string, unknown>, hosts: specs.length, containers: rowsDrawn }),
  };
  view.dispose();
  provider.dispose();
  model.dispose();
  if (figures.perHost.eventStreams[0] !== 1 || figures.perHost.eventStreams[1] !== 1) {
    const clientSide = [...streams].map(([host, count]) => `${host} ${count.open}`).join(', ');
    const serverSide = fakeNames.map((name) => `${name} ${after[name].eventStreams.open}`).join(', ');
    figures.perHost.streamsDetail = `client side: ${clientSide}; fake engines: ${serverSide}`;
  }
  process.send!({ kind: 'result', result: figures } satisfies ToParent);
  process.disconnect();
}

function ask<K extends ToChild['kind']>(kind: K): Promise<Extract<ToChild, { kind: K }>> {
  return new Promise((resolve) => {
    const listener = (message: ToChild) => {
      if (message.kind === kind) {
        process.off('message', listener);
        resolve(message as Extract<ToChild, { kind: K }>);
      }
    };
    process.on('message', listener);
    process.send!({ kind } satisfies ToParent);
  });
}

async function stats(): Promise<Extract<ToChild, { kind: 'stats' }>['stats']> {
  return (await ask('stats')).stats;
}

function calls(before: Awaited<ReturnType<typeof stats>>, after: Awaited<ReturnType<typeof stats>>, route: string): number {
  return Object.keys(after).reduce((sum, host) => sum + (after[host].calls[route] ?? 0) - (before[host]?.calls[route] ?? 0), 0);
}

/** Waits until the tree has not refreshed for 500 ms and the fake hosts were asked nothing new for as long. */
async function settle(view: View): Promise<Awaited<ReturnType<typeof stats>>> {
  const deadline = Date.now() + 60_000;
  let previous = JSON.stringify(await stats());
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const current = await stats();
    const text = JSON.stringify(current);
    if ((text === previous && performance.now() - view.lastFire >= 500) || Date.now() > deadline) {
      return current;
    }
    previous = text;
  }
}
