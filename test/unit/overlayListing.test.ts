import * as assert from 'node:assert/strict';
import { HostError } from '../../src/core/errors';
import { Emitter, silentLogger } from '../../src/core/like';
import { TopologySource } from '../../src/core/topology/topologySource';
import { container } from './fakes/fakeDockerClient';
import { link, network, onOverlay, overlayScene } from './fakes/overlayScene';

/** Longer than the listing's quiet time after a model change. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 250));

describe('overlay link listing (unit)', () => {
  it('lists once per burst of model changes that moved a container onto an overlay network, and tells when the links changed', async () => {
    const { beta, alpha, hosts, source, listing } = overlayScene(false);
    let changes = 0;
    listing.onDidChange(() => changes++);
    try {
      await listing.refresh();
      assert.equal(source.calls, 1);
      assert.deepEqual(listing.list(), []);
      assert.equal(changes, 0, 'the same (empty) list is no change');

      // A state change moves nobody onto an overlay network: no listing.
      beta.containers.set('a1', container('a1', 'app', { state: 'exited' }));
      hosts.fire('beta');
      await settle();
      assert.equal(source.calls, 1);

      // The link is made: both ends connect (two events per host), listed once after the burst.
      beta.containers.set('a1', container('a1', 'app', { networks: onOverlay }));
      alpha.containers.set('o1', container('o1', 'oracle', { networks: onOverlay }));
      source.links = [link];
      for (const host of ['beta', 'alpha', 'beta', 'alpha']) {
        hosts.fire(host);
      }
      await settle();
      assert.equal(source.calls, 2);
      assert.equal(changes, 1);
      assert.deepEqual(listing.list(), [{ client: link.client, target: link.target, alias: 'db', network, health: 'ok' }]);
      assert.deepEqual(listing.of('alpha', 'oracle'), [{ link, side: 'target' }]);
      assert.deepEqual(listing.of('beta', 'app'), [{ link, side: 'client' }]);
      assert.deepEqual(listing.of('beta', 'oracle'), []);
    } finally {
      listing.dispose();
    }
  });

  it("reads each link's state from the model when asked: a stopped end, an end off the network, an end whose host is down", async () => {
    const { alpha, beta, hosts, listing } = overlayScene();
    try {
      await listing.refresh();
      assert.equal(listing.stateOf(link).state, 'ok');
      alpha.containers.set('o1', container('o1', 'oracle', { state: 'exited', networks: onOverlay }));
      assert.deepEqual(listing.stateOf(link), { state: 'broken', message: 'the target oracle is exited' });
      alpha.containers.set('o1', container('o1', 'oracle', { networks: onOverlay }));
      beta.containers.set('a1', container('a1', 'app'));
      assert.deepEqual(listing.stateOf(link), { state: 'broken', message: `the client app is not on ${network}` });
      beta.containers.clear();
      assert.deepEqual(listing.stateOf(link), { state: 'broken', message: 'the client app is missing on beta' });
      hosts.states.set('beta', { state: 'unreachable', error: new HostError('beta', 'refused', 'beta: refused') });
      assert.deepEqual(listing.stateOf(link), { state: 'unknown', message: 'beta is unreachable' });
      assert.equal(listing.list()[0].health, 'unknown');
    } finally {
      listing.dispose();
    }
  });

  it('keeps the last list when listing fails, and lists again when the model changes meanwhile', async () => {
    const { beta, hosts, source, listing } = overlayScene();
    try {
      await listing.refresh();
      source.fail = true;
      beta.containers.set('a1', container('a1', 'app'));
      hosts.fire('beta');
      await settle();
      assert.equal(source.calls, 2);
      assert.equal(listing.list().length, 1, 'a failed listing changes nothing');

      // A change while a listing runs is listed after it, once.
      source.fail = false;
      source.links = [];
      const first = listing.refresh();
      void listing.refresh();
      void listing.refresh();
      await first;
      await settle();
      assert.equal(source.calls, 4);
      assert.deepEqual(listing.list(), []);
    } finally {
      listing.dispose();
    }
  });

  it('a host that connects is listed too', async () => {
    const { hosts, source, listing } = overlayScene();
    try {
      hosts.states.set('alpha', { state: 'connecting' });
      await listing.refresh();
      hosts.states.delete('alpha');
      hosts.fire('alpha');
      await settle();
      assert.equal(source.calls, 2);
    } finally {
      listing.dispose();
    }
  });

  it('gives the topology its overlay edges, and a new link redraws it', async () => {
    const { hosts, listing } = overlayScene();
    const source = new TopologySource(
      hosts,
      { list: () => [], onDidChange: new Emitter<string>().event },
      { get: () => undefined, onDidChange: new Emitter<void>().event },
      silentLogger,
      listing,
    );
    let changes = 0;
    const subscription = source.onDidChange(() => changes++);
    try {
      await listing.refresh();
      assert.ok(changes >= 1, 'the listing tells the topology');
      const overlays = (await source.graph()).edges.filter((edge) => edge.kind === 'overlay').map((edge) => `${edge.fromRef} -> ${edge.toRef} ${edge.health}`);
      assert.deepEqual(overlays, ['beta/app -> alpha/oracle ok']);
    } finally {
      subscription.dispose();
      source.dispose();
      listing.dispose();
    }
  });
});
