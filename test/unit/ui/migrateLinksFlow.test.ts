import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import type { LegacyLinkFacts } from '../../../src/core/links/linkOperations';
import { ArgumentError } from '../../../src/ui/commands/command';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { findLinkVariableDependentsCommand, pickToMigrate } from '../../../src/ui/commands/findLinkVariableDependents';
import { migrateLegacyLinksCommand, promptMigrateLinks } from '../../../src/ui/commands/migrateLegacyLinks';
import type { PickOptions } from '../../../src/ui/prompter';
import type { ResolvedContainer } from '../../../src/ui/prompts';
import { ScriptedPrompter, confirm, escape, goBack, inspect, notice, pick, typeInPick } from '../fakes/scriptedPrompter';

function container(name: string): ResolvedContainer {
  return {
    hostName: 'alpha',
    container: { id: `alpha-${name}`, name, image: 'img', state: 'running', labels: {}, networks: [{ name: 'bridge' }], ports: [] },
  } as unknown as ResolvedContainer;
}
const web = container('web');
const db = container('db');

function contextOf(all: ResolvedContainer[]): CommandContext {
  const hosts = [{ spec: { name: 'alpha' }, state: 'connected', containers: new Map(all.map((resolved) => [resolved.container.id, resolved.container])) }];
  return {
    model: {
      hosts: () => hosts,
      client: () => ({ listNetworks: async () => [{ name: 'app-net', driver: 'bridge', labels: {} }] }),
      findContainer: (_host: string, name: string) => all.find((resolved) => resolved.container.name === name || resolved.container.id === name)?.container,
    },
  } as unknown as CommandContext;
}

/** What legacyLinkFacts says about web: a link to db as "database", link variables in its environment. */
function facts(overrides: Partial<LegacyLinkFacts> = {}): LegacyLinkFacts {
  return {
    container: { ...web.container, links: ['db:database'], hostname: 'web', raw: {} },
    links: [{ target: 'db', alias: 'database' }],
    use: { present: true, evidence: 'process', variables: ['DATABASE_PORT'] },
    targets: [{ ...db.container, links: [], hostname: 'db', raw: {} }],
    variables: ['DATABASE_PORT=tcp://database:5432', 'DATABASE_NAME=/web/database'],
    networks: [{ id: 'n', name: 'app-net', driver: 'bridge', labels: {}, containers: {} }],
    suggestedNetwork: 'web-links',
    ...overrides,
  };
}

describe('Migrate Legacy Links (unit, prompts)', () => {
  it('parse: { container, network?, keepLinkVariables?, copyChanges?, discardChanges? }, each bad field named', () => {
    assert.deepEqual(migrateLegacyLinksCommand.parse({ container: 'alpha/web' }), {
      container: 'alpha/web',
      network: undefined,
      keepLinkVariables: false,
      writableLayer: undefined,
    });
    assert.deepEqual(migrateLegacyLinksCommand.parse({ container: 'alpha/web', network: 'app-net', keepLinkVariables: true, copyChanges: true }), {
      container: 'alpha/web',
      network: 'app-net',
      keepLinkVariables: true,
      writableLayer: 'copy',
    });
    const fails = (args: unknown, field: string, reason: string) =>
      assert.throws(
        () => migrateLegacyLinksCommand.parse(args),
        (error: unknown) => ArgumentError.is(error) && error.field === field && error.reason === reason,
      );
    fails({}, 'container', 'missing');
    fails({ container: 'web' }, 'container', 'invalidValue');
    fails({ container: 'alpha/web', network: 'bridge' }, 'network', 'invalidValue');
    fails({ container: 'alpha/web', network: 7 }, 'network', 'wrongType');
    fails({ container: 'alpha/web', keepLinkVariables: 'yes' }, 'keepLinkVariables', 'wrongType');
    fails({ container: 'alpha/web', copyChanges: true, discardChanges: true }, 'discardChanges', 'conflict');
    assert.deepEqual(findLinkVariableDependentsCommand.parse('alpha'), { host: 'alpha' });
    assert.throws(
      () => findLinkVariableDependentsCommand.parse({}),
      (error: unknown) => ArgumentError.is(error, 'missing'),
    );
  });

  it('happy path: container → a new network (suggested, validated as typed) → set the variables (offered first, as they are in its environment) → confirm', async () => {
    const loaded: string[] = [];
    const ui = new ScriptedPrompter([
      pick(/container/, 'web'),
      inspect('pickOne', /network on alpha/, (options: PickOptions<string>) => {
        assert.equal(options.active, undefined, 'the suggested network does not exist yet');
        assert.ok('problem' in options.typed!('bridge')!, 'a built-in network is refused as typed');
        return '\0create';
      }),
      inspect('inputText', /Create a New Network/, (options: { value?: string }) => (assert.equal(options.value, 'web-links'), 'web-links')),
      inspect('pickOne', /link variables of web/, (options: PickOptions<boolean>) => {
        const items = options.items as Array<{ label: string; detail?: string; value: boolean }>;
        assert.equal(items[0].value, true, 'they are in its environment: setting them comes first');
        assert.match(items[0].detail!, /DATABASE_PORT=tcp:\/\/database:5432/);
        assert.match(options.placeholder!, /in its environment now/);
        return true;
      }),
      inspect(
        'confirm',
        /Move the legacy links of web to network web-links/,
        (options: { detail: string }) => (assert.match(options.detail, /db as "database" joins web-links/), 'Migrate'),
      ),
    ]);
    const request = await promptMigrateLinks(ui, contextOf([web, db]), undefined, async (client) => (loaded.push(client.container.name), facts()));
    assert.deepEqual(request, { container: 'alpha/web', network: 'web-links', keepLinkVariables: true });
    assert.deepEqual(loaded, ['web']);
    ui.done();
  });

  it("started on a link node's client: an existing network is typed or picked; no variables means no question; Back from the variables returns to the network", async () => {
    const started = new ScriptedPrompter([pick(/network on alpha/, 'app-net'), confirm(/to network app-net/, 'Migrate')]);
    assert.deepEqual(await promptMigrateLinks(started, contextOf([web, db]), web, async () => facts({ variables: [] })), {
      container: 'alpha/web',
      network: 'app-net',
      keepLinkVariables: false,
    });
    started.done();
    const back = new ScriptedPrompter([
      typeInPick(/network on alpha/, 'fresh-net'),
      goBack('pickOne', /link variables/),
      inspect('pickOne', /network on alpha/, (options: PickOptions<string>) => (assert.equal(options.active, 'fresh-net'), 'app-net')),
      inspect('pickOne', /link variables/, (options: PickOptions<boolean>) =>
        (options.items[0] as { value: boolean }).value === false ? false : assert.fail('not in its environment: leaving them out comes first'),
      ),
      confirm(/to network app-net/, 'Migrate'),
    ]);
    const none = facts({ use: { present: false, evidence: 'none', variables: [] } });
    assert.deepEqual(await promptMigrateLinks(back, contextOf([web, db]), web, async () => none), { container: 'alpha/web', network: 'app-net', keepLinkVariables: false });
    back.done();
  });

  it('Escape at any step, or Cancel at the confirmation, ends it with nothing to run; a container without links says so', async () => {
    for (const script of [
      [escape('pickOne', /network/)],
      [pick(/network/, 'app-net'), escape('pickOne', /link variables/)],
      [pick(/network/, 'app-net'), pick(/link variables/, 'Leave Them Out'), confirm(/Move the legacy links/, undefined)],
    ]) {
      const ui = new ScriptedPrompter(script);
      assert.equal(await promptMigrateLinks(ui, contextOf([web, db]), web, async () => facts()), undefined);
      ui.done();
    }
    const unlinked = new ScriptedPrompter([notice(/web has no legacy links/)]);
    assert.equal(await promptMigrateLinks(unlinked, contextOf([web, db]), web, async () => facts({ links: [] })), undefined);
    unlinked.done();
  });

  it('the check lists containers whose apps may read link variables first; Escape picks none, and no container says so', async () => {
    const scan = {
      host: 'alpha',
      containers: [
        { container: 'alpha/db', links: [{ target: 'x', alias: 'x' }], linkVariables: false, evidence: 'none' as const, variables: [] },
        { container: 'alpha/web', links: [{ target: 'db', alias: 'database' }], linkVariables: true, evidence: 'process' as const, variables: ['DATABASE_PORT'] },
      ],
    };
    const ui = new ScriptedPrompter([
      inspect('pickOne', /Depend on Link Variables on alpha/, (options: PickOptions<string>) => {
        const items = options.items as Array<{ label: string; description?: string; detail?: string }>;
        assert.deepEqual(
          items.map((item) => item.label),
          ['$(warning) web', '$(link) db'],
        );
        assert.equal(items[0].description, 'link variables in its environment');
        assert.equal(items[0].detail, 'db as database');
        return undefined;
      }),
    ]);
    await pickToMigrate(ui, contextOf([web, db]), scan);
    ui.done();
    const empty = new ScriptedPrompter([notice(/No container on alpha has legacy links/)]);
    await pickToMigrate(empty, contextOf([web]), { host: 'alpha', containers: [] });
    empty.done();
  });
});
