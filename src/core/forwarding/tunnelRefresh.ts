import type { DisposableLike } from '../like';
import type { HostDirectory } from '../hosts/hostDirectory';
import type { TunnelManager } from './tunnelManager';

/**
 * Looks a host's tunnel targets up again when it matters — the host dropped or came back, or a
 * target was restarted, recreated or moved to another address — rather than on every batch of
 * Docker events, which on a busy host would mean an inspect per tunnel several times a second.
 */
export function refreshTunnelsOnTargetChanges(model: HostDirectory, tunnels: TunnelManager): DisposableLike {
  const seen = new Map<string, string>();
  return model.onDidChange((changedHost) => {
    const hosts = changedHost ? [changedHost] : model.hosts().map((host) => host.spec.name);
    for (const hostName of hosts) {
      const host = model.host(hostName);
      const targets = tunnels.list().filter((tunnel) => tunnel.host === hostName);
      if (!host || targets.length === 0) {
        continue;
      }
      const signature = JSON.stringify([
        host.state,
        targets.map((tunnel) => {
          const container = model.findContainer(hostName, tunnel.container);
          return [tunnel.id, container?.id, container?.state, container?.networks.map((network) => network.ipAddress)];
        }),
      ]);
      if (seen.get(hostName) !== signature) {
        seen.set(hostName, signature);
        void tunnels.refresh(hostName);
      }
    }
  });
}
