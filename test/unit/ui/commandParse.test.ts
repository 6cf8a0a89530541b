import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { ArgumentError, type ArgumentProblem, invoke, isScriptedArgument } from '../../../src/ui/commands/command';
import { addHostCommand } from '../../../src/ui/commands/addHost';
import { forwardPortCommand } from '../../../src/ui/commands/forwardPort';
import { linkAcrossHostsCommand } from '../../../src/ui/commands/linkAcrossHosts';
import { inspectContainerCommand } from '../../../src/ui/commands/inspectContainer';
import { retryHostCommand } from '../../../src/ui/commands/retryHost';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { HostNode } from '../../../src/ui/tree/treeNodes';
import { ScriptedPrompter } from '../fakes/scriptedPrompter';

function rejects(parse: () => unknown, field: string, reason: ArgumentProblem): void {
  assert.throws(parse, (error: unknown) => ArgumentError.is(error, reason) && error.field === field, `expected ${reason} on "${field}"`);
}

describe('command arguments (unit): parse() pins the scripted API of the README', () => {
  it('crosslink.addHost { name, url, identityFile?, tls?, address? }', () => {
    const args = { name: 'staging', url: 'ssh://me@box', identityFile: '/k' };
    assert.deepEqual(addHostCommand.parse(args), { entry: args, connection: 'unchecked' });
    rejects(() => addHostCommand.parse('staging'), 'arguments', 'wrongType');
    rejects(() => addHostCommand.parse({ url: 'ssh://me@box' }), 'name', 'missing');
    rejects(() => addHostCommand.parse({ name: 3, url: 'ssh://me@box' }), 'name', 'wrongType');
    rejects(() => addHostCommand.parse({ name: 'staging' }), 'url', 'missing');
    rejects(() => addHostCommand.parse({ name: 'staging', url: 'x', identityFile: 1 }), 'identityFile', 'wrongType');
  });

  it('crosslink.retryHost "host" or { host }', () => {
    assert.deepEqual(retryHostCommand.parse('alpha'), { host: 'alpha' });
    assert.deepEqual(retryHostCommand.parse({ host: 'alpha' }), { host: 'alpha' });
    rejects(() => retryHostCommand.parse({}), 'host', 'missing');
    rejects(() => retryHostCommand.parse({ host: 1 }), 'host', 'wrongType');
  });

  it("crosslink.retryHost asks ssh's declined questions again before it reconnects; an unknown host changes nothing", async () => {
    const calls: string[] = [];
    const context = {
      model: { host: (name: string) => (name === 'beta' ? { state: 'connected' } : undefined), refresh: async (name: string) => void calls.push(`refresh ${name}`) },
      forgetSshDeclines: (name: string) => calls.push(`forget ${name}`),
    } as unknown as CommandContext;
    assert.deepEqual(await retryHostCommand.run(context, { host: 'beta' }, { report: () => undefined }), { host: 'beta', state: 'connected' });
    assert.deepEqual(calls, ['forget beta', 'refresh beta']);
    await assert.rejects(retryHostCommand.run(context, { host: 'nope' }, { report: () => undefined }), (error: unknown) => ArgumentError.is(error, 'invalidValue'));
    assert.equal(calls.length, 2);
  });

  it('crosslink.inspectContainer "host/name" or { container }', () => {
    assert.deepEqual(inspectContainerCommand.parse('alpha/web'), { container: 'alpha/web' });
    assert.deepEqual(inspectContainerCommand.parse({ container: 'alpha/web' }), { container: 'alpha/web' });
    rejects(() => inspectContainerCommand.parse('web'), 'container', 'invalidValue');
    rejects(() => inspectContainerCommand.parse({}), 'container', 'missing');
  });

  it('crosslink.forwardPort { container: "host/name", port, localPort? }', () => {
    assert.deepEqual(forwardPortCommand.parse({ container: 'beta/db', port: 5432 }), { container: 'beta/db', port: 5432, localPort: undefined });
    assert.deepEqual(forwardPortCommand.parse({ container: 'beta/db', port: 5432, localPort: 15432 }), { container: 'beta/db', port: 5432, localPort: 15432 });
    rejects(() => forwardPortCommand.parse({ port: 5432 }), 'container', 'missing');
    rejects(() => forwardPortCommand.parse({ container: 'db', port: 5432 }), 'container', 'invalidValue');
    rejects(() => forwardPortCommand.parse({ container: 'beta/db' }), 'port', 'missing');
    rejects(() => forwardPortCommand.parse({ container: 'beta/db', port: '5432' }), 'port', 'wrongType');
    rejects(() => forwardPortCommand.parse({ container: 'beta/db', port: 70000 }), 'port', 'invalidValue');
    rejects(() => forwardPortCommand.parse({ container: 'beta/db', port: 5432, localPort: 0 }), 'localPort', 'invalidValue');
  });

  it('crosslink.linkAcrossHosts { client, target, port, alias?, mode?, publish?, copyChanges?, discardChanges?, confirmForeign? }', () => {
    const base = { client: 'beta/app', target: 'alpha/db', port: 5432 };
    assert.deepEqual(linkAcrossHostsCommand.parse(base), { ...base, alias: undefined, mode: undefined, publish: undefined, writableLayer: undefined, confirmForeign: undefined });
    assert.deepEqual(linkAcrossHostsCommand.parse({ ...base, alias: 'pg', mode: 'link', publish: 'reuse', copyChanges: true, confirmForeign: true }), {
      ...base,
      alias: 'pg',
      mode: 'link',
      publish: 'reuse',
      writableLayer: 'copy',
      confirmForeign: true,
    });
    assert.equal(linkAcrossHostsCommand.parse({ ...base, publish: 15432 }).publish, 15432);
    assert.equal(linkAcrossHostsCommand.parse({ ...base, discardChanges: true }).writableLayer, 'discard');
    rejects(() => linkAcrossHostsCommand.parse({ target: 'alpha/db', port: 5432 }), 'client', 'missing');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, target: 'db' }), 'target', 'invalidValue');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, port: '5432' }), 'port', 'wrongType');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, alias: 'bad alias' }), 'alias', 'invalidValue');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, mode: 'bridge' }), 'mode', 'invalidValue');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, publish: 'yes' }), 'publish', 'wrongType');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, publish: 70000 }), 'publish', 'invalidValue');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, copyChanges: 'yes' }), 'copyChanges', 'wrongType');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, copyChanges: true, discardChanges: true }), 'discardChanges', 'conflict');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, confirmForeign: 1 }), 'confirmForeign', 'wrongType');
  });

  it('scripted means a string or a plain object; tree nodes and nothing mean a user', () => {
    assert.equal(isScriptedArgument('alpha/web'), true);
    assert.equal(isScriptedArgument({ host: 'alpha' }), true);
    assert.equal(isScriptedArgument(undefined), false);
    assert.equal(isScriptedArgument(new HostNode('alpha')), false);
  });

  it('the "+" button (the view title hands over the focused host node) prompts; only plain arguments are parsed', async () => {
    const calls: string[] = [];
    const probe = {
      id: 'crosslink.probe',
      parse: () => (calls.push('parse'), {}),
      prompt: async () => (calls.push('prompt'), undefined),
      run: async () => (calls.push('run'), 'ran'),
    };
    const context = {} as CommandContext;
    assert.equal(await invoke(probe, context, new ScriptedPrompter([]), [new HostNode('alpha')]), undefined);
    assert.equal(await invoke(probe, context, new ScriptedPrompter([]), []), undefined);
    assert.equal(await invoke(probe, context, new ScriptedPrompter([]), [{ name: '' }]), 'ran');
    assert.deepEqual(calls, ['prompt', 'prompt', 'parse', 'run']);
  });
});

describe('the command table (unit)', () => {
  it('every command of the README table and of package.json is registered', async () => {
    const { registeredIds } = await import('../../../src/ui/commands/registerCommands');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.join(__dirname, '../../../..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Commands'), readme.indexOf('## Development'));
    const fromReadme = new Set<string>();
    for (const row of table.split('\n').filter((line) => line.startsWith('| `crosslink.'))) {
      const cell = row.split(' | ')[0];
      const ids = [...cell.matchAll(/`(?:crosslink\.)?(\w+)`/g)].map((match) => `crosslink.${match[1]}`);
      ids.forEach((id) => fromReadme.add(id));
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string }> } };
    assert.ok(fromReadme.size >= 30, `read ${fromReadme.size} ids from the README table`);
    const registered = new Set(registeredIds);
    assert.deepEqual(
      [...fromReadme].filter((id) => !registered.has(id)),
      [],
      'README commands that are not registered',
    );
    assert.deepEqual(
      manifest.contributes.commands.map(({ command }) => command).filter((id) => !registered.has(id)),
      [],
      'package.json commands that are not registered',
    );
    assert.equal(registered.size, registeredIds.length, 'no id registered twice');
  });
});
