import type { DockerClient } from '../hosts/dockerClient';
import type { SwarmMembership } from '../types';

/**
 * Each host's Swarm membership for display, asked in the background and kept for `maxAgeMs`:
 * `GET /info` is not free, and a host row is redrawn often. `known` answers at once with what is
 * cached (undefined at first) and asks again when that is old, calling `onChange` with the host
 * when the answer differs. `forget` drops a host's entry after Crosslink changed its membership.
 */
export class SwarmMemberships {
  private readonly entries = new Map<string, { membership?: SwarmMembership; at: number; asking?: boolean; client: DockerClient }>();

  constructor(
    private readonly onChange: (host: string) => void,
    private readonly maxAgeMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  known(host: string, client: DockerClient): SwarmMembership | undefined {
    let entry = this.entries.get(host);
    if (!entry || entry.client !== client) {
      entry = { at: -Infinity, client };
      this.entries.set(host, entry);
    }
    if (!entry.asking && this.now() - entry.at >= this.maxAgeMs) {
      const asked = entry;
      asked.asking = true;
      client.swarm().then(
        (membership) => {
          const changed = JSON.stringify(membership) !== JSON.stringify(asked.membership);
          Object.assign(asked, { membership, at: this.now(), asking: false });
          if (changed && this.entries.get(host) === asked) {
            this.onChange(host);
          }
        },
        // An engine that cannot say (Podman has no Swarm) shows nothing; asked again later.
        () => Object.assign(asked, { at: this.now(), asking: false }),
      );
    }
    return entry.membership;
  }

  forget(host: string): void {
    this.entries.delete(host);
  }
}
