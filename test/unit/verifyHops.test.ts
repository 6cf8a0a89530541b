import * as assert from 'node:assert/strict';
import type { CrossLink } from '../../src/core/values/labels';
import { type CrossLinkParts, crossLinkChecks } from '../../src/core/ambassadors/verifyCrossLink';
import { type HopCheck, interpretHops } from '../../src/core/links/hops';
import type { DockerClient } from '../../src/core/hosts/dockerClient';
import { silentLogger } from '../../src/core/like';
import { NamespaceRunner, type ProbeResult, connectMs, parseListeningPorts, parseProbeOutput } from '../../src/core/links/probe';
import { FakeDockerClient, container } from './fakes/fakeDockerClient';

const link: CrossLink = {
  target: { host: 'alpha', container: 'oracle', port: 1521 },
  client: { host: 'beta', container: 'bw' },
  alias: 'oracle',
  mode: 'network',
  upstream: { address: '10.231.0.11', port: 1521 },
  clientAmbassador: { host: 'beta', id: 'cli1', name: 'crosslink-cli-bw-oracle', state: 'running' },
};

function parts(overrides: Partial<CrossLinkParts> = {}): CrossLinkParts {
  return {
    client: container('bw1', 'bw'),
    clientAmbassador: container('cli1', 'crosslink-cli-bw-oracle'),
    serverAmbassador: container('srv1', 'crosslink-srv-oracle-1521'),
    target: container('t1', 'oracle'),
    serverSideKnown: true,
    reuse: false,
    ...overrides,
  };
}

const ok: ProbeResult = { outcome: 'ok', resolvedIp: '172.18.0.3', ms: 0.25 };
const healthy = { clientProbe: ok, upstreamProbe: { outcome: 'ok' as const, resolvedIp: '10.231.0.11' }, targetProbe: { outcome: 'ok' as const, resolvedIp: '172.19.0.2' } };

function verdict(checks: HopCheck[]) {
  const result = interpretHops(checks, { alias: 'oracle', port: 1521, crossHost: true });
  return [result.ok, result.failedHop, result.reason, result.action];
}

describe('hop-by-hop verification (unit)', () => {
  describe('probe output', () => {
    it('reads socat: the resolved address, the connect time from its microsecond stamps, and why a connect failed', () => {
      const connected = parseProbeOutput(
        'tool=socat\nrc=0\nN 09:23:53.635404 opening character device "/dev/null" for reading\nN 09:23:53.635642 opening connection to AF=2 172.31.11.2:3306\nN 09:23:53.635858 starting data transfer loop with FDs [5,5] and [6,6]\n',
      );
      assert.deepEqual(connected, { outcome: 'ok', resolvedIp: '172.31.11.2', ms: 0.216 });
      const refused = parseProbeOutput(
        'tool=socat\nrc=1\nN 09:00:00.000001 opening connection to AF=2 10.231.0.11:9\nE 09:00:00.000300 connect(6, AF=2 10.231.0.11:9, 16): Connection refused\n',
      );
      assert.equal(refused.outcome, 'refused');
      assert.equal(refused.resolvedIp, '10.231.0.11');
      assert.match(refused.detail ?? '', /Connection refused/);
      assert.equal(
        parseProbeOutput('tool=socat\nrc=1\nE 09:00:01.000000 getaddrinfo("nothing-here", "NULL", {1,0,1,6}, {}): Temporary failure in name resolution\n').outcome,
        'notResolving',
      );
      assert.equal(
        parseProbeOutput(
          'tool=socat\nrc=1\nN 09:00:00.000001 opening connection to AF=2 10.231.0.11:1521\nE 09:00:03.000000 connecting to AF=2 10.231.0.11:1521: Connection timed out\n',
        ).outcome,
        'timedOut',
      );
      assert.equal(parseProbeOutput('tool=socat\nrc=124\nN 09:00:00.000001 opening connection to AF=2 10.231.0.11:1521\n').outcome, 'timedOut', 'timeout stopped socat');
      assert.equal(
        parseProbeOutput('tool=socat\nrc=1\nN 09:00:00.000001 opening connection to AF=2 10.9.9.9:1\nE 09:00:00.1 connect(6, AF=2 10.9.9.9:1, 16): No route to host\n').outcome,
        'unreachable',
      );
      assert.equal(
        parseProbeOutput('tool=socat\nrc=1\nN 09:00:00.000001 opening connection to AF=10 [fd00::2]:80\nE 09:00:00.000300 connect(): Connection refused\n').resolvedIp,
        'fd00::2',
      );
    });

    it('reads the fallbacks without socat: getent or ping to resolve, nc or bash to connect, and no tool at all', () => {
      assert.deepEqual(parseProbeOutput('resolved=172.17.0.3\ntool=nc\nrc=0\n'), { outcome: 'ok', resolvedIp: '172.17.0.3' });
      assert.equal(parseProbeOutput("resolved=172.17.0.3\ntool=nc\nrc=1\nE nc: can't connect to remote host (172.17.0.3): Connection refused\n").outcome, 'refused');
      assert.equal(parseProbeOutput('resolved=172.17.0.3\ntool=bash\nrc=1\nE bash: connect: Connection timed out\n').outcome, 'timedOut');
      assert.equal(parseProbeOutput('resolved=\n').outcome, 'notResolving');
      assert.deepEqual(parseProbeOutput('resolved=172.17.0.3\ntool=none\n'), { outcome: 'noTool', resolvedIp: '172.17.0.3' });
      assert.equal(parseProbeOutput('').outcome, 'notChecked', 'a probe that printed nothing says nothing about the link');
    });

    it('gives no connect time for a clock step or an interval longer than the probe allows', () => {
      assert.equal(connectMs('09:00:00.500000', '09:00:00.499000'), undefined);
      assert.equal(connectMs('09:00:00.000000', '09:10:00.000000'), undefined);
      assert.equal(connectMs('09:00:00.000100', '09:00:00.001100'), 1);
    });

    it('reads the listening ports of a namespace from /proc/net/tcp and tcp6', () => {
      const table = [
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
        '   0: 00000000:05F1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0',
        '   1: 0B00000A:9C40 0C00000A:05F1 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1',
        '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
        '   0: 00000000000000000000000000000000:0CEA 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0',
      ].join('\n');
      assert.deepEqual([...parseListeningPorts(table)].sort(), [1521, 3306], 'LISTEN rows only: the established connection from port 40000 is not one');
    });
  });

  describe('NamespaceRunner', () => {
    const socatOk = 'tool=socat\nrc=0\nN 10:00:00.000100 opening connection to AF=2 172.18.0.3:1521\nN 10:00:00.000400 starting data transfer loop with FDs [5,5] and [6,6]\n';

    it('a client without a shell is probed from a helper in its namespace, which is removed afterwards', async () => {
      const docker: DockerClient = new FakeDockerClient('beta');
      const calls: string[] = [];
      docker.exec = async (id) => {
        calls.push(`exec ${id}`);
        return id === 'helper' ? { exitCode: 0, stdout: socatOk, stderr: '' } : { exitCode: 127, stdout: '', stderr: 'sh: not found' };
      };
      docker.imageExists = async () => true;
      docker.createContainer = async (_name, body) => {
        calls.push(`create ${body.HostConfig?.NetworkMode}`);
        return 'helper';
      };
      docker.startContainer = async () => undefined;
      docker.removeContainer = async (id) => {
        calls.push(`remove ${id}`);
      };
      const runner = new NamespaceRunner(docker, silentLogger, { helperImage: 'alpine/socat:latest', allowHelper: true });
      assert.deepEqual(await runner.probe({ id: 'bw', name: 'bw' }, 'oracle', 1521), { outcome: 'ok', resolvedIp: '172.18.0.3', ms: 0.3 });
      assert.deepEqual(calls, ['exec bw', 'create container:bw', 'exec helper', 'remove helper']);
    });

    it('an exec that fails (a reply that never comes) leaves the hop not checked, and periodic checks start no helper', async () => {
      const docker: DockerClient = new FakeDockerClient('beta');
      let created = 0;
      docker.exec = async () => {
        throw new Error('no answer within 15000 ms');
      };
      docker.createContainer = async () => {
        created++;
        return 'helper';
      };
      const runner = new NamespaceRunner(docker, silentLogger, { helperImage: 'alpine/socat:latest', allowHelper: false });
      const result = await runner.probe({ id: 'bw', name: 'bw' }, 'oracle', 1521);
      assert.equal(result.outcome, 'notChecked');
      assert.equal(created, 0);
      assert.equal(await runner.listens({ id: 'bw', name: 'bw' }, 1521), undefined);
    });
  });

  describe('which hop a cross-host failure names', () => {
    it('a healthy link passes every hop, in the order traffic takes them', () => {
      const checks = crossLinkChecks(link, parts(), healthy);
      assert.deepEqual(
        checks.map((check) => check.name),
        ['resolve', 'clientAmbassador', 'upstream', 'serverAmbassador', 'target'],
      );
      const result = interpretHops(checks, { alias: 'oracle', port: 1521, crossHost: true });
      assert.equal(result.ok, true);
      assert.equal(result.hops.find((hop) => hop.name === 'clientAmbassador')?.ms, 0.25);
    });

    it('target not listening: the relays accept, the target hop refuses from the server-side ambassador', () => {
      assert.deepEqual(verdict(crossLinkChecks(link, parts(), { ...healthy, targetProbe: { outcome: 'refused', resolvedIp: '172.19.0.2' } })), [
        false,
        'target',
        'notListening',
        'fixTarget',
      ]);
    });

    it('target stopped: the target hop, start the target', () => {
      assert.deepEqual(
        verdict(crossLinkChecks(link, parts({ target: container('t1', 'oracle', { state: 'exited' }) }), { ...healthy, targetProbe: { outcome: 'notResolving' } })),
        [false, 'target', 'targetNotRunning', 'startTarget'],
      );
    });

    it('server-side ambassador stopped: the refused server port is its failure, and Repair is offered', () => {
      const checks = crossLinkChecks(link, parts({ serverAmbassador: container('srv1', 'crosslink-srv-oracle-1521', { state: 'exited' }) }), {
        ...healthy,
        upstreamProbe: { outcome: 'refused' },
        targetProbe: undefined,
      });
      assert.deepEqual(verdict(checks), [false, 'serverAmbassador', 'ambassadorNotRunning', 'repair']);
    });

    it("client-side ambassador stopped: its alias no longer resolves, which is the ambassador's failure", () => {
      const checks = crossLinkChecks(link, parts({ clientAmbassador: container('cli1', 'crosslink-cli-bw-oracle', { state: 'exited' }) }), {
        clientProbe: { outcome: 'notResolving' },
        targetProbe: healthy.targetProbe,
      });
      assert.deepEqual(verdict(checks), [false, 'clientAmbassador', 'ambassadorNotRunning', 'repair']);
    });

    it('server host port blocked: the upstream hop times out while both ambassadors run; open the port', () => {
      assert.deepEqual(verdict(crossLinkChecks(link, parts(), { ...healthy, upstreamProbe: { outcome: 'timedOut' } })), [false, 'upstream', 'timedOut', 'openPort']);
    });

    it('alias not resolving while its ambassador runs: the resolve hop, Repair', () => {
      assert.deepEqual(verdict(crossLinkChecks(link, parts(), { ...healthy, clientProbe: { outcome: 'notResolving' } })), [false, 'resolve', 'notResolving', 'repair']);
    });

    it('a missing server-side ambassador, a stopped client, and a disconnected target host', () => {
      assert.deepEqual(verdict(crossLinkChecks(link, parts({ serverAmbassador: undefined }), { ...healthy, upstreamProbe: { outcome: 'refused' }, targetProbe: undefined })), [
        false,
        'serverAmbassador',
        'ambassadorMissing',
        'repair',
      ]);
      assert.deepEqual(verdict(crossLinkChecks(link, parts({ client: container('bw1', 'bw', { state: 'exited' }) }), { ...healthy, clientProbe: undefined })), [
        false,
        'resolve',
        'clientNotRunning',
        'startClient',
      ]);
      const unknownServer = crossLinkChecks(link, parts({ serverAmbassador: undefined, target: undefined, serverSideKnown: false }), { ...healthy, targetProbe: undefined });
      assert.deepEqual(verdict(unknownServer), [false, 'serverAmbassador', 'notChecked', undefined], 'traffic passes, but the unknown side is not confirmed either');
      assert.deepEqual(
        interpretHops(unknownServer, { alias: 'oracle', port: 1521, crossHost: true }).hops.map((hop) => hop.reason),
        [undefined, undefined, undefined, 'notChecked', 'notChecked'],
      );
    });

    it("a link that reuses the target's published port has no server-side ambassador hop; its target is checked for listening", () => {
      const reuse = parts({ serverAmbassador: undefined, reuse: true });
      assert.deepEqual(
        crossLinkChecks(link, reuse, { ...healthy, targetListens: true }).map((check) => check.name),
        ['resolve', 'clientAmbassador', 'upstream', 'target'],
      );
      assert.deepEqual(verdict(crossLinkChecks(link, reuse, { ...healthy, targetListens: false })), [false, 'target', 'notListening', 'fixTarget']);
    });
  });

  it("on one host, a refused connect is the target's failure when the target does not listen", () => {
    const checks: HopCheck[] = [
      { name: 'resolve', from: 'web', to: '"db"', status: { ok: true } },
      { name: 'connect', from: 'web', to: 'db:3306', status: { ok: false, reason: 'refused' } },
      { name: 'target', from: 'database', to: 'database:3306', status: { ok: false, reason: 'notListening' } },
    ];
    const result = interpretHops(checks, { alias: 'db', port: 3306, crossHost: false });
    assert.deepEqual([result.failedHop, result.reason, result.action], ['target', 'notListening', 'fixTarget']);
    const firewalled = interpretHops([...checks.slice(0, 2), { ...checks[2], status: { ok: true } }], { alias: 'db', port: 3306, crossHost: false });
    assert.deepEqual([firewalled.failedHop, firewalled.reason], ['connect', 'refused']);
  });
});
