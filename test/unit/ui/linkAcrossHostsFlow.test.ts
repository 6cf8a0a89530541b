import * as assert from 'node:assert/strict';
import { type LinkAcrossHostsFlow, directionLabels, promptCrossLink } from '../../../src/ui/commands/linkAcrossHostsPrompt';
import type { InputOptions, PickOptions } from '../../../src/ui/prompter';
import type { ResolvedContainer } from '../../../src/ui/prompts';
import { ScriptedPrompter, accept, confirm, escape, goBack, inspect, notice, pick, type, typeInPick } from '../fakes/scriptedPrompter';
import type { SwarmChoice } from '../../../src/core/overlay/swarm';

function container(hostName: string, name: string, labels: Record<string, string> = {}): ResolvedContainer {
  return { hostName, container: { id: `${hostName}-${name}`, name, image: 'img', state: 'running', labels, networks: [], ports: [] } } as unknown as ResolvedContainer;
}

const db = container('alpha', 'db');
const app = container('beta', 'app');
const ambassador = container('beta', 'amb', { 'crosslink.role': 'client-ambassador' });

function flow(hosts: ResolvedContainer[], published?: number): LinkAcrossHostsFlow & { commands: string[] } {
  const byHost = new Map<string, ResolvedContainer[]>();
  hosts.forEach((resolved) => byHost.set(resolved.hostName, [...(byHost.get(resolved.hostName) ?? []), resolved]));
  const commands: string[] = [];
  return {
    commands,
    model: {
      hosts: () =>
        [...byHost.entries()].map(([name, list]) => ({ spec: { name }, containers: new Map(list.map((resolved) => [resolved.container.id, resolved.container])) })) as never,
    },
    portCandidates: async () => [{ port: 5432, description: 'listening' }],
    publishedPort: async () => (published ? { address: '10.0.0.1', published } : undefined),
    runCommand: (id) => commands.push(id),
  };
}

const expected = { client: 'beta/app', target: 'alpha/db', port: 5432, alias: 'db', mode: 'network', publish: 5432 };

describe('Link Container Across Hosts flow (unit, scripted prompter)', () => {
  it('from the palette: target → typed port → client (ambassadors and the same host left out) → alias → mode', async () => {
    const ui = new ScriptedPrompter([
      pick(/: target$/, 'db'),
      typeInPick(/port of db/, '5432'),
      inspect('pickOne', /client of db:5432/, (options: PickOptions<ResolvedContainer>) => {
        const labels = options.items.flatMap((item) => ('label' in item ? [item.label] : []));
        assert.deepEqual(labels, ['$(circle-filled) app'], 'not db (same host), not the ambassador');
        return app;
      }),
      accept(/alias/),
      pick(/how the client reaches/, 'Network alias'),
    ]);
    assert.deepEqual(await promptCrossLink(ui, flow([db, app, ambassador])), expected);
    ui.done();
  });

  it('started on a container: asks which end it is, by name; "Link to…" makes it the client', async () => {
    const ui = new ScriptedPrompter([
      inspect('pickOne', /: app$/, (options: PickOptions<string>) => {
        assert.deepEqual(
          options.items.map((item) => ('label' in item ? item.label : '')),
          [directionLabels.client, directionLabels.target],
        );
        return 'client';
      }),
      pick(/what app reaches/, 'db'),
      pick(/port of db/, '5432'),
      type(/alias/, 'pg'),
      pick(/how the client/, 'Legacy link'),
    ]);
    assert.deepEqual(await promptCrossLink(ui, flow([db, app]), app), { ...expected, alias: 'pg', mode: 'link' });
    ui.done();
  });

  it('"Let a Container on Another Host Reach This…" makes it the target', async () => {
    const ui = new ScriptedPrompter([pick(/: db$/, 'Reach This'), pick(/port of db/, '5432'), pick(/client of db/, 'app'), accept(/alias/), pick(/how/, 'Network')]);
    assert.deepEqual(await promptCrossLink(ui, flow([db, app]), db), expected);
    ui.done();
  });

  it('Back at each step returns to the one before with its answer kept; steps 1..n count what is shown', async () => {
    const ui = new ScriptedPrompter([
      pick(/target/, 'db'),
      pick(/port/, '5432'),
      goBack('pickOne', /client of/),
      inspect('pickOne', /port of db/, (options: PickOptions<number>) => (assert.equal(options.active, 5432), assert.equal(options.step, 2), 5432)),
      pick(/client of/, 'app'),
      type(/alias/, 'pg'),
      goBack('pickOne', /how/),
      inspect('inputText', /alias/, (options: InputOptions) => (assert.equal(options.value, 'pg'), 'pg')),
      inspect('pickOne', /how/, (options: PickOptions<string>) => (assert.equal(options.step, 5), 'network')),
    ]);
    assert.deepEqual(await promptCrossLink(ui, flow([db, app])), { ...expected, alias: 'pg' });
    ui.done();
  });

  it('Escape at each step ends the flow', async () => {
    const steps = [pick(/target/, 'db'), pick(/port/, '5432'), pick(/client of/, 'app'), accept(/alias/), pick(/how/, 'Network')];
    for (let at = 0; at < steps.length; at++) {
      const ui = new ScriptedPrompter([...steps.slice(0, at), escape(steps[at].kind, steps[at].title)]);
      assert.equal(await promptCrossLink(ui, flow([db, app])), undefined, `Escape at step ${at + 1}`);
      ui.done();
    }
  });

  it('validates the alias as the user types, and a typed port that is no port', async () => {
    const ui = new ScriptedPrompter([
      pick(/target/, 'db'),
      inspect('pickOne', /port/, (options: PickOptions<number>) => (assert.ok('problem' in options.typed!('0')!), escape('pickOne', '').answer(undefined as never))),
    ]);
    assert.equal(await promptCrossLink(ui, flow([db, app])), undefined);
    const aliasUi = new ScriptedPrompter([
      pick(/target/, 'db'),
      pick(/port/, '5432'),
      pick(/client/, 'app'),
      inspect('inputText', /alias/, (options: InputOptions) => (assert.ok(options.validate!('bad alias!')), assert.equal(options.validate!('pg'), undefined), undefined)),
    ]);
    assert.equal(await promptCrossLink(aliasUi, flow([db, app])), undefined);
    aliasUi.done();
  });

  it('a published port: reuse it, or an ambassador on a host port validated against the published one', async () => {
    const reuse = new ScriptedPrompter([
      pick(/target/, 'db'),
      pick(/port/, '5432'),
      pick(/client/, 'app'),
      accept(/alias/),
      pick(/how/, 'Network'),
      pick(/already published/, 'Reuse 10.0.0.1:15432'),
    ]);
    assert.deepEqual(await promptCrossLink(reuse, flow([db, app], 15432)), { ...expected, publish: 'reuse' });
    reuse.done();
    const other = new ScriptedPrompter([
      pick(/target/, 'db'),
      pick(/port/, '5432'),
      pick(/client/, 'app'),
      accept(/alias/),
      pick(/how/, 'Network'),
      pick(/already published/, 'ambassador'),
      inspect(
        'inputText',
        /Host port on alpha/,
        (options: InputOptions) => (assert.match(options.validate!('15432') ?? '', /taken by db/), assert.equal(options.value, '15433'), '15433'),
      ),
    ]);
    assert.deepEqual(await promptCrossLink(other, flow([db, app], 15432)), { ...expected, publish: 15433 });
    other.done();
  });

  it('no container on another host: says why and offers Add Docker Host', async () => {
    const ui = new ScriptedPrompter([pick(/target/, 'db'), pick(/port/, '5432'), notice(/no container on a host other than alpha/, 'Add Docker Host…')]);
    const fake = flow([db, container('alpha', 'web')]);
    assert.equal(await promptCrossLink(ui, fake), undefined);
    assert.deepEqual(fake.commands, ['crosslink.addHost']);
    ui.done();
  });

  describe('overlay or ambassadors', () => {
    const withSwarm = (choice: SwarmChoice | undefined, published?: number) => ({ ...flow([db, app], published), swarmOf: async () => choice });
    const overlayRequest = { client: 'beta/app', target: 'alpha/db', port: 5432, alias: 'db', mode: 'overlay' };

    it('both hosts in one Swarm: "Overlay network (both hosts in Swarm X)" skips the ambassador steps', async () => {
      const ui = new ScriptedPrompter([
        pick(/target/, 'db'),
        pick(/port/, '5432'),
        pick(/client of/, 'app'),
        accept(/alias/),
        inspect('pickOne', /path between alpha and beta/, (options: PickOptions<string>) => {
          assert.deepEqual(
            options.items.map((item) => ('label' in item ? item.label : '')),
            ['Overlay network (both hosts in Swarm 0123456789ab)', 'Ambassadors'],
          );
          return 'overlay';
        }),
      ]);
      assert.deepEqual(await promptCrossLink(ui, withSwarm({ kind: 'shared', clusterId: '0123456789abcdef' }, 15432)), overlayRequest);
      ui.done();
    });

    it('both hosts in none: forming a Swarm is confirmed, and Cancel there returns to the path pick', async () => {
      const ui = new ScriptedPrompter([
        pick(/target/, 'db'),
        pick(/port/, '5432'),
        pick(/client of/, 'app'),
        accept(/alias/),
        pick(/path between/, 'Overlay network (form a Swarm)'),
        confirm(/Form a Swarm of alpha and beta\?/, undefined),
        inspect('pickOne', /path between/, (options: PickOptions<string>) => (assert.equal(options.active, 'overlay'), 'overlay')),
        confirm(/Form a Swarm/, 'Form Swarm'),
      ]);
      assert.deepEqual(await promptCrossLink(ui, withSwarm({ kind: 'formable' })), { ...overlayRequest, formSwarm: true });
      ui.done();
    });

    it('"Ambassadors" continues with the ambassador steps; hosts that cannot share a Swarm are not asked', async () => {
      const ui = new ScriptedPrompter([
        pick(/target/, 'db'),
        pick(/port/, '5432'),
        pick(/client of/, 'app'),
        accept(/alias/),
        pick(/path between/, 'Ambassadors'),
        pick(/how the client/, 'Network alias'),
      ]);
      assert.deepEqual(await promptCrossLink(ui, withSwarm({ kind: 'formable' })), expected);
      ui.done();
      const other = new ScriptedPrompter([pick(/target/, 'db'), pick(/port/, '5432'), pick(/client of/, 'app'), accept(/alias/), pick(/how the client/, 'Network alias')]);
      assert.deepEqual(await promptCrossLink(other, withSwarm({ kind: 'no', reason: 'differentSwarms', message: '' })), expected);
      other.done();
    });
  });
});
