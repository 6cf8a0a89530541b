import * as assert from 'node:assert/strict';
import type { DisposableLike } from '../../src/core/like';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import type { EventStreamHandlers } from '../../src/core/hosts/dockerClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { ContainerModel } from '../../src/core/model/containerModel';
import { FakeDockerEngine } from '../support/fakeDockerEngine';
import { createContainer, docker, removeContainer, testbedHost } from '../support/testbed';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, settingFor, testbed, testbedSshFiles, uniqueName } from './harness';

/** A client that counts its open event streams: from the engine's answer until disposed or ended. */
class CountingClient extends DockerodeClient {
  openStreams = 0;
  subscriptions = 0;

  override async subscribeEvents(handlers: EventStreamHandlers): Promise<DisposableLike> {
    let open = false;
    const close = () => {
      if (open) {
        open = false;
        this.openStreams--;
      }
    };
    const subscription = await super.subscribeEvents({ onEvent: handlers.onEvent, onClose: (error) => (close(), handlers.onClose(error)) });
    open = true;
    this.openStreams++;
    this.subscriptions++;
    return { dispose: () => (close(), subscription.dispose()) };
  }
}

describe('Many hosts: the testbed with fake engines (integration)', function () {
  this.timeout(60_000);
  const alphaHost = testbedHost(testbed, 'alpha', 0);
  const logger = new RecordingLogger();
  let engines: FakeDockerEngine[] = [];
  let model: ContainerModel | undefined;
  let name: string | undefined;

  before(async () => {
    engines = await Promise.all(Array.from({ length: 5 }, (_, index) => FakeDockerEngine.start({ name: `fake${index}`, containers: 250 })));
  });
  after(async () => {
    model?.dispose();
    if (name) {
      removeContainer(alphaHost, name);
    }
    await Promise.all(engines.map((engine) => engine.close()));
  });

  it('holds one event stream per host through a real container change, and closes every socket when the hosts go', async () => {
    const clients = new Map<string, CountingClient>();
    model = new ContainerModel((spec) => {
      const client = new CountingClient(spec, logger, { callTimeoutMs: 20_000, sshFiles: testbedSshFiles() });
      clients.set(spec.name, client);
      return client;
    }, logger);
    const settings = [settingFor('alpha'), settingFor('beta'), settingFor('gamma'), ...engines.map((engine) => engine.setting)];
    await model.setHosts(settings.map((setting) => parseHostEntry(setting)));
    assert.deepEqual(
      model.hosts().map((host) => [host.spec.name, host.state]),
      settings.map((setting) => [setting.name, 'connected']),
      logger.lines.join('\n'),
    );

    // A real start and stop on alpha reaches the model through its one stream.
    name = uniqueName('scale');
    const id = createContainer(testbed, alphaHost, name);
    await waitFor(() => model!.findContainer('alpha', name!)?.state === 'running', 'the new container listed as running', 20_000);
    docker(alphaHost, ['stop', '-t', '0', name]);
    await waitFor(() => model!.findContainer('alpha', id)?.state === 'exited', 'the stop applied', 20_000);
    // And a burst on the fake hosts, over the same streams.
    const changes = engines.flatMap((engine) => engine.flip(50).map((change) => ({ host: engine.options.name, ...change })));
    await waitFor(() => changes.every((change) => model!.host(change.host)?.containers.get(change.id)?.state === change.state), 'the burst applied', 20_000);

    assert.deepEqual(
      [...clients].map(([host, client]) => [host, client.subscriptions, client.openStreams]),
      settings.map((setting) => [setting.name, 1, 1]),
      'one event subscription per host, still the first one',
    );
    assert.deepEqual(
      engines.map((engine) => engine.snapshot().eventStreams),
      engines.map(() => ({ open: 1, peak: 1, total: 1 })),
    );

    model.dispose();
    model = undefined;
    // The engines see every socket of the removed hosts closed, idle keep-alive ones included.
    await waitFor(() => engines.every((engine) => engine.snapshot().sockets.open === 0), "the fake engines' sockets closed", 5_000);
  });
});
