import * as assert from 'node:assert/strict';
import { clientAmbassadorLabels, serverAmbassadorLabels } from '../../src/core/values/labels';
import { CrossLinkHealthMonitor } from '../../src/core/ambassadors/crossLinkHealth';
import type { VerifyResult } from '../../src/core/links/hops';
import { type LinkPart, linkHealth, partsKey } from '../../src/core/links/linkHealth';
import { silentLogger } from '../../src/core/like';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { ContainerModel } from '../../src/core/model/containerModel';
import type { ContainerState } from '../../src/core/types';
import { waitFor } from '../support/waitFor';
import { FakeDockerClient, container } from './fakes/fakeDockerClient';

function part(hop: LinkPart['hop'], role: LinkPart['role'], state: ContainerState | 'missing' | 'unknown' = 'running'): LinkPart {
  return { hop, role, name: hop, container: state === 'missing' || state === 'unknown' ? undefined : { id: `${hop}-id`, state }, known: state !== 'unknown' };
}

const linkParts = (states: Partial<Record<'client' | 'clientAmbassador' | 'serverAmbassador' | 'target', ContainerState | 'missing' | 'unknown'>> = {}) => [
  part('resolve', 'client', states.client),
  part('clientAmbassador', 'ambassador', states.clientAmbassador),
  part('serverAmbassador', 'ambassador', states.serverAmbassador),
  part('target', 'target', states.target),
];

const failed: VerifyResult = { ok: false, hops: [], failedHop: 'upstream', reason: 'timedOut', action: 'openPort', message: 'server host port: timed out', alias: 'oracle' };

describe('link health (unit)', () => {
  it('ok when every part runs; degraded while one restarts; unknown when a host is not connected', () => {
    assert.equal(linkHealth(linkParts()).state, 'ok');
    assert.equal(linkHealth(linkParts({ serverAmbassador: 'restarting' })).state, 'degraded');
    assert.equal(linkHealth(linkParts({ serverAmbassador: 'unknown', target: 'unknown' })).state, 'unknown');
  });

  it('broken at the first part that is down or missing, with its hop, reason and action', () => {
    const pick = (health: ReturnType<typeof linkHealth>) => [health.state, health.failedHop, health.reason, health.action];
    assert.deepEqual(pick(linkHealth(linkParts({ serverAmbassador: 'exited' }))), ['broken', 'serverAmbassador', 'ambassadorNotRunning', 'repair']);
    assert.deepEqual(pick(linkHealth(linkParts({ clientAmbassador: 'missing', target: 'exited' }))), ['broken', 'clientAmbassador', 'ambassadorMissing', 'repair']);
    assert.deepEqual(pick(linkHealth(linkParts({ target: 'exited' }))), ['broken', 'target', 'targetNotRunning', 'startTarget']);
    assert.deepEqual(pick(linkHealth(linkParts({ client: 'paused' }))), ['broken', 'resolve', 'clientNotRunning', 'startClient']);
    assert.equal(linkHealth(linkParts({ target: 'exited', serverAmbassador: 'restarting' })).state, 'broken', 'down beats restarting');
  });

  it('a failed check breaks the link until one of its parts changes; then the parts decide again', () => {
    const parts = linkParts();
    const check = { result: failed, partsKey: partsKey(parts) };
    assert.deepEqual([linkHealth(parts, check).state, linkHealth(parts, check).failedHop], ['broken', 'upstream']);
    const repaired = parts.map((item) => (item.hop === 'serverAmbassador' ? { ...item, container: { id: 'new-id', state: 'running' as const } } : item));
    assert.equal(linkHealth(repaired, check).state, 'ok', 'the check no longer describes these parts');
    assert.equal(linkHealth(parts, { result: { ...failed, ok: true, failedHop: undefined }, partsKey: partsKey(parts) }).checked?.ok, true);
    const unchecked = linkHealth(parts, { result: { ...failed, failedHop: 'resolve', reason: 'notChecked' }, partsKey: partsKey(parts) });
    assert.equal(unchecked.state, 'ok', 'a hop that could not be checked (no tools in the client) breaks nothing');
  });

  describe('CrossLinkHealthMonitor', () => {
    let alpha: FakeDockerClient;
    let beta: FakeDockerClient;
    let model: ContainerModel;
    let monitor: CrossLinkHealthMonitor;
    let verifyCalls: number;
    let nextResult: VerifyResult;
    const target = { host: 'alpha', container: 'oracle', port: 1521 };
    const clientAmbassador = () =>
      container('cli', 'crosslink-cli-bw-oracle', {
        labels: clientAmbassadorLabels({ target, client: { host: 'beta', container: 'bw' }, alias: 'oracle', mode: 'network', upstream: { address: '10.231.0.11', port: 1521 } }),
      });
    const serverAmbassador = (state: ContainerState) =>
      container('srv', 'crosslink-srv-oracle-1521', { state, labels: serverAmbassadorLabels(target, { name: 'crosslink-oracle', joined: true, created: true }) });

    beforeEach(async () => {
      alpha = new FakeDockerClient('alpha');
      beta = new FakeDockerClient('beta');
      alpha.containers.set('t', container('t', 'oracle'));
      alpha.containers.set('srv', serverAmbassador('running'));
      beta.containers.set('bw', container('bw', 'bw'));
      beta.containers.set('cli', clientAmbassador());
      const clients: Record<string, FakeDockerClient> = { alpha, beta };
      model = new ContainerModel((spec) => clients[spec.name], silentLogger, { eventDebounceMs: 5, retryDelaysMs: [20] });
      await model.setHosts([parseHostEntry({ name: 'alpha', url: 'tcp://10.231.0.11:2375' }), parseHostEntry({ name: 'beta', url: 'tcp://10.231.0.12:2375' })]);
      verifyCalls = 0;
      nextResult = { ...failed, ok: true, failedHop: undefined, reason: undefined, action: undefined };
      monitor = new CrossLinkHealthMonitor(
        model,
        async (_link, options) => {
          assert.equal(options.allowHelper, false, 'periodic checks create no helper containers');
          verifyCalls++;
          return nextResult;
        },
        silentLogger,
      );
    });
    afterEach(() => {
      monitor.dispose();
      model.dispose();
    });

    const only = () => {
      const entries = monitor.all();
      assert.equal(entries.length, 1);
      return entries[0].health;
    };

    it("follows the ambassador's Docker events: broken at once when it stops, ok when it runs again", async () => {
      assert.equal(only().state, 'ok');
      let changes = 0;
      monitor.onDidChange(() => changes++);
      alpha.upsert(serverAmbassador('exited'), 'die');
      await waitFor(() => only().state === 'broken', 'broken after the die event', 1_000);
      assert.deepEqual([only().failedHop, only().reason], ['serverAmbassador', 'ambassadorNotRunning']);
      alpha.upsert(serverAmbassador('restarting'), 'restart');
      await waitFor(() => only().state === 'degraded', 'degraded while restarting', 1_000);
      alpha.upsert(serverAmbassador('running'), 'start');
      await waitFor(() => only().state === 'ok', 'ok when it runs', 1_000);
      assert.ok(changes >= 3);
      assert.equal(verifyCalls, 0, 'no checks while inactive');
    });

    it('checks periodically only while active and with a positive interval, and a failed check breaks the link', async () => {
      monitor.configure({ intervalSeconds: 0.05 });
      await new Promise((resolve) => setTimeout(resolve, 120));
      assert.equal(verifyCalls, 0, 'not active (view hidden)');
      nextResult = failed;
      monitor.configure({ active: true });
      await waitFor(() => only().state === 'broken', 'broken by the check', 1_000);
      assert.deepEqual([only().failedHop, only().reason], ['upstream', 'timedOut']);
      monitor.configure({ active: false });
      const calls = verifyCalls;
      await new Promise((resolve) => setTimeout(resolve, 120));
      assert.equal(verifyCalls, calls, 'stopped when the view was hidden');
      // Repair recreates the server-side ambassador: the failed check no longer applies.
      alpha.remove('srv');
      alpha.upsert({ ...serverAmbassador('running'), id: 'srv2' }, 'start');
      await waitFor(() => only().state === 'ok', 'ok once the parts changed', 1_000);
    });
  });
});
