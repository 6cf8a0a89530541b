import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, type ArgumentProblem } from '../../../src/ui/commands/command';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { exportTopologyCommand } from '../../../src/ui/commands/exportTopology';
import { showTopologyCommand } from '../../../src/ui/commands/showTopology';
import { type MenuEntry, menuActions } from '../../../src/ui/topology/menuActions';
import type { TopologyFilter, TopologyGraph } from '../../../src/core/topology/topology';
import { ScriptedPrompter, escape, pick } from '../fakes/scriptedPrompter';

function rejects(parse: () => unknown, field: string, reason: ArgumentProblem): void {
  assert.throws(parse, (error: unknown) => ArgumentError.is(error, reason) && error.field === field, `expected ${reason} on "${field}"`);
}

const graph: TopologyGraph = {
  nodes: [{ id: 'container:alpha/web', kind: 'container', label: 'web', host: 'alpha', ref: 'alpha/web', state: 'running' }],
  edges: [],
};

/** A context with one host, alpha, and a Topology panel that records what it was asked to show. */
function contextWith(shown: TopologyFilter[], open?: TopologyFilter): CommandContext {
  return {
    model: { spec: (name: string) => (name === 'alpha' ? {} : undefined), hosts: () => [{ spec: { name: 'alpha' } }] },
    topology: {
      show: async (filter: TopologyFilter) => (shown.push(filter), graph),
      currentFilter: () => open,
      source: { graph: async (filter: TopologyFilter) => (shown.push(filter), graph) },
    },
  } as unknown as CommandContext;
}

describe('topology commands (unit)', () => {
  it('crosslink.showTopology { host?, linkedOnly? } returns the graph the view draws', async () => {
    assert.deepEqual(showTopologyCommand.parse({}), { host: undefined, linkedOnly: undefined });
    assert.deepEqual(showTopologyCommand.parse({ host: 'alpha', linkedOnly: true }), { host: 'alpha', linkedOnly: true });
    rejects(() => showTopologyCommand.parse({ host: 1 }), 'host', 'wrongType');
    rejects(() => showTopologyCommand.parse({ linkedOnly: 'yes' }), 'linkedOnly', 'wrongType');
    rejects(() => showTopologyCommand.parse('alpha'), 'arguments', 'wrongType');
    const shown: TopologyFilter[] = [];
    assert.equal(await showTopologyCommand.run(contextWith(shown), { host: 'alpha' }, { report: () => undefined }), graph);
    assert.deepEqual(shown, [{ host: 'alpha' }]);
  });

  it('an unknown host is refused before anything opens', async () => {
    const shown: TopologyFilter[] = [];
    await assert.rejects(
      showTopologyCommand.run(contextWith(shown), { host: 'nowhere' }, { report: () => undefined }),
      (error: unknown) => ArgumentError.is(error, 'invalidValue') && error.field === 'host',
    );
    await assert.rejects(exportTopologyCommand.run(contextWith(shown), { format: 'svg', filter: { host: 'nowhere' } }, { report: () => undefined }), (error: unknown) =>
      ArgumentError.is(error, 'invalidValue'),
    );
    assert.deepEqual(shown, []);
  });

  it("crosslink.exportTopology { format, host?, linkedOnly? } returns the text, with the open view's filter by default", async () => {
    assert.deepEqual(exportTopologyCommand.parse({ format: 'mermaid' }), { format: 'mermaid', filter: undefined });
    assert.deepEqual(exportTopologyCommand.parse({ format: 'svg', linkedOnly: true }), { format: 'svg', filter: { host: undefined, linkedOnly: true } });
    rejects(() => exportTopologyCommand.parse({}), 'format', 'missing');
    rejects(() => exportTopologyCommand.parse({ format: 'png' }), 'format', 'invalidValue');
    const shown: TopologyFilter[] = [];
    const mermaid = await exportTopologyCommand.run(contextWith(shown, { linkedOnly: true }), { format: 'mermaid' }, { report: () => undefined });
    assert.match(mermaid, /^flowchart LR/);
    assert.match(mermaid, /web/);
    const svg = await exportTopologyCommand.run(contextWith(shown), { format: 'svg' }, { report: () => undefined });
    assert.match(svg, /<svg[^>]*class="topology"/);
    assert.deepEqual(shown, [{ linkedOnly: true }, {}]);
  });

  it('the interactive export asks the format, then file or clipboard; Escape changes nothing', async () => {
    const context = contextWith([]);
    const toClipboard = new ScriptedPrompter([pick('Export Topology', 'Mermaid'), pick('Export Topology', 'Copy to the Clipboard')]);
    assert.deepEqual(await exportTopologyCommand.prompt(toClipboard, context), { format: 'mermaid', destination: { kind: 'clipboard' } });
    const cancelled = new ScriptedPrompter([pick('Export Topology', 'SVG'), escape('pickOne', 'Export Topology')]);
    assert.equal(await exportTopologyCommand.prompt(cancelled, context), undefined);
    toClipboard.done();
    cancelled.done();
  });
});

describe('topology node actions (unit)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8')) as {
    contributes: { commands: Array<{ command: string; title: string }>; menus: Record<string, MenuEntry[]> };
  };
  const entries = manifest.contributes.menus['view/item/context'];
  const titles = new Map(manifest.contributes.commands.map((command) => [command.command, command.title]));
  const actions = (contextValue: string) => menuActions(entries, titles, 'crosslink.containers', contextValue).map((action) => action.command);

  it("offers what the tree's context menu offers for the row, once each, in menu order", () => {
    const running = actions('container.running');
    assert.ok(running.includes('crosslink.openShell') && running.includes('crosslink.stopContainer') && !running.includes('crosslink.startContainer'));
    assert.equal(new Set(running).size, running.length);
    assert.ok(running.indexOf('crosslink.showLogs') < running.indexOf('crosslink.removeContainer'), 'lifecycle before remove');
    const exited = actions('container.exited');
    assert.ok(exited.includes('crosslink.startContainer') && !exited.includes('crosslink.openShell'));
    assert.deepEqual(actions('host.unreachable'), ['crosslink.retryHost']);
    assert.ok(actions('host.connected.configured').includes('crosslink.editHost'));
    assert.deepEqual(actions('tunnels.active'), ['crosslink.pauseTunnels']);
    assert.deepEqual(actions('message'), []);
  });

  it('a clause it cannot read is not offered', () => {
    assert.deepEqual(menuActions([{ command: 'x', when: 'view == v && config.some.setting' }], new Map(), 'v', 'anything'), []);
    assert.deepEqual(menuActions([{ command: 'x', when: 'view == v' }], new Map([['x', 'X']]), 'v', 'anything'), [{ command: 'x', title: 'X' }]);
  });
});
