// Forward Port and the tunnel commands through the real VS Code API, against containers on the testbed.
import * as assert from 'assert';
import * as http from 'http';
import * as vscode from 'vscode';
import { getLocal } from '../support/http';
import { createContainer, httpServer, readTestbed, removeContainer, testbedHost } from '../support/testbed';

function getUrl(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve(body.trim()));
      })
      .on('error', reject);
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
      const result = await vscode.commands.executeCommand<{ localPort: number; localAddress: string; transport: string }>('crosslink.forwardPort', {
        container: `${host.name}/${name}`,
        port: 8080,
      });
      assert.match(result.localAddress, /^127\.0\.0\.1:\d+$/);
      const bodies = await Promise.all(Array.from({ length: 50 }, () => getLocal(result.localPort)));
      assert.deepStrictEqual(new Set(bodies), new Set([`hello-from-${host.name}`]));
    });
  }

  it('crosslink.toggleTunnels pauses every tunnel (listeners closed) and resumes them', async () => {
    const [first] = await Promise.all(
      hosts.map((host) => vscode.commands.executeCommand<{ localPort: number }>('crosslink.forwardPort', { container: `${host.name}/${name}`, port: 8080 })),
    );
    const paused = await vscode.commands.executeCommand<{ paused: boolean }>('crosslink.toggleTunnels');
    assert.strictEqual(paused.paused, true);
    await assert.rejects(getLocal(first.localPort), /ECONNREFUSED/);
    const resumed = await vscode.commands.executeCommand<{ paused: boolean }>('crosslink.toggleTunnels');
    assert.strictEqual(resumed.paused, false);
    assert.strictEqual(await getLocal(first.localPort), `hello-from-${hosts[0].name}`);
  });

  it('a paused tunnel has no address to copy or open (reason notListening); an id that names no tunnel is refused by field', async () => {
    const id = `${hosts[0].name}/${name}:8080`;
    await vscode.commands.executeCommand('crosslink.forwardPort', { container: `${hosts[0].name}/${name}`, port: 8080 });
    assert.strictEqual((await vscode.commands.executeCommand<{ paused: boolean }>('crosslink.pauseTunnels')).paused, true);
    try {
      for (const command of ['crosslink.copyTunnelAddress', 'crosslink.openTunnelInBrowser']) {
        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand(command, { id })),
          (error: unknown) => (error as { reason?: string }).reason === 'notListening',
          command,
        );
      }
    } finally {
      await vscode.commands.executeCommand('crosslink.resumeTunnels');
    }
    const unknown = (error: unknown) => (error as { field?: string; reason?: string }).field === 'id' && (error as { reason?: string }).reason === 'invalidValue';
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.stopTunnel', { id: `${id}0` })), unknown);
  });

  it('Open in Browser and Copy Local Address give the address the browser reaches (code-server: its proxy)', async () => {
    const host = hosts[0];
    const id = `${host.name}/${name}:8080`;
    const forwarded = await vscode.commands.executeCommand<{ localPort: number; localAddress: string }>('crosslink.forwardPort', { container: `${host.name}/${name}`, port: 8080 });
    const copied = await vscode.commands.executeCommand<{ address: string; listensOn: string }>('crosslink.copyTunnelAddress', { id });
    assert.strictEqual(await vscode.env.clipboard.readText(), copied.address);
    const opened = await vscode.commands.executeCommand<{ url: string; listensOn: string }>('crosslink.openTunnelInBrowser', { id });
    if (vscode.env.uiKind === vscode.UIKind.Web) {
      // The extension host runs on the server: localhost there is not the browser's, so both go through asExternalUri.
      assert.match(opened.listensOn, /server/);
      const external = new URL(opened.url);
      assert.ok(copied.address === opened.url || copied.address === `${external.hostname}:${external.port || 80}`, `${copied.address} names ${opened.url}`);
      if (external.pathname.includes('/proxy/')) {
        assert.match(external.pathname, new RegExp(`/proxy/${forwarded.localPort}/$`));
      }
    } else {
      assert.strictEqual(copied.address, forwarded.localAddress);
      assert.match(opened.listensOn, /this computer/);
    }
    // The test runs on the browser's machine: the address it was given serves the container.
    assert.strictEqual(await getUrl(opened.url), `hello-from-${host.name}`);
  });

  it('refuses a port out of range and an unknown container, opening nothing', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.forwardPort', { container: `${hosts[0].name}/${name}`, port: 0 })), /1 to 65535/);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.forwardPort', { container: `${hosts[0].name}/nope-${suffix}`, port: 80 })),
      /no container "nope-/,
    );
  });
});
