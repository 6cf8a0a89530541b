import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import { ForwardError } from '../../src/core/errors';
import { type TunnelInfo, TunnelManager, readTunnelRecords } from '../../src/core/forwarding/tunnelManager';
import { findFreePort } from '../../src/core/forwarding/tcpForwarder';
import * as net from 'node:net';
import type { ContainerModel } from '../../src/core/model/containerModel';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { connectAndWatch, dial, readToEnd } from '../unit/forwarding/loopback';
import { testProvenance } from '../support/provenance';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, inNamespace, newModel, ownProcessTree, settingFor, specs, sshClients, testbed, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);
const gammaHost = testbedHost(testbed, 'gamma', 2);
const httpPort = 8080;
const lateReplyPort = 9000;
const replyDelayS = 2;

/**
 * Serves HTTP on 8080 (unpublished) and, on 9000, answers only after the client's FIN and then
 * 2 s later. socat needs -t 10: its default 0.5 s would drop that reply.
 */
const serverCommand = [
  'sh',
  '-c',
  `mkdir -p /www && echo hello > /www/index.html && httpd -p ${httpPort} -h /www && ` +
    `exec socat -t 10 TCP-LISTEN:${lateReplyPort},fork,reuseaddr SYSTEM:'cat >/dev/null; sleep ${replyDelayS}; echo late-reply'`,
];

for (const sshClient of sshClients)
  describe(`Tunnels against the testbed, ssh:// through ${sshClient.name} (integration)`, function () {
    this.timeout(60_000);
    const logger = new RecordingLogger();
    let model: ContainerModel;
    const managers: TunnelManager[] = [];
    const provenance = testProvenance();
    const servers = { alpha: uniqueName('tunnel-web'), beta: uniqueName('tunnel-web'), gamma: uniqueName('tunnel-web') };
    const hosts = [
      { name: 'alpha', host: alphaHost, kind: 'ambassador' },
      { name: 'beta', host: betaHost, kind: 'sshChannel' },
      // Podman's service on a local socket: its container IPs are routed from here, as a local engine's are.
      { name: 'gamma', host: gammaHost, kind: 'localBridge' },
    ] as const;

    before(async () => {
      for (const { name, host } of hosts) {
        docker(host, ['run', '-d', '--pull', 'never', '--name', servers[name], '--label', 'crosslink.test=true', testbed.images.fixture, ...serverCommand]);
      }
      model = newModel(logger, sshClient.options()).model;
      await model.setHosts(specs(settingFor('alpha'), settingFor('beta'), settingFor('gamma')));
    });

    after(() => {
      model?.dispose();
      for (const { name, host } of hosts) {
        removeContainer(host, servers[name]);
        removeContainer(host, `crosslink-tunnel-${servers[name]}-${httpPort}`);
        removeContainer(host, `crosslink-tunnel-${servers[name]}-${lateReplyPort}`);
      }
    });

    afterEach(async function () {
      for (const manager of managers.splice(0)) {
        await Promise.all(manager.list().map((tunnel) => manager.stop(tunnel.id)));
        manager.dispose();
      }
      if (this.currentTest?.state === 'failed') {
        console.log(logger.lines.join('\n'));
      }
    });

    function tunnels(options: { reconnectInitialMs?: number } = {}): TunnelManager {
      const manager = new TunnelManager(model, { logger, provenance, ...options });
      managers.push(manager);
      return manager;
    }

    for (const { name, kind } of hosts) {
      it(`serves an unpublished HTTP port of a container on ${name} (${kind}) on 127.0.0.1, 50 parallel requests included`, async () => {
        const info = await tunnels().open({ host: name, container: servers[name], port: httpPort, localPort: 0 });
        assert.equal(info.transportKind, kind, info.transport);
        assert.equal(info.bindAddress, '127.0.0.1');
        assert.equal(await httpGet(info), 'hello\n');
        const bodies = await Promise.all(Array.from({ length: 50 }, () => httpGet(info)));
        assert.deepEqual(new Set(bodies), new Set(['hello\n']));
        assert.equal(info.state, 'active');
      });
    }

    it('delivers a reply sent 2 s after the client half-closed, through the ambassador, SSH and the local bridge', async () => {
      const manager = tunnels();
      await Promise.all(
        hosts.map(async ({ name }) => {
          const info = await manager.open({ host: name, container: servers[name], port: lateReplyPort, localPort: 0 });
          const socket = await dial(info.localPort as number);
          const reply = readToEnd(socket);
          const startedAt = Date.now();
          socket.end('question');
          assert.equal((await reply).toString(), 'late-reply\n', `${name}: ${info.transport}`);
          assert.ok(Date.now() - startedAt >= replyDelayS * 1000 - 100, `${name}: the reply came after the delay`);
          socket.destroy();
        }),
      );
    });

    it('stopping a tunnel removes only the ambassador it created', async () => {
      const helper = `crosslink-tunnel-${servers.alpha}-${httpPort}`;
      const creator = tunnels();
      const created = await creator.open({ host: 'alpha', container: servers.alpha, port: httpPort, localPort: 0 });
      const otherWindow = tunnels();
      const reusing = await otherWindow.open({ host: 'alpha', container: servers.alpha, port: httpPort, localPort: 0 });
      assert.equal(reusing.transport, created.transport, 'the second tunnel reuses the helper');
      assert.equal(helperLabels(helper), `true tunnel-ambassador alpha/${servers.alpha}:${httpPort}`);

      await otherWindow.stop(reusing.id);
      assert.equal(containerState(helper), 'running', 'the reusing tunnel leaves the helper to its creator');
      assert.equal(await httpGet(created), 'hello\n');
      await creator.stop(created.id);
      assert.equal(containerState(helper), 'gone');
      assert.equal(containerState(servers.alpha), 'running', 'the target is untouched');
    });

    it('shows "reconnecting" when the SSH connection is lost and recovers by itself', async () => {
      const manager = tunnels({ reconnectInitialMs: 200 });
      const info = await manager.open({ host: 'beta', container: servers.beta, port: httpPort, localPort: 0 });
      assert.equal(await httpGet(info), 'hello\n');

      // Refuse new SSH connections (SYNs only: a reset of ours would race the kill below), then kill the sshd process serving ours.
      const rule = ['INPUT', '-p', 'tcp', '--dport', '22', '--syn', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
      inNamespace('beta', ['iptables', '-I', ...rule]);
      try {
        killOwnSshSession();
        await waitFor(() => model.host('beta')?.state !== 'connected', 'the model to notice the drop', 15_000);
        const startedAt = Date.now();
        assert.equal(await connectAndWatch(info.localPort as number, 5000), 'reset', 'a client is told, not left hanging');
        assert.ok(Date.now() - startedAt < 1000, `told within ${Date.now() - startedAt} ms`);
        assert.equal(manager.get(info.id)?.state, 'reconnecting');
      } finally {
        inNamespace('beta', ['iptables', '-D', ...rule]);
      }
      await waitFor(() => manager.get(info.id)?.state === 'active', 'the tunnel to recover without a new client connection', 15_000);
      assert.equal(await httpGet(info), 'hello\n');
    });

    it('restores a tunnel saved paused by the previous version (paused: true) paused; resumed, it serves; a port taken meanwhile says so', async () => {
      const [kept, lost] = [await findFreePort(0), await findFreePort(0)];
      const saved = [httpPort, lateReplyPort].map((port, index) => ({
        host: 'beta',
        container: servers.beta,
        port,
        localPort: [kept, lost][index],
        bindAddress: '127.0.0.1',
        paused: true,
        ownsHelper: false,
      }));
      const manager = tunnels();
      await manager.restore(readTunnelRecords(JSON.parse(JSON.stringify(saved))).records);
      assert.deepEqual(
        manager.list().map((tunnel) => tunnel.state),
        ['paused', 'paused'],
      );
      const squatter = net.createServer().listen(lost, '127.0.0.1');
      await new Promise((resolve) => squatter.once('listening', resolve));
      try {
        const failures = await manager.resumeAll();
        assert.deepEqual(
          failures.map(({ id, error }) => [id, ForwardError.is(error, 'portInUse')]),
          [[`beta/${servers.beta}:${lateReplyPort}`, true]],
        );
      } finally {
        squatter.close();
      }
      const [serving, failed] = [manager.get(`beta/${servers.beta}:${httpPort}`)!, manager.get(`beta/${servers.beta}:${lateReplyPort}`)!];
      assert.equal(serving.state, 'active');
      assert.equal(await httpGet(serving), 'hello\n');
      assert.equal(failed.state, 'error');
      assert.ok(failed.problem, 'a tunnel that cannot listen says why');
      assert.deepEqual(
        manager.serialize().map((record) => record.listener),
        ['listening', 'listening'],
        'saved in the new shape; the failed one tries its port again',
      );
    });

    it('reports a taken local port as ForwardError portInUse', async () => {
      const manager = tunnels();
      const first = await manager.open({ host: 'beta', container: servers.beta, port: httpPort, localPort: 0 });
      await assert.rejects(tunnels().open({ host: 'beta', container: servers.beta, port: lateReplyPort, localPort: first.localPort }), (error: unknown) =>
        ForwardError.is(error, 'portInUse'),
      );
    });
  });

/** A new connection each time (no keep-alive), so every request goes through the tunnel's accept and transport. */
function httpGet(info: TunnelInfo): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: info.localPort, path: '/index.html', agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${response.statusCode}`))));
      })
      .on('error', reject);
  });
}

function containerState(name: string): string {
  try {
    return docker(alphaHost, ['inspect', '--format', '{{.State.Status}}', name]);
  } catch {
    return 'gone';
  }
}

function helperLabels(name: string): string {
  const format = ['crosslink.managed', 'crosslink.role', 'crosslink.target'].map((label) => `{{index .Config.Labels "${label}"}}`).join(' ');
  return docker(alphaHost, ['inspect', '--format', format, name]);
}

/**
 * Kills the sshd process that serves this process's SSH connection to beta (its own, or its ssh
 * child's with the OpenSSH client), and only that one: other suites may share beta's sshd.
 */
function killOwnSshSession(): void {
  const ownPids = ownProcessTree();
  const ours = execFileSync('ss', ['-Htnp', 'state', 'established', 'dst', `${betaHost.ip}:22`], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => ownPids.some((pid) => line.includes(`pid=${pid},`)))
    .map((line) => /:(\d+)\s+\S+:22\b/.exec(line)?.[1])
    .filter((port): port is string => port !== undefined);
  assert.ok(ours.length > 0, 'this process has an SSH connection to beta');
  const serving = inNamespace('beta', ['ss', '-Htnp', 'state', 'established', `( sport = :22 and ( ${ours.map((port) => `dport = :${port}`).join(' or ')} ) )`]);
  const pids = [...serving.matchAll(/pid=(\d+)/g)].map((match) => match[1]);
  assert.ok(pids.length > 0, `sshd processes serving ports ${ours.join(', ')}`);
  execFileSync('kill', ['-KILL', ...new Set(pids)]);
}
