import { silentLogger } from '../../../src/core/like';
import { type ListedOverlayLink, OverlayLinkListing } from '../../../src/core/topology/overlayListing';
import { overlayNetworkName } from '../../../src/core/values/labels';
import { FakeDockerClient, container } from './fakeDockerClient';
import { fakeHostDirectory } from './fakeHostDirectory';

export const network = overlayNetworkName('app', 'db');
export const link: ListedOverlayLink = {
  target: { host: 'alpha', container: 'oracle', port: 1521 },
  client: { host: 'beta', container: 'app' },
  alias: 'db',
  network: { id: 'net-1', name: network },
  origin: 'ours',
};
export const onOverlay = [
  { name: 'bridge', aliases: [] },
  { name: network, aliases: [] },
];

/** alpha runs oracle, beta runs app; `linked` puts both on the link's network. */
export function overlayScene(linked = true) {
  const alpha = new FakeDockerClient('alpha');
  const beta = new FakeDockerClient('beta');
  alpha.containers.set('o1', container('o1', 'oracle', linked ? { networks: onOverlay } : {}));
  beta.containers.set('a1', container('a1', 'app', linked ? { networks: onOverlay } : {}));
  const hosts = fakeHostDirectory([alpha, beta]);
  const listed: ListedOverlayLink[] = linked ? [link] : [];
  const source = { calls: 0, fail: false, links: listed, list: async () => (source.calls++, source.fail ? Promise.reject(new Error('host dropped')) : source.links) };
  return { alpha, beta, hosts, source, listing: new OverlayLinkListing(hosts, source, silentLogger) };
}
