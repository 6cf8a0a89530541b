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
  topologyFirstPaintMs?: number;
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

export async function measureTopologyFirstPaint(scene: ScaleScene): Promise<number | undefined> {
  void scene;
  return undefined;
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
    ['topology → first paint ms', (f) => (f.topologyFirstPaintMs === undefined ? 'not built' : f.topologyFirstPaintMs.toFixed(0))],
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
