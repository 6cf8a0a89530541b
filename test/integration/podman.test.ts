import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import { type TunnelInfo, TunnelManager } from '../../src/core/forwarding/tunnelManager';
import { createContainer, removeContainer, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { RecordingLogger, inNamespace, newModel, settingFor, specs, testbed, uniqueName } from './harness';

const gammaHost = testbedHost(testbed, 'gamma', 2);
type Host = typeof gammaHost;

/**
 * Podman's Docker-compatible service (host gamma) where the shared suites (hosts, links,
 * crossLinks, forwarding run on gamma too) do not cover it: container IPs that may not be
 * reachable from here (as for an engine in a VM).
 */
describe('Podman host gamma (integration)', function () {
  this.timeout(120_000);
  const logger = new RecordingLogger();
  const created: Array<[Host, string]> = [];
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
          assert.ok(
            logger.lines.some((line) => /direct connection to 10\.8[89]\.\S+ failed/.test(line)),
            'the fallback is logged with its cause',
          );
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
