import * as assert from 'node:assert/strict';
import { HostError } from '../../src/core/errors';
import type { DockerClient } from '../../src/core/hosts/dockerClient';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { OverlayOperations } from '../../src/core/overlay/overlayOperations';
import { checkSwarmPorts } from '../../src/core/overlay/swarmPorts';
import { roleLabel } from '../../src/core/values/labels';
import { type TestbedHost, dockerAsync, testbedHost } from '../support/testbed';
import { waitFor } from '../support/waitFor';
import { testProvenance } from '../support/provenance';
import { RecordingLogger, newModel, settingFor, specs, testbed } from './harness';
import { losingReplies, once, wrappedHosts } from './lostReplies';
import { SwarmGuard, swarmState } from './swarmGuard';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);

/**
 * Form Swarm when a step fails or its reply never comes, on the real testbed: alpha inits, beta
 * joins. Every test starts and ends with both daemons in no Swarm (the guard leaves whatever a
 * test left, also on a signal): the other suites on these shared daemons assume none.
 */
describe('Form Swarm under faults (integration)', function () {
  this.timeout(240_000);
  const logger = new RecordingLogger();
  const { model } = newModel(logger);
  const swarm = new SwarmGuard([betaHost, alphaHost]);
  const states = () => [swarmState(alphaHost), swarmState(betaHost)];
  const formedSwarms = (provenance: ReturnType<typeof testProvenance>) => provenance.registry.entries().filter((entry) => entry.kind === 'swarm');

  /** An installation whose `host` client passes through `wrap`. */
  const installation = (host: string, wrap: (client: DockerClient) => DockerClient) => {
    const provenance = testProvenance();
    const hosts = wrappedHosts(model, (name, client) => (name === host ? wrap(client) : client));
    const overlay = new OverlayOperations(hosts, logger, () => testbed.images.socat, provenance, new CrossLinkOperations(hosts, logger, () => testbed.images.socat, provenance));
    return { overlay, provenance };
  };

  before(async function () {
    if (!swarm.allFree()) {
      this.skip();
    }
    swarm.arm();
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-60).join('\n'));
    }
    // A failed assertion may leave a Swarm: the next test (and suite) starts from none, its ports free again.
    swarm.leave();
    await swarm.portsReleased();
  });

  after(() => {
    swarm.release();
    model.dispose();
  });

  it("the worker's join never reaches its engine (a timeout): the manager leaves again, no Swarm is left or recorded", async () => {
    const lost = new HostError('beta', 'timeout', 'beta: no answer in time');
    const { overlay, provenance } = installation('beta', (client) => withFailingCall(client, 'swarmJoin', lost));
    await assert.rejects(overlay.formSwarm('alpha', 'beta'), (error: unknown) => error === lost);
    assert.deepEqual(states(), ['inactive', 'inactive']);
    assert.deepEqual(formedSwarms(provenance), []);
  });

  it("the worker's join is refused by its engine: the manager leaves again, no Swarm is left or recorded", async () => {
    const { overlay, provenance } = installation('beta', (client) =>
      withFailingCall(client, 'swarmJoin', () => client.swarmJoin({ managerAddress: `${alphaHost.ip}:2377`, token: 'SWMTKN-1-invalid', advertiseAddress: betaHost.ip! })),
    );
    await assert.rejects(overlay.formSwarm('alpha', 'beta'));
    assert.deepEqual(states(), ['inactive', 'inactive']);
    assert.deepEqual(formedSwarms(provenance), []);
  });

  it('forms a Swarm right after the hosts left one: the port check looks again while the old node lets go of its ports', async () => {
    const { overlay } = installation('beta', (client) => client);
    await overlay.formSwarm('alpha', 'beta');
    swarm.leave();
    assert.deepEqual(states(), ['inactive', 'inactive']);
    await overlay.formSwarm('alpha', 'beta');
    assert.deepEqual(states(), ['active', 'active']);
    swarm.leave();
  });

  it('the window dies during the port check, before it removes its helpers: they end by themselves and free the Swarm ports', async () => {
    const died = new Error('the window died before it removed its helpers');
    const portHost = (host: TestbedHost) => ({ name: host.name, address: host.ip!, client: withFailingCall(model.client(host.name)!, 'removeContainer', died) });
    const helpers = async () =>
      (await Promise.all([alphaHost, betaHost].map((host) => dockerAsync(host, ['ps', '-a', '--filter', `label=${roleLabel}=verify-helper`, '--format', '{{.Names}}']))))
        .join('\n')
        .split('\n')
        .filter(Boolean);
    const lifetimeSeconds = 20;
    const blocked = await checkSwarmPorts(portHost(betaHost), portHost(alphaHost), true, testbed.images.socat, logger, lifetimeSeconds);
    assert.deepEqual(blocked, []);
    assert.equal((await helpers()).length, 2, 'the listener on alpha and the prober on beta are left behind');
    await waitFor(async () => (await helpers()).length === 0, 'the helpers to end and remove themselves', (lifetimeSeconds + 30) * 1000);
    await swarm.portsReleased(10_000);
    const { overlay } = installation('beta', (client) => client);
    await overlay.formSwarm('alpha', 'beta');
    assert.deepEqual(states(), ['active', 'active']);
    swarm.leave();
  });

  for (const [host, call] of [
    ['alpha', 'swarmInit'],
    ['beta', 'swarmJoin'],
  ] as const) {
    it(`the reply of ${host}'s ${call} never comes: Crosslink looks again, finds it done, and forms and records the Swarm`, async () => {
      const lost: string[] = [];
      // One for the whole test: each lookup of the host's client wraps it anew.
      const loses = once((name) => name === call);
      const { overlay, provenance } = installation(host, (client) => losingReplies(client, loses, lost));
      const shown = logger.lines.length;
      const clusterId = await overlay.formSwarm('alpha', 'beta');
      assert.deepEqual(lost, [call]);
      assert.ok(logger.lines.slice(shown).some((line) => line.includes(`[${host}]`) && line.includes('but the host shows it done')));
      assert.deepEqual(states(), ['active', 'active']);
      const [alpha, beta] = [await overlay.membership('alpha'), await overlay.membership('beta')];
      assert.deepEqual([alpha.role, alpha.clusterId, beta.role], ['manager', clusterId, 'worker']);
      assert.deepEqual(
        formedSwarms(provenance).map((entry) => entry.id),
        [clusterId],
        'recorded as formed here, so Remove Link may dissolve it',
      );
      swarm.leave();
      assert.deepEqual(states(), ['inactive', 'inactive']);
    });
  }
});

/** `client` whose `call` fails with `failure` (or the promise `failure()` returns) instead of reaching the engine as asked. */
function withFailingCall(client: DockerClient, call: keyof DockerClient, failure: Error | (() => Promise<unknown>)): DockerClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === call) {
        return () => (failure instanceof Error ? Promise.reject(failure) : failure());
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
