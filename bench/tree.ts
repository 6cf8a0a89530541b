/**
 * bench:tree — how fast the Containers tree gets a full model, and how fast events reach it.
 * 1,000 containers (created, not started: the point is list size, not load) spread over the
 * testbed hosts; time from activation (model.setHosts) to every host listed; then
 * Docker-event-to-model latency, from the daemon's event timestamp to the model update.
 * Then the scale case, 20 hosts × 250 containers against a previous build (treeScale.ts).
 * `node out/bench/tree.js scale` runs the scale case alone.
 */
import Dockerode from 'dockerode';
import { DockerodeClient } from '../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../src/core/hosts/hostSpec';
import { silentLogger } from '../src/core/like';
import { ContainerModel } from '../src/core/model/containerModel';
import { readTestbed } from '../test/support/testbed';
import { testbedSshFiles } from '../test/integration/harness';
import { runScaleCase } from './treeScale';

const totalContainers = Number(process.env.BENCH_CONTAINERS ?? 1000);
const activationRuns = 5;
const eventSamplesPerHost = 100;
const benchLabel = 'crosslink.bench';

const testbed = readTestbed();
const hosts = testbed.settings.map((setting) => parseHostEntry(setting));
const engines = testbed.hosts.map((host) => ({ name: host.name, docker: new Dockerode({ socketPath: host.socket }) }));

async function main(): Promise<void> {
  await removeBenchContainers();
  console.log(`Creating ${totalContainers} containers over ${engines.length} hosts…`);
  await createBenchContainers();

  const activation: number[] = [];
  for (let run = 0; run < activationRuns; run++) {
    const model = newModel();
    const started = performance.now();
    await model.setHosts(hosts);
    activation.push(performance.now() - started);
    const listed = model.hosts().reduce((sum, host) => sum + host.containers.size, 0);
    if (model.hosts().some((host) => host.state !== 'connected') || listed < totalContainers) {
      throw new Error(`run ${run}: model incomplete (${listed} containers)`);
    }
    model.dispose();
  }

  const latencies = new Map<string, number[]>();
  const model = newModel();
  await model.setHosts(hosts);
  for (const engine of engines) {
    latencies.set(engine.name, await eventLatencies(model, engine));
  }
  model.dispose();
  await removeBenchContainers();

  const rows = [
    ['measure', 'p50 ms', 'p99 ms', 'min ms', 'max ms', 'samples'],
    row(`activation → full model (${totalContainers} containers, ${engines.length} hosts)`, activation),
    ...[...latencies].map(([host, samples]) => row(`event → model, ${host} (${describe(host)})`, samples)),
  ];
  printTable(rows);
  console.log(
    JSON.stringify({
      bench: 'tree',
      containers: totalContainers,
      activationMs: summary(activation),
      eventToModelMs: Object.fromEntries([...latencies].map(([host, samples]) => [host, summary(samples)])),
      node: process.version,
    }),
  );
}

function newModel(): ContainerModel {
  return new ContainerModel((spec) => new DockerodeClient(spec, silentLogger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() }), silentLogger);
}

function describe(hostName: string): string {
  const spec = hosts.find((host) => host.name === hostName);
  return spec?.endpoint.kind === 'tcp' && spec.endpoint.tls ? 'tcp+TLS' : (spec?.endpoint.kind ?? '?');
}

/** Renames a container and times the daemon's event stamp to the model showing the new name. */
async function eventLatencies(model: ContainerModel, engine: (typeof engines)[number]): Promise<number[]> {
  const [sample] = await engine.docker.listContainers({ all: true, limit: 1, filters: JSON.stringify({ label: [benchLabel] }) });
  const container = engine.docker.getContainer(sample.Id);
  const eventTimes = new Map<string, number>();
  const events = (await engine.docker.getEvents({ filters: JSON.stringify({ type: ['container'], event: ['rename'] }) })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  events.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      const event = JSON.parse(line) as { Actor: { Attributes: { name: string } }; timeNano: number };
      eventTimes.set(event.Actor.Attributes.name, event.timeNano / 1e6);
    }
  });
  const samples: number[] = [];
  for (let index = 0; index < eventSamplesPerHost; index++) {
    const name = `bench-${engine.name}-renamed-${index}`;
    await container.rename({ name });
    await until(() => model.findContainer(engine.name, sample.Id)?.name === name && eventTimes.has(name));
    samples.push(Date.now() - (eventTimes.get(name) ?? Date.now()));
  }
  events.destroy();
  return samples;
}

/** Polls every 0.2 ms: the resolution of the measurement, far below the latencies measured. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for the model');
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function createBenchContainers(): Promise<void> {
  const queue = Array.from({ length: totalContainers }, (_, index) => engines[index % engines.length]);
  const image = testbed.images.fixture;
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const index = next++;
      await queue[index].docker.createContainer({ Image: image, Cmd: ['sleep', '1'], name: `bench-${index}`, Labels: { [benchLabel]: 'true' } });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function removeBenchContainers(): Promise<void> {
  for (const engine of engines) {
    const leftovers = await engine.docker.listContainers({ all: true, filters: JSON.stringify({ label: [benchLabel] }) });
    let next = 0;
    const worker = async () => {
      while (next < leftovers.length) {
        await engine.docker.getContainer(leftovers[next++].Id).remove({ force: true });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function summary(samples: number[]): { p50: number; p99: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), min: round(sorted[0]), max: round(sorted[sorted.length - 1]) };
}

function row(label: string, samples: number[]): string[] {
  const { p50, p99, min, max } = summary(samples);
  return [label, String(p50), String(p99), String(min), String(max), String(samples.length)];
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  for (const cells of rows) {
    console.log(`| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`);
  }
}

const onlyScale = process.argv[2] === 'scale';
(onlyScale ? runScaleCase() : main().then(runScaleCase)).catch(async (error) => {
  console.error(error);
  await removeBenchContainers().catch(() => undefined);
  process.exit(1);
});
