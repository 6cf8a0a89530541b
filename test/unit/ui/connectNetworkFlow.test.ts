import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { ArgumentError } from '../../../src/ui/commands/command';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { connectNetworkCommand, promptConnectNetwork } from '../../../src/ui/commands/connectNetwork';
import type { InputOptions, PickOptions } from '../../../src/ui/prompter';
import type { ResolvedContainer } from '../../../src/ui/prompts';
import { promptShareVolume, shareVolumeCommand } from '../../../src/ui/commands/shareVolume';
import { ScriptedPrompter, confirm, escape, goBack, inspect, notice, pick, pickMany, type } from '../fakes/scriptedPrompter';

function container(hostName: string, name: string): ResolvedContainer {
  return {
    hostName,
    container: { id: `${hostName}-${name}`, name, image: 'img', state: 'running', labels: {}, networks: [{ name: 'bridge' }], ports: [] },
  } as unknown as ResolvedContainer;
}
const web = container('alpha', 'web');
const db = container('alpha', 'db');
const remote = container('beta', 'app');

function contextOf(all: ResolvedContainer[]): CommandContext {
  const hosts = [...new Set(all.map((resolved) => resolved.hostName))].map((name) => ({
    spec: { name },
    containers: new Map(all.filter((resolved) => resolved.hostName === name).map((resolved) => [resolved.container.id, resolved.container])),
  }));
  return {
    model: {
      hosts: () => hosts,
      client: () => ({
        listNetworks: async () => [
          { name: 'app-net', driver: 'bridge', labels: {} },
          { name: 'host', driver: 'host', labels: {} },
        ],
      }),
    },
  } as unknown as CommandContext;
}

describe('Connect Containers on a Network (unit)', () => {
  it('parse: { containers, network, aliases? }, each bad field named', () => {
    assert.deepEqual(connectNetworkCommand.parse({ containers: ['alpha/web', 'alpha/db'], network: 'n', aliases: { 'alpha/db': 'database' } }), {
      containers: ['alpha/web', 'alpha/db'],
      network: 'n',
      aliases: { 'alpha/db': 'database' },
    });
    const fails = (args: unknown, field: string, reason: string) =>
      assert.throws(
        () => connectNetworkCommand.parse(args),
        (error: unknown) => ArgumentError.is(error) && error.field === field && error.reason === reason,
      );
    fails({ network: 'n' }, 'containers', 'missing');
    fails({ containers: [], network: 'n' }, 'containers', 'wrongType');
    fails({ containers: ['web'], network: 'n' }, 'containers', 'invalidValue');
    fails({ containers: ['alpha/web'] }, 'network', 'missing');
    fails({ containers: ['alpha/web'], network: 'n', aliases: { 'alpha/web': 1 } }, 'aliases', 'wrongType');
  });

  it('happy path: containers → an existing network → aliases (empty allowed)', async () => {
    const ui = new ScriptedPrompter([pickMany(/containers/, ['web', 'db']), pick(/network on alpha/, 'app-net'), type(/alias for web/, ''), type(/alias for db/, 'database')]);
    assert.deepEqual(await promptConnectNetwork(ui, contextOf([web, db])), { containers: ['alpha/web', 'alpha/db'], network: 'app-net', aliases: { 'alpha/db': 'database' } });
    ui.done();
  });

  it('a new network typed right in the pick, validated as typed; Create… offers a suggested name and Back returns to the pick', async () => {
    const ui = new ScriptedPrompter([
      pickMany(/containers/, ['web']),
      inspect('pickOne', /network on alpha/, (options: PickOptions<string>) => {
        assert.match((options.typed!('app-net') as { problem: string }).problem, /exists; pick it/);
        assert.ok('problem' in options.typed!('Bad Name!')!);
        return '\0create';
      }),
      goBack('inputText', /Create a New Network on alpha/),
      pick(/network on alpha/, 'Create a New Network'),
      inspect(
        'inputText',
        /Create a New Network on alpha/,
        (options: InputOptions) => (assert.equal(options.value, 'app-net'), assert.ok(options.validate!('app-net')), 'fresh-net'),
      ),
      type(/alias for web/, ''),
    ]);
    assert.deepEqual(await promptConnectNetwork(ui, contextOf([web])), { containers: ['alpha/web'], network: 'fresh-net', aliases: {} });
    ui.done();
  });

  it('Back from an alias goes to the previous container, then to the network, keeping answers; Escape anywhere ends it', async () => {
    const ui = new ScriptedPrompter([
      pickMany(/containers/, ['web', 'db']),
      pick(/network/, 'app-net'),
      type(/alias for web/, 'front'),
      goBack('inputText', /alias for db/),
      inspect('inputText', /alias for web/, (options: InputOptions) => (assert.equal(options.value, 'front'), assert.ok(options.validate!('bad alias')), goBackValue())),
      inspect('pickOne', /network/, (options: PickOptions<string>) => (assert.equal(options.active, 'app-net'), 'app-net')),
      type(/alias for web/, 'front'),
      type(/alias for db/, ''),
    ]);
    assert.deepEqual(await promptConnectNetwork(ui, contextOf([web, db])), { containers: ['alpha/web', 'alpha/db'], network: 'app-net', aliases: { 'alpha/web': 'front' } });
    ui.done();
    for (const script of [
      [escape('pickMany', /containers/)],
      [pickMany(/containers/, ['web']), escape('pickOne', /network/)],
      [pickMany(/containers/, ['web']), pick(/network/, 'app-net'), escape('inputText', /alias/)],
    ]) {
      const escaped = new ScriptedPrompter(script);
      assert.equal(await promptConnectNetwork(escaped, contextOf([web, db])), undefined);
      escaped.done();
    }
  });

  it('containers on two hosts: says it works on one host and names Link Container Across Hosts', async () => {
    const ui = new ScriptedPrompter([pickMany(/containers/, ['web', 'app']), notice(/works on one host.*alpha and beta.*Link Container Across Hosts/)]);
    assert.equal(await promptConnectNetwork(ui, contextOf([web, remote])), undefined);
    ui.done();
  });
});

function goBackValue() {
  return goBack('inputText', '').answer(undefined as never);
}

describe('Share a Volume (unit)', () => {
  const volumeContext = (): CommandContext =>
    ({
      ...contextOf([web, db]),
      model: {
        ...contextOf([web, db]).model,
        client: () => ({
          listVolumes: async () => [
            { name: 'data', driver: 'local', labels: {} },
            { name: 'a'.repeat(64), driver: 'local', labels: {} },
          ],
        }),
      },
    }) as unknown as CommandContext;

  it('parse: { containers, volume, mountPath, readOnly?, copyChanges?, discardChanges? }', () => {
    assert.deepEqual(shareVolumeCommand.parse({ containers: ['alpha/web'], volume: 'data', mountPath: '/shared' }), {
      containers: ['alpha/web'],
      volume: 'data',
      mountPath: '/shared',
      readOnly: false,
      writableLayer: undefined,
    });
    assert.equal(shareVolumeCommand.parse({ containers: ['alpha/web'], volume: 'data', mountPath: '/s', readOnly: true, copyChanges: true }).writableLayer, 'copy');
    const fails = (args: unknown, field: string) =>
      assert.throws(
        () => shareVolumeCommand.parse(args),
        (error: unknown) => ArgumentError.is(error) && error.field === field,
      );
    fails({ containers: ['alpha/web'], volume: 'data' }, 'mountPath');
    fails({ containers: ['alpha/web'], volume: 'data', mountPath: 'relative' }, 'mountPath');
    fails({ containers: ['alpha/web'], mountPath: '/s' }, 'volume');
    fails({ containers: ['alpha/web'], volume: 'data', mountPath: '/s', readOnly: 'no' }, 'readOnly');
  });

  it('containers → volume (anonymous ones not offered) → mount path → access → confirmation; Back keeps the path; Cancel at the confirmation', async () => {
    const ui = new ScriptedPrompter([
      pickMany(/containers/, ['web', 'db']),
      inspect('pickOne', /volume on alpha/, (options: PickOptions<string>) => (assert.equal(options.items.length, 2, 'Create… and data'), 'data')),
      inspect('inputText', /mount path/, (options: InputOptions) => (assert.ok(options.validate!('relative')), '/data')),
      goBack('pickOne', /access/),
      inspect('inputText', /mount path/, (options: InputOptions) => (assert.equal(options.value, '/data'), '/data')),
      pick(/access/, 'Read-only'),
      confirm(/Mount data at \/data in web, db/, 'Recreate and Mount'),
    ]);
    assert.deepEqual(await promptShareVolume(ui, volumeContext()), { containers: ['alpha/web', 'alpha/db'], volume: 'data', mountPath: '/data', readOnly: true });
    ui.done();
    const cancelled = new ScriptedPrompter([
      pickMany(/containers/, ['web']),
      pick(/volume/, 'data'),
      type(/mount path/, '/d'),
      pick(/access/, 'Read and write'),
      confirm(/Mount data/, undefined),
    ]);
    assert.equal(await promptShareVolume(cancelled, volumeContext()), undefined);
    cancelled.done();
  });
});
