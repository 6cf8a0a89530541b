import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { ArgumentError } from '../../../src/ui/commands/command';
import { linkContainersCommand } from '../../../src/ui/commands/linkContainers';
import { promptLink } from '../../../src/ui/commands/linkContainersPrompt';
import type { InputOptions } from '../../../src/ui/prompter';
import type { ResolvedContainer } from '../../../src/ui/prompts';
import { ScriptedPrompter, accept, escape, goBack, inspect, notice, pick } from '../fakes/scriptedPrompter';

function container(hostName: string, name: string, networks = ['bridge']): ResolvedContainer {
  return {
    hostName,
    container: { id: `${hostName}-${name}`, name, image: 'img', state: 'running', labels: {}, networks: networks.map((n) => ({ name: n })), ports: [] },
  } as unknown as ResolvedContainer;
}
const web = container('alpha', 'web');
const db = container('alpha', 'db');
const model = (all: ResolvedContainer[]) => ({
  hosts: () =>
    [...new Set(all.map((r) => r.hostName))].map((name) => ({
      spec: { name },
      containers: new Map(all.filter((r) => r.hostName === name).map((r) => [r.container.id, r.container])),
    })) as never,
});

describe('Link Containers (unit)', () => {
  it('parse: { client, target, alias?, copyChanges?, discardChanges? }', () => {
    assert.deepEqual(linkContainersCommand.parse({ client: 'alpha/web', target: 'alpha/db', alias: 'db' }), {
      client: 'alpha/web',
      target: 'alpha/db',
      alias: 'db',
      writableLayer: undefined,
    });
    const fails = (args: unknown, field: string, reason: string) =>
      assert.throws(
        () => linkContainersCommand.parse(args),
        (error: unknown) => ArgumentError.is(error) && error.field === field && error.reason === reason,
      );
    fails({ client: 'alpha/web' }, 'target', 'missing');
    fails({ client: 'alpha/web', target: 'alpha/db', alias: 'not_a_label' }, 'alias', 'invalidValue');
    fails({ client: 'alpha/web', target: 'alpha/db', copyChanges: true, discardChanges: true }, 'discardChanges', 'conflict');
  });

  it('client → target → alias (suggested, validated as typed); Back from the alias keeps the target; Escape ends', async () => {
    const ui = new ScriptedPrompter([
      pick(/client/, 'web'),
      pick(/target of web/, 'db'),
      goBack('inputText', /alias/),
      pick(/target of web/, 'db'),
      inspect('inputText', /alias/, (options: InputOptions) => (assert.equal(options.value, 'db'), assert.ok(options.validate!('not_a_label')), 'database')),
    ]);
    assert.deepEqual(await promptLink(ui, model([web, db]), undefined, () => undefined), { client: 'alpha/web', target: 'alpha/db', alias: 'database' });
    ui.done();
    const escaped = new ScriptedPrompter([pick(/client/, 'web'), escape('pickOne', /target/)]);
    assert.equal(await promptLink(escaped, model([web, db]), undefined, () => undefined), undefined);
    escaped.done();
    const started = new ScriptedPrompter([pick(/target of web/, 'db'), accept(/alias/)]);
    assert.deepEqual(await promptLink(started, model([web, db]), web, () => undefined), { client: 'alpha/web', target: 'alpha/db', alias: 'db' });
    started.done();
  });

  it('no other container on the default bridge: says why and offers Link Container Across Hosts', async () => {
    const ran: string[] = [];
    const ui = new ScriptedPrompter([notice(/no other container on alpha's default bridge/, 'Link Container Across Hosts…')]);
    assert.equal(await promptLink(ui, model([web, container('alpha', 'isolated', ['app-net'])]), web, (id) => ran.push(id)), undefined);
    assert.deepEqual(ran, ['crosslink.linkAcrossHosts']);
    ui.done();
  });
});
