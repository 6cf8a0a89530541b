// Single-host link commands through the real VS Code API, against the testbed's daemons.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { createContainer, docker, readTestbed, removeContainer, testbedHost } from '../support/testbed';

interface VerifyResult {
  ok: boolean;
  resolvedIp?: string;
  failedStep?: string;
  message: string;
}

describe('Link commands', () => {
  const testbed = readTestbed();
  const alpha = testbedHost(testbed, 'alpha', 0);
  const suffix = Math.random().toString(36).slice(2, 8);
  const web = `suite-web-${suffix}`;
  const db = `suite-db-${suffix}`;
  const network = `suite-net-${suffix}`;
  const volume = `suite-vol-${suffix}`;
  const beta = testbedHost(testbed, 'beta', 1);
  const remote = `suite-remote-${suffix}`;
  const remoteless = `suite-peer-${suffix}`;
  const ref = (name: string) => `${alpha.name}/${name}`;

  before(async () => {
    createContainer(testbed, alpha, db);
    createContainer(testbed, alpha, remoteless);
    createContainer(testbed, beta, remote);
    docker(alpha, ['run', '-d', '--stop-timeout', '1', '--name', web, '-e', 'KEEP=me', '--label', 'keep=me', testbed.images.fixture, 'sleep', '86400']);
    await vscode.commands.executeCommand('crosslink.refresh');
  });

  after(() => {
    for (const name of [web, db, remoteless]) removeContainer(alpha, name);
    removeContainer(beta, remote);
    for (const args of [
      ['network', 'rm', network],
      ['volume', 'rm', '-f', volume],
      ['volume', 'rm', '-f', `${volume}-2`],
    ]) {
      try {
        docker(alpha, args);
      } catch {
        // already gone
      }
    }
  });

  it('crosslink.linkContainers recreates the client with the link and keeps its settings', async () => {
    const result = await vscode.commands.executeCommand<{ client: string }>('crosslink.linkContainers', { client: ref(web), target: ref(db), alias: 'db' });
    assert.deepStrictEqual(result, { client: ref(web) });
    const inspect = JSON.parse(docker(alpha, ['inspect', web]))[0];
    assert.deepStrictEqual(inspect.HostConfig.Links, [`/${db}:/${web}/db`]);
    assert.ok(inspect.Config.Env.includes('KEEP=me'));
    assert.strictEqual(inspect.Config.Labels.keep, 'me');
    assert.match(docker(alpha, ['exec', web, 'sh', '-c', 'ping -c1 -W1 db | head -1']), /^PING db \(/);
  });

  it('crosslink.verifyLink resolves the alias from inside the client', async () => {
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
    const result = await vscode.commands.executeCommand<VerifyResult>('crosslink.verifyLink', { client: ref(web), alias: 'db' });
    assert.strictEqual(result.ok, true, result.message);
    assert.match(result.resolvedIp ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  });

  it('crosslink.connectNetwork connects both ways with an alias, without recreating', async () => {
    const idBefore = docker(alpha, ['inspect', '-f', '{{.Id}}', db]);
    await vscode.commands.executeCommand('crosslink.connectNetwork', { containers: [ref(web), ref(db)], network, aliases: { [ref(db)]: 'database' } });
    assert.strictEqual(docker(alpha, ['inspect', '-f', '{{.Id}}', db]), idBefore);
    assert.match(docker(alpha, ['exec', db, 'sh', '-c', `ping -c1 -W1 ${web} | head -1`]), new RegExp(`^PING ${web} \\(`));
    assert.match(docker(alpha, ['exec', web, 'sh', '-c', 'ping -c1 -W1 database | head -1']), /^PING database \(/);
  });

  it('crosslink.shareVolume mounts one volume in both containers', async () => {
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
    await vscode.commands.executeCommand('crosslink.shareVolume', { containers: [ref(web), ref(remoteless)], volume, mountPath: '/shared' });
    docker(alpha, ['exec', web, 'sh', '-c', 'echo from-web > /shared/note']);
    assert.strictEqual(docker(alpha, ['exec', remoteless, 'cat', '/shared/note']), 'from-web');
  });

  it('refuses to recreate a container that legacy links point at, naming the clients', async () => {
    const idBefore = docker(alpha, ['inspect', '-f', '{{.Id}}', db]);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.shareVolume', { containers: [ref(db)], volume, mountPath: '/shared' })),
      new RegExp(`${db} is the target of legacy links from ${web}`),
    );
    assert.strictEqual(docker(alpha, ['inspect', '-f', '{{.Id}}', db]), idBefore);
  });

  it('refuses a recreation that would lose files outside volumes unless the call says to copy or drop them', async () => {
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
    docker(alpha, ['exec', remoteless, 'sh', '-c', 'echo precious > /root/notes']);
    const idBefore = docker(alpha, ['inspect', '-f', '{{.Id}}', remoteless]);
    const args = { containers: [ref(remoteless)], volume: `${volume}-2`, mountPath: '/second' };
    const reasonOf = (error: unknown) => (error as { reason?: string }).reason;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.shareVolume', args)),
      (error: unknown) =>
        reasonOf(error) === 'unsavedChanges' &&
        JSON.stringify((error as { containers: unknown }).containers) === JSON.stringify([{ name: remoteless, paths: ['/root/notes'], deleted: [] }]),
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.shareVolume', { ...args, copyChanges: true, discardChanges: true })),
      (error: unknown) => reasonOf(error) === 'conflict',
    );
    assert.strictEqual(docker(alpha, ['inspect', '-f', '{{.Id}}', remoteless]), idBefore, 'refusals change nothing');
    await vscode.commands.executeCommand('crosslink.shareVolume', { ...args, copyChanges: true });
    assert.notStrictEqual(docker(alpha, ['inspect', '-f', '{{.Id}}', remoteless]), idBefore);
    assert.strictEqual(docker(alpha, ['exec', remoteless, 'cat', '/root/notes']), 'precious');
  });

  it('crosslink.copyDockerCommands reproduces the link, network and mount', async () => {
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
    const result = await vscode.commands.executeCommand<{ commands: string[]; maskedValues: number }>('crosslink.copyDockerCommands', { container: ref(web) });
    const text = result.commands.join('\n');
    assert.strictEqual(typeof result.maskedValues, 'number');
    assert.match(text, new RegExp(`docker network create .*${network}$`, 'm'));
    assert.match(text, new RegExp(`docker run -d --name ${web} .*--link ${db}:db`));
    assert.match(text, new RegExp(`--mount type=volume,src=${volume},dst=/shared`));
    assert.strictEqual(await vscode.env.clipboard.readText(), text);
    const withSecrets = await vscode.commands.executeCommand<{ maskedValues: number }>('crosslink.copyDockerCommands', { container: ref(web), includeSecrets: true });
    assert.strictEqual(withSecrets.maskedValues, 0);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.copyDockerCommands', { container: ref(web), includeSecrets: 'yes' })),
      /"includeSecrets" must be true or false/,
    );
  });

  it('refuses a missing target, a bad alias and a cross-host pair with a clear message, changing nothing', async () => {
    const idBefore = docker(alpha, ['inspect', '-f', '{{.Id}}', web]);
    const attempts: Array<[unknown, RegExp]> = [
      [{ client: ref(web), target: ref('no-such-container'), alias: 'x' }, /no container "no-such-container"/],
      [{ client: ref(web), target: ref(db), alias: 'not_a_label' }, /not a DNS label/],
      [{ client: ref(web), target: `${beta.name}/${remote}` }, /on beta: links work on one host\. Use "Link Container Across Hosts"/],
      [{ client: ref(web), target: ref(web), alias: 'self' }, /cannot be linked to itself/],
    ];
    for (const [args, message] of attempts) {
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.linkContainers', args)), message);
    }
    assert.strictEqual(docker(alpha, ['inspect', '-f', '{{.Id}}', web]), idBefore);
  });
});
