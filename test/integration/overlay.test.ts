import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { OverlayOperations } from '../../src/core/overlay/overlayOperations';
import { OverlayError } from '../../src/core/overlay/swarm';
import { PlanError } from '../../src/core/planning/planExecutor';
import { OverlayLinkListing } from '../../src/core/topology/overlayListing';
import { type TestbedHost, docker, removeContainer, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, newModel, settingFor, specs, testbed, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);
const image = testbed.images.fixture;
const run = promisify(execFile);

/**
 * Overlay links on the real testbed. The suite forms a Swarm of alpha and beta in `before` and
 * leaves it on both in `after`, whatever happened: the daemons are shared with other test runs,
 * which must never find them in a Swarm.
 */
describe('Cross-host links over a Swarm overlay (integration)', function () {
  this.timeout(240_000);
  const logger = new RecordingLogger();
  const { model } = newModel(logger);
  const provenance = testProvenance();
  const crossLinks = new CrossLinkOperations(model, logger, () => testbed.images.socat, provenance);
  const overlay = new OverlayOperations(model, logger, () => testbed.images.socat, provenance, crossLinks);
  // What the tree and the topology draw from, following the model's events alone (never told to refresh here).
  const listing = new OverlayLinkListing(model, overlay, logger);
  const listed = () => listing.of('beta', app).map(({ link, side }) => `${side} ${link.alias} ${link.network.name} ${link.origin} ${listing.stateOf(link).state}`);
  const oracle = uniqueName('ovl-oracle');
  const app = uniqueName('ovl-app');
  const silent = uniqueName('ovl-silent');
  const created: Array<[TestbedHost, string]> = [
    [alphaHost, oracle],
    [alphaHost, silent],
    [betaHost, app],
  ];
  const networksOf = (host: TestbedHost, container: string) => Object.keys(JSON.parse(docker(host, ['inspect', container]))[0].NetworkSettings.Networks).sort();
  const ask = (alias = 'db') => docker(betaHost, ['exec', app, 'sh', '-c', `echo hello | socat -t 5 - TCP:${alias}:1521`]);
  const ourNetworks = () =>
    docker(alphaHost, ['network', 'ls', '--format', '{{.Name}}'])
      .split('\n')
      .filter((name) => name.startsWith(`crosslink-overlay-${app}`));
  // A Swarm network removed on the manager leaves the node's list a moment later.
  const noOverlayLeft = () => waitFor(() => ourNetworks().length === 0, 'the overlay network to be gone', 10_000);
  const args = { client: `beta/${app}`, target: `alpha/${oracle}`, port: 1521, alias: 'db' };
  let swarmFormed = false;

  before(async function () {
    for (const host of [alphaHost, betaHost]) {
      const state = docker(host, ['info', '--format', '{{.Swarm.LocalNodeState}}']);
      if (state !== 'inactive') {
        // Another run holds a Swarm on the shared daemons: never take it over or break it.
        console.log(`skipping: ${host.name} is in a Swarm (${state})`);
        this.skip();
      }
    }
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
    // It reads the request before answering: closing with unread data would reset the connection and lose the reply.
    docker(alphaHost, ['run', '-d', '--name', oracle, '--stop-timeout', '1', image, 'socat', 'TCP-LISTEN:1521,fork,reuseaddr', 'SYSTEM:read -r line; echo oracle-data']);
    docker(alphaHost, ['run', '-d', '--name', silent, '--stop-timeout', '1', image, 'sleep', '86400']);
    docker(betaHost, ['run', '-d', '--name', app, '--stop-timeout', '1', image, 'sleep', '86400']);
    swarmFormed = true;
    await overlay.formSwarm('alpha', 'beta');
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-60).join('\n'));
    }
  });

  /** Both daemons out of any Swarm, synchronously, workers first: safe from a signal handler too. */
  const leaveSwarm = () => {
    if (!swarmFormed) {
      return;
    }
    for (const host of [betaHost, alphaHost]) {
      try {
        docker(host, ['swarm', 'leave', '--force']);
      } catch (error) {
        if (!/not part of a swarm/i.test(String(error))) {
          console.log(String(error));
        }
      }
    }
    swarmFormed = false;
  };
  /** An interrupted run (Ctrl+C, a timeout's SIGTERM) must not leave the shared daemons in a Swarm. */
  const onSignal = (signal: NodeJS.Signals) => {
    leaveSwarm();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  after(() => listing.dispose());
  after(() => {
    // The Swarm goes first (the other runs on these daemons need it gone), then what this suite made, by name.
    for (const [host, name] of created) {
      removeContainer(host, name);
    }
    leaveSwarm();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    removeContainer(alphaHost, `crosslink-srv-${oracle}-1521`);
    removeContainer(betaHost, `crosslink-cli-${app}-db`);
    for (const [host, network] of [
      [alphaHost, `crosslink-${oracle}`],
      [betaHost, `crosslink-${app}`],
    ] as const) {
      try {
        docker(host, ['network', 'rm', network]);
      } catch {
        // Not made in this run.
      }
    }
    model.dispose();
  });

  it('formed the Swarm: alpha manager, beta worker of the same cluster, as the host rows show', async () => {
    const [alpha, beta] = [await overlay.membership('alpha'), await overlay.membership('beta')];
    assert.equal(alpha.state, 'active');
    assert.equal(alpha.role, 'manager');
    assert.equal(alpha.nodeAddress, alphaHost.ip, 'advertises its own address');
    assert.equal(beta.role, 'worker');
    assert.ok(beta.managers.includes(`${alphaHost.ip}:2377`));
    assert.equal(overlay.formedHere(alpha.clusterId), true);
    await assert.rejects(overlay.formSwarm('alpha', 'beta'), (error: unknown) => OverlayError.is(error, 'otherSwarm'), 'a host in a Swarm is never changed');
  });

  it('links over an overlay, verified by name with real traffic, and reuses the link when asked again', async () => {
    const result = await overlay.link(args);
    assert.equal(result.verified.ok, true, result.verified.message);
    assert.equal(result.createdNetwork, true);
    assert.equal(result.manager, 'alpha');
    assert.equal(ask(), 'oracle-data');
    const inspected = JSON.parse(docker(alphaHost, ['network', 'inspect', result.link.network.name]))[0];
    assert.equal(inspected.Driver, 'overlay');
    assert.equal(inspected.Attachable, true);
    assert.equal((await overlay.find(`beta/${app}`, 'db'))?.origin, 'ours');
    const again = await overlay.link(args);
    assert.equal(again.createdNetwork, false);
    assert.equal(again.link.network.id, result.link.network.id);
    await waitFor(() => listed().join() === `client db ${result.link.network.name} ours ok`, 'the listing to show the link from the model events', 15_000);
    assert.deepEqual(
      listing.of('alpha', oracle).map(({ side }) => side),
      ['target'],
    );
    assert.equal(listing.list().find((info) => info.network === result.link.network.name)?.health, 'ok', 'the topology draws it');
  });

  it('Remove Link disconnects both and removes the network it made, leaving both containers as before', async () => {
    const link = (await overlay.find(`beta/${app}`, 'db'))!;
    const removal = await overlay.remove(link);
    assert.deepEqual(removal, { removedNetwork: true, swarm: 'kept' });
    assert.deepEqual(networksOf(alphaHost, oracle), ['bridge']);
    assert.deepEqual(networksOf(betaHost, app), ['bridge']);
    await noOverlayLeft();
    await waitFor(() => listed().length === 0, 'the listing to drop the removed link', 15_000);
  });

  for (const failAt of [0, 1, 2]) {
    it(`a failure injected at step ${failAt + 1} of 3 rolls both hosts back`, async () => {
      await assert.rejects(
        overlay.link(args, {
          beforeStep: (_step, index) => {
            if (index === failAt) {
              throw new Error('injected');
            }
          },
        }),
        (error: unknown) => PlanError.is(error, 'stepFailed') && error.rollbackFailures.length === 0,
      );
      assert.deepEqual(networksOf(alphaHost, oracle), ['bridge']);
      assert.deepEqual(networksOf(betaHost, app), ['bridge']);
      await noOverlayLeft();
    });
  }

  it('a link that does not carry traffic is rolled back (OverlayError notVerified)', async () => {
    await assert.rejects(
      overlay.link({ ...args, target: `alpha/${silent}`, alias: 'quiet' }),
      (error: unknown) => OverlayError.is(error, 'notVerified') && error.verified?.ok === false,
    );
    assert.deepEqual(networksOf(alphaHost, silent), ['bridge']);
    assert.deepEqual(networksOf(betaHost, app), ['bridge']);
    await noOverlayLeft();
  });

  it('promotes an ambassador link to the overlay and falls back, the alias answering throughout', async () => {
    // Another run may hold 1521 on alpha: each switch publishes on a port of its own.
    const publish = () => 20_000 + Math.floor(Math.random() * 10_000);
    await crossLinks.link({ ...args, mode: 'network', publish: publish() });
    assert.equal(ask(), 'oracle-data');
    const networksBefore = networksOf(betaHost, app);
    const failures: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const host = betaHost.socket ? `unix://${betaHost.socket}` : betaHost.tcpUrl!;
        const answer = await run('docker', ['-H', host, 'exec', app, 'sh', '-c', 'echo hello | socat -t 3 - TCP:db:1521'], { timeout: 10_000 }).then(
          ({ stdout }) => stdout.trim(),
          (error: Error) => error.message,
        );
        if (answer !== 'oracle-data') {
          failures.push(`${new Date().toISOString()} ${answer}`);
        }
      }
    })();
    try {
      const ambassadorLink = (await crossLinks.list()).find((link) => link.client.container === app)!;
      const promoted = await overlay.promote(ambassadorLink);
      assert.equal(promoted.verified.ok, true, promoted.verified.message);
      assert.equal(
        (await crossLinks.list()).some((link) => link.client.container === app),
        false,
        'the ambassadors are gone',
      );
      assert.equal(ask(), 'oracle-data');

      const demoted = await overlay.demote((await overlay.find(`beta/${app}`, 'db'))!, { publish: publish() });
      assert.equal(demoted.verified.ok, true, demoted.verified.message);
      assert.equal(await overlay.find(`beta/${app}`, 'db'), undefined, 'the overlay link is gone');
      await noOverlayLeft();
      assert.equal(ask(), 'oracle-data');
    } finally {
      polling = false;
      await poller;
    }
    assert.deepEqual(failures, [], 'every connection by alias during both switches succeeded');
    assert.deepEqual(networksOf(betaHost, app), networksBefore);
    await crossLinks.remove((await crossLinks.list()).find((link) => link.client.container === app)!);
    assert.deepEqual(networksOf(betaHost, app), ['bridge']);
  });

  it('Remove Link with leaveSwarm dissolves the Swarm Crosslink formed', async () => {
    const { link } = await overlay.link(args);
    const removal = await overlay.remove(link, { leaveSwarm: true });
    assert.deepEqual(removal, { removedNetwork: true, swarm: 'left' });
    assert.equal(docker(alphaHost, ['info', '--format', '{{.Swarm.LocalNodeState}}']), 'inactive');
    assert.equal(docker(betaHost, ['info', '--format', '{{.Swarm.LocalNodeState}}']), 'inactive');
    assert.deepEqual(networksOf(alphaHost, oracle), ['bridge']);
    assert.deepEqual(networksOf(betaHost, app), ['bridge']);
  });
});
