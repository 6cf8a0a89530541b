import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import type { CrossLink } from '../../../src/core/values/labels';
import { UnsavedChangesError } from '../../../src/core/planning/recreate';
import { ProvenanceError } from '../../../src/core/provenance/seal';
import { adoptCrossLinkCommand } from '../../../src/ui/commands/adoptCrossLink';
import { changeTunnelPortCommand } from '../../../src/ui/commands/changeTunnelPort';
import { ArgumentError, type ArgumentProblem, invoke } from '../../../src/ui/commands/command';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { removeCrossLinkCommand } from '../../../src/ui/commands/removeCrossLink';
import { repairCrossLinkCommand } from '../../../src/ui/commands/repairCrossLink';
import { CrossLinkNode, TunnelNode } from '../../../src/ui/tree/treeNodes';
import type { InputOptions } from '../../../src/ui/prompter';
import { ScriptedPrompter, confirm, escape, inspect, notice, pick, type } from '../fakes/scriptedPrompter';

function rejects(parse: () => unknown, field: string, reason: ArgumentProblem): void {
  assert.throws(parse, (error: unknown) => ArgumentError.is(error, reason) && error.field === field, `expected ${reason} on "${field}"`);
}

const link = {
  client: { host: 'beta', container: 'app' },
  alias: 'db',
  target: { host: 'alpha', container: 'db', port: 5432 },
  mode: 'link',
  origin: 'ours',
  clientAmbassador: { host: 'beta', name: 'crosslink-cli-app-db' },
} as unknown as CrossLink;

/** A context whose cross-link operations record what ran and fail as told. */
function contextWith(links: CrossLink[], fail: unknown[] = []) {
  const calls: unknown[] = [];
  const context = {
    crossLinks: {
      list: async () => links,
      remove: async (_link: CrossLink, options: { confirmForeign?: boolean }, writableLayer?: string) => {
        calls.push({ remove: { confirmForeign: options.confirmForeign, writableLayer } });
        if (fail.length > 0) {
          throw fail.shift();
        }
        return { serverAmbassador: 'removed', otherClients: [], offlineHosts: [] };
      },
    },
  } as unknown as CommandContext;
  return { context, calls };
}

describe('cross-link and tunnel commands (unit)', () => {
  it('parse: repair, remove and adopt take { client, alias } and their flags; changeTunnelPort { id, localPort }', () => {
    assert.deepEqual(repairCrossLinkCommand.parse({ client: 'beta/app', alias: 'db', confirmForeign: true }), { client: 'beta/app', alias: 'db', confirmForeign: true });
    assert.deepEqual(removeCrossLinkCommand.parse({ client: 'beta/app', alias: 'db', discardChanges: true }), {
      client: 'beta/app',
      alias: 'db',
      writableLayer: 'discard',
      confirmForeign: undefined,
    });
    assert.deepEqual(adoptCrossLinkCommand.parse({ client: 'beta/app', alias: 'db' }), { client: 'beta/app', alias: 'db' });
    assert.deepEqual(changeTunnelPortCommand.parse({ id: 'beta/db:5432', localPort: 15432 }), { id: 'beta/db:5432', localPort: 15432 });
    rejects(() => repairCrossLinkCommand.parse({ alias: 'db' }), 'client', 'missing');
    rejects(() => removeCrossLinkCommand.parse({ client: 'app', alias: 'db' }), 'client', 'invalidValue');
    rejects(() => removeCrossLinkCommand.parse({ client: 'beta/app', copyChanges: true, discardChanges: true }), 'discardChanges', 'conflict');
    rejects(() => repairCrossLinkCommand.parse({ client: 'beta/app', confirmForeign: 'yes' }), 'confirmForeign', 'wrongType');
    rejects(() => changeTunnelPortCommand.parse({ id: 'beta/db:5432' }), 'localPort', 'missing');
    rejects(() => changeTunnelPortCommand.parse({ localPort: 1 }), 'id', 'missing');
  });

  it('Remove Link from the tree: confirms, then answers files that would be lost and objects not created here, running again each time', async () => {
    const unsaved = new UnsavedChangesError([{ name: 'app', paths: ['/data/x'], deleted: [] }]);
    const foreign = new ProvenanceError('foreign', 'not ours', ['beta/crosslink-cli-app-db']);
    const { context, calls } = contextWith([link], [unsaved, foreign]);
    const ui = new ScriptedPrompter([
      confirm(/Remove the link app on beta → db/, 'Remove Link'),
      confirm(/app wrote files outside volumes/, 'Copy Files and Continue'),
      confirm(/did not create these objects/, 'Change Them Anyway'),
      notice(/Removed the link app on beta/),
    ]);
    const result = await invoke(removeCrossLinkCommand, context, ui, [new CrossLinkNode(link, 'client')]);
    assert.deepEqual(result, { removed: 'app on beta → db (alpha/db:5432)', serverAmbassador: 'removed', otherClients: [], offlineHosts: [] });
    assert.deepEqual(calls, [
      { remove: { confirmForeign: undefined, writableLayer: undefined } },
      { remove: { confirmForeign: undefined, writableLayer: 'copy' } },
      { remove: { confirmForeign: true, writableLayer: 'copy' } },
    ]);
    assert.deepEqual(ui.progressTitles.length, 3, 'each run under cancellable progress');
    ui.done();
  });

  it('Remove Link: Escape at the pick, Cancel at the confirmation and at the files question change nothing more', async () => {
    const { context, calls } = contextWith([link], [new UnsavedChangesError([{ name: 'app', paths: ['/x'], deleted: [] }])]);
    for (const script of [[escape('pickOne', 'Remove a Cross-Host Link')], [pick('Remove a Cross-Host Link', 'app → db'), confirm(/Remove the link/, undefined)]]) {
      const ui = new ScriptedPrompter(script);
      assert.equal(await invoke(removeCrossLinkCommand, context, ui, []), undefined);
      ui.done();
    }
    assert.deepEqual(calls, []);
    const ui = new ScriptedPrompter([pick('Remove a Cross-Host Link', 'app → db'), confirm(/Remove the link/, 'Remove Link'), confirm(/wrote files/, undefined)]);
    assert.equal(await invoke(removeCrossLinkCommand, context, ui, []), undefined);
    assert.equal(calls.length, 1, 'refused once, not run again');
    ui.done();
  });

  it('with no link to pick, says so and names the command that makes one', async () => {
    const { context } = contextWith([]);
    for (const command of [repairCrossLinkCommand, removeCrossLinkCommand, adoptCrossLinkCommand]) {
      const ui = new ScriptedPrompter([notice(/no cross-host link.*Link Container Across Hosts/)]);
      assert.equal(await invoke(command, context, ui, []), undefined);
      ui.done();
    }
  });

  it('a scripted call naming no link fails with ArgumentError on "client"', async () => {
    const { context } = contextWith([link]);
    await assert.rejects(
      invoke(repairCrossLinkCommand, context, new ScriptedPrompter([]), [{ client: 'beta/app', alias: 'other' }]),
      (error: unknown) => ArgumentError.is(error, 'invalidValue') && error.field === 'client',
    );
  });

  it('Change Tunnel Port: validates as the user types; Escape changes nothing; with no tunnel says how to open one', async () => {
    const tunnel = { id: 'beta/db:5432', port: 5432, localPort: 5432, localAddress: '127.0.0.1:5432', state: 'active' };
    const moves: number[] = [];
    const context = {
      tunnels: {
        list: () => [tunnel],
        get: (id: string) => (id === tunnel.id ? tunnel : undefined),
        changeLocalPort: async (_id: string, port: number) => (moves.push(port), { ...tunnel, localPort: port }),
      },
    } as unknown as CommandContext;
    const ui = new ScriptedPrompter([
      inspect(
        'inputText',
        /New local port for beta\/db:5432/,
        (options: InputOptions) => (assert.equal(options.value, '5432'), assert.ok(options.validate!('x')), assert.ok(options.validate!('0')), undefined),
      ),
      type(/New local port/, '15432'),
    ]);
    assert.equal(await invoke(changeTunnelPortCommand, context, ui, [new TunnelNode(tunnel.id)]), undefined);
    assert.deepEqual(await invoke(changeTunnelPortCommand, context, ui, [new TunnelNode(tunnel.id)]), { localPort: 15432 });
    assert.deepEqual(moves, [15432]);
    ui.done();
    const none = { tunnels: { list: () => [], get: () => undefined } } as unknown as CommandContext;
    const empty = new ScriptedPrompter([notice(/no tunnel is open.*Forward/)]);
    assert.equal(await invoke(changeTunnelPortCommand, none, empty, []), undefined);
    empty.done();
  });
});
