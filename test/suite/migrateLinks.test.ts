// Migrate Legacy Links and the link-variable check through the real VS Code API, against the testbed's alpha.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { createContainer, docker, readTestbed, removeContainer, testbedHost } from '../support/testbed';

interface Scan {
  host: string;
  containers: Array<{ container: string; links: Array<{ target: string; alias: string }>; linkVariables: boolean; evidence: string }>;
}

describe('Migrate Legacy Links commands', () => {
  const testbed = readTestbed();
  const alpha = testbedHost(testbed, 'alpha', 0);
  const suffix = Math.random().toString(36).slice(2, 8);
  const web = `suite-migrate-web-${suffix}`;
  const db = `suite-migrate-db-${suffix}`;
  const network = `suite-migrate-net-${suffix}`;
  const ref = (name: string) => `${alpha.name}/${name}`;

  before(async () => {
    createContainer(testbed, alpha, db);
    docker(alpha, ['run', '-d', '--stop-timeout', '1', '--name', web, '--link', `${db}:database`, '-e', 'KEEP=me', testbed.images.fixture, 'sleep', '86400']);
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
  });

  after(() => {
    for (const name of [web, db]) removeContainer(alpha, name);
    try {
      docker(alpha, ['network', 'rm', network]);
    } catch {
      // never made, or already gone
    }
  });

  it('crosslink.findLinkVariableDependents lists the linked container with its link variables', async () => {
    const scan = await vscode.commands.executeCommand<Scan>('crosslink.findLinkVariableDependents', { host: alpha.name });
    const entry = scan.containers.find((candidate) => candidate.container === ref(web));
    assert.ok(entry, JSON.stringify(scan));
    assert.deepStrictEqual(entry.links, [{ target: db, alias: 'database' }]);
    assert.strictEqual(entry.linkVariables, true);
  });

  it('crosslink.migrateLegacyLinks moves the link to a network, keeping the name and setting the variables', async () => {
    const result = await vscode.commands.executeCommand<{ network: string; env: string[]; containerId: string }>('crosslink.migrateLegacyLinks', {
      container: ref(web),
      network,
      keepLinkVariables: true,
    });
    const inspect = JSON.parse(docker(alpha, ['inspect', web]))[0];
    assert.strictEqual(result.containerId, inspect.Id);
    assert.strictEqual(inspect.HostConfig.Links, null);
    assert.ok(inspect.Config.Env.includes('KEEP=me'));
    assert.ok(result.env.includes('DATABASE_NAME'));
    assert.match(docker(alpha, ['exec', web, 'sh', '-c', 'ping -c1 -W1 database | head -1']), /^PING database \(/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.migrateLegacyLinks', { container: ref(web) })), /no legacy links/);
  });
});
