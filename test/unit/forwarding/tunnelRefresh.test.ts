import * as assert from 'node:assert/strict';
import { HostError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/like';
import { refreshTunnelsOnTargetChanges } from '../../../src/core/forwarding/tunnelRefresh';
import type { TunnelManager } from '../../../src/core/forwarding/tunnelManager';
import { parseHostEntry } from '../../../src/core/hosts/hostSpec';
import { ContainerModel } from '../../../src/core/model/containerModel';
import { waitFor } from '../../support/waitFor';
import { FakeDockerClient, container } from '../fakes/fakeDockerClient';

describe('refreshTunnelsOnTargetChanges (unit)', () => {
  it("refreshes a host's tunnels when a target or the host changes, not on unrelated events", async () => {
    const client = new FakeDockerClient('beta');
    client.containers.set('w1', container('w1', 'web'));
    const model = new ContainerModel(() => client, silentLogger, { eventDebounceMs: 5, retryDelaysMs: [20] });
    await model.setHosts([parseHostEntry({ name: 'beta', url: 'ssh://root@10.231.0.12' })]);
    const refreshed: Array<string | undefined> = [];
    const tunnels = {
      list: () => [{ id: 'beta/web:80', host: 'beta', container: 'web' }],
      refresh: async (host?: string) => void refreshed.push(host),
    } as unknown as TunnelManager;
    const subscription = refreshTunnelsOnTargetChanges(model, tunnels);
    const settle = (count: number, what: string) => waitFor(() => refreshed.length === count, what);

    client.upsert(container('o1', 'other'));
    await waitFor(() => model.findContainer('beta', 'other') !== undefined, 'the unrelated container listed');
    await settle(1, 'the first look records the targets');
    client.upsert(container('o1', 'other', { state: 'exited' }), 'die');
    await waitFor(() => model.findContainer('beta', 'other')?.state === 'exited', 'the unrelated change applied');
    assert.equal(refreshed.length, 1, 'an unrelated container does not refresh the tunnels');

    client.upsert(container('w1', 'web', { networks: [{ name: 'bridge', ipAddress: '172.17.0.9', aliases: [] }] }), 'restart');
    await settle(2, 'the target moved to another address');
    client.unreachable = new HostError('beta', 'closed', 'gone');
    client.dropStreams(new Error('connection lost'));
    await settle(3, 'the host dropped');
    assert.deepEqual(refreshed, ['beta', 'beta', 'beta']);
    subscription.dispose();
    model.dispose();
  });
});
