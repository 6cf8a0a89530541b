/**
 * bench:tree's scale case (issue 15): 20 hosts × 250 containers, the testbed's real hosts plus
 * fake engines (test/support/fakeDockerEngine.ts: real HTTP on loopback, so dockerode's whole
 * path runs). For this tree and a previous build side by side, each in a fresh process:
 * activation to the first full tree (every host expanded, every row drawn), a burst of 250
 * container state changes across hosts to the redrawn rows, the tree refreshes and list calls it
 * took, CPU per event, memory, and the sockets and event streams each host holds (exactly one
 * stream per host, or the bench fails).
 *
 * Each build's ContainerModel, ContainersTreeProvider and DockerodeClient are bundled from its
 * sources with esbuild the same way (the previous one from `git archive BENCH_BASE`, default
 * `main`); the harness (fake engines, the `vscode` stand-in, the measuring) is this tree's.
 */
import { execFileSync, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { silentLogger } from '../src/core/like';
import { FakeDockerEngine } from '../test/support/fakeDockerEngine';
import { readTestbed } from '../test/support/testbed';

const repoRoot = path.resolve(__dirname, '..', '..');
const hostCount = 20;
const containersPerHost = 250;
const ambassadorsPerHost = 5;
const burstSize = 250;
/** BENCH_RUNS: first-tree runs per build (default 3); a slow previous build may want fewer on a shared machine. */
const firstTreeRuns = Number(process.env.BENCH_RUNS ?? 3);

/** What the parent and a measuring child say to each other over IPC. */
type ToChild = { kind: 'burst'; changes: Array<{ host: string; id: string; state: string }> } | { kind: 'stats'; stats: Record<string, ReturnType<FakeDockerEngine['snapshot']>> };
type ToParent = { kind: 'burst' } | { kind: 'stats' } | { kind: 'result'; result: ScaleFigures };

export interface ScaleFigures {
  hosts: number;
  containers: number;
  firstTreeMs: number[];
  /** The longest the event loop was blocked while the first tree was drawn, per run. */
  blockedMs: number[];
  /** Hosts not connected when the first tree was drawn (their calls timed out), worst run. */
  unconnected: number;
  rowsDrawn: number;
  burst: { events: number; toModelMs: number; toTreeMs: number; treeRefreshes: number; rowsRedrawn: number; listCalls: number; cpuUsPerEvent: number };
  settle: { inspectCalls: number; treeRefreshes: number };
  memory: { heapMB: number; rssMB: number };
  perHost: { eventStreams: [min: number, max: number]; socketsOpen: [min: number, max: number]; socketsPeak: [min: number, max: number]; streamsDetail?: string };
  /** Undefined for a build without the Topology view. */
  topology?: TopologyFigures;
}

/** The Topology view at this scale, with no filter (what the view opens with) and with "only linked containers". */
export interface TopologyFigures {
  all: TopologyPass;
  linkedOnly: TopologyPass;
}

export interface TopologyPass {
  /** TopologySource.graph(): from the connected model to { nodes, edges }, its inspect calls included. */
  graphMs: number;
  inspectCalls: number;
  nodes: number;
  edges: number;
  /** layoutTopology (dagre) and renderSvg in Node; an error instead when the layout failed. */
  layoutMs: number;
  svgMs: number;
  svgKB: number;
  /** The webview's script in headless Chromium: the graph posted → the SVG in the DOM → the next frame. */
  chromium?: { domMs: number; paintMs: number };
  error?: string;
}

/**
 * The scene a measure runs in: the model with every host connected and the tree drawn. The
 * topology view's branch measures its time to first paint here (it returns undefined until then,
 * and the table says so).
 */
export interface ScaleScene {
  /** The build's ContainerModel (its HostDirectory), every host connected. */
  model: unknown;
  /** The build's exports (ContainerModel, ContainersTreeProvider, …) as bundled by bundleBuild(). */
  build: Record<string, unknown>;
  hosts: number;
  containers: number;
}

/** What the scale bench uses of a build's topology modules (bundled only when the build has them). */
interface TopologyBuild {
  TopologySource: new (
    hosts: unknown,
    tunnels: unknown,
    health: unknown,
    logger: unknown,
  ) => { graph(filter?: unknown): Promise<{ nodes: unknown[]; edges: unknown[] }>; hostNames(): string[]; dispose(): void };
  layoutTopology(graph: unknown): unknown;
  renderSvg(layout: unknown): string;
}

interface SceneModel {
  client(host: string): { inspectContainer(id: string): Promise<unknown> } | undefined;
}

/**
 * The Topology view on the connected scene: the graph from a fresh TopologySource (so every
 * container is inspected once, as when the view first opens), dagre's layout and the SVG in Node,
 * then the same graph posted to the webview's script (dist/topology.js) in headless Chromium.
 * Once with no filter, once with "only linked containers".
 */
export async function measureTopologyFirstPaint(scene: ScaleScene): Promise<TopologyFigures | undefined> {
  const build = scene.build as Partial<TopologyBuild>;
  if (!build.TopologySource || !build.layoutTopology || !build.renderSvg) {
    return undefined;
  }
  const topology = build as TopologyBuild;
  const model = scene.model as SceneModel;
  let inspectCalls = 0;
  // The model as the source sees it, with its inspect calls counted.
  const hosts = new Proxy(model, {
    get: (target, key) =>
      key === 'client'
        ? (host: string) => {
            const client = target.client(host);
            return client && { inspectContainer: (id: string) => (inspectCalls++, client.inspectContainer(id)) };
          }
        : (Reflect.get(target, key) as unknown),
  });
  const quiet = { dispose: () => undefined };
  const browser = await launchChromium();
  try {
    const pass = async (filter: { linkedOnly?: true }): Promise<TopologyPass> => {
      const source = new topology.TopologySource(hosts, { list: () => [], onDidChange: () => quiet }, { get: () => undefined, onDidChange: () => quiet }, silentLogger);
      inspectCalls = 0;
      const started = performance.now();
      const graph = await source.graph(filter);
      const figures: TopologyPass = { graphMs: performance.now() - started, inspectCalls, nodes: graph.nodes.length, edges: graph.edges.length, layoutMs: 0, svgMs: 0, svgKB: 0 };
      try {
        const laidOut = performance.now();
        const layout = topology.layoutTopology(graph);
        figures.layoutMs = performance.now() - laidOut;
        const drawn = performance.now();
        figures.svgKB = topology.renderSvg(layout).length / 1024;
        figures.svgMs = performance.now() - drawn;
        if (browser) {
          figures.chromium = await firstPaintInChromium(browser, { type: 'graph', graph, filter, hosts: source.hostNames() });
        }
      } catch (error) {
        figures.error = (error as Error).message;
      }
      source.dispose();
      console.log(`  topology ${filter.linkedOnly ? 'linked only' : 'all'}: ${JSON.stringify(figures)}`);
      return figures;
    };
    return { all: await pass({}), linkedOnly: await pass({ linkedOnly: true }) };
  } finally {
    await browser?.close();
  }
}

/** Debian's chromium (BENCH_CHROMIUM to use another), headless, as the e2e runner starts it; none when it is missing. */
async function launchChromium(): Promise<Browser | undefined> {
  const executablePath = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.log(`  no Chromium at ${executablePath}: the topology's first paint in a browser is not measured`);
    return undefined;
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'], headless: true });
}

/**
 * Loads dist/topology.js into a page with the elements the panel's page has, answers its 'ready',
 * posts the message the panel posts (a window message, as VS Code delivers webview messages) and
 * times, in the page, until the script says it drew (the SVG is in the DOM) and until the next frame.
 */
async function firstPaintInChromium(browser: Browser, message: unknown): Promise<{ domMs: number; paintMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    await page.setContent(
      [
        '<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body>',
        '<div class="toolbar"><select id="host"></select><input type="checkbox" id="linkedOnly"><button id="export"></button><span id="summary"></span></div>',
        '<div id="canvas"></div>',
        '<script>window.posts = []; window.acquireVsCodeApi = () => ({ postMessage: (message) => window.posts.push(message) });</script>',
        '</body></html>',
      ].join(''),
    );
    await page.addScriptTag({ path: path.join(repoRoot, 'dist', 'topology.js') });
    await page.waitForFunction('window.posts.some((message) => message.type === "ready")');
    return (await page.evaluate(`(async (message) => {
      const started = performance.now();
      window.postMessage(message, '*');
      while (!window.posts.some((posted) => posted.type === 'rendered')) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (!document.querySelector('#canvas svg')) {
        throw new Error('the webview script drew no SVG');
      }
      const domMs = performance.now() - started;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return { domMs, paintMs: performance.now() - started };
    })(${JSON.stringify(message)})`)) as { domMs: number; paintMs: number };
  } finally {
    await page.close();
  }
}

/** Runs the scale case for the previous build and this tree; prints the table and a JSON line. */
export async function runScaleCase(): Promise<void> {
  // BENCH_BASE=none measures this tree alone.
  const base = process.env.BENCH_BASE ?? 'main';
  const builds: Array<[label: string, bundle: string]> = [['this tree', bundleBuild(repoRoot)]];
  if (base !== 'none') {
    const baseCommit = execFileSync('git', ['rev-parse', '--short', base], { cwd: repoRoot, encoding: 'utf8' }).trim();
    builds.unshift([`previous (${base} ${baseCommit})`, bundleBuild(checkoutPrevious(base))]);
  }
  const real = realHostSettings();
  const results: Array<[string, ScaleFigures]> = [];
  for (const [label, bundle] of builds) {
    console.log(`Scale case, ${label}: ${hostCount} hosts (${real.length} real) × ${containersPerHost} containers…`);
    results.push([label, await measureBuild(bundle, real)]);
  }
  printComparison(results, real.length);
  console.log(JSON.stringify({ bench: 'tree-scale', node: process.version, builds: Object.fromEntries(results) }));
  const current = results[results.length - 1][1].perHost;
  if (current.streamsDetail) {
    throw new Error(`this tree: expected exactly one event stream per host; ${current.streamsDetail}`);
  }
}

/** The testbed's hosts (alpha, beta, gamma), when it is up; the fake engines make up the rest. */
function realHostSettings(): Array<Record<string, unknown> & { name: string; url: string }> {
  try {
    const testbed = readTestbed() as ReturnType<typeof readTestbed> & { extraSettings?: Array<{ name: string; url: string }> };
    return [...testbed.settings, ...(testbed.extraSettings ?? [])];
  } catch (error) {
    console.log(`No testbed (${(error as Error).message}): fake engines only.`);
    return [];
  }
}

function checkoutPrevious(ref: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-bench-base-'));
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(dir)}`], { cwd: repoRoot });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Bundles the measured classes of the sources under `root` into root/out/bench-scale.js (dockerode and ssh2 from root/node_modules). */
function bundleBuild(root: string): string {
  const outfile = path.join(root, 'out', 'bench-scale.js');
  const src = (file: string) => JSON.stringify(path.join(root, 'src', file));
  esbuild.buildSync({
    stdin: {
      contents: [
        `export { ContainerModel } from ${src('core/model/containerModel')};`,
        `export { ContainersTreeProvider } from ${src('ui/tree/containersTree')};`,
        `export { DockerodeClient } from ${src('core/hosts/dockerodeClient')};`,
        `export { parseHostEntry } from ${src('core/hosts/hostSpec')};`,
        // The Topology view, in the builds that have it.
        ...(fs.existsSync(path.join(root, 'src', 'core', 'topology', 'topologySource.ts'))
          ? [`export { TopologySource } from ${src('core/topology/topologySource')};`, `export { layoutTopology, renderSvg } from ${src('core/topology/topologyRender')};`]
          : []),
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'dockerode', 'ssh2', 'cpu-features'],
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

async function measureBuild(bundle: string, real: Array<{ name: string; url: string }>): Promise<ScaleFigures> {
  const fakes = await Promise.all(
    Array.from({ length: hostCount - real.length }, (_, index) =>
      FakeDockerEngine.start({
        name: `fake${String(index + 1).padStart(2, '0')}`,
        containers: containersPerHost,
        ambassadors: ambassadorsPerHost,
        linkTargetHost: `fake${String(((index + 1) % (hostCount - real.length)) + 1).padStart(2, '0')}`,
      }),
    ),
  );
  try {
    const settings = [...real, ...fakes.map((fake) => fake.setting)];
    const child = fork(__filename, ['--child', bundle, JSON.stringify(settings), JSON.stringify(fakes.map((fake) => fake.options.name))], {
      // BENCH_CHILD_ARGS: extra node flags for the measuring process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      execArgv: ['--expose-gc', '--enable-source-maps', ...(process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return await new Promise<ScaleFigures>((resolve, reject) => {
      child.on('message', (message: ToParent) => {
        if (message.kind === 'burst') {
          // Spread over the fake hosts, the same containers of each in every build.
          const perHost = Math.ceil(burstSize / fakes.length);
          const changes = fakes.flatMap((fake, index) =>
            fake.flip(Math.min(perHost, burstSize - index * perHost), ambassadorsPerHost).map((change) => ({ host: fake.options.name, ...change })),
          );
          child.send({ kind: 'burst', changes } satisfies ToChild);
        } else if (message.kind === 'stats') {
          child.send({ kind: 'stats', stats: Object.fromEntries(fakes.map((fake) => [fake.options.name, fake.snapshot()])) } satisfies ToChild);
        } else {
          resolve(message.result);
        }
      });
      child.on('exit', (code) => reject(new Error(`the measuring process exited with ${code}`)));
    });
  } finally {
    await Promise.all(fakes.map((fake) => fake.close()));
  }
}

/** One pass of the topology as a table cell; "–" for a build without the view. */
function topologyCell(pass: TopologyPass | undefined): string {
  if (!pass) {
    return '–';
  }
  const ms = (value: number) => value.toFixed(0);
  const drawn = pass.error
    ? `layout failed: ${pass.error}`
    : `${ms(pass.layoutMs)} + ${ms(pass.svgMs)} / ${pass.chromium ? `${ms(pass.chromium.domMs)}, ${ms(pass.chromium.paintMs)}` : 'no Chromium'}`;
  return `${ms(pass.graphMs)} (${pass.inspectCalls}) / ${drawn}; ${pass.nodes}, ${pass.edges}`;
}

function printComparison(results: Array<[string, ScaleFigures]>, realHosts: number): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const shown = (ms: number) => (ms ? ms.toFixed(0) : 'not within 120 s');
  const range = ([min, max]: [number, number]) => (min === max ? String(min) : `${min}–${max}`);
  const first = results[0][1];
  const measures: Array<[string, (figures: ScaleFigures) => string]> = [
    [`activation → first full tree, ${first.hosts} hosts expanded, ${first.rowsDrawn} rows (median of ${firstTreeRuns}) ms`, (f) => median(f.firstTreeMs).toFixed(0)],
    ['event loop blocked, longest (median of runs) ms', (f) => median(f.blockedMs).toFixed(0)],
    ['hosts not connected when the first tree was drawn (timed out; worst run)', (f) => String(f.unconnected)],
    [`burst of ${first.burst.events} state changes → model ms`, (f) => shown(f.burst.toModelMs)],
    [`burst → every changed row redrawn ms`, (f) => shown(f.burst.toTreeMs)],
    ['tree refreshes for the burst', (f) => String(f.burst.treeRefreshes)],
    ['rows redrawn for the burst', (f) => String(f.burst.rowsRedrawn)],
    ['list calls for the burst (fake hosts)', (f) => String(f.burst.listCalls)],
    ['CPU per event (model + tree) µs', (f) => f.burst.cpuUsPerEvent.toFixed(0)],
    ['inspect calls / tree refreshes after the first tree', (f) => `${f.settle.inspectCalls} / ${f.settle.treeRefreshes}`],
    ['heap / RSS after the first tree MB', (f) => `${f.memory.heapMB.toFixed(0)} / ${f.memory.rssMB.toFixed(0)}`],
    ['event streams per host (all hosts)', (f) => range(f.perHost.eventStreams)],
    ['sockets per fake host: open / peak', (f) => `${range(f.perHost.socketsOpen)} / ${range(f.perHost.socketsPeak)}`],
    ['topology → first paint: graph (inspects) / layout + SVG / Chromium DOM, painted ms; nodes, edges', (f) => topologyCell(f.topology?.all)],
    ['the same, "only linked containers"', (f) => topologyCell(f.topology?.linkedOnly)],
  ];
  console.log(
    `\n${first.hosts} hosts (${realHosts} testbed, ${first.hosts - realHosts} fake) × ${containersPerHost} containers, ${first.containers} in all (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}):\n`,
  );
  console.log(`| measure | ${results.map(([label]) => label).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---').join('|')}|`);
  for (const [label, value] of measures) {
    console.log(`| ${label} | ${results.map(([, figures]) => value(figures)).join(' | ')} |`);
  }
}

if (process.argv[2] === '--child') {
  void import('./treeScaleChild').then((child) =>
    child.measure(process.argv[3], JSON.parse(process.argv[4]) as Array<{ name: string; url: string }>, JSON.parse(process.argv[5]) as string[]),
  );
}

export const scaleConstants = { containersPerHost, ambassadorsPerHost, burstSize, firstTreeRuns };
export type { ToChild, ToParent };
