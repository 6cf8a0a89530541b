import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import { ConfigError } from '../../src/core/errors';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { type TunnelInfo, TunnelManager } from '../../src/core/forwarding/tunnelManager';
import { createContainer, docker, removeContainer, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { RecordingLogger, inNamespace, newModel, settingFor, specs, testbed, testbedSshFiles, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const gammaHost = testbedHost(testbed, 'gamma', 2);
type Host = typeof alphaHost;

/** Answers "oracle-data" to every connection on 1521. */
const oracleCommand = ['socat', '-t', '10', 'TCP-LISTEN:1521,fork,reuseaddr', 'SYSTEM:echo oracle-data'];

/**
 * Podman's Docker-compatible service (host gamma) where it differs from dockerd: no legacy links,
 * a default network without DNS, network events with the container as actor, container IPs
 * that may not be reachable from here (as for an engine in a VM).
 */
describe('Podman host gamma (integration)', function () {
  this.timeout(120_000);
  const logger = new RecordingLogger();
  const created: Array<[Host, string]> = [];
  const networks: Array<[Host, string]> = [];
  const sh = (host: Host, container: string, script: string) => docker(host, ['exec', container, 'sh', '-c', script]);
  const run = (host: Host, prefix: string, command: string[] = ['sleep', '600']) => {
    const name = uniqueName(prefix);
    created.push([host, name]);
    createContainer(testbed, host, name, { 'crosslink.test': 'true' }, command);
    return name;
  };

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-60).join('\n'));
    }
  });

  after(() => {
    for (const [host, name] of created) {
      removeContainer(host, name);
    }
    for (const [host, network] of networks) {
      try {
        docker(host, ['network', 'rm', network]);
      } catch {
        // Already gone with its link.
      }
    }
  });

  describe('links on one host', () => {
    const client = new DockerodeClient(parseHostEntry(settingFor('gamma')), logger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() });
    const operations = new LinkOperations('gamma', client, logger);
    after(() => client.dispose());

    it('connects two containers on a new network: they resolve each other by name and alias (Podman DNS on a user network)', async () => {
      const first = run(gammaHost, 'api');
      const second = run(gammaHost, 'cache');
      const network = uniqueName('crosslink-it');
      networks.push([gammaHost, network]);
      const ids = [first, second].map((name) => JSON.parse(docker(gammaHost, ['inspect', name]))[0].Id);
      await operations.connectNetwork({ containers: [first, second], network, aliases: { [second]: 'redis' } });
      assert.deepEqual([first, second].map((name) => JSON.parse(docker(gammaHost, ['inspect', name]))[0].Id), ids, 'nothing recreated');
      for (const [from, to] of [
        [first, second],
        [first, 'redis'],
        [second, first],
      ]) {
        assert.match(sh(gammaHost, from, `ping -c1 -W1 ${to} | head -1`), new RegExp(`^PING ${to} \\(\\d+`), `${from} resolves ${to}`);
      }
      const again = await operations.connectNetwork({ containers: [first, second], network, aliases: { [second]: 'redis' } });
      assert.equal(again.steps.length, 0, 'connecting twice changes nothing');
    });

    it('refuses a legacy link (Podman has none) before recreating anything', async () => {
      const web = run(gammaHost, 'web');
      const database = run(gammaHost, 'database');
      const before = JSON.parse(docker(gammaHost, ['inspect', web]))[0];
      await assert.rejects(operations.linkContainers({ client: web, target: database, alias: 'db' }), (error: unknown) => ConfigError.is(error, 'engineUnsupported'));
      const after = JSON.parse(docker(gammaHost, ['inspect', web]))[0];
      assert.deepEqual([after.Id, after.State.Running], [before.Id, true], 'the client is untouched');
    });
  });

  describe('cross-host links with Podman on one side', () => {
    const { model } = newModel(logger);
    const provenance = testProvenance();
    const operations = new CrossLinkOperations(model, logger, () => testbed.images.socat, provenance);
    before(() => model.setHosts(specs(settingFor('alpha'), settingFor('gamma'))));
    after(async () => {
      for (const link of await operations.list()) {
        if (created.some(([, name]) => name === link.client.container || name === link.target.container)) {
          await operations.remove(link).catch(() => undefined);
        }
      }
      model.dispose();
    });

    const ask = (host: Host, container: string, alias: string) => sh(host, container, `echo hello | socat -t 5 - TCP:${alias}:1521`);

    for (const [clientHost, targetHost] of [
      [gammaHost, alphaHost],
      [alphaHost, gammaHost],
    ] as const) {
      it(`a client on ${clientHost.name} reads a target on ${targetHost.name} by alias, verified hop by hop, and removal takes the ambassadors away`, async () => {
        const oracle = run(targetHost, 'oracle', oracleCommand);
        const bw = run(clientHost, 'bw');
        // A port of its own on the target host: other suites' links publish 1521 there.
        const publish = 20_000 + Math.floor(Math.random() * 10_000);
        const result = await operations.link({ client: `${clientHost.name}/${bw}`, target: `${targetHost.name}/${oracle}`, port: 1521, alias: 'oracle', publish });
        created.push([targetHost, `crosslink-srv-${oracle}-1521`], [clientHost, `crosslink-cli-${bw}-oracle`]);
        assert.equal(result.clientRef, `${clientHost.name}/crosslink-cli-${bw}-oracle`);
        assert.equal(ask(clientHost, bw, 'oracle'), 'oracle-data');
        const link = (await operations.list()).find((candidate) => candidate.client.container === bw);
        assert.ok(link, 'the link is found from its ambassadors\' labels');
        const verified = await operations.verify(link);
        assert.equal(verified.ok, true, verified.message);
        await operations.remove(link);
        const names = (host: Host) => docker(host, ['ps', '-a', '--format', '{{.Names}}']).split('\n');
        assert.ok(!names(clientHost).includes(`crosslink-cli-${bw}-oracle`), 'client-side ambassador removed');
        assert.ok(!names(targetHost).includes(`crosslink-srv-${oracle}-1521`), 'server-side ambassador removed');
        assert.equal(docker(clientHost, ['inspect', '-f', '{{.State.Running}}', bw]), 'true');
      });
    }
  });

  describe('tunnels when container IPs are not routable from here (as for an engine in a VM)', () => {
    const { model } = newModel(logger);
    const managers: TunnelManager[] = [];
    before(() => model.setHosts(specs(settingFor('gamma'))));
    after(() => model.dispose());
    afterEach(async () => {
      for (const manager of managers.splice(0)) {
        await Promise.all(manager.list().map((tunnel) => manager.stop(tunnel.id)));
        manager.dispose();
      }
    });

    function tunnels(): TunnelManager {
      const manager = new TunnelManager(model, { logger, provenance: testProvenance() });
      managers.push(manager);
      return manager;
    }

    const subnets = (gammaHost as { subnets?: string }).subnets ?? '10.88.0.0/15';
    // Root namespace: packets to gamma's containers are dropped on the way out (connect fails at once).
    // Gamma's namespace: they are dropped on arrival, as a VM's network would (connect times out);
    // connections DNATed to a published port (the ambassador's) still pass.
    const blocks = [
      { what: 'dropped here', where: undefined, rule: ['OUTPUT', '-d', subnets, '-j', 'DROP'] },
      { what: 'unanswered (a timeout)', where: 'gamma', rule: ['FORWARD', '-s', '10.231.0.1', '-d', subnets, '-m', 'conntrack', '!', '--ctstate', 'DNAT', '-j', 'DROP'] },
    ];
    for (const { what, where, rule } of blocks) {
      it(`falls back to an ambassador when direct dials are ${what}, and the first request still gets its answer`, async () => {
        const server = run(gammaHost, 'tunnel-web', ['sh', '-c', 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www']);
        const iptables = (action: string) => {
          const command = ['iptables', '-w', action, ...rule];
          return where ? inNamespace(where, command) : execFileSync(command[0], command.slice(1), { encoding: 'utf8' });
        };
        iptables('-I');
        try {
          const manager = tunnels();
          const info = await manager.open({ host: 'gamma', container: server, port: 8080, localPort: 0 });
          created.push([gammaHost, `crosslink-tunnel-${server}-8080`]);
          assert.equal(info.transportKind, 'localBridge', 'Podman on this kernel: a direct dial first');
          assert.equal(await httpGet(info), 'hello\n');
          const after = manager.list()[0];
          assert.equal(after.transportKind, 'ambassador', after.transport);
          assert.equal(await httpGet(after), 'hello\n');
          assert.ok(logger.lines.some((line) => /direct connection to 10\.8[89]\.\S+ failed/.test(line)), 'the fallback is logged with its cause');
        } finally {
          iptables('-D');
        }
      });
    }
  });
});

function httpGet(info: TunnelInfo): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: info.localPort, path: '/', timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('no answer in 10 s')));
    request.on('error', reject);
  });
}
