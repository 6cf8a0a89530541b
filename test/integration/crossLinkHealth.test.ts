import * as assert from 'node:assert/strict';
import { type CrossLink, ambassadorLabel } from '../../src/core/values/labels';
import { CrossLinkHealthMonitor } from '../../src/core/ambassadors/crossLinkHealth';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, inNamespace, newModel, settingFor, specs, testbed, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);
const image = testbed.images.fixture;

/**
 * Each failure of a cross-host link, caused for real on the testbed: Verify names the hop that
 * failed, the live health follows (from the Docker event within 2 s, or from the periodic check
 * for what no event shows), and Repair brings back what an ambassador lost.
 */
describe('Cross-host link verification and health (integration)', function () {
  this.timeout(120_000);
  const logger = new RecordingLogger();
  const { model } = newModel(logger);
  const operations = new CrossLinkOperations(model, logger, () => testbed.images.socat, testProvenance());
  const monitor = new CrossLinkHealthMonitor(model, (link, options) => operations.verify(link, options), logger);
  const oracle = uniqueName('vo');
  const bw = uniqueName('vbw');
  // The server-side ambassador publishes on alpha's address; a port of its own keeps parallel runs apart.
  const hostPort = 21_000 + Math.floor(Math.random() * 4_000);
  const serverAmbassador = `crosslink-srv-${oracle}-1521`;
  const clientAmbassador = `crosslink-cli-${bw}-oracle`;
  const startServer = () => docker(alphaHost, ['exec', '-d', oracle, 'socat', 'TCP-LISTEN:1521,fork,reuseaddr', 'SYSTEM:echo oracle-data']);

  const link = async (): Promise<CrossLink> => {
    const found = (await operations.list()).find((candidate) => candidate.client.container === bw);
    assert.ok(found, 'the link is listed');
    return found;
  };
  const health = () => monitor.all().find((entry) => entry.link.client.container === bw)?.health;
  const verify = async () => operations.verify(await link());
  /** Verify, and the hop it names with the cause and the action it offers. */
  const verdict = async () => {
    const result = await verify();
    return [result.ok, result.failedHop, result.reason, result.action];
  };
  /** Runs Repair, then Verify, and records it as the command does. */
  const repairAndVerify = async () => {
    await operations.repair(await link());
    const result = await verify();
    monitor.record(await link(), result);
    return result;
  };

  before(async () => {
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
    docker(alphaHost, ['run', '-d', '--name', oracle, '--stop-timeout', '1', image, 'sleep', '86400']);
    startServer();
    docker(betaHost, ['run', '-d', '--name', bw, '--stop-timeout', '1', image, 'sleep', '86400']);
    await operations.link({ client: `beta/${bw}`, target: `alpha/${oracle}`, port: 1521, alias: 'oracle', publish: hostPort });
  });

  afterEach(function () {
    monitor.configure({ active: false });
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-40).join('\n'));
    }
  });

  after(async () => {
    const found = (await operations.list()).find((candidate) => candidate.client.container === bw);
    if (found) {
      await operations.remove(found).catch((error: unknown) => console.log(`could not remove the link: ${error}\n${logger.lines.slice(-20).join('\n')}`));
    }
    removeContainer(betaHost, bw);
    removeContainer(alphaHost, oracle);
    monitor.dispose();
    model.dispose();
  });

  it('a working link passes every hop, each checked from where it lives, with a measured connect time', async () => {
    await waitFor(() => health()?.state === 'ok', 'the link in the health model', 5_000);
    const result = await verify();
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(
      result.hops.map((hop) => [hop.name, hop.ok]),
      [
        ['resolve', true],
        ['clientAmbassador', true],
        ['upstream', true],
        ['serverAmbassador', true],
        ['target', true],
      ],
    );
    assert.equal(result.hops[2].to, `${alphaHost.ip}:${hostPort}`);
    assert.ok(typeof result.connectMs === 'number' && result.connectMs >= 0 && result.connectMs < 3000, `connectMs ${result.connectMs}`);
    assert.ok(result.hops.filter((hop) => hop.ms !== undefined).length >= 2, 'the client and the ambassadors time their connects');
    assert.match(result.resolvedIp ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  });

  it('target not listening: the relays accept, and Verify names the target; the periodic check breaks the link', async () => {
    docker(alphaHost, ['exec', oracle, 'killall', 'socat']);
    try {
      assert.deepEqual(await verdict(), [false, 'target', 'notListening', 'fixTarget']);
      monitor.configure({ active: true, intervalSeconds: 1 });
      await waitFor(() => health()?.state === 'broken' && health()?.failedHop === 'target', 'broken by the periodic check', 10_000);
    } finally {
      startServer();
    }
    await waitFor(() => health()?.state === 'ok', 'ok again once the target listens', 10_000);
  });

  it('target stopped: broken within 2 s of the event, Verify names the target; started again, the link is ok', async () => {
    docker(alphaHost, ['stop', '-t', '1', oracle]);
    try {
      await waitFor(() => health()?.state === 'broken', `broken after stopping ${oracle}`, 2_000);
      assert.deepEqual([health()?.failedHop, health()?.reason, health()?.action], ['target', 'targetNotRunning', 'startTarget']);
      assert.deepEqual(await verdict(), [false, 'target', 'targetNotRunning', 'startTarget']);
    } finally {
      docker(alphaHost, ['start', oracle]);
      startServer();
    }
    await waitFor(() => health()?.state === 'ok', 'ok once the target runs', 5_000);
    assert.equal((await verify()).ok, true);
  });

  for (const side of ['server', 'client'] as const) {
    it(`${side}-side ambassador stopped: broken within 2 s of the event, Verify names it, Repair fixes it`, async () => {
      const [host, name, hop] = side === 'server' ? [alphaHost, serverAmbassador, 'serverAmbassador'] : [betaHost, clientAmbassador, 'clientAmbassador'];
      docker(host, ['stop', '-t', '1', name]);
      const stopped = Date.now();
      await waitFor(() => health()?.state === 'broken', `broken after stopping ${name}`, 2_000);
      logger.info(`health turned broken ${Date.now() - stopped} ms after docker stop returned`);
      assert.deepEqual([health()?.failedHop, health()?.reason, health()?.action], [hop, 'ambassadorNotRunning', 'repair']);
      assert.deepEqual(await verdict(), [false, hop, 'ambassadorNotRunning', 'repair']);
      const repaired = await repairAndVerify();
      assert.equal(repaired.ok, true, repaired.message);
      await waitFor(() => health()?.state === 'ok', 'ok after Repair', 5_000);
    });
  }

  it('server host port blocked: Verify names the upstream hop (timed out) and says to open the port', async () => {
    const rule = ['-t', 'raw', 'PREROUTING', '-p', 'tcp', '-d', alphaHost.ip!, '--dport', String(hostPort), '-j', 'DROP'];
    inNamespace('alpha', ['iptables', rule[0], rule[1], '-I', ...rule.slice(2)]);
    try {
      assert.deepEqual(await verdict(), [false, 'upstream', 'timedOut', 'openPort']);
      monitor.configure({ active: true, intervalSeconds: 1 });
      await waitFor(() => health()?.state === 'broken' && health()?.failedHop === 'upstream', 'broken by the periodic check', 15_000);
    } finally {
      inNamespace('alpha', ['iptables', rule[0], rule[1], '-D', ...rule.slice(2)]);
    }
    assert.equal((await verify()).ok, true);
  });

  it("alias not resolving: the client-side ambassador is off the client's network; Verify names the resolve hop", async () => {
    const network = JSON.parse(docker(betaHost, ['inspect', clientAmbassador]))[0].Config.Labels[ambassadorLabel.network] as string;
    docker(betaHost, ['network', 'disconnect', network, clientAmbassador]);
    try {
      assert.deepEqual(await verdict(), [false, 'resolve', 'notResolving', 'repair']);
    } finally {
      docker(betaHost, ['network', 'connect', '--alias', 'oracle', network, clientAmbassador]);
    }
    assert.equal((await verify()).ok, true);
  });
});
