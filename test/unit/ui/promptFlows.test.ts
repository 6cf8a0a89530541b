import * as assert from 'node:assert/strict';
import { promptUntilChecked } from '../../../src/ui/commands/addHostPrompt';
import { promptForward } from '../../../src/ui/commands/forwardPortPrompt';
import { type InputOptions, type PickOptions, back, runSteps } from '../../../src/ui/prompter';
import { type ResolvedContainer, pickContainer, portCandidates } from '../../../src/ui/prompts';
import { silentLogger } from '../../../src/core/like';
import { ScriptedPrompter, accept, confirm, escape, goBack, inspect, notice, pick, type, typeInPick } from '../fakes/scriptedPrompter';

const db = {
  hostName: 'beta',
  container: {
    id: 'c1',
    name: 'db',
    image: 'postgres',
    state: 'running',
    labels: {},
    networks: [],
    ports: [
      { privatePort: 5432, protocol: 'tcp' },
      { privatePort: 8080, publicPort: 18080, hostIp: '0.0.0.0', protocol: 'tcp' },
    ],
  },
} as unknown as ResolvedContainer;

describe('prompt flows (unit, scripted prompter)', () => {
  describe('runSteps (MultiStepInput)', () => {
    it('Back returns to the step shown before, skipping skipped steps; Escape ends; positions count shown steps', async () => {
      const seen: string[] = [];
      const answers = ['back', 'next', 'back', 'next', 'next'] as const;
      let call = 0;
      const done = await runSteps([
        async ({ step }) => (seen.push(`a${step}`), 'next'),
        async () => 'skip',
        async ({ step, totalSteps }) => (seen.push(`c${step}/${totalSteps}`), answers[call++]),
        async ({ step }) => (seen.push(`d${step}`), answers[call++]),
      ]);
      assert.equal(done, true);
      assert.deepEqual(seen, ['a1', 'c2/4', 'a1', 'c2/4', 'd3', 'c2/4', 'd3']);
      assert.equal(await runSteps([async () => 'next', async () => 'cancel']), false);
      assert.equal(await runSteps([async () => 'back']), false, 'Back on the first step ends the flow');
    });
  });

  describe('Add Docker Host', () => {
    const taken = new Set(['alpha']);
    const ok = async () => undefined;

    it('happy path: name → URL → SSH key from the agent, checked and saved', async () => {
      const ui = new ScriptedPrompter([type('Add Docker Host', 'staging'), type(/how to reach staging/, 'ssh://me@box'), pick(/SSH key for staging/, 'ssh-agent')]);
      assert.deepEqual(await promptUntilChecked(ui, taken, ok), { entry: { name: 'staging', url: 'ssh://me@box' }, connection: 'ok' });
      assert.deepEqual(ui.progressTitles, ['Connecting to staging…']);
      ui.done();
    });

    it('validates as the user types: empty, a taken name, a bad URL', async () => {
      const ui = new ScriptedPrompter([
        inspect('inputText', 'Add Docker Host', (options: InputOptions) => {
          assert.match(options.validate!('') ?? '', /Enter a name/);
          assert.match(options.validate!('alpha') ?? '', /already a host name/);
          assert.match(options.validate!('a/b') ?? '', /reserved/);
          return 'staging';
        }),
        inspect('inputText', /how to reach/, (options: InputOptions) => {
          assert.ok(options.validate!('http://box'));
          assert.equal(options.validate!('tcp://box:2376'), undefined);
          return undefined;
        }),
      ]);
      assert.equal(await promptUntilChecked(ui, taken, ok), undefined);
      ui.done();
    });

    it('Escape at each step changes nothing', async () => {
      for (const script of [
        [escape('inputText', 'Add Docker Host')],
        [type('Add Docker Host', 'staging'), escape('inputText', /how to reach/)],
        [type('Add Docker Host', 'staging'), type(/how to reach/, 'tcp://box:2376'), escape('pickOne', /TLS for staging/)],
      ]) {
        const ui = new ScriptedPrompter(script);
        assert.equal(await promptUntilChecked(ui, taken, ok), undefined);
        ui.done();
      }
    });

    it('Back at each step keeps the answers: the name and URL come back as they were typed', async () => {
      const ui = new ScriptedPrompter([
        type('Add Docker Host', 'staging'),
        goBack('inputText', /how to reach staging/),
        inspect('inputText', 'Add Docker Host', (options: InputOptions) => (assert.equal(options.value, 'staging'), assert.equal(options.step, 1), 'staging')),
        type(/how to reach/, 'tcp://box:2375'),
        inspect(
          'pickOne',
          /TLS for staging/,
          (options: PickOptions<string>) => (
            assert.equal(options.step, 3),
            assert.equal(options.items[0] && 'label' in options.items[0] && options.items[0].label, 'No TLS'),
            back
          ),
        ),
        inspect('inputText', /how to reach/, (options: InputOptions) => (assert.equal(options.value, 'tcp://box:2375'), 'tcp://box:2375')),
        pick(/TLS for staging/, 'No TLS'),
      ]);
      assert.deepEqual(await promptUntilChecked(ui, taken, ok), { entry: { name: 'staging', url: 'tcp://box:2375' }, connection: 'ok' });
      ui.done();
    });

    it('a host that does not answer: Edit offers the entry again, Save Anyway saves it as failed', async () => {
      const ui = new ScriptedPrompter([
        type('Add Docker Host', 'staging'),
        type(/how to reach/, 'unix:///tmp/none.sock'),
        confirm(/staging did not answer: refused/, 'Edit'),
        accept('Add Docker Host'),
        accept(/how to reach/),
        confirm(/did not answer/, 'Save Anyway'),
      ]);
      assert.deepEqual(await promptUntilChecked(ui, taken, async () => 'refused'), { entry: { name: 'staging', url: 'unix:///tmp/none.sock' }, connection: 'failed' });
      ui.done();
    });

    it('a TLS folder from the dialog; cancelling the dialog cancels', async () => {
      const ui = new ScriptedPrompter([
        type('Add Docker Host', 'prod'),
        type(/how to reach/, 'tcp://box:2376'),
        pick(/TLS for prod/, 'client certificates'),
        { kind: 'pickPath', title: /ca.pem/, answer: () => '/certs' },
      ]);
      assert.deepEqual(await promptUntilChecked(ui, taken, ok), {
        entry: { name: 'prod', url: 'tcp://box:2376', tls: { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' } },
        connection: 'ok',
      });
      ui.done();
    });
  });

  describe('Forward Port', () => {
    const free = async (port: number) => (port === 5432 ? 5433 : port);

    it('a port typed in the pick is accepted where it is typed (not only "Type a Port…")', async () => {
      const ui = new ScriptedPrompter([typeInPick(/Forward a port of db/, '5432'), accept('Local port')]);
      assert.deepEqual(await promptForward(ui, db, [], free), { container: 'beta/db', port: 5432, localPort: 5433 });
      ui.done();
    });

    it('offers the candidates; typed text that is no port says why as the user types', async () => {
      const ui = new ScriptedPrompter([
        inspect('pickOne', /Forward a port/, (options: PickOptions<number>) => {
          assert.deepEqual(options.typed!('abc'), { problem: 'Type a port number (1-65535).' });
          assert.ok('problem' in options.typed!('70000')!);
          return 8080;
        }),
        inspect('inputText', 'Local port', (options: InputOptions) => (assert.ok(options.validate!('0')), assert.match(options.prompt ?? '', /8080 is free/), '18081')),
      ]);
      assert.deepEqual(await promptForward(ui, db, [{ port: 8080, description: 'published' }], free), { container: 'beta/db', port: 8080, localPort: 18081 });
      ui.done();
    });

    it('Back from the local port returns to the port pick with the port kept; Escape at each step', async () => {
      const ui = new ScriptedPrompter([
        pick(/Forward a port/, '8080'),
        goBack('inputText', 'Local port'),
        inspect('pickOne', /Forward a port/, (options: PickOptions<number>) => (assert.equal(options.active, 8080), 8080)),
        accept('Local port'),
      ]);
      assert.deepEqual(await promptForward(ui, db, [{ port: 8080, description: 'exposed' }], free), { container: 'beta/db', port: 8080, localPort: 8080 });
      ui.done();
      for (const script of [[escape('pickOne', /Forward/)], [pick(/Forward/, '8080'), escape('inputText', 'Local port')]]) {
        const escaped = new ScriptedPrompter(script);
        assert.equal(await promptForward(escaped, db, [{ port: 8080, description: 'exposed' }], free), undefined);
        escaped.done();
      }
    });

    it('port candidates: exposed, published, and listening inside the container (best effort)', async () => {
      const procNetTcp = ['  sl  local_address rem_address   st', '   0: 00000000:1538 00000000:0000 0A 0', '   1: 0100007F:0CEA 00000000:0000 0A 0'].join('\n');
      const exec = async () => ({ exitCode: 0, stdout: procNetTcp });
      assert.deepEqual(await portCandidates(db, { exec }, silentLogger), [
        { port: 3306, description: 'listening' },
        { port: 5432, description: 'exposed · listening' },
        { port: 8080, description: 'published on 0.0.0.0:18080' },
      ]);
      const hangs = { exec: async () => Promise.reject(new Error('no reply')) };
      assert.deepEqual(
        (await portCandidates(db, hangs, silentLogger)).map(({ port }) => port),
        [5432, 8080],
        'an exec that fails adds nothing',
      );
    });
  });

  describe('pickContainer', () => {
    it('with nothing to pick, says why and offers the alternative', async () => {
      let ran = false;
      const ui = new ScriptedPrompter([notice(/Link: no other container/, 'Use Link Across Hosts')]);
      const model = { hosts: () => [] };
      const picked = await pickContainer(ui, model, {
        title: 'Link',
        placeholder: '',
        empty: { message: 'no other container on alpha.', alternative: { label: 'Use Link Across Hosts', run: () => (ran = true) } },
      });
      assert.equal(picked, undefined);
      assert.ok(ran);
      ui.done();
    });
  });
});
