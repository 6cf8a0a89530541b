import * as assert from 'node:assert/strict';
import { planCrossLink } from '../../../src/core/ambassadors/crossLinkPlanner';
import { planLegacyLink } from '../../../src/core/links/linkPlanner';
import { planShareVolume } from '../../../src/core/links/volumePlanner';
import type { Plan } from '../../../src/core/planning/plan';
import type { ContainerDetails } from '../../../src/core/types';
import { FakeEngine } from './fakeEngine';
import { inspectDocument, subject } from './inspectDocument';

/** A user's container before a change: what must survive it. */
export interface Original {
  engine: FakeEngine;
  id: string;
  name: string;
  running: boolean;
  env: unknown;
  labels: unknown;
  cmd: unknown;
}

/** Plans that recreate containers, on fake engines seeded with the containers they change. */
export interface Scenario {
  name: string;
  engines: FakeEngine[];
  plans: Plan[];
  originals: Original[];
  /** Whether a recreated container carries the change. */
  hasChange(details: ContainerDetails): boolean;
}

function seed(engine: FakeEngine, name: string, options: { running?: boolean; stopTimeout?: number } = {}): Original {
  const details = inspectDocument(name, {
    running: options.running ?? true,
    config: { Env: ['PATH=/bin', `APP=${name}`], Labels: { team: 'payments', app: name }, StopTimeout: options.stopTimeout ?? 1 },
    hostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } },
  });
  const raw = details.raw as { Config: { Env: unknown; Labels: unknown; Cmd: unknown } };
  engine.seed(details);
  return { engine, id: details.id, name, running: options.running ?? true, env: raw.Config.Env, labels: raw.Config.Labels, cmd: raw.Config.Cmd };
}

export async function legacyLinkScenario(): Promise<Scenario> {
  const alpha = new FakeEngine('alpha');
  const web = seed(alpha, 'web', { stopTimeout: 90 });
  seed(alpha, 'database');
  const plan = planLegacyLink({ host: 'alpha', client: subject(await alpha.inspectContainer('web')), target: await alpha.inspectContainer('database'), alias: 'db' });
  return {
    name: 'legacy link',
    engines: [alpha],
    plans: [plan],
    originals: [web],
    hasChange: (details) => JSON.stringify((details.raw.HostConfig as { Links?: string[] }).Links) === JSON.stringify(['database:db']),
  };
}

export async function shareVolumeScenario(): Promise<Scenario> {
  const alpha = new FakeEngine('alpha');
  const writer = seed(alpha, 'writer');
  const idle = seed(alpha, 'idle', { running: false });
  const plan = planShareVolume({
    host: 'alpha',
    volumeName: 'shared',
    containers: [subject(await alpha.inspectContainer('writer')), subject(await alpha.inspectContainer('idle'))],
    mountPath: '/shared',
    readOnly: false,
  });
  return {
    name: 'share volume with two containers',
    engines: [alpha],
    plans: [plan],
    originals: [writer, idle],
    hasChange: (details) => ((details.raw.HostConfig as { Mounts?: Array<{ Source: string }> }).Mounts ?? []).some((mount) => mount.Source === 'shared'),
  };
}

export async function crossHostScenario(): Promise<Scenario> {
  const alpha = new FakeEngine('alpha');
  const beta = new FakeEngine('beta');
  seed(alpha, 'oracle');
  const bw = seed(beta, 'bw');
  const hostState = async (engine: FakeEngine) => ({ name: engine.hostName, containers: await engine.listContainers(), networks: await engine.listNetworks() });
  const plan = planCrossLink({
    target: { details: await alpha.inspectContainer('oracle'), port: 1521, host: await hostState(alpha), address: '10.0.0.1' },
    client: { subject: subject(await beta.inspectContainer('bw')), host: await hostState(beta) },
    alias: 'oracle',
    mode: 'link',
    image: 'alpine/socat:latest',
    publish: 1521,
  });
  return {
    name: 'cross-host link (legacy link mode)',
    engines: [alpha, beta],
    plans: [plan.server, plan.client],
    originals: [bw],
    hasChange: (details) => ((details.raw.HostConfig as { Links?: string[] }).Links ?? []).some((link) => link.endsWith(':oracle')),
  };
}

export const scenarios = [legacyLinkScenario, shareVolumeScenario, crossHostScenario];

export function engineOf(scenario: Scenario, host: string): FakeEngine {
  const engine = scenario.engines.find((candidate) => candidate.hostName === host);
  assert.ok(engine, `no engine ${host}`);
  return engine;
}

/**
 * The promise: after anything, exactly one container has each original's name, with its
 * settings, running if it was. `expect` says which container that must be.
 */
export async function assertIntact(scenario: Scenario, expect: 'original' | 'replacement' | 'either'): Promise<void> {
  for (const original of scenario.originals) {
    const holders = original.engine.named(original.name);
    assert.equal(holders.length, 1, `exactly one ${original.name}`);
    const details = await original.engine.inspectContainer(holders[0].id);
    const config = details.raw.Config as { Env: unknown; Labels: unknown; Cmd: unknown };
    assert.deepEqual([config.Env, config.Labels, config.Cmd], [original.env, original.labels, original.cmd], `${original.name} keeps its settings`);
    assert.equal(details.state === 'running', original.running, `${original.name} is ${original.running ? 'running' : 'stopped'} as before`);
    if (expect === 'original') {
      assert.equal(details.id, original.id, `${original.name} is the original`);
    } else if (expect === 'replacement') {
      assert.notEqual(details.id, original.id, `${original.name} is the new container`);
      assert.ok(scenario.hasChange(details), `the new ${original.name} has the change`);
    }
  }
}
