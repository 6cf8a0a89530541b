// Forward Port and the tunnel commands through the real VS Code API, against containers on the testbed.
import * as assert from 'assert';
import * as http from 'http';
import * as vscode from 'vscode';
import { createContainer, httpServer, readTestbed, removeContainer, testbedHost } from '../support/testbed';

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body.trim()));
    }).on('error', reject);
  });
}

describe('Tunnel commands', () => {
  const testbed = readTestbed();
  const suffix = Math.random().toString(36).slice(2, 8);
  const hosts = [testbedHost(testbed, 'alpha', 0), testbedHost(testbed, 'beta', 1)];
  const name = `suite-http-${suffix}`;

  before(async () => {
    for (const host of hosts) createContainer(testbed, host, name, {}, httpServer(8080, `hello-from-${host.name}`));
    await vscode.commands.executeCommand('crosslink.refresh');
  });

  after(async () => {
    for (const host of hosts) {
      await Promise.resolve(vscode.commands.executeCommand('crosslink.stopTunnel', { id: `${host.name}/${name}:8080` })).catch(() => undefined);
      removeContainer(host, name);
    }
  });

  for (const host of hosts) {
    it(`crosslink.forwardPort serves an unpublished port of ${host.name} on 127.0.0.1, 50 requests in parallel`, async () => {
      const result = await vscode.commands.executeCommand<{ localPort: number; localAddress: string; transport: string }>('crosslink.forwardPort', { container: `${host.name}/${name}`, port: 8080 });
      assert.match(result.localAddress, /^127\.0\.0\.1:\d+$/);
      const bodies = await Promise.all(Array.from({ length: 50 }, () => get(result.localPort)));
      assert.deepStrictEqual(new Set(bodies), new Set([`hello-from-${host.name}`]));
    });
  }

  it('crosslink.toggleTunnels pauses every tunnel (listeners closed) and resumes them', async () => {
    const [first] = await Promise.all(hosts.map((host) => vscode.commands.executeCommand<{ localPort: number }>('crosslink.forwardPort', { container: `${host.name}/${name}`, port: 8080 })));
    const paused = await vscode.commands.executeCommand<{ paused: boolean }>('crosslink.toggleTunnels');
    assert.strictEqual(paused.paused, true);
    await assert.rejects(get(first.localPort), /ECONNREFUSED/);
    const resumed = await vscode.commands.executeCommand<{ paused: boolean }>('crosslink.toggleTunnels');
    assert.strictEqual(resumed.paused, false);
    assert.strictEqual(await get(first.localPort), `hello-from-${hosts[0].name}`);
  });

  it('refuses a port out of range and an unknown container, opening nothing', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.forwardPort', { container: `${hosts[0].name}/${name}`, port: 0 })), /1 to 65535/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.forwardPort', { container: `${hosts[0].name}/nope-${suffix}`, port: 80 })), /no container "nope-/);
  });
});
