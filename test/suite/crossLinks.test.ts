// Link Container Across Hosts through the real VS Code API, with traffic between the testbed's hosts.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { createContainer, docker, readTestbed, removeContainer, replyServer, testbedHost } from '../support/testbed';
import { waitFor } from '../support/waitFor';

describe('Cross-host link commands', () => {
  const testbed = readTestbed();
  const alpha = testbedHost(testbed, 'alpha', 0);
  const beta = testbedHost(testbed, 'beta', 1);
  const suffix = Math.random().toString(36).slice(2, 8);
  const oracle = `suite-oracle-${suffix}`;
  const bw = `suite-bw-${suffix}`;

  before(async () => {
    createContainer(testbed, alpha, oracle, {}, replyServer(1530, 'oracle-data'));
    createContainer(testbed, beta, bw);
    await vscode.commands.executeCommand('crosslink.refresh');
  });

  after(() => {
    removeContainer(alpha, oracle);
    removeContainer(beta, bw);
  });

  it('crosslink.linkAcrossHosts creates both ambassadors and ends verified; bw reads oracle:1530', async () => {
    const result = await vscode.commands.executeCommand<{ serverAmbassador: string; clientAmbassador: string; verified: { ok: boolean; message: string } }>(
      'crosslink.linkAcrossHosts',
      { client: `${beta.name}/${bw}`, target: `${alpha.name}/${oracle}`, port: 1530, alias: 'oracle' },
    );
    assert.strictEqual(result.serverAmbassador, `${alpha.name}/crosslink-srv-${oracle}-1530`);
    assert.strictEqual(result.clientAmbassador, `${beta.name}/crosslink-cli-${bw}-oracle`);
    assert.ok(result.verified.ok, result.verified.message);
    // The fixture answers one connection at a time (nc in a loop): right after Verify's own probe it may be between two.
    const ask = () => {
      try {
        return docker(beta, ['exec', bw, 'sh', '-c', 'echo hi | socat -t 5 - TCP:oracle:1530']);
      } catch {
        return '';
      }
    };
    await waitFor(() => ask() === 'oracle-data', 'bw to read oracle:1530 through the link', 15_000);
  });

  it('crosslink.verifyLink checks every hop, and names a stopped server-side ambassador with Repair as the action', async () => {
    type Verified = { ok: boolean; hops: Array<{ name: string; ok: boolean }>; failedHop?: string; reason?: string; action?: string; message: string };
    const verify = () => vscode.commands.executeCommand<Verified>('crosslink.verifyLink', { client: `${beta.name}/${bw}`, alias: 'oracle' });
    const healthy = await verify();
    assert.ok(healthy.ok, healthy.message);
    assert.deepStrictEqual(
      healthy.hops.map((hop) => [hop.name, hop.ok]),
      [
        ['resolve', true],
        ['clientAmbassador', true],
        ['upstream', true],
        ['serverAmbassador', true],
        ['target', true],
      ],
    );
    docker(alpha, ['stop', '-t', '1', `crosslink-srv-${oracle}-1530`]);
    const broken = await verify();
    assert.deepStrictEqual([broken.ok, broken.failedHop, broken.reason, broken.action], [false, 'serverAmbassador', 'ambassadorNotRunning', 'repair']);
  });

  it('crosslink.repairCrossLink brings back a removed ambassador', async () => {
    docker(alpha, ['rm', '-f', `crosslink-srv-${oracle}-1530`]);
    const result = await vscode.commands.executeCommand<{ repairedSteps: number; ok: boolean }>('crosslink.repairCrossLink', { client: `${beta.name}/${bw}`, alias: 'oracle' });
    assert.ok(result.repairedSteps > 0);
    assert.ok(result.ok);
  });

  it('refuses bad input with a clear message and changes nothing', async () => {
    const before = docker(alpha, ['ps', '-aq']) + docker(beta, ['ps', '-aq']);
    const attempts: Array<[unknown, RegExp]> = [
      [{ client: `${beta.name}/${bw}`, target: `${alpha.name}/${oracle}`, port: 70000 }, /1 to 65535/],
      [{ client: `${beta.name}/${bw}`, target: `${beta.name}/${bw}`, port: 80 }, /both on beta.*Link Containers/],
      [{ client: `${beta.name}/${bw}`, target: `${alpha.name}/missing-${suffix}`, port: 80 }, /no container "missing-/],
      [{ client: `${beta.name}/${bw}`, target: `${alpha.name}/${oracle}`, port: 1530, alias: 'Bad Alias' }, /not a DNS label/],
    ];
    for (const [args, message] of attempts) {
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.linkAcrossHosts', args)), message);
    }
    assert.strictEqual(docker(alpha, ['ps', '-aq']) + docker(beta, ['ps', '-aq']), before);
  });

  it('refuses to remove a link it did not create unless confirmed, and adopts it on request', async () => {
    const forged = `crosslink-cli-${bw}-forged-${suffix}`;
    const labels = JSON.parse(docker(beta, ['inspect', '--format', '{{json .Config.Labels}}', `crosslink-cli-${bw}-oracle`])) as Record<string, string>;
    const copied = Object.entries({ ...labels, 'crosslink.alias': 'forged', 'crosslink.mode': 'link' }).filter(
      ([key]) => !['crosslink.network', 'crosslink.joinedNetwork', 'crosslink.createdNetwork'].includes(key),
    );
    docker(beta, ['run', '-d', '--name', forged, ...copied.flatMap(([key, value]) => ['--label', `${key}=${value}`]), testbed.images.fixture, 'sleep', '600']);
    try {
      await vscode.commands.executeCommand('crosslink.refresh');
      const before = docker(beta, ['ps', '-aq']);
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('crosslink.removeCrossLink', { client: `${beta.name}/${bw}`, alias: 'forged' })),
        (error: unknown) => (error as { reason?: string }).reason === 'foreign',
      );
      assert.strictEqual(docker(beta, ['ps', '-aq']), before, 'nothing was removed');
      const adopted = await vscode.commands.executeCommand<{ adopted: string[] }>('crosslink.adoptCrossLink', { client: `${beta.name}/${bw}`, alias: 'forged' });
      assert.ok(adopted.adopted.includes(`${beta.name}: container ${forged}`));
      const removed = await vscode.commands.executeCommand<{ serverAmbassador: string }>('crosslink.removeCrossLink', { client: `${beta.name}/${bw}`, alias: 'forged' });
      assert.strictEqual(removed.serverAmbassador, 'kept', 'the real client still uses the server side');
      assert.strictEqual(docker(beta, ['ps', '-a', '--filter', `name=${forged}`, '--format', '{{.Names}}']), '');
    } finally {
      removeContainer(beta, forged);
    }
  });

  it('crosslink.removeCrossLink removes both ambassadors', async () => {
    await vscode.commands.executeCommand('crosslink.removeCrossLink', { client: `${beta.name}/${bw}`, alias: 'oracle' });
    assert.strictEqual(docker(alpha, ['ps', '-a', '--filter', `name=crosslink-srv-${oracle}`, '--format', '{{.Names}}']), '');
    assert.strictEqual(docker(beta, ['ps', '-a', '--filter', `name=crosslink-cli-${bw}`, '--format', '{{.Names}}']), '');
  });
});
