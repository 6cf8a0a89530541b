import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/like';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { type HostSpec, parseHostEntry } from '../../src/core/hosts/hostSpec';
import { defaultSshFiles } from '../../src/core/hosts/sshConnection';
import { ContainerModel } from '../../src/core/model/containerModel';
import { FakeDockerClient, container } from './fakes/fakeDockerClient';
import { waitFor } from '../support/waitFor';

const fastOptions = { eventDebounceMs: 5, retryDelaysMs: [20, 40] };

describe('ContainerModel (unit)', () => {
  let clients: Map<string, FakeDockerClient>;
  let created: string[];
  let model: ContainerModel;
  const alpha = parseHostEntry({ name: 'alpha', url: 'tcp://10.231.0.11:2375' });
  const beta = parseHostEntry({ name: 'beta', url: 'ssh://root@10.231.0.12' });

  beforeEach(() => {
    clients = new Map([
      ['alpha', new FakeDockerClient('alpha')],
      ['beta', new FakeDockerClient('beta')],
    ]);
    created = [];
    model = new ContainerModel(
      (spec: HostSpec) => {
        created.push(spec.name);
        return clients.get(spec.name)!;
      },
      silentLogger,
      fastOptions,
    );
  });
  afterEach(() => model.dispose());

  const names = (host: string) => [...(model.host(host)?.containers.values() ?? [])].map((c) => c.name).sort();

  it('lists the containers of every host once connected', async () => {
    clients.get('alpha')!.containers.set('a1', container('a1', 'oracle'));
    clients.get('beta')!.containers.set('b1', container('b1', 'bw'));
    await model.setHosts([alpha, beta]);
    assert.deepEqual(
      model.hosts().map((host) => [host.spec.name, host.state, host.engine?.version]),
      [
        ['alpha', 'connected', '20.10.24'],
        ['beta', 'connected', '20.10.24'],
      ],
    );
    assert.deepEqual(names('alpha'), ['oracle']);
    assert.deepEqual(names('beta'), ['bw']);
    assert.equal(model.findContainer('beta', 'bw')?.id, 'b1');
  });

  it('notices a host that stops answering while its event stream stays open, and reconnects when it answers again', async () => {
    const client = clients.get('alpha')!;
    model.dispose();
    model = new ContainerModel(() => client, silentLogger, { ...fastOptions, livenessIntervalMs: 20 });
    await model.setHosts([alpha]);
    assert.equal(model.host('alpha')?.state, 'connected');
    client.unreachable = new HostError('alpha', 'timeout', 'alpha: no answer in time');
    await waitFor(() => model.host('alpha')?.state === 'unreachable', 'alpha marked unreachable');
    assert.equal(client.subscribers, 0, 'the quiet event stream was closed');
    client.unreachable = undefined;
    await waitFor(() => model.host('alpha')?.state === 'connected', 'alpha connected again');
    assert.equal(client.subscribers, 1);
  });

  it('applies events by re-listing only the containers they name', async () => {
    const client = clients.get('alpha')!;
    await model.setHosts([alpha]);
    const changes: string[] = [];
    model.onDidChange((host) => changes.push(host));
    client.upsert(container('a2', 'web'));
    client.upsert(container('a3', 'db'));
    await waitFor(() => names('alpha').length === 2, 'two containers');
    assert.deepEqual(client.listCalls.at(-1), ['a2', 'a3'], 'one list call for the debounced batch');
    client.upsert(container('a2', 'web', { state: 'exited' }), 'die');
    await waitFor(() => model.findContainer('alpha', 'web')?.state === 'exited', 'web exited');
    client.remove('a3');
    await waitFor(() => names('alpha').join() === 'web', 'db removed');
    assert.ok(changes.every((host) => host === 'alpha'));
  });

  it('applies network connects from Docker (the network is the actor) and Podman (the container is the actor)', async () => {
    const client = clients.get('alpha')!;
    client.containers.set('a1', container('a1', 'web'));
    await model.setHosts([alpha]);
    const onAppnet = (id: string) => container(id, 'web', { networks: [{ name: 'appnet', ipAddress: '10.89.0.3', aliases: [] }] });
    const networks = () => model.findContainer('alpha', 'web')?.networks.map((network) => network.name) ?? [];
    client.containers.set('a1', onAppnet('a1'));
    client.emitRaw({ type: 'network', action: 'connect', actorId: 'net123', attributes: { container: 'a1', name: 'appnet', type: 'bridge' }, timeNano: 1 });
    await waitFor(() => networks().includes('appnet'), 'the Docker-style event applied');
    client.emitRaw({ type: 'network', action: 'create', actorId: 'net456', attributes: { name: 'other', type: 'bridge' }, timeNano: 2 });
    client.containers.set('a1', container('a1', 'web'));
    client.emitRaw({ type: 'network', action: 'disconnect', actorId: 'a1', attributes: { name: 'web', image: 'docker.io/crosslink/fixture:latest', podId: '' }, timeNano: 3 });
    await waitFor(() => !networks().includes('appnet'), 'the Podman-style event applied');
    assert.ok(!client.listCalls.some((ids) => ids?.includes('net456')), 'a network create names no container');
  });

  it('keeps listing the other hosts when one is unreachable, and retries by itself', async () => {
    const down = clients.get('beta')!;
    down.unreachable = new HostError('beta', 'refused', 'beta: connection refused');
    clients.get('alpha')!.containers.set('a1', container('a1', 'oracle'));
    await model.setHosts([alpha, beta]);
    assert.equal(model.host('alpha')?.state, 'connected');
    assert.equal(model.host('beta')?.state, 'unreachable');
    assert.equal(model.host('beta')?.error?.reason, 'refused');
    down.unreachable = undefined;
    down.containers.set('b1', container('b1', 'bw'));
    await waitFor(() => model.host('beta')?.state === 'connected', 'beta reconnected');
    assert.deepEqual(names('beta'), ['bw']);
  });

  it('reconnects and resyncs after the event stream drops', async () => {
    const client = clients.get('alpha')!;
    await model.setHosts([alpha]);
    client.dropStreams(new Error('socket hang up'));
    // Changes made while the stream is down must show up after the resync.
    client.containers.set('a9', container('a9', 'missed'));
    await waitFor(() => model.host('alpha')?.state === 'connected' && names('alpha').includes('missed'), 'resync after reconnect');
    assert.equal(client.subscribers, 1);
  });

  it('keeps the connection of unchanged hosts when settings change', async () => {
    await model.setHosts([alpha, beta]);
    await model.setHosts([alpha, parseHostEntry({ name: 'beta', url: 'ssh://root@10.231.0.12', identityFile: '/key' })]);
    assert.deepEqual(created, ['alpha', 'beta', 'beta']);
    await model.setHosts([beta]);
    assert.deepEqual(
      model.hosts().map((host) => host.spec.name),
      ['beta'],
    );
  });

  it('refresh reconnects an unreachable host at once', async () => {
    const client = clients.get('alpha')!;
    client.unreachable = new HostError('alpha', 'timeout', 'alpha: timeout');
    model = new ContainerModel(() => client, silentLogger, { eventDebounceMs: 5, retryDelaysMs: [60_000] });
    await model.setHosts([alpha]);
    assert.equal(model.host('alpha')?.state, 'unreachable');
    client.unreachable = undefined;
    await model.refresh('alpha');
    assert.equal(model.host('alpha')?.state, 'connected');
  });

  describe('a host that cannot be set up', () => {
    const badTls = (ca: string) => parseHostEntry({ name: 'bad', url: 'tcp://127.0.0.1:9', tls: { ca, cert: ca, key: ca } });

    it('shows an unreadable TLS file as its own error (reason credentials), and every other host works', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-tls-'));
      for (const [file, why] of [
        [path.join(dir, 'missing.pem'), /ENOENT/],
        [dir, /EISDIR/], // unreadable as a file; EACCES cannot be provoked as root
      ] as const) {
        model.dispose();
        model = new ContainerModel(
          (spec) => clients.get(spec.name) ?? new DockerodeClient(spec, silentLogger, { callTimeoutMs: 1000, sshFiles: defaultSshFiles({}, dir, dir) }),
          silentLogger,
          fastOptions,
        );
        await model.setHosts([badTls(file), alpha, beta]);
        assert.deepEqual(
          model.hosts().map((host) => [host.spec.name, host.state]),
          [
            ['bad', 'unreachable'],
            ['alpha', 'connected'],
            ['beta', 'connected'],
          ],
        );
        const error = model.host('bad')?.error;
        assert.ok(HostError.is(error, 'credentials'), `reason: ${error?.reason}: ${error?.message}`);
        assert.ok(error!.message.includes(file));
        assert.match(error!.message, why);
      }
    });

    it('keeps creating the hosts after one whose client cannot be made, and lists it as a problem', async () => {
      model.dispose();
      model = new ContainerModel(
        (spec) => {
          if (spec.name === 'bad') {
            throw new Error('no client for you');
          }
          return clients.get(spec.name)!;
        },
        silentLogger,
        fastOptions,
      );
      await model.setHosts([badTls('/x'), alpha, beta]);
      assert.deepEqual(
        model.hosts().map((host) => [host.spec.name, host.state]),
        [
          ['alpha', 'connected'],
          ['beta', 'connected'],
        ],
      );
      assert.ok(model.problems().some((problem) => problem.reason === 'invalidEntry' && /bad: no client for you/.test(problem.message)));
    });
  });
});
