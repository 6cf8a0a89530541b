import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { silentLogger } from '../../src/core/like';
import { type JournalEntry, RecoveryError } from '../../src/core/planning/journal';
import { type PlanStep, irreversibleKinds } from '../../src/core/planning/plan';
import { executePlans } from '../../src/core/planning/planExecutor';
import { type InterruptedChange, findInterruptedChanges, recoverChange } from '../../src/core/planning/recovery';
import { FakeEngine } from './fakes/fakeEngine';
import { inspectDocument } from './fakes/inspectDocument';
import { MemoryJournal } from './fakes/memoryJournal';
import { type Scenario, assertIntact, engineOf, legacyLinkScenario, scenarios } from './fakes/scenarios';

const fast = { retry: { attempts: 2, delayMs: 1 }, settleMs: 0 };
/** A pid that no process has: the change's process died. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;

function ordered(scenario: Scenario): PlanStep[] {
  const steps = scenario.plans.flatMap((plan) => plan.steps);
  return [...steps.filter((step) => !irreversibleKinds.has(step.kind)), ...steps.filter((step) => irreversibleKinds.has(step.kind))];
}

const objects = (engines: FakeEngine[]) =>
  engines.map((engine) => ({ containers: [...engine.containers.keys()].sort(), networks: [...engine.networks.keys()].sort(), volumes: [...engine.volumes.keys()].sort() }));

const hostsOf = async (scenario: Scenario) => Promise.all(scenario.engines.map(async (engine) => ({ name: engine.hostName, containers: await engine.listContainers() })));

/** Runs the scenario's change until the process "dies" at step `at`, before or after the engine acted; returns the journal as the dead process left it. */
async function crashAt(scenario: Scenario, at: number, when: 'crashBefore' | 'crashAfter'): Promise<MemoryJournal> {
  const journal = new MemoryJournal();
  const runs = scenario.plans.map((plan) => ({ plan, client: engineOf(scenario, plan.host) }));
  void executePlans(runs, silentLogger, {
    ...fast,
    journal,
    beforeStep: (step, index) => {
      if (index === at) {
        engineOf(scenario, scenario.plans.find((plan) => plan.steps.includes(step))!.host).arm(when);
      }
    },
  });
  await Promise.race(scenario.engines.map((engine) => engine.crashed));
  const survivor = new MemoryJournal();
  for (const entry of journal.entries.values()) {
    await survivor.save({ ...entry, owner: { hostname: os.hostname(), pid: deadPid } });
  }
  return survivor;
}

const deps = (scenario: Scenario, journal: MemoryJournal, confirm = true) => ({
  clientOf: (host: string) => scenario.engines.find((engine) => engine.hostName === host),
  journal,
  logger: silentLogger,
  confirm: async () => confirm,
  execute: fast,
});

describe('recovery (unit)', () => {
  for (const build of scenarios) {
    it(`${build.name.replace(/Scenario$/, '')}: killed before or after any step, Finish and Roll Back each end with one intact container per original`, async () => {
      const steps = ordered(await build());
      const firstRemoval = steps.findIndex((step) => irreversibleKinds.has(step.kind));
      for (const [index, step] of steps.entries()) {
        for (const when of ['crashBefore', 'crashAfter'] as const) {
          for (const action of ['finish', 'rollBack'] as const) {
            const label = `${when} step ${index} (${step.kind}), ${action}`;
            const scenario = await build();
            const before = objects(scenario.engines);
            const journal = await crashAt(scenario, index, when);
            const changes = await findInterruptedChanges(journal, await hostsOf(scenario));
            assert.equal(changes.length, 1, `${label}: one interrupted change (parked containers belong to it)`);
            const [change] = changes;
            assert.ok(change.entry, label);
            const removalHappened = index > firstRemoval || (index === firstRemoval && when === 'crashAfter');
            if (action === 'rollBack' && removalHappened) {
              await assert.rejects(recoverChange(change, action, deps(scenario, journal)), (error: unknown) => RecoveryError.is(error, 'cannotRollBack'), label);
              await recoverChange(change, 'finish', deps(scenario, journal));
              await assertIntact(scenario, 'replacement');
            } else {
              const done = await recoverChange(change, action, deps(scenario, journal));
              assert.ok(Array.isArray(done), label);
              await assertIntact(scenario, action === 'finish' ? 'replacement' : 'original');
              if (action === 'rollBack') {
                assert.deepEqual(objects(scenario.engines), before, `${label}: as before the change`);
              }
            }
            for (const engine of scenario.engines) {
              assert.equal(
                [...engine.containers.values()].filter((container) => /-crosslink-(replaced|discarded)-/.test(container.name)).length,
                0,
                `${label}: nothing parked is left`,
              );
            }
            assert.equal(journal.entries.size, 0, `${label}: the change is finished in the journal`);
            assert.deepEqual(await findInterruptedChanges(journal, await hostsOf(scenario)), [], label);
          }
        }
      }
    });
  }

  it('an interrupted recovery can be recovered again', async () => {
    const scenario = await legacyLinkScenario();
    const journal = await crashAt(scenario, 3, 'crashAfter');
    const [change] = await findInterruptedChanges(journal, await hostsOf(scenario));
    const engine = scenario.engines[0];
    engine.arm('crashAfter', 'removeContainer');
    void recoverChange(change, 'rollBack', deps(scenario, journal));
    await delay(20);
    const [entry] = journal.entries.values();
    assert.equal(entry.phase, 'rollingBack');
    await journal.save({ ...entry, owner: { hostname: os.hostname(), pid: deadPid } });
    const [again] = await findInterruptedChanges(journal, await hostsOf(scenario));
    await recoverChange(again, 'rollBack', deps(scenario, journal));
    await assertIntact(scenario, 'original');
  });

  it('rolls back a create whose id was never recorded only after confirmation naming the container', async () => {
    const scenario = await legacyLinkScenario();
    const create = ordered(scenario).findIndex((step) => step.kind === 'createContainer');
    const journal = await crashAt(scenario, create, 'crashAfter');
    const [change] = await findInterruptedChanges(journal, await hostsOf(scenario));
    const before = objects(scenario.engines);
    await assert.rejects(recoverChange(change, 'rollBack', deps(scenario, journal, false)), (error: unknown) => RecoveryError.is(error, 'needsConfirmation'));
    assert.deepEqual(objects(scenario.engines), before, 'nothing changed');
    let question = '';
    await recoverChange(change, 'rollBack', { ...deps(scenario, journal), confirm: async (text: string) => ((question = text), true) });
    assert.match(question, /Remove web \(/);
    await assertIntact(scenario, 'original');
  });

  describe('without a journal (lost, or the change was made from another window)', () => {
    /** web parked, and maybe a new web that replaced it, as a change from elsewhere leaves them. */
    async function parkedScene(options: { replacement: boolean; replacementRunning?: boolean }) {
      const engine = new FakeEngine('alpha');
      const original = inspectDocument('web', { running: false });
      const id = engine.seed(original);
      const parked = `web-crosslink-replaced-${id.slice(0, 8)}`;
      engine.containers.get(id)!.name = parked;
      engine.containers.get(id)!.finishedAt = new Date(Date.now() - 5000).toISOString();
      let newId: string | undefined;
      if (options.replacement) {
        newId = await engine.createContainer('web', { Image: 'crosslink/fixture:latest', Env: ['PATH=/bin'] });
        if (options.replacementRunning) {
          await engine.startContainer(newId);
        }
      }
      const [change] = await findInterruptedChanges(new MemoryJournal(), [{ name: 'alpha', containers: await engine.listContainers() }]);
      const scene = { engines: [engine] } as unknown as Scenario;
      return { engine, id, parked, newId, change: change as InterruptedChange, deps: (confirm: boolean) => deps(scene, new MemoryJournal(), confirm) };
    }

    it('is found from the parked name alone, which must end in its own id', async () => {
      const { change, parked } = await parkedScene({ replacement: true });
      assert.deepEqual([change.containers, change.parked.map((container) => container.name), change.entry], [['alpha/web'], [parked], undefined]);
      const impostor = new FakeEngine('alpha');
      impostor.seed(inspectDocument('db-crosslink-replaced-12345678', { id: 'ab'.repeat(32) }));
      assert.deepEqual(await findInterruptedChanges(undefined, [{ name: 'alpha', containers: await impostor.listContainers() }]), []);
    });

    it('Finish starts the new container (the original was stopped just before it was created) and removes the parked one after confirmation', async () => {
      const { engine, change, newId, deps: depsWith } = await parkedScene({ replacement: true });
      await assert.rejects(recoverChange(change, 'finish', depsWith(false)), (error: unknown) => RecoveryError.is(error, 'needsConfirmation'));
      assert.equal(engine.containers.size, 2);
      await recoverChange(change, 'finish', depsWith(true));
      assert.deepEqual([...engine.containers.keys()], [newId]);
      assert.equal((await engine.inspectContainer('web')).state, 'running');
    });

    it('Roll Back refuses to remove the unproven new container without confirmation, and with it puts the original back running', async () => {
      const { engine, change, id, deps: depsWith } = await parkedScene({ replacement: true, replacementRunning: true });
      await assert.rejects(recoverChange(change, 'rollBack', depsWith(false)), (error: unknown) => RecoveryError.is(error, 'needsConfirmation'));
      assert.equal(engine.containers.size, 2, 'nothing changed');
      await recoverChange(change, 'rollBack', depsWith(true));
      assert.deepEqual([...engine.containers.keys()], [id]);
      assert.equal((await engine.inspectContainer('web')).state, 'running');
    });

    it('with no new container: Finish is refused, Roll Back renames the original back and says it was left stopped', async () => {
      const { engine, change, id, deps: depsWith } = await parkedScene({ replacement: false });
      await assert.rejects(recoverChange(change, 'finish', depsWith(true)), (error: unknown) => RecoveryError.is(error, 'cannotFinish'));
      const done = await recoverChange(change, 'rollBack', depsWith(false));
      assert.equal((await engine.inspectContainer('web')).id, id);
      assert.ok(done.some((line) => line.includes('docker start web')));
    });
  });

  it('skips a change whose process still runs (this one), and offers one recorded on another machine (its process cannot be checked from here)', async () => {
    const scenario = await legacyLinkScenario();
    const journal = new MemoryJournal();
    const entry: JournalEntry = {
      version: 1,
      id: 'c1',
      title: 'link',
      phase: 'applying',
      startedAt: '',
      updatedAt: '',
      owner: { hostname: os.hostname(), pid: process.pid },
      hosts: ['alpha'],
      steps: [],
      created: { alpha: {} },
      originals: [],
    };
    await journal.save(entry);
    assert.deepEqual(await findInterruptedChanges(journal, await hostsOf(scenario)), []);
    await journal.save({ ...entry, owner: { hostname: 'elsewhere', pid: process.pid } });
    assert.equal((await findInterruptedChanges(journal, await hostsOf(scenario))).length, 1);
  });
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
