// Runs only in the Restricted Mode session (see index.ts here): the folder is untrusted and its
// .vscode/settings.json sets every restricted crosslink setting to something else than the user's.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { getLocal } from '../../support/http';
import { createContainer, httpServer, readTestbed, removeContainer, repoRoot, testbedHost } from '../../support/testbed';

interface HostEntry {
  name: string;
  url: string;
}

interface RefreshResult {
  hosts: { name: string; state: string; error?: string }[];
  userSettingsOnly?: string[];
}

interface ForwardResult {
  localPort: number;
  localAddress: string;
  transport: string;
  userSettingsOnly?: string[];
}

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };

describe('Restricted Mode: an untrusted folder cannot choose hosts, images or listen addresses', () => {
  const testbed = readTestbed();
  const alpha = testbedHost(testbed, 'alpha', 0);
  const server = `restricted-http-${Math.random().toString(36).slice(2, 8)}`;
  const configuration = () => vscode.workspace.getConfiguration('crosslink');
  /** What the folder tries: its own .vscode/settings.json, as the harness wrote it. */
  let folderSettings: Record<string, unknown>;
  let userHosts: HostEntry[];

  before(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the session opens a folder');
    folderSettings = JSON.parse(fs.readFileSync(path.join(folder.uri.fsPath, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
    userHosts = configuration().inspect<HostEntry[]>('hosts')?.globalValue ?? [];
    assert.ok(userHosts.length > 0, 'the user settings list the testbed hosts');
    const ext = vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`);
    assert.ok(ext, 'the extension is loaded in Restricted Mode');
    await ext.activate();
  });

  after(async () => {
    await Promise.resolve(vscode.commands.executeCommand('crosslink.stopTunnel', { id: `${alpha.name}/${server}:8080` })).catch(() => undefined);
    removeContainer(alpha, server);
  });

  it('the folder is untrusted, its settings try every restricted setting, and Crosslink is active', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    for (const key of ['crosslink.hosts', 'crosslink.ambassadorImage', 'crosslink.tunnels.localAddress']) {
      assert.notStrictEqual(folderSettings[key], undefined, `the folder's settings set ${key}`);
    }
    assert.strictEqual(vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)?.isActive, true);
  });

  // VS Code 1.100 already hides the folder's values of restricted settings from inspect(); these
  // tests check what the user gets (hosts, listen address, image), whoever drops the values.
  it("the tree lists the user's own hosts, connected, and never the folder's; Refresh says where they came from", async () => {
    const result = await vscode.commands.executeCommand<RefreshResult>('crosslink.refresh');
    assert.deepStrictEqual(result.hosts.map((host) => host.name).sort(), userHosts.map((host) => host.name).sort());
    for (const host of result.hosts) assert.strictEqual(host.state, 'connected', `${host.name}: ${host.error ?? ''}`);
    const folderHosts = (folderSettings['crosslink.hosts'] as HostEntry[]).map((host) => host.name);
    assert.deepStrictEqual(
      result.hosts.filter((host) => folderHosts.includes(host.name)),
      [],
    );
    assert.deepStrictEqual(result.userSettingsOnly, ['crosslink.hosts', 'crosslink.includeDockerContexts']);
  });

  it("Forward Port listens on the user's address with the user's ambassador image, and says so", async () => {
    createContainer(testbed, alpha, server, {}, httpServer(8080, 'hello-restricted'));
    await vscode.commands.executeCommand('crosslink.refresh');
    const result = await vscode.commands.executeCommand<ForwardResult>('crosslink.forwardPort', { container: `${alpha.name}/${server}`, port: 8080 });
    // The folder asks for all interfaces (0.0.0.0); the user's setting is the default, loopback.
    assert.match(result.localAddress, /^127\.0\.0\.1:\d+$/);
    // alpha's tunnels run through an ambassador: the folder's image does not exist, the user's does.
    assert.strictEqual(await getLocal(result.localPort), 'hello-restricted');
    assert.deepStrictEqual(result.userSettingsOnly, ['crosslink.tunnels.localAddress', 'crosslink.ambassadorImage']);
  });
});
