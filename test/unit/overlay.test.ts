import * as assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors';
import { planOverlayLink, planOverlayRemoval } from '../../src/core/overlay/overlayPlanner';
import { OverlayError, describeSwarm, sharedSwarm, swarmChoiceOf } from '../../src/core/overlay/swarm';
import { SwarmMemberships } from '../../src/core/overlay/swarmMemberships';
import { blockedPorts, listenerScript, listenerState, proberScript, swarmPorts } from '../../src/core/overlay/swarmPorts';
import { ProvenanceError } from '../../src/core/provenance/seal';
import type { ContainerSummary, NetworkSummary, SwarmMembership } from '../../src/core/types';
import { type CrossLink, type OverlayLink, overlayLinkOf, overlayNetworkLabels, overlayNetworkName } from '../../src/core/values/labels';
import type { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { silentLogger } from '../../src/core/like';
import type { VerifyResult } from '../../src/core/links/verifyLink';
import { OverlayOperations } from '../../src/core/overlay/overlayOperations';
import { testProvenance } from '../support/provenance';
import { fakeHostDirectory } from './fakes/fakeHostDirectory';
import type { DockerClient } from '../../src/core/hosts/dockerClient';
import { inspectDocument } from './fakes/inspectDocument';

const manager = (clusterId = 'cluster-1'): SwarmMembership => ({
  state: 'active',
  nodeId: 'node-a',
  clusterId,
  role: 'manager',
  nodeAddress: '10.0.0.1',
  managers: ['10.0.0.1:2377'],
});
const worker = (managerAddress = '10.0.0.1'): SwarmMembership => ({
  state: 'active',
  nodeId: 'node-b',
  clusterId: '',
  role: 'worker',
  nodeAddress: '10.0.0.2',
  managers: [`${managerAddress}:2377`],
});
const inactive: SwarmMembership = { state: 'inactive', nodeId: '', clusterId: '', nodeAddress: '', managers: [] };

describe('overlay links (unit)', () => {
  const oracle = inspectDocument('oracle');
  const app = inspectDocument('app');
  const pair = (target: SwarmMembership, client: SwarmMembership) => ({ target: { host: 'alpha', membership: target }, client: { host: 'beta', membership: client } });
  const request = (overrides: Partial<Parameters<typeof planOverlayLink>[0]> = {}) => ({
    target: { host: 'alpha', details: oracle, port: 1521 },
    client: { host: 'beta', details: app },
    alias: 'db',
    swarm: pair(manager(), worker()),
    ...overrides,
  });
  const name = overlayNetworkName('app', 'db');
  const labels = overlayNetworkLabels({ target: { host: 'alpha', container: 'oracle', port: 1521 }, client: { host: 'beta', container: 'app' }, alias: 'db' });

  describe('Swarm membership', () => {
    it('pairs a manager with a worker that names it, and picks the manager to create the network', () => {
      assert.deepEqual(sharedSwarm(pair(manager(), worker())), { clusterId: 'cluster-1', manager: 'alpha' });
      assert.deepEqual(sharedSwarm(pair(worker(), manager())), { clusterId: 'cluster-1', manager: 'beta' });
      assert.deepEqual(sharedSwarm(pair(manager(), { ...manager(), nodeAddress: '10.0.0.2' })).manager, 'alpha', 'two managers: the target host');
    });

    it('says why two hosts cannot carry an overlay, with a reason each', () => {
      const reason = (target: SwarmMembership, client: SwarmMembership) => {
        try {
          sharedSwarm(pair(target, client));
          return 'none';
        } catch (error) {
          assert.ok(OverlayError.is(error));
          return error.reason;
        }
      };
      assert.equal(reason(manager(), inactive), 'notInSwarm');
      assert.equal(reason(manager(), { ...worker(), state: 'pending' }), 'notReady');
      assert.equal(reason(worker(), worker()), 'noManager');
      assert.equal(reason(manager('one'), manager('two')), 'differentSwarms');
      assert.equal(reason(manager(), worker('10.9.9.9')), 'differentSwarms', 'a worker of another manager');
      assert.equal(reason(manager(), { ...inactive, state: 'unsupported' }), 'swarmUnsupported', 'Podman');
    });

    it('offers to form a Swarm only of two Docker engines in none (Podman says "inactive" but has no Swarm mode)', () => {
      assert.deepEqual(swarmChoiceOf(pair(inactive, inactive)), { kind: 'formable' });
      const podman = swarmChoiceOf(pair(inactive, { ...inactive, state: 'unsupported' }));
      assert.equal(podman.kind === 'no' && podman.reason, 'swarmUnsupported');
    });

    it('describes a host row', () => {
      assert.equal(describeSwarm(inactive), undefined);
      assert.equal(describeSwarm(manager('abcdef1234567890')), 'Swarm manager · cluster abcdef123456');
      assert.equal(describeSwarm(worker()), 'Swarm worker');
      assert.equal(describeSwarm({ ...inactive, state: 'locked' }), 'Swarm locked');
    });

    it('caches memberships per host and redraws only when one changed', async () => {
      let answer = manager();
      let asked = 0;
      const changed: string[] = [];
      let now = 0;
      const client = { swarm: async () => (asked++, answer) } as unknown as DockerClient;
      const swarms = new SwarmMemberships(
        (host) => changed.push(host),
        1000,
        () => now,
      );
      assert.equal(swarms.known('alpha', client), undefined, 'unknown at first; asked in the background');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(swarms.known('alpha', client), manager());
      assert.deepEqual(changed, ['alpha']);
      now = 500;
      swarms.known('alpha', client);
      assert.equal(asked, 1, 'fresh enough: not asked again');
      now = 1500;
      answer = inactive;
      swarms.known('alpha', client);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(swarms.known('alpha', client)?.state, 'inactive');
      assert.deepEqual(changed, ['alpha', 'alpha']);
    });
  });

  describe('planning a link', () => {
    it('creates a labelled attachable overlay on the manager, gives the target the alias, connects the client', () => {
      const plan = planOverlayLink(request({ encrypted: true }));
      assert.equal(plan.manager, 'alpha');
      assert.equal(plan.network, name);
      assert.deepEqual(
        plan.runs.map((run) => [run.host, run.steps]),
        [
          [
            'alpha',
            [
              { kind: 'createNetwork', name, labels, driver: 'overlay', attachable: true, options: { encrypted: '' } },
              { kind: 'connectNetwork', network: name, container: { id: oracle.id }, name: 'oracle', endpoint: { Aliases: ['db'] } },
            ],
          ],
          ['beta', [{ kind: 'connectNetwork', network: name, container: { id: app.id }, name: 'app', endpoint: {} }]],
        ],
      );
      assert.match(plan.runs[0].description[0], /create overlay network .* \(encrypted\)/);
    });

    it('runs the manager first when the client host is the manager', () => {
      const plan = planOverlayLink(request({ swarm: pair(worker(), manager()) }));
      assert.deepEqual(
        plan.runs.map((run) => [run.host, run.steps.map((step) => step.kind)]),
        [
          ['beta', ['createNetwork', 'connectNetwork']],
          ['alpha', ['connectNetwork']],
        ],
      );
      assert.equal((plan.runs[0].steps[0] as { options?: object }).options, undefined, 'not encrypted unless asked');
    });

    it('reuses its own network and plans nothing when the link is in place', () => {
      const network: NetworkSummary = { id: 'n1', name, driver: 'overlay', labels, containers: {} };
      const onIt = (details: typeof oracle) => ({ ...details, networks: [...details.networks, { name, aliases: [] }] });
      const plan = planOverlayLink(
        request({ existing: { network, origin: 'ours' }, target: { host: 'alpha', details: onIt(oracle), port: 1521 }, client: { host: 'beta', details: onIt(app) } }),
      );
      assert.equal(plan.creates, false);
      assert.deepEqual(
        plan.runs.flatMap((run) => run.steps),
        [],
      );
    });

    it('refuses a foreign network without consent, and a same-named network of something else', () => {
      const network: NetworkSummary = { id: 'n1', name, driver: 'overlay', labels, containers: {} };
      assert.throws(
        () => planOverlayLink(request({ existing: { network, origin: 'foreign' } })),
        (error: unknown) => ProvenanceError.is(error, 'foreign'),
      );
      assert.equal(planOverlayLink(request({ existing: { network, origin: 'foreign' }, confirmForeign: true })).creates, false);
      const other = { ...network, labels: { team: 'x' } };
      assert.throws(
        () => planOverlayLink(request({ existing: { network: other, origin: 'ours' } })),
        (error: unknown) => ConfigError.is(error) && error.reason === 'invalidOption',
      );
    });

    it('refuses bad input and containers on one host before planning anything', () => {
      assert.throws(() => planOverlayLink(request({ alias: 'bad alias' })), ConfigError);
      assert.throws(() => planOverlayLink(request({ target: { host: 'alpha', details: oracle, port: 0 } })), ConfigError);
      assert.throws(() => planOverlayLink(request({ client: { host: 'alpha', details: app } })), ConfigError);
      assert.throws(
        () => planOverlayLink(request({ swarm: pair(manager(), inactive) })),
        (error: unknown) => OverlayError.is(error, 'notInSwarm'),
      );
    });

    it('reads a link back from its network labels only', () => {
      const link = overlayLinkOf({ id: 'n1', name, labels });
      assert.deepEqual(link, { target: { host: 'alpha', container: 'oracle', port: 1521 }, client: { host: 'beta', container: 'app' }, alias: 'db', network: { id: 'n1', name } });
      assert.equal(overlayLinkOf({ id: 'n2', name, labels: { ...labels, 'crosslink.mode': 'network' } }), undefined);
    });
  });

  describe('planning a removal', () => {
    const link = overlayLinkOf({ id: 'n1', name, labels })!;
    const on = (container: string, networks: string[]): ContainerSummary =>
      ({
        id: `${container}-id`,
        name: container,
        image: 'i',
        state: 'running',
        status: '',
        createdAt: 0,
        labels: {},
        ports: [],
        networks: networks.map((network) => ({ name: network, aliases: [] })),
      }) as ContainerSummary;

    it('disconnects both ends (restoring the alias on undo) and removes its own network last', () => {
      const plan = planOverlayRemoval({ link, manager: 'alpha', ours: true, containers: { alpha: [on('oracle', ['bridge', name])], beta: [on('app', [name])] } });
      assert.equal(plan.removesNetwork, true);
      assert.deepEqual(
        plan.runs.map((run) => [run.host, run.steps]),
        [
          ['beta', [{ kind: 'disconnectNetwork', network: name, container: { id: 'app-id' }, name: 'app', restore: {} }]],
          [
            'alpha',
            [
              { kind: 'disconnectNetwork', network: name, container: { id: 'oracle-id' }, name: 'oracle', restore: { Aliases: ['db'] } },
              { kind: 'removeNetwork', name },
            ],
          ],
        ],
      );
    });

    it('keeps the network when it is not ours, something else is on it, or a host could not be listed', () => {
      const containers = { alpha: [on('oracle', [name])], beta: [on('app', [name])] };
      assert.equal(planOverlayRemoval({ link, manager: 'alpha', ours: false, containers }).removesNetwork, false);
      assert.equal(
        planOverlayRemoval({ link, manager: 'alpha', ours: true, containers: { ...containers, beta: [...containers.beta, on('other', [name])] } }).removesNetwork,
        false,
      );
      const offline = planOverlayRemoval({ link, manager: 'alpha', ours: true, containers: { alpha: containers.alpha, beta: undefined } });
      assert.equal(offline.removesNetwork, false);
      assert.deepEqual(
        offline.runs.flatMap((run) => run.steps.map((step) => step.kind)),
        ['disconnectNetwork'],
      );
    });
  });

  describe('Swarm port check', () => {
    it('listens on every port and reports each one blocked by name', () => {
      assert.match(listenerScript(swarmPorts, 300), /TCP-LISTEN:2377,.*\n.*TCP-LISTEN:7946.*\n.*UDP-RECVFROM:7946.*\n.*UDP-RECVFROM:4789/);
      assert.match(listenerScript(swarmPorts, 300), /\nsleep 300$/, 'it ends by itself when nobody removes it');
      assert.match(proberScript('10.0.0.1', swarmPorts), /socat -T 2 \/dev\/null TCP:10\.0\.0\.1:2377,connect-timeout=2/);
      assert.deepEqual(blockedPorts('2377/tcp ok\n7946/tcp ok\n7946/udp blocked\n', swarmPorts), ['7946/udp', '4789/udp']);
      assert.deepEqual(blockedPorts('2377/tcp ok\n7946/tcp ok\n7946/udp ok\n4789/udp ok\n', swarmPorts), []);
    });

    it('waits for the listener: reads bound TCP and UDP ports, and the ports another process holds', () => {
      const output = [
        '#tcp',
        '  sl  local_address rem_address   st',
        '   0: 00000000:0949 00000000:0000 0A 00000000:00000000',
        '   1: 0B00E70A:1F0A 0C00E70A:9C40 01 00000000:00000000',
        '#udp',
        '   5: 00000000:1F0A 00000000:0000 07 00000000:00000000',
        '#err 2377/tcp ',
        '#err 4789/udp 2026/12/03 12:00:00 socat[12] E bind(5, {AF=2 0.0.0.0:4789}, 16): Address in use',
      ].join('\n');
      const state = listenerState(output);
      assert.deepEqual([...state.bound].sort(), ['2377/tcp', '7946/udp'], 'an established connection on 7946/tcp is not a listener');
      assert.deepEqual([...state.failed], ['4789/udp']);
    });
  });

  describe('switching a link', () => {
    const overlayLink: OverlayLink = {
      target: { host: 'alpha', container: 'oracle', port: 1521 },
      client: { host: 'beta', container: 'app' },
      alias: 'db',
      network: { id: 'n1', name },
    };
    const ambassadorLink: CrossLink = {
      target: overlayLink.target,
      client: overlayLink.client,
      alias: 'db',
      mode: 'network',
      upstream: { address: '10.0.0.1', port: 1521 },
      clientAmbassador: { host: 'beta', id: 'c1', name: 'crosslink-cli-app-db', state: 'running' },
    };
    const verified = { ok: true, message: 'answers' } as VerifyResult;
    const removalFailure = new Error('the engine went away');
    /** Operations whose new path is made and verified, and whose removal of the old one fails. */
    const switching = (failure: Error = removalFailure) => {
      const crossLinks = {
        link: async () => ({ clientRef: 'beta/crosslink-cli-app-db' }),
        list: async () => [ambassadorLink],
        verify: async () => verified,
        remove: async () => Promise.reject(failure),
      } as unknown as CrossLinkOperations;
      const operations = new OverlayOperations(fakeHostDirectory([]), silentLogger, () => 'socat', testProvenance(), crossLinks);
      operations.link = async () => ({ link: overlayLink, manager: 'alpha', createdNetwork: true, verified });
      operations.remove = async () => Promise.reject(failure);
      return operations;
    };

    it('to the overlay: when the ambassadors cannot be removed, says the overlay carries the link and both stay (oldPathKept)', async () => {
      await assert.rejects(
        switching().promote(ambassadorLink),
        (error: unknown) => OverlayError.is(error, 'oldPathKept') && error.carriedBy === 'overlay' && error.verified === verified && error.cause === removalFailure,
      );
    });

    it('a refusal to remove objects this installation did not create stays as it is, so the switch can be asked again with consent', async () => {
      const foreign = new ProvenanceError('foreign', 'not created here', ['network x']);
      await assert.rejects(switching(foreign).promote(ambassadorLink), (error: unknown) => error === foreign);
      await assert.rejects(switching(foreign).demote(overlayLink), (error: unknown) => error === foreign);
    });

    it('to ambassadors: when the overlay link cannot be removed, says the ambassadors carry the link and both stay (oldPathKept)', async () => {
      await assert.rejects(
        switching().demote(overlayLink),
        (error: unknown) => OverlayError.is(error, 'oldPathKept') && error.carriedBy === 'ambassadors' && error.verified === verified && error.cause === removalFailure,
      );
    });
  });
});
