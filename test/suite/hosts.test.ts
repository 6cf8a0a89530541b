// Add Docker Host through the real VS Code API: validation, the setting it writes, and the model picking it up.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readTestbed, testbedHost } from '../support/testbed';

interface RefreshResult {
  hosts: Array<{ name: string; state: string; error?: string }>;
}

describe('Add Docker Host', () => {
  const alpha = testbedHost(readTestbed(), 'alpha', 0);
  const name = `extra-${Math.random().toString(36).slice(2, 8)}`;
  const configuration = () => vscode.workspace.getConfiguration('crosslink');
  let original: unknown[] = [];

  before(() => {
    original = configuration().get<unknown[]>('hosts') ?? [];
  });

  after(async () => {
    await configuration().update('hosts', original, vscode.ConfigurationTarget.Global);
  });

  it('refuses a malformed URL, a bad name and a duplicate name, writing nothing', async () => {
    const attempts: Array<[unknown, RegExp]> = [
      [{ name, url: 'ftp://10.231.0.11' }, /"ftp:\/\/" is not supported/],
      [{ name, url: 'tcp://10.231.0.11:99999' }, /Port "99999"/],
      [{ name: 'has/slash', url: alpha.tcpUrl }, /"\/" is reserved/],
      [{ name: alpha.name, url: alpha.tcpUrl }, /already exists/],
    ];
    for (const [args, message] of attempts) {
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.addHost', args)), message);
    }
    assert.deepStrictEqual(configuration().get('hosts'), original);
  });

  it('writes the host to crosslink.hosts and the view connects to it', async () => {
    const result = await vscode.commands.executeCommand('crosslink.addHost', { name, url: alpha.tcpUrl });
    assert.deepStrictEqual(result, { host: name, connection: 'unchecked' });
    const hosts = configuration().get<Array<{ name: string; url: string }>>('hosts') ?? [];
    assert.deepStrictEqual(hosts.at(-1), { name, url: alpha.tcpUrl });
    const deadline = Date.now() + 15_000;
    let state: string | undefined;
    while (state !== 'connected' && Date.now() < deadline) {
      const refreshed = await vscode.commands.executeCommand<RefreshResult>('crosslink.refresh');
      state = refreshed.hosts.find((host) => host.name === name)?.state;
      if (state !== 'connected') {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    assert.strictEqual(state, 'connected');
  });
});
