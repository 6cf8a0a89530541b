import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { AmbassadorNetworkKeeper } from '../../src/core/ambassadors/networkKeeper';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import type { CrossLink } from '../../src/core/values/labels';
import { ConfigError } from '../../src/core/errors';
import { TunnelManager } from '../../src/core/forwarding/tunnelManager';
import { ObjectRegistry } from '../../src/core/provenance/objectRegistry';
import { Provenance, newSecret } from '../../src/core/provenance/provenance';
import { ProvenanceError, Sealer } from '../../src/core/provenance/seal';
import { recoverChange } from '../../src/core/planning/recovery';
import { MemoryJournal } from '../unit/fakes/memoryJournal';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, newModel, settingFor, specs, testbed, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);
type Host = typeof alphaHost;
const image = testbed.images.fixture;
const socat = testbed.images.socat;

function run(host: Host, name: string, extra: string[] = [], command = ['sleep', '86400']): string {
  return docker(host, ['run', '-d', '--name', name, '--stop-timeout', '1', ...extra, image, ...command]);
}

const mutatingCalls = [
  'createContainer',
  'startContainer',
  'stopContainer',
  'removeContainer',
  'renameContainer',
  'createNetwork',
  'connectNetwork',
  'disconnectNetwork',
  'removeNetwork',
] as const;

function labelsOf(host: Host, name: string): Record<string, string> {
  return JSON.parse(docker(host, ['inspect', '--format', '{{json .Config.Labels}}', name])) as Record<string, string>;
}

function labelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
}

/** What a test may not change: each named container's id and networks, and whether each named network exists. */
function state(host: Host, containers: string[], networks: string[]): string {
  const present = new Set(docker(host, ['network', 'ls', '--format', '{{.Name}}']).split('\n'));
  return JSON.stringify({
    containers: containers.map((name) => docker(host, ['inspect', '--format', '{{.Id}} {{.State.Status}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}},{{end}}', name])),
    networks: networks.map((name) => `${name}:${present.has(name)}`),
  });
}

/** A port nothing listens on: a configured host there is offline. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Only what Crosslink made (integration)', function () {
  this.timeout(240_000);
  const logger = new RecordingLogger();
  const secret = newSecret();
  const provenance = testProvenance(secret);
  const { model, clients } = newModel(logger);
  const keeper = new AmbassadorNetworkKeeper(model, logger, provenance);
  /** Every change this process asks an engine for, while `recording`. */
  const changes: string[] = [];
  let recording = false;
  const recordChanges = () => {
    for (const client of clients) {
      for (const method of mutatingCalls) {
        const original = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method].bind(client);
        Object.assign(client, {
          [method]: (...args: unknown[]) => {
            if (recording) {
              changes.push(`${client.hostName} ${method} ${args.filter((arg) => typeof arg === 'string').join(' ')}`);
            }
            return original(...args);
          },
        });
      }
    }
  };
  const operations = new CrossLinkOperations(model, logger, () => socat, provenance);
  const oracle = uniqueName('oracle');
  const bw = uniqueName('bw');
  const victim = uniqueName('victim');
  const evilnet = uniqueName('evilnet');
  const victimnet = uniqueName('victimnet');
  const containers: Array<[Host, string]> = [
    [alphaHost, oracle],
    [betaHost, bw],
    [betaHost, victim],
  ];
  const networks: Array<[Host, string]> = [
    [betaHost, evilnet],
    [betaHost, victimnet],
  ];
  const clientAmbassador = `crosslink-cli-${bw}-oracle`;
  // Other suites on the shared testbed publish 1521; this one's server ambassador takes a port of its own.
  const hostPort = 20_000 + Math.floor(Math.random() * 10_000);
  const serverAmbassador = `crosslink-srv-${oracle}-1521`;
  const ask = () => docker(betaHost, ['exec', bw, 'sh', '-c', 'echo hi | socat -t 5 - TCP:oracle:1521']);
  const tryAsk = () => {
    try {
      return ask();
    } catch {
      return undefined;
    }
  };
  /** Whatever of this suite's link is left after a failure: the next test starts clean. */
  const removeLinkObjects = () => {
    removeContainer(alphaHost, serverAmbassador);
    removeContainer(betaHost, clientAmbassador);
    for (const [host, network] of [
      [alphaHost, `crosslink-${oracle}`],
      [betaHost, `crosslink-${bw}`],
    ] as Array<[Host, string]>) {
      try {
        docker(host, ['network', 'rm', network]);
      } catch {
        // Not there.
      }
    }
  };

  before(async () => {
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
    run(alphaHost, oracle, [], ['socat', 'TCP-LISTEN:1521,fork,reuseaddr', 'SYSTEM:echo oracle-data']);
    run(betaHost, bw);
    docker(betaHost, ['network', 'create', victimnet]);
    docker(betaHost, ['network', 'create', evilnet]);
    run(betaHost, victim, ['--network', victimnet]);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-80).join('\n'));
    }
  });

  after(async () => {
    keeper.dispose();
    const cleanup = new CrossLinkOperations(model, logger, () => socat, provenance);
    for (const link of await cleanup.list().catch(() => [] as CrossLink[])) {
      if (link.client.container === bw && link.origin === 'ours') {
        await cleanup.remove(link).catch(() => undefined);
      }
    }
    model.dispose();
    // The forged clients kept the server side of the first test's link; it is this suite's to remove.
    for (const [host, name] of [...containers, [alphaHost, serverAmbassador] as [Host, string], [betaHost, clientAmbassador] as [Host, string]]) {
      removeContainer(host, name);
    }
    for (const [host, name] of [...networks, [alphaHost, `crosslink-${oracle}`] as [Host, string], [betaHost, `crosslink-${bw}`] as [Host, string]]) {
      try {
        docker(host, ['network', 'rm', name]);
      } catch {
        // Already gone.
      }
    }
  });

  it("a forged link (copies of a real ambassador's labels, some pointing at a victim) changes nothing on any host, in any code path", async () => {
    await operations.link({ client: `beta/${bw}`, target: `alpha/${oracle}`, port: 1521, alias: 'oracle', publish: hostPort });
    assert.equal(ask(), 'oracle-data');
    const real = labelsOf(betaHost, clientAmbassador);
    const realServer = labelsOf(alphaHost, serverAmbassador);
    assert.ok(real['crosslink.seal'] && realServer['crosslink.seal'], 'the ambassadors are sealed');

    // Copies with the seal, on other names; copies edited to point at the victim and a network it uses; one unsealed.
    const baits: Array<[Host, string, Record<string, string>]> = [
      [betaHost, uniqueName('bait-copy'), real],
      [
        betaHost,
        uniqueName('bait-keeper'),
        { ...real, 'crosslink.client': `beta/${victim}`, 'crosslink.network': evilnet, 'crosslink.joinedNetwork': 'true', 'crosslink.alias': 'zz' },
      ],
      [
        betaHost,
        uniqueName('bait-remove'),
        {
          ...real,
          'crosslink.client': `beta/${victim}`,
          'crosslink.network': victimnet,
          'crosslink.joinedNetwork': 'true',
          'crosslink.createdNetwork': 'true',
          'crosslink.alias': 'yy',
        },
      ],
      [
        betaHost,
        uniqueName('bait-unsealed'),
        Object.fromEntries(
          Object.entries({ ...real, 'crosslink.client': `beta/${victim}`, 'crosslink.network': victimnet, 'crosslink.createdNetwork': 'true', 'crosslink.alias': 'xx' }).filter(
            ([key]) => key !== 'crosslink.seal',
          ),
        ),
      ],
      [alphaHost, uniqueName('bait-server'), { ...realServer, 'crosslink.network': `crosslink-${oracle}`, 'crosslink.createdNetwork': 'true' }],
    ];
    for (const [host, name, labels] of baits) {
      containers.push([host, name]);
      run(host, name, [...labelArgs(labels), ...(host === betaHost ? ['--network', name.includes('keeper') ? evilnet : victimnet] : [])]);
    }
    const watched = {
      beta: [victim, bw, clientAmbassador, ...baits.filter(([host]) => host === betaHost).map(([, name]) => name)],
      alpha: [oracle, serverAmbassador, ...baits.filter(([host]) => host === alphaHost).map(([, name]) => name)],
    };
    const snapshot = () => state(betaHost, watched.beta, [victimnet, evilnet, `crosslink-${bw}`]) + state(alphaHost, watched.alpha, [`crosslink-${oracle}`]);
    const before = snapshot();
    recordChanges();
    recording = true;

    // The keeper sees the baits (events), and must not pull the victim into evilnet. (The host state is
    // checked too, but another suite's process on this shared testbed may run a keeper that trusts labels:
    // what this process asked the engines to do is the exact measure.)
    await waitFor(
      () => baits.every(([host, name]) => [...(model.host(host.name)?.containers.values() ?? [])].some((container) => container.name === name)),
      'the model to list the baits',
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.deepEqual(changes, [], 'the keeper acted on a forged label');

    // Listing shows them as foreign; only the real one is ours.
    const links = await operations.list();
    const origins = Object.fromEntries(
      links.filter((link) => [clientAmbassador, ...baits.map(([, name]) => name)].includes(link.clientAmbassador.name)).map((link) => [link.clientAmbassador.name, link.origin]),
    );
    assert.deepEqual(origins, Object.fromEntries([[clientAmbassador, 'ours'], ...baits.filter(([host]) => host === betaHost).map(([, name]) => [name, 'foreign'])]));

    // Repair and Remove Link refuse every forged link, naming what they would have changed; copying commands only reads.
    const forged = links.filter((candidate) => baits.some(([, name]) => name === candidate.clientAmbassador.name));
    assert.equal(forged.length, 4);
    for (const link of forged) {
      await assert.rejects(operations.repair(link), (error: unknown) => ProvenanceError.is(error, 'foreign'));
      await assert.rejects(
        operations.remove(link),
        (error: unknown) => ProvenanceError.is(error, 'foreign') && error.objects.some((object) => object.includes(link.clientAmbassador.name)),
      );
      await operations.dockerCommands(link);
    }
    assert.deepEqual(changes, [], 'repair or remove acted on a forged link');

    // The tunnel cleanup of a new window leaves them alone too.
    const tunnels = new TunnelManager(model, { logger, provenance });
    assert.deepEqual([...(await tunnels.removeLeftoverHelpers('alpha')), ...(await tunnels.removeLeftoverHelpers('beta'))], []);
    await tunnels.shutdown();
    assert.deepEqual(changes, []);
    const unchanged = (text: string) => text.replace(new RegExp(`${evilnet},`, 'g'), '');
    assert.equal(unchanged(snapshot()), unchanged(before), 'nothing on either host changed, but what a label-trusting keeper elsewhere may add');

    // Removing the real link removes only its own objects: the look-alike server ambassador is not taken for ours,
    // and the forged clients that claim the same target keep the (real) server side, as a teammate's would.
    const realLink = links.find((link) => link.clientAmbassador.name === clientAmbassador)!;
    const removal = await operations.remove(realLink);
    recording = false;
    assert.deepEqual(
      (changes as string[]).map((change) => change.split(' ').slice(0, 2).join(' ')),
      ['beta disconnectNetwork', 'beta removeContainer', 'beta removeNetwork'],
      'only the real client side changed',
    );
    assert.equal(removal.serverAmbassador, 'kept');
    assert.ok(removal.otherClients.length > 0 && removal.otherClients.every((other) => baits.some(([, name]) => other === `beta/${name}`)));
    const victimNetworks = docker(betaHost, ['inspect', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', victim]).trim().split(' ');
    assert.ok(victimNetworks.includes(victimnet), 'the victim keeps its own network');
    assert.equal(docker(betaHost, ['network', 'ls', '--filter', `name=^${victimnet}$`, '--format', '{{.Name}}']), victimnet, 'its network stays');
    for (const [host, name] of baits) {
      assert.ok(docker(host, ['inspect', '--format', '{{.Id}}', name]), `${name} is untouched`);
    }
    assert.ok(docker(alphaHost, ['inspect', '--format', '{{.Id}}', serverAmbassador]));
  });

  it('keeps the server-side ambassador while a configured host that may hold a client is offline', async () => {
    for (const [host, name] of containers.filter(([, name]) => name.startsWith('bait-'))) {
      removeContainer(host, name);
    }
    const port = await closedPort();
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta'), { name: 'gamma', url: `tcp://127.0.0.1:${port}` }));
    await waitFor(() => model.host('gamma')?.state === 'unreachable' || model.host('gamma')?.state === 'reconnecting', 'gamma to be seen offline');
    await operations.link({ client: `beta/${bw}`, target: `alpha/${oracle}`, port: 1521, alias: 'oracle', publish: hostPort });
    const link = (await operations.list()).find((candidate) => candidate.clientAmbassador.name === clientAmbassador)!;
    const removal = await operations.remove(link);
    assert.deepEqual(removal, { serverAmbassador: 'kept', otherClients: [], offlineHosts: ['gamma'] });
    assert.ok(docker(alphaHost, ['inspect', '--format', '{{.Id}}', serverAmbassador]), 'the server ambassador stays');

    // With every host answering and no client left, it goes.
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
    await operations.link({ client: `beta/${bw}`, target: `alpha/${oracle}`, port: 1521, alias: 'oracle', publish: hostPort });
    const again = (await operations.list()).find((candidate) => candidate.clientAmbassador.name === clientAmbassador)!;
    assert.deepEqual(await operations.remove(again), { serverAmbassador: 'removed', otherClients: [], offlineHosts: [] });
    assert.throws(() => docker(alphaHost, ['inspect', serverAmbassador]));
  });

  it('a link whose objects could not be recorded still works, shows as not created here, and can be adopted', async () => {
    const unrecorded = new Provenance(new Sealer(secret), new ObjectRegistry('/dev/null/objects.json'));
    const withoutRegistry = new CrossLinkOperations(model, logger, () => socat, unrecorded);
    await withoutRegistry.link({ client: `beta/${bw}`, target: `alpha/${oracle}`, port: 1521, alias: 'oracle', publish: hostPort });
    try {
      await waitFor(() => tryAsk() === 'oracle-data', 'traffic through the unrecorded link', 15_000);
      const link = (await operations.list()).find((candidate) => candidate.clientAmbassador.name === clientAmbassador)!;
      assert.equal(link.origin, 'foreign');
      await assert.rejects(operations.remove(link), (error: unknown) => ProvenanceError.is(error, 'foreign'));
      assert.deepEqual((await operations.adopt(link)).sort(), [
        `alpha: container ${serverAmbassador}`,
        `alpha: network crosslink-${oracle}`,
        `beta: container ${clientAmbassador}`,
        `beta: network crosslink-${bw}`,
      ]);
      const adopted = (await operations.list()).find((candidate) => candidate.clientAmbassador.name === clientAmbassador)!;
      assert.equal(adopted.origin, 'ours');
      assert.equal((await operations.remove(adopted)).serverAmbassador, 'removed');
    } finally {
      removeLinkObjects();
    }
  });

  it('a link finished from its journal after the window died is recorded: it shows as created here and can be removed', async () => {
    // The window died after the engine made everything but before the run recorded the ambassadors' ids.
    const journal = new MemoryJournal();
    const unrecorded = new Provenance(new Sealer(secret), new ObjectRegistry('/dev/null/objects.json'));
    await new CrossLinkOperations(model, logger, () => socat, unrecorded, { journal }).link({
      client: `beta/${bw}`,
      target: `alpha/${oracle}`,
      port: 1521,
      alias: 'oracle',
      publish: hostPort,
    });
    try {
      const [entry] = journal.history.slice(-1);
      assert.equal((await operations.list()).find((candidate) => candidate.clientAmbassador.name === clientAmbassador)?.origin, 'foreign');
      await recoverChange({ key: entry.id, title: entry.title, containers: [], entry: structuredClone(entry), parked: [] }, 'finish', {
        clientOf: (name) => model.client(name),
        logger,
        confirm: async () => false,
      });
      await operations.registerRecovered(entry);
      const recorded = (await operations.list()).find((candidate) => candidate.clientAmbassador.name === clientAmbassador)!;
      assert.equal(recorded.origin, 'ours');
      assert.equal((await operations.remove(recorded)).serverAmbassador, 'removed', 'the server side counted this client and goes with it');
    } finally {
      removeLinkObjects();
    }
  });

  it('publishes on the address resolved to an IP, and refuses a name that resolves to nothing before changing anything', async () => {
    const named = { ...settingFor('alpha'), address: 'alpha.crosslink.test' };
    await model.setHosts(specs(named, settingFor('beta')));
    const resolving = new CrossLinkOperations(model, logger, () => socat, provenance, {
      lookup: async (name) => (name === 'alpha.crosslink.test' ? [alphaHost.ip as string] : []),
    });
    await resolving.link({ client: `beta/${bw}`, target: `alpha/${oracle}`, port: 1521, alias: 'oracle', publish: hostPort });
    const bindings = JSON.parse(docker(alphaHost, ['inspect', '--format', '{{json .HostConfig.PortBindings}}', serverAmbassador]));
    assert.deepEqual(bindings['1521/tcp'], [{ HostIp: alphaHost.ip, HostPort: String(hostPort) }]);
    assert.equal(labelsOf(betaHost, clientAmbassador)['crosslink.upstream'], `${alphaHost.ip}:${hostPort}`);
    assert.equal(ask(), 'oracle-data');
    await resolving.remove((await resolving.list()).find((candidate) => candidate.clientAmbassador.name === clientAmbassador)!);

    await model.setHosts(specs({ ...settingFor('alpha'), address: 'alpha.invalid' }, settingFor('beta')));
    const before = state(alphaHost, [oracle], [`crosslink-${oracle}`]) + state(betaHost, [bw], [`crosslink-${bw}`]);
    await assert.rejects(
      operations.link({ client: `beta/${bw}`, target: `alpha/${oracle}`, port: 1521, alias: 'oracle', publish: hostPort }),
      (error: unknown) => ConfigError.is(error) && error.reason === 'unresolvableAddress',
    );
    assert.equal(state(alphaHost, [oracle], [`crosslink-${oracle}`]) + state(betaHost, [bw], [`crosslink-${bw}`]), before);
    assert.throws(() => docker(alphaHost, ['inspect', serverAmbassador]), 'no ambassador was created');
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
  });
});

describe('Tunnel ambassadors do not outlive their window (integration)', function () {
  this.timeout(120_000);
  const logger = new RecordingLogger();
  const provenance = testProvenance();
  const { model } = newModel(logger);
  const web = uniqueName('tunnel-owner');
  const helper = (port: number) => `crosslink-tunnel-${web}-${port}`;
  const leftovers: string[] = [];
  const exists = (name: string) => {
    try {
      docker(alphaHost, ['inspect', '--format', '{{.Id}}', name]);
      return true;
    } catch {
      return false;
    }
  };

  before(async () => {
    await model.setHosts(specs(settingFor('alpha')));
    run(alphaHost, web);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-60).join('\n'));
    }
  });

  after(() => {
    model.dispose();
    for (const name of [web, helper(81), helper(82), helper(83), ...leftovers]) {
      removeContainer(alphaHost, name);
    }
  });

  it('removes its ambassador when the tunnel stops and when the window closes', async () => {
    const tunnels = new TunnelManager(model, { logger, provenance, ambassadorImage: socat });
    const first = await tunnels.open({ host: 'alpha', container: web, port: 81, localPort: 0 });
    assert.equal(first.transportKind, 'ambassador');
    assert.ok(exists(helper(81)));
    await tunnels.stop(first.id);
    assert.equal(exists(helper(81)), false, 'stop removes it');

    await tunnels.open({ host: 'alpha', container: web, port: 82, localPort: 0 });
    assert.ok(exists(helper(82)));
    await tunnels.shutdown();
    assert.equal(exists(helper(82)), false, 'closing the window removes it');
  });

  it('on the next start removes the ambassador a crashed window left, and leaves a forged one alone', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    const crashed = new TunnelManager(model, { logger, provenance, ambassadorImage: socat, ownerPid: deadPid });
    await crashed.open({ host: 'alpha', container: web, port: 83, localPort: 0 });
    crashed.pauseAll(); // The window died here: listeners gone, nothing removed.
    const forged = uniqueName('crosslink-tunnel-forged');
    leftovers.push(forged);
    docker(alphaHost, ['run', '-d', '--name', forged, ...labelArgs(labelsOf(alphaHost, helper(83))), image, 'sleep', '86400']);

    const next = new TunnelManager(model, { logger, provenance, ambassadorImage: socat });
    assert.deepEqual(await next.removeLeftoverHelpers('alpha'), [helper(83)]);
    assert.equal(exists(helper(83)), false);
    assert.ok(exists(forged), "a container with copied labels is not Crosslink's to remove");
    await next.shutdown();
  });
});
