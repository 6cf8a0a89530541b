import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import { ForwardError, HostError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/like';
import { findFreePort } from '../../../src/core/forwarding/tcpForwarder';
import { TunnelManager, type TunnelHosts, type TunnelRecord, readTunnelRecords } from '../../../src/core/forwarding/tunnelManager';
import type { HostSpec } from '../../../src/core/hosts/hostSpec';
import { container } from '../fakes/fakeDockerClient';
import { waitFor } from '../../support/waitFor';
import { testProvenance } from '../../support/provenance';
import { ObjectRegistry } from '../../../src/core/provenance/objectRegistry';
import { Provenance, newSecret } from '../../../src/core/provenance/provenance';
import { Sealer } from '../../../src/core/provenance/seal';
import { type FakeEngine, fakeEngine, hostSpec } from './fakeEngine';
import { type LoopbackServer, connectAndWatch, dial, echo, listenLoopback, plainDialer, roundTrip } from './loopback';

describe('TunnelManager (unit)', () => {
  let echoServer: LoopbackServer;
  let managers: TunnelManager[];
  let provenance = testProvenance();
  const web = container('c1', 'web', { networks: [{ name: 'bridge', ipAddress: '172.17.0.5', aliases: [] }] });

  beforeEach(async () => {
    echoServer = await listenLoopback(echo);
    managers = [];
    provenance = testProvenance();
  });

  afterEach(async () => {
    for (const manager of managers) {
      await Promise.all(manager.list().map((tunnel) => manager.stop(tunnel.id)));
      manager.dispose();
    }
    await echoServer.close();
  });

  /** An ssh host whose container IPs all lead to the loopback echo server, unless `reachable` says no. */
  function sshEngine(reachable: (ip: string) => boolean = () => true): FakeEngine {
    const toEcho = plainDialer(echoServer.port);
    const engine = fakeEngine('beta', (ip) => {
      if (engine.client.unreachable) {
        return Promise.reject(engine.client.unreachable);
      }
      return reachable(ip) ? toEcho() : Promise.reject(Object.assign(new Error('(SSH) Channel open failure: Connection refused'), { reason: 2 }));
    });
    engine.client.upsert(web);
    return engine;
  }

  /** A tcp host: no dialFromHost, so unpublished ports go through an ambassador (its "published port" is the echo server). */
  function tcpEngine(): FakeEngine {
    const engine = fakeEngine('alpha');
    engine.helperPort = echoServer.port;
    engine.client.upsert(web);
    return engine;
  }

  /** The host seam with one host on it. */
  function oneHost(spec: HostSpec, engine: FakeEngine): TunnelHosts {
    return { client: (name) => (name === spec.name ? engine.client : undefined), spec: (name) => (name === spec.name ? spec : undefined) };
  }

  function manager(engine: FakeEngine, spec: HostSpec, options: { reconnectInitialMs?: number; ownerPid?: number; changeIntervalMs?: number } = {}): TunnelManager {
    const created = new TunnelManager(oneHost(spec, engine), { logger: silentLogger, provenance, ...options });
    managers.push(created);
    return created;
  }

  const sshSpec = hostSpec('beta', 'ssh://root@10.231.0.12');
  const tcpSpec = hostSpec('alpha', 'tcp://127.0.0.1:2375');

  it('opens a tunnel on the container port when it is free, through the planned transport', async () => {
    const port = await findFreePort(0);
    const tunnels = manager(sshEngine(), sshSpec);
    const info = await tunnels.open({ host: 'beta', container: 'web', port });
    assert.deepEqual(
      { id: info.id, localAddress: info.localAddress, transport: info.transport, transportKind: info.transportKind, state: info.state },
      { id: `beta/web:${port}`, localAddress: `127.0.0.1:${port}`, transport: `SSH channel to 172.17.0.5:${port}`, transportKind: 'sshChannel', state: 'active' },
    );
    assert.equal(await roundTrip(await dial(port), 'ping'), 'ping');
    assert.equal((await tunnels.open({ host: 'beta', container: 'web', port })).id, info.id, 'the same target gives the same tunnel');
    assert.equal(tunnels.list().length, 1);
  });

  it('takes a free port when the container port is taken, and fails with portInUse when that port was asked for', async () => {
    const tunnels = manager(sshEngine(), sshSpec);
    const info = await tunnels.open({ host: 'beta', container: 'web', port: echoServer.port });
    assert.notEqual(info.localPort, echoServer.port);
    await tunnels.stop(info.id);
    await assert.rejects(tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: echoServer.port }), (error: unknown) => ForwardError.is(error, 'portInUse'));
    assert.deepEqual(tunnels.list(), []);
  });

  it('creates an ambassador on a tcp host, removes it on stop, and leaves one it only reused', async () => {
    const engine = tcpEngine();
    const tunnels = manager(engine, tcpSpec);
    const info = await tunnels.open({ host: 'alpha', container: 'web', port: 80, localPort: 0 });
    assert.equal(info.transport, `ambassador crosslink-tunnel-web-80 (127.0.0.1:${echoServer.port})`);
    assert.equal(await roundTrip(await dial(info.localPort as number), 'via helper'), 'via helper');
    await tunnels.stop(info.id);
    assert.deepEqual(engine.created, ['crosslink-tunnel-web-80']);
    assert.deepEqual(engine.removed, ['crosslink-tunnel-web-80']);

    const otherWindow = manager(engine, tcpSpec);
    await otherWindow.open({ host: 'alpha', container: 'web', port: 80, localPort: 0 });
    const reusing = await tunnels.open({ host: 'alpha', container: 'web', port: 80, localPort: 0 });
    await tunnels.stop(reusing.id);
    assert.deepEqual(engine.removed, ['crosslink-tunnel-web-80'], 'the reused helper stays for its creator');
  });

  it('shows "reconnecting" when the host is lost and recovers by itself', async () => {
    const engine = sshEngine();
    const tunnels = manager(engine, sshSpec, { reconnectInitialMs: 20 });
    const info = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    engine.client.unreachable = new HostError('beta', 'closed', 'beta: the SSH connection dropped');
    assert.equal(await connectAndWatch(info.localPort as number, 1000), 'reset');
    assert.equal(tunnels.get(info.id)?.state, 'reconnecting');
    assert.match(tunnels.get(info.id)?.problem ?? '', /SSH connection dropped/);
    engine.client.unreachable = undefined;
    await waitFor(() => tunnels.get(info.id)?.state === 'active', 'the background retry to succeed');
    assert.equal(await roundTrip(await dial(info.localPort as number), 'back'), 'back');
  });

  it('refresh() shows a lost host before any connection tries it', async () => {
    const engine = sshEngine();
    const tunnels = manager(engine, sshSpec, { reconnectInitialMs: 20 });
    const info = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    engine.client.unreachable = new HostError('beta', 'timeout', 'beta: no answer');
    await tunnels.refresh('beta');
    assert.equal(tunnels.get(info.id)?.state, 'reconnecting');
    engine.client.unreachable = undefined;
    await waitFor(() => tunnels.get(info.id)?.state === 'active', 'the background retry to succeed');
  });

  it('follows the container to its new IP after a restart', async () => {
    let liveIp = '172.17.0.5';
    const engine = sshEngine((ip) => ip === liveIp);
    const tunnels = manager(engine, sshSpec);
    const info = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    liveIp = '172.17.0.9';
    engine.client.upsert({ ...web, networks: [{ name: 'bridge', ipAddress: liveIp, aliases: [] }] }, 'restart');
    assert.equal(await roundTrip(await dial(info.localPort as number), 'moved'), 'moved');
    assert.equal(tunnels.get(info.id)?.transport, 'SSH channel to 172.17.0.9:80');
    assert.equal(tunnels.get(info.id)?.state, 'active');
  });

  it('marks a target that refuses as "error" and clears it on the next success', async () => {
    let refusing = true;
    const tunnels = manager(
      sshEngine(() => !refusing),
      sshSpec,
    );
    const info = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    assert.equal(await connectAndWatch(info.localPort as number, 1000), 'reset');
    assert.equal(tunnels.get(info.id)?.state, 'error');
    assert.match(tunnels.get(info.id)?.problem ?? '', /Connection refused/);
    refusing = false;
    assert.equal(await roundTrip(await dial(info.localPort as number), 'ok'), 'ok');
    assert.equal(tunnels.get(info.id)?.state, 'active');
  });

  it('pauses and resumes every tunnel; a port taken meanwhile leaves that tunnel in "error"', async () => {
    const tunnels = manager(sshEngine(), sshSpec);
    const kept = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    const lost = await tunnels.open({ host: 'beta', container: 'web', port: 81, localPort: 0 });
    tunnels.pauseAll();
    assert.deepEqual(
      tunnels.list().map((tunnel) => tunnel.state),
      ['paused', 'paused'],
    );
    await assert.rejects(dial(kept.localPort as number));
    const squatter = net.createServer().listen(lost.localPort, '127.0.0.1');
    await once(squatter, 'listening');
    const failures = await tunnels.resumeAll();
    squatter.close();
    assert.deepEqual(
      failures.map(({ id, error }) => [id, ForwardError.is(error, 'portInUse')]),
      [[lost.id, true]],
    );
    assert.equal(tunnels.get(kept.id)?.state, 'active');
    assert.equal(tunnels.get(lost.id)?.state, 'error');
    assert.match(tunnels.get(lost.id)?.problem ?? '', /in use/, 'a tunnel that cannot listen says why');
    assert.deepEqual(
      tunnels.serialize().map((record) => record.listener),
      ['listening', 'listening'],
      'it tries its port again after a reload',
    );
    assert.equal(await roundTrip(await dial(kept.localPort as number), 'resumed'), 'resumed');
    const moved = await tunnels.changeLocalPort(lost.id, 0);
    assert.equal(moved.state, 'active');
    assert.match(moved.problem ?? 'none', /none/);
  });

  it('moves a tunnel to another local port, and keeps the old one when the new one is taken', async () => {
    const tunnels = manager(sshEngine(), sshSpec);
    const info = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    const open = await dial(info.localPort as number);
    await assert.rejects(tunnels.changeLocalPort(info.id, echoServer.port), (error: unknown) => ForwardError.is(error, 'portInUse'));
    assert.equal(await roundTrip(await dial(info.localPort as number), 'old port'), 'old port');
    const moved = await tunnels.changeLocalPort(info.id, 0);
    assert.notEqual(moved.localPort, info.localPort);
    assert.equal(await roundTrip(await dial(moved.localPort as number), 'new port'), 'new port');
    assert.equal(await roundTrip(open, 'kept'), 'kept', 'a connection from before the move still works');
  });

  it('removes its ambassadors when the window closes, and a restore listens on the current bind address with a fresh one', async () => {
    const engine = tcpEngine();
    const before = manager(engine, tcpSpec);
    const info = await before.open({ host: 'alpha', container: 'web', port: 80, localPort: 0, bindAddress: '0.0.0.0' });
    const records = JSON.parse(JSON.stringify(before.serialize())) as TunnelRecord[];
    assert.deepEqual(records, [{ host: 'alpha', container: 'web', port: 80, localPort: info.localPort, bindAddress: '0.0.0.0', listener: 'listening', ownsHelper: true }]);
    await before.shutdown();
    assert.deepEqual(engine.removed, ['crosslink-tunnel-web-80'], 'nothing stays published after the window is gone');

    const after = manager(engine, tcpSpec);
    await after.restore(records, '127.0.0.1');
    assert.equal(after.get(info.id)?.bindAddress, '127.0.0.1', 'the current setting, not the saved one');
    assert.equal(after.get(info.id)?.localPort, info.localPort);
    assert.equal(await roundTrip(await dial(info.localPort as number), 'restored'), 'restored');
    after.dispose();
    await waitFor(() => engine.removed.length === 2, "dispose() to remove the restored tunnel's ambassador");
    assert.deepEqual(engine.created, ['crosslink-tunnel-web-80', 'crosslink-tunnel-web-80']);
  });

  it("on the next start removes the ambassadors of a window that died, and leaves a look-alike and a live window's alone", async () => {
    const engine = tcpEngine();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    const crashed = manager(engine, tcpSpec, { ownerPid: deadPid });
    await crashed.open({ host: 'alpha', container: 'web', port: 80, localPort: 0 });
    crashed.pauseAll(); // The window died: its listeners are gone, nobody removed the helper.
    managers.splice(managers.indexOf(crashed), 1);
    const leftover = [...engine.client.containers.values()].find((candidate) => candidate.name === 'crosslink-tunnel-web-80');
    assert.ok(leftover);
    engine.client.upsert(container('forged', 'crosslink-tunnel-db-5432', { labels: { ...leftover.labels } }));
    engine.client.upsert(container('db', 'db', { networks: [{ name: 'bridge', ipAddress: '172.17.0.6', aliases: [] }] }));
    const otherWindow = manager(engine, tcpSpec, { ownerPid: process.pid });
    await assert.rejects(
      otherWindow.open({ host: 'alpha', container: 'db', port: 5432, localPort: 0 }),
      (error: unknown) => ForwardError.is(error, 'noTransport'),
      'a look-alike is not used',
    );
    await otherWindow.open({ host: 'alpha', container: 'web', port: 81, localPort: 0 });

    const next = manager(engine, tcpSpec);
    assert.deepEqual(await next.removeLeftoverHelpers('alpha'), ['crosslink-tunnel-web-80']);
    const names = [...engine.client.containers.values()].map((candidate) => candidate.name).sort();
    assert.deepEqual(names, ['crosslink-tunnel-db-5432', 'crosslink-tunnel-web-81', 'db', 'web'], "the look-alike and the live window's helper stay");
  });

  it('closes a window whose host is down without failing, and the helper it could not remove is cleaned up on the next start', async () => {
    const engine = tcpEngine();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    const closing = manager(engine, tcpSpec, { ownerPid: deadPid });
    await closing.open({ host: 'alpha', container: 'web', port: 80, localPort: 0 });
    engine.client.unreachable = new HostError('alpha', 'timeout', 'alpha: no answer');
    await closing.shutdown();
    assert.deepEqual(engine.removed, [], 'the host did not answer');
    engine.client.unreachable = undefined;
    assert.deepEqual(await manager(engine, tcpSpec).removeLeftoverHelpers('alpha'), ['crosslink-tunnel-web-80']);
  });

  it('removes a helper it could not record (it could never prove it its own later) and fails with noTransport', async () => {
    const engine = tcpEngine();
    const unrecordable = new Provenance(new Sealer(newSecret()), new ObjectRegistry('/dev/null/objects.json'));
    const tunnels = new TunnelManager(oneHost(tcpSpec, engine), { logger: silentLogger, provenance: unrecordable });
    managers.push(tunnels);
    await assert.rejects(tunnels.open({ host: 'alpha', container: 'web', port: 80, localPort: 0 }), (error: unknown) => ForwardError.is(error, 'noTransport'));
    assert.deepEqual(engine.removed, engine.created, 'nothing stays published');
  });

  it('loads saved records of this version and of the one before (paused: true), and drops what it cannot read', async () => {
    const current = { host: 'beta', container: 'web', port: 80, localPort: 18080, bindAddress: '127.0.0.1', listener: 'paused', ownsHelper: true };
    const older = { host: 'beta', container: 'db', port: 5432, localPort: 15432, bindAddress: '127.0.0.1', paused: true, ownsHelper: false };
    const olderActive = { ...older, port: 5433, paused: false };
    const { records, dropped } = readTunnelRecords([current, older, olderActive, { host: 'beta' }, 'junk']);
    assert.deepEqual(
      records.map((record) => [record.port, record.listener]),
      [
        [80, 'paused'],
        [5432, 'paused'],
        [5433, 'listening'],
      ],
    );
    assert.deepEqual(dropped, ['{"host":"beta"}', '"junk"']);
    assert.deepEqual(readTunnelRecords(undefined), { records: [], dropped: [] });

    const port = await findFreePort(0);
    const tunnels = manager(sshEngine(), sshSpec);
    await tunnels.restore(readTunnelRecords([{ ...older, localPort: port }]).records);
    assert.equal(tunnels.get('beta/db:5432')?.state, 'paused', 'a tunnel paused before an upgrade comes back paused');
    await assert.rejects(dial(port));
    await tunnels.shutdown();
  });

  it('restores a tunnel whose host is down as "reconnecting", listening on its port', async () => {
    const engine = sshEngine();
    engine.client.unreachable = new HostError('beta', 'refused', 'beta: connection refused');
    const port = await findFreePort(0);
    const tunnels = manager(engine, sshSpec, { reconnectInitialMs: 20 });
    await tunnels.restore([{ host: 'beta', container: 'web', port: 80, localPort: port, bindAddress: '127.0.0.1', listener: 'listening', ownsHelper: false }]);
    assert.equal(tunnels.get('beta/web:80')?.state, 'reconnecting');
    assert.equal(tunnels.get('beta/web:80')?.localAddress, `127.0.0.1:${port}`);
    engine.client.unreachable = undefined;
    await waitFor(() => tunnels.get('beta/web:80')?.state === 'active', 'the host to come back');
    assert.equal(await roundTrip(await dial(port), 'late'), 'late');
  });

  it('fires onDidChange for added tunnels and state changes', async () => {
    const tunnels = manager(sshEngine(), sshSpec);
    const fired: string[] = [];
    tunnels.onDidChange((id) => fired.push(id));
    const info = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    tunnels.pauseAll();
    assert.ok(fired.includes(''), 'the list changed');
    assert.ok(fired.includes(info.id), 'the tunnel changed');
  });

  describe('a local engine whose container IPs are not routable from here (a VM)', () => {
    const localSpec = hostSpec('local', 'unix:///var/run/docker.sock');

    /** A unix-socket engine whose direct dials fail with `code`; its ambassador "publishes" the echo server on loopback. */
    function localEngine(code: string): FakeEngine & { directDials: string[] } {
      const directDials: string[] = [];
      const engine = fakeEngine('local', async (ip) => {
        directDials.push(ip);
        throw Object.assign(new Error(`connect ${code} ${ip}:80`), { code });
      });
      engine.helperPort = echoServer.port;
      engine.client.upsert(web);
      return Object.assign(engine, { directDials });
    }

    it('falls back to an ambassador on loopback after the first direct dial finds no route, and the first connection still gets through', async () => {
      const engine = localEngine('EHOSTUNREACH');
      const tunnels = manager(engine, localSpec);
      const info = await tunnels.open({ host: 'local', container: 'web', port: 80, localPort: 0 });
      assert.equal(info.transportKind, 'localBridge', 'the engine did not say it runs in a VM');
      assert.equal(await roundTrip(await dial(info.localPort as number), 'first'), 'first');
      assert.equal(await roundTrip(await dial(info.localPort as number), 'second'), 'second');
      assert.deepEqual(engine.directDials, ['172.17.0.5'], 'one direct dial, then the ambassador only');
      assert.deepEqual(engine.created, ['crosslink-tunnel-web-80']);
      const now = tunnels.list()[0];
      assert.equal(now.transportKind, 'ambassador');
      assert.equal(now.state, 'active');
      const other = await tunnels.open({ host: 'local', container: 'web', port: 81, localPort: 0 });
      assert.equal(other.transportKind, 'ambassador', 'the host is known to be a VM for later tunnels');
    });

    it('uses an ambassador from the start when the engine says it runs in a VM (Docker Desktop), never dialling a container IP', async () => {
      const engine = localEngine('ETIMEDOUT');
      engine.client.host = { ...engine.client.host, operatingSystem: 'Docker Desktop', name: 'docker-desktop' };
      const info = await manager(engine, localSpec).open({ host: 'local', container: 'web', port: 80, localPort: 0 });
      assert.equal(info.transportKind, 'ambassador');
      assert.match(info.transport, /^ambassador crosslink-tunnel-web-80 \(127\.0\.0\.1:\d+\)$/, "published on this machine's loopback");
      assert.equal(await roundTrip(await dial(info.localPort as number), 'ping'), 'ping');
      assert.deepEqual(engine.directDials, []);
    });

    it('gives up on a direct dial that hangs (a VM network that drops packets) early enough for the ambassador to answer the same connection', async () => {
      const engine = fakeEngine('local', () => new Promise<never>(() => undefined));
      engine.helperPort = echoServer.port;
      engine.client.upsert(web);
      const tunnels = new TunnelManager(oneHost(localSpec, engine), {
        logger: silentLogger,
        provenance,
        connectTimeoutMs: 600,
      });
      managers.push(tunnels);
      const info = await tunnels.open({ host: 'local', container: 'web', port: 80, localPort: 0 });
      const startedAt = Date.now();
      assert.equal(await roundTrip(await dial(info.localPort as number), 'ping'), 'ping');
      assert.ok(Date.now() - startedAt < 600, "within the connection's own connect time");
      assert.equal(tunnels.list()[0].transportKind, 'ambassador');
    });

    it('keeps dialling directly when the container refuses (a route exists, nothing listens)', async () => {
      const engine = localEngine('ECONNREFUSED');
      const tunnels = manager(engine, localSpec);
      const info = await tunnels.open({ host: 'local', container: 'web', port: 80, localPort: 0 });
      assert.equal(await connectAndWatch(info.localPort as number, 2000), 'reset');
      assert.equal(tunnels.list()[0].transportKind, 'localBridge');
      assert.deepEqual(engine.created, [], 'no ambassador');
    });
  });

  it('reports moving counters on onDidChangeCounters only, so what persists tunnels is not written for traffic', async () => {
    const tunnels = manager(sshEngine(), sshSpec, { changeIntervalMs: 5 });
    const info = await tunnels.open({ host: 'beta', container: 'web', port: 80, localPort: 0 });
    const changes: string[] = [];
    const counters: string[] = [];
    tunnels.onDidChange((id) => changes.push(id));
    tunnels.onDidChangeCounters((id) => counters.push(id));
    const socket = await dial(info.localPort!);
    assert.equal(await roundTrip(socket, 'ping'), 'ping');
    await waitFor(() => counters.length > 0, 'the counters moved');
    socket.destroy();
    assert.deepEqual([...new Set(counters)], [info.id]);
    assert.deepEqual(changes, [], 'traffic changes no state, port or list');
    tunnels.pauseAll();
    assert.deepEqual(changes, [info.id], 'pausing is a state change');
  });
});
