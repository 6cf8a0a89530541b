import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CrossLink, clientAmbassadorLabels, serverAmbassadorLabels } from '../../src/core/values/labels';
import { usersOfTarget } from '../../src/core/ambassadors/crossLinkOperations';
import { type HostState, planCrossLink, planCrossLinkRemoval } from '../../src/core/ambassadors/crossLinkPlanner';
import { keeperCandidates } from '../../src/core/ambassadors/networkKeeper';
import { ConfigError } from '../../src/core/errors';
import { resolveHostAddress } from '../../src/core/hosts/resolveAddress';
import { ObjectRegistry } from '../../src/core/provenance/objectRegistry';
import { Provenance } from '../../src/core/provenance/provenance';
import { ProvenanceError, Sealer, canonicalSealInput, sealLabel, sealedLabelKeys } from '../../src/core/provenance/seal';
import type { ContainerSummary } from '../../src/core/types';
import { container } from './fakes/fakeDockerClient';
import { inspectDocument, subject } from './fakes/inspectDocument';

const secret = Buffer.alloc(32, 7);
const target = { host: 'alpha', container: 'oracle', port: 1521 };
const link: Omit<CrossLink, 'clientAmbassador'> = {
  target,
  client: { host: 'beta', container: 'bw' },
  alias: 'oracle',
  mode: 'network',
  upstream: { address: '10.231.0.11', port: 1521 },
};
const network = { name: 'crosslink-bw', joined: true, created: true };

function tempRegistry(): ObjectRegistry {
  return new ObjectRegistry(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-registry-')), 'objects.json'));
}

describe('Provenance seal (unit)', () => {
  const sealer = new Sealer(secret);
  const labels = clientAmbassadorLabels(link, network);
  const sealed = sealer.sealed('container', 'crosslink-cli-bw-oracle', 'engine-beta', labels);

  it('encodes canonically: label order, labels Crosslink does not read and the seal itself do not count, and no two label sets collide', () => {
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    const input = canonicalSealInput('container', 'x', 'e', labels);
    const imageLabels = { 'com.docker.compose.project': 'p', 'crosslink.fixture.version': '1' };
    assert.equal(canonicalSealInput('container', 'x', 'e', { ...reversed, ...imageLabels, [sealLabel]: 'v1:00' }), input);
    assert.equal(canonicalSealInput('container', '/x', 'e', labels), input, 'the engine reports names with a leading slash');
    assert.notEqual(
      canonicalSealInput('container', 'x', 'e', { 'crosslink.alias': 'b","crosslink.client' }),
      canonicalSealInput('container', 'x', 'e', { 'crosslink.alias': 'b', 'crosslink.client': '' }),
    );
    assert.notEqual(canonicalSealInput('container', 'x', 'e', { 'crosslink.network': '' }), canonicalSealInput('container', 'x', 'e', {}), 'empty and absent differ');
    assert.deepEqual(JSON.parse(input).slice(0, 4), ['v1', 'container', 'x', 'e']);
    for (const key of Object.keys(labels)) {
      assert.ok(sealedLabelKeys.includes(key), `${key} is sealed`);
    }
  });

  it('verifies its own seal, and fails on every edited, added or removed crosslink label', () => {
    assert.ok(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', sealed));
    for (const key of Object.keys(labels)) {
      assert.equal(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', { ...sealed, [key]: `${sealed[key]}x` }), false, `edited ${key}`);
      const without = { ...sealed };
      delete without[key];
      assert.equal(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', without), false, `removed ${key}`);
    }
    for (const key of sealedLabelKeys.filter((candidate) => !(candidate in labels))) {
      assert.equal(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', { ...sealed, [key]: 'x' }), false, `added ${key}`);
    }
    assert.ok(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', { ...sealed, 'crosslink.fixture.version': '1' }), 'an image label Crosslink does not read');
    assert.equal(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', { ...sealed, [sealLabel]: sealed[sealLabel].replace(/.$/, '0') }), false, 'edited seal');
    assert.equal(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', labels), false, 'no seal');
  });

  it('fails on another name, engine, kind or secret: a copy of the labels proves nothing', () => {
    assert.equal(sealer.verify('container', 'bait', 'engine-beta', sealed), false);
    assert.equal(sealer.verify('container', 'crosslink-cli-bw-oracle', 'engine-alpha', sealed), false);
    assert.equal(sealer.verify('network', 'crosslink-cli-bw-oracle', 'engine-beta', sealed), false);
    assert.equal(new Sealer(Buffer.alloc(32, 8)).verify('container', 'crosslink-cli-bw-oracle', 'engine-beta', sealed), false);
  });

  it('judges an object ours only with a valid seal and its id in the registry, or adopted; anything else labelled is foreign', () => {
    const provenance = new Provenance(sealer, tempRegistry());
    const real = { id: 'c1', name: 'crosslink-cli-bw-oracle', labels: sealed };
    assert.equal(provenance.originOf('container', real, 'engine-beta'), 'foreign', 'a valid seal on an id never created here (replayed under our name)');
    provenance.record({ id: 'c1', kind: 'container', host: 'beta', name: real.name, role: 'client-ambassador' });
    assert.equal(provenance.originOf('container', real, 'engine-beta'), 'ours');
    assert.equal(provenance.originOf('container', { ...real, name: 'bait' }, 'engine-beta'), 'foreign');
    assert.equal(provenance.originOf('container', { id: 'c2', name: 'old', labels }, 'engine-beta'), 'foreign', 'unsealed');
    provenance.record({ id: 'c2', kind: 'container', host: 'beta', name: 'old', role: 'client-ambassador', adopted: true });
    assert.equal(provenance.originOf('container', { id: 'c2', name: 'old', labels }, 'engine-beta'), 'ours', 'adopted by id');
    assert.equal(
      provenance.originOf('container', { id: 'c3', name: 'web', labels: { app: 'x', 'crosslink.fixture.version': '1' } }, 'engine-beta'),
      'none',
      'no label Crosslink acts on',
    );
  });
});

describe('ObjectRegistry (unit)', () => {
  it('shares one file between instances (windows), records clients, and survives a corrupt file by trusting nothing', () => {
    const first = tempRegistry();
    const second = new ObjectRegistry(first.file);
    first.add({ id: 's1', kind: 'container', host: 'alpha', name: 'crosslink-srv-oracle-1521', role: 'server-ambassador' });
    second.add({ id: 'c1', kind: 'container', host: 'beta', name: 'crosslink-cli-bw-oracle', role: 'client-ambassador' });
    second.addClient('s1', 'beta/crosslink-cli-bw-oracle');
    assert.deepEqual(
      first
        .entries()
        .map((entry) => entry.id)
        .sort(),
      ['c1', 's1'],
    );
    assert.deepEqual(first.get('s1')?.clients, ['beta/crosslink-cli-bw-oracle']);
    first.removeClient('beta/crosslink-cli-bw-oracle');
    first.remove('c1');
    assert.deepEqual(second.entries(), [{ id: 's1', kind: 'container', host: 'alpha', name: 'crosslink-srv-oracle-1521', role: 'server-ambassador', clients: [] }]);
    assert.deepEqual(fs.readdirSync(path.dirname(first.file)), ['objects.json'], 'no temporary file is left');
    assert.equal((fs.statSync(first.file).mode & 0o777).toString(8), '600');
    fs.writeFileSync(first.file, '{"version":1,"objects":[{"id":');
    assert.equal(new ObjectRegistry(first.file).has('s1'), false);
  });
});

describe('Network keeper decisions (unit)', () => {
  const server = (id: string, name: string, labels: Record<string, string>) =>
    container(id, name, { labels, createdAt: 100, networks: [{ name: 'crosslink-oracle', ipAddress: '172.20.0.2', aliases: [] }] });
  const serverLabels = serverAmbassadorLabels(target, { name: 'crosslink-oracle', joined: true, created: true });
  const oracle = container('t1', 'oracle', { createdAt: 200 });

  it('acts only for ambassadors that are ours, on a container of the host the label names', () => {
    const ours = server('a1', 'crosslink-srv-oracle-1521', serverLabels);
    const bait = server('a2', 'bait', serverLabels);
    const elsewhere = server('a3', 'crosslink-srv-x', { ...serverLabels, 'crosslink.target': 'gamma/oracle:1521' });
    const decided = keeperCandidates('alpha', [ours, bait, elsewhere, oracle], (candidate) => candidate.id !== 'a2');
    assert.deepEqual(
      decided.map((candidate) => [candidate.ambassador.name, candidate.member.name, candidate.network, candidate.attached, candidate.recreated]),
      [['crosslink-srv-oracle-1521', 'oracle', 'crosslink-oracle', false, true]],
    );
    const older = container('t1', 'oracle', { createdAt: 50 });
    assert.equal(keeperCandidates('alpha', [ours, older], () => true)[0].recreated, false, 'a container older than the ambassador was taken off on purpose');
    assert.deepEqual(
      keeperCandidates('alpha', [ours, oracle], () => false),
      [],
      'nothing is ours',
    );
    const attached = container('t1', 'oracle', { networks: [{ name: 'crosslink-oracle', ipAddress: '172.20.0.3', aliases: [] }] });
    assert.equal(keeperCandidates('alpha', [ours, attached], () => true)[0].attached, true);
  });
});

describe('Shared server ambassadors and address (unit)', () => {
  const clientAmbassador = (id: string, host: string, name: string) => container(id, name, { labels: clientAmbassadorLabels({ ...link, client: { host, container: name } }) });
  const thisLink: CrossLink = { ...link, clientAmbassador: { host: 'beta', id: 'c1', name: 'crosslink-cli-bw-oracle', state: 'running' } };

  it('counts client-side ambassadors of the target on every host and names the hosts that could not be listed', () => {
    const users = usersOfTarget(thisLink, [
      { host: 'beta', containers: [clientAmbassador('c1', 'beta', 'crosslink-cli-bw-oracle')] },
      { host: 'gamma', containers: [clientAmbassador('c9', 'gamma', 'crosslink-cli-gw-oracle'), container('x', 'web')] },
      { host: 'delta' },
    ]);
    assert.deepEqual(users, { clients: ['gamma/crosslink-cli-gw-oracle'], offlineHosts: ['delta'] });
  });

  function hosts(serverContainers: ContainerSummary[], foreign: string[] = []): { clientHost: HostState; serverHost: HostState } {
    return {
      clientHost: { name: 'beta', containers: [clientAmbassador('c1', 'beta', 'crosslink-cli-bw-oracle')], networks: [] },
      serverHost: { name: 'alpha', containers: serverContainers, networks: [], foreign: new Set(foreign) },
    };
  }

  it('keeps the server side while a host that may hold a client is offline, and never lets a look-alike stand in for ours', () => {
    const ours = container('s1', 'crosslink-srv-oracle-1521', { labels: serverAmbassadorLabels(target, { name: 'n', joined: false, created: false }) });
    const bait = container('s0', 'bait', { labels: serverAmbassadorLabels(target, { name: 'victimnet', joined: true, created: true }) });
    const kept = planCrossLinkRemoval({ link: thisLink, ...hosts([ours]), clientsOfTarget: 1, offlineHosts: ['delta'] });
    assert.equal(kept.server, undefined);
    const removal = planCrossLinkRemoval({ link: thisLink, ...hosts([bait, ours], ['s0']), clientsOfTarget: 1 });
    assert.equal(removal.serverAmbassador?.id, 's1');
    assert.deepEqual(
      removal.server?.steps.map((step) => step.kind),
      ['removeContainer'],
    );
  });

  it('refuses to reuse a foreign server-side ambassador unless confirmed', () => {
    const existing = container('s1', 'crosslink-srv-oracle-1521', { labels: serverAmbassadorLabels(target, { name: 'n', joined: false, created: false }) });
    const targetDetails = inspectDocument('oracle', { networks: { n: { IPAddress: '172.20.0.2' } } });
    const request = {
      target: { details: targetDetails, port: 1521, host: { name: 'alpha', containers: [existing], networks: [], foreign: new Set(['s1']) }, address: '10.231.0.11' },
      client: { subject: subject(inspectDocument('bw')), host: { name: 'beta', containers: [], networks: [] } },
      alias: 'oracle',
      mode: 'network' as const,
      image: 'socat',
      publish: 1521,
    };
    assert.throws(
      () => planCrossLink(request),
      (error: unknown) => ProvenanceError.is(error, 'foreign') && error.objects.length === 1,
    );
    assert.equal(planCrossLink({ ...request, confirmForeign: true }).serverAmbassador, 'crosslink-srv-oracle-1521');
  });

  it('resolves a host name to an IP (IPv4 first) before it is used, and refuses one that resolves to nothing', async () => {
    const lookup = async (name: string) => (name === 'alpha.lan' ? ['fd00::11', '10.231.0.11'] : []);
    assert.equal(await resolveHostAddress('alpha', 'alpha.lan', lookup), '10.231.0.11');
    assert.equal(await resolveHostAddress('alpha', '[fd00::11]', lookup), 'fd00::11');
    await assert.rejects(resolveHostAddress('alpha', 'nowhere.lan', lookup), (error: unknown) => ConfigError.is(error) && error.reason === 'unresolvableAddress');
    const failing = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await assert.rejects(resolveHostAddress('alpha', 'gone.invalid', failing), (error: unknown) => ConfigError.is(error) && error.reason === 'unresolvableAddress');
  });
});
