// crosslink.recoverChange through the real VS Code API: changes interrupted elsewhere (no journal here), against the testbed.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { docker, readTestbed, removeContainer, testbedHost } from '../support/testbed';

describe('Recover Interrupted Change', () => {
  const testbed = readTestbed();
  const alpha = testbedHost(testbed, 'alpha', 0);
  const suffix = Math.random().toString(36).slice(2, 8);
  const names: string[] = [];

  /** A container left as a recreation from another window leaves it: parked and stopped, maybe with its replacement created. */
  function interrupted(withReplacement: boolean): { name: string; id: string; parked: string } {
    const name = `suite-cut-${names.length}-${suffix}`;
    names.push(name);
    const id = docker(alpha, ['run', '-d', '--stop-timeout', '1', '--name', name, '-e', 'KEEP=me', testbed.images.fixture, 'sleep', '86400']);
    const parked = `${name}-crosslink-replaced-${id.slice(0, 8)}`;
    docker(alpha, ['rename', name, parked]);
    docker(alpha, ['stop', parked]);
    if (withReplacement) {
      docker(alpha, ['create', '--stop-timeout', '1', '--name', name, '-e', 'KEEP=me', testbed.images.fixture, 'sleep', '86400']);
    }
    return { name, id, parked };
  }

  after(() => {
    for (const name of names) {
      for (const leftover of docker(alpha, ['ps', '-a', '--filter', `name=^/${name}`, '--format', '{{.Names}}'])
        .split('\n')
        .filter(Boolean)) {
        removeContainer(alpha, leftover);
      }
    }
  });

  it('scripted Roll Back never removes a container nothing proves the change created; scripted Finish keeps it, starts it and removes the parked original', async () => {
    const { name, id, parked } = interrupted(true);
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.recoverChange', { container: `${alpha.name}/${name}`, action: 'rollBack' })),
      (error: unknown) => (error as { reason?: string }).reason === 'needsConfirmation',
    );
    assert.strictEqual(JSON.parse(docker(alpha, ['inspect', parked]))[0].Id, id, 'nothing changed');

    const result = await vscode.commands.executeCommand<{ container: string; action: string; done: string[] }>('crosslink.recoverChange', {
      container: `${alpha.name}/${name}`,
      action: 'finish',
    });
    assert.deepStrictEqual([result.container, result.action], [`${alpha.name}/${name}`, 'finish']);
    assert.ok(result.done.includes(`remove ${parked}`), result.done.join('; '));
    const now = JSON.parse(docker(alpha, ['inspect', name]))[0];
    assert.notStrictEqual(now.Id, id);
    assert.strictEqual(now.State.Running, true, 'started: the original was stopped just before it was created');
    assert.strictEqual(docker(alpha, ['ps', '-a', '--filter', `name=^/${name}`, '--format', '{{.Names}}']), name);
  });

  it('scripted Roll Back of a parked original without replacement renames it back', async () => {
    const { name, id } = interrupted(false);
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
    const result = await vscode.commands.executeCommand<{ done: string[] }>('crosslink.recoverChange', { container: `${alpha.name}/${name}`, action: 'rollBack' });
    assert.ok(result.done.length > 0);
    assert.strictEqual(JSON.parse(docker(alpha, ['inspect', name]))[0].Id, id);
  });

  it('refuses an unknown container with reason notFound, and a missing action when scripted', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.recoverChange', { container: `${alpha.name}/no-such-${suffix}`, action: 'finish' })),
      (error: unknown) => (error as { reason?: string }).reason === 'notFound',
    );
    const { name } = interrupted(false);
    await vscode.commands.executeCommand('crosslink.refresh', { host: alpha.name });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.recoverChange', { container: `${alpha.name}/${name}` })),
      (error: unknown) => (error as { reason?: string }).reason === 'missing',
    );
  });
});
