import * as assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/like';
import { type PlanStep, irreversibleKinds } from '../../src/core/planning/plan';
import { IncompleteChangeError, PlanError, executePlans } from '../../src/core/planning/planExecutor';
import { findInterruptedChanges } from '../../src/core/planning/recovery';
import type { FakeEngine } from './fakes/fakeEngine';
import { MemoryJournal } from './fakes/memoryJournal';
import { type Scenario, assertIntact, engineOf, legacyLinkScenario, scenarios } from './fakes/scenarios';

/**
 * How a step goes wrong: it throws before doing anything, the engine refuses it, no reply comes
 * (nothing happened), the engine does it but the reply is lost, or it fails on every attempt.
 */
const faults = ['throwsBefore', 'refused', 'noReply', 'replyLost', 'failsEveryTime'] as const;
type Fault = (typeof faults)[number];

const fast = { retry: { attempts: 3, delayMs: 1 }, settleMs: 0 };

function runs(scenario: Scenario) {
  return scenario.plans.map((plan) => ({ plan, client: engineOf(scenario, plan.host) }));
}

/** Steps in the order the executor runs them (removals last), as beforeStep numbers them. */
function ordered(scenario: Scenario): PlanStep[] {
  const steps = scenario.plans.flatMap((plan) => plan.steps);
  return [...steps.filter((step) => !irreversibleKinds.has(step.kind)), ...steps.filter((step) => irreversibleKinds.has(step.kind))];
}

function injector(scenario: Scenario, at: number, fault: Fault): (step: PlanStep, index: number) => void {
  let attempts = 0;
  return (step, index) => {
    if (index !== at) {
      return;
    }
    attempts++;
    const engine = engineOf(scenario, scenario.plans.find((plan) => plan.steps.includes(step))!.host);
    if (fault === 'throwsBefore' && attempts === 1) {
      throw new Error('injected: failed before doing anything');
    }
    if (fault === 'failsEveryTime') {
      engine.arm('refuse');
    } else if (attempts === 1) {
      engine.arm(({ refused: 'refuse', noReply: 'timeout', replyLost: 'lostReply' } as const)[fault as Exclude<Fault, 'throwsBefore' | 'failsEveryTime'>] ?? 'refuse');
    }
  };
}

const objects = (engines: FakeEngine[]) =>
  engines.map((engine) => ({ containers: [...engine.containers.keys()].sort(), networks: [...engine.networks.keys()].sort(), volumes: [...engine.volumes.keys()].sort() }));

describe('planExecutor (unit)', () => {
  for (const build of scenarios) {
    describe(build.name.replace(/Scenario$/, ' plan'), () => {
      it('with no fault: replaces each container by one with the change, settings kept, running as before; nothing parked is left', async () => {
        const scenario = await build();
        const journal = new MemoryJournal();
        await executePlans(runs(scenario), silentLogger, { ...fast, journal });
        await assertIntact(scenario, 'replacement');
        for (const engine of scenario.engines) {
          assert.equal([...engine.containers.values()].filter((container) => /-crosslink-replaced-/.test(container.name)).length, 0, 'no parked original left');
        }
        assert.equal(journal.entries.size, 0, 'a finished change leaves no journal entry');
        assert.deepEqual(journal.history.at(-1)?.phase, 'done');
      });

      it('a fault at every step index ends with one intact container per original, and never deletes the new one after the point of no return', async () => {
        const steps = ordered(await build());
        for (const [index, step] of steps.entries()) {
          for (const fault of faults) {
            const scenario = await build();
            const before = objects(scenario.engines);
            const journal = new MemoryJournal();
            const label = `${fault} at step ${index} (${step.kind})`;
            const outcome = await executePlans(runs(scenario), silentLogger, { ...fast, journal, beforeStep: injector(scenario, index, fault) }).then(
              () => 'done' as const,
              (error: unknown) => error,
            );
            const irreversible = irreversibleKinds.has(step.kind);
            if (fault === 'replyLost' || (irreversible && fault !== 'failsEveryTime')) {
              assert.equal(outcome, 'done', `${label}: the executor looked again or retried, and the change completed`);
              await assertIntact(scenario, 'replacement');
              assert.equal(journal.entries.size, 0, label);
            } else if (irreversible) {
              assert.ok(IncompleteChangeError.is(outcome) && outcome.reason === 'incomplete', `${label}: rolled forward and reported what is left (${String(outcome)})`);
              assert.ok(outcome.remaining.length > 0 && outcome.howToFinish.length === outcome.remaining.length, label);
              await assertIntact(scenario, 'replacement');
              assert.deepEqual(
                [...journal.entries.values()].map((entry) => entry.phase),
                ['rollingForward'],
                `${label}: kept for recovery`,
              );
            } else {
              assert.ok(PlanError.is(outcome) && outcome.reason === 'stepFailed', `${label}: rolled back (${String(outcome)})`);
              assert.deepEqual(outcome.rollbackFailures, [], label);
              await assertIntact(scenario, 'original');
              assert.deepEqual(objects(scenario.engines), before, `${label}: nothing left behind`);
              assert.equal(journal.entries.size, 0, label);
            }
          }
        }
      });
    });
  }

  it('Cancel between steps: before the point of no return everything is undone (PlanError cancelled); after it the change is finished', async () => {
    const steps = ordered(await legacyLinkScenario());
    for (const [index, step] of steps.entries()) {
      const scenario = await legacyLinkScenario();
      const before = objects(scenario.engines);
      const controller = new AbortController();
      const journal = new MemoryJournal();
      const cancelAt = (_: PlanStep, at: number) => (at === index ? controller.abort() : undefined);
      const outcome = await executePlans(runs(scenario), silentLogger, { ...fast, journal, signal: controller.signal, beforeStep: cancelAt }).then(
        () => 'done' as const,
        (error: unknown) => error,
      );
      const pastNoReturn = steps.slice(0, index + 1).some((earlier) => irreversibleKinds.has(earlier.kind));
      if (pastNoReturn || index === steps.length - 1) {
        assert.equal(outcome, 'done', `cancel at step ${index} (${step.kind}) after the point of no return, or at the last step: finished`);
        await assertIntact(scenario, 'replacement');
      } else {
        assert.ok(PlanError.is(outcome, 'cancelled'), `cancel at step ${index} (${step.kind}): ${String(outcome)}`);
        assert.deepEqual(outcome.rollbackFailures, []);
        await assertIntact(scenario, 'original');
        assert.deepEqual(objects(scenario.engines), before, 'nothing left behind');
      }
      assert.equal(journal.entries.size, 0);
    }
  });

  it('records each step as started before it runs and done after, and the phases of a rollback', async () => {
    const scenario = await legacyLinkScenario();
    const journal = new MemoryJournal();
    await assert.rejects(executePlans(runs(scenario), silentLogger, { ...fast, journal, beforeStep: injector(scenario, 3, 'failsEveryTime') }), PlanError.is);
    const states = journal.history.map((entry) => `${entry.phase}:${entry.steps.map((step) => step.state[0]).join('')}`);
    assert.deepEqual(states, [
      'applying:ppppp',
      'applying:spppp',
      'applying:dpppp',
      'applying:dsppp',
      'applying:ddppp',
      'applying:ddspp',
      'applying:dddpp',
      'applying:dddsp',
      'rollingBack:dddsp',
      // The engine refused the start, so it has nothing to undo.
      'rollingBack:ddusp',
      'rollingBack:duusp',
      'rollingBack:uuusp',
      'rolledBack:uuusp',
    ]);
    const [original] = journal.history[0].originals;
    assert.deepEqual(
      { ...original, id: undefined },
      { host: 'alpha', id: undefined, name: 'web', parkedName: `web-crosslink-replaced-${scenario.originals[0].id.slice(0, 8)}`, running: true },
    );
    assert.ok(
      journal.history.some((entry) => Object.keys(entry.created.alpha).length === 1),
      'the new container id is recorded',
    );
  });

  it('stops a container with its own StopTimeout, so the client waits as long as the engine does', async () => {
    const scenario = await legacyLinkScenario();
    const engine = scenario.engines[0];
    const timeouts: Array<number | undefined> = [];
    const stop = engine.stopContainer.bind(engine);
    engine.stopContainer = async (id: string, timeoutSeconds?: number) => {
      timeouts.push(timeoutSeconds);
      return stop(id);
    };
    await executePlans(runs(scenario), silentLogger, fast);
    assert.deepEqual(timeouts, [90]);
  });

  it('the incomplete error names what is left and how to finish it, and the change is left for recovery', async () => {
    const scenario = await legacyLinkScenario();
    const removal = ordered(scenario).findIndex((step) => step.kind === 'removeContainer');
    const journal = new MemoryJournal();
    const error = await executePlans(runs(scenario), silentLogger, { ...fast, journal, beforeStep: injector(scenario, removal, 'failsEveryTime') }).catch(
      (caught: unknown) => caught,
    );
    assert.ok(IncompleteChangeError.is(error));
    const containers = await scenario.engines[0].listContainers();
    assert.deepEqual(
      (await findInterruptedChanges(journal, [{ name: 'alpha', containers }])).map((change) => change.key),
      [error.changeId],
      'this window offers to finish it',
    );
    const parked = `web-crosslink-replaced-${scenario.originals[0].id.slice(0, 8)}`;
    assert.deepEqual(error.remaining, [`alpha: remove ${parked}`]);
    assert.deepEqual(error.howToFinish, [`(on alpha) docker rm -f ${parked}`]);
  });
});
