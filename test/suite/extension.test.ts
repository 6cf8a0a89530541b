// Runs inside VS Code's extension host against the testbed's Docker hosts (crosslink.hosts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { createContainer, readTestbed, removeContainer, repoRoot, testbedHost, type TestbedHost } from '../support/testbed';

interface RefreshResult {
  hosts: { name: string; state: 'connected' | 'connecting' | 'unreachable'; error?: string; containers: string[] }[];
}

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  contributes: { commands: { command: string }[] };
};
const extensionId = `${pkg.publisher}.${pkg.name}`;

describe('Crosslink extension', () => {
  const containerName = `crosslink-suite-${Math.random().toString(36).slice(2, 10)}`;
  let containerHost: TestbedHost | undefined;

  before(async () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `extension ${extensionId} is not loaded`);
    await ext.activate();
  });

  after(() => {
    if (containerHost) removeContainer(containerHost, containerName);
  });

  it('registers every command that package.json contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = pkg.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
  });

  it('crosslink.refresh connects to every configured host and lists a new container', async () => {
    const settings = vscode.workspace.getConfiguration('crosslink').get<{ name: string }[]>('hosts') ?? [];
    const names = settings.map((h) => h.name);
    assert.ok(names.length >= 2, `crosslink.hosts should list the testbed hosts, got ${JSON.stringify(settings)}`);

    const tb = readTestbed();
    containerHost = testbedHost(tb, names[0], 0);
    createContainer(tb, containerHost, containerName, { 'crosslink.test': 'suite' });

    const result = await vscode.commands.executeCommand<RefreshResult>('crosslink.refresh');
    assert.ok(result && Array.isArray(result.hosts), `crosslink.refresh returned ${JSON.stringify(result)}`);
    for (const name of names) {
      const host = result.hosts.find((h) => h.name === name);
      assert.ok(host, `host ${name} missing from ${JSON.stringify(result.hosts.map((h) => h.name))}`);
      assert.strictEqual(host.state, 'connected', `host ${name} is ${host.state}: ${host.error ?? ''}`);
    }
    const listed = result.hosts.find((h) => h.name === names[0])?.containers ?? [];
    assert.ok(listed.includes(containerName), `${containerName} not listed on ${names[0]}: ${listed.join(', ')}`);
  });
});
