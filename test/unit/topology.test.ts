import * as assert from 'node:assert/strict';
import { type TopologyEdge, type TopologyGraph, type TopologyInput, buildTopology } from '../../src/core/topology/topology';
import { exportMermaid, exportSvg, layoutTopology, renderSvg } from '../../src/core/topology/topologyRender';
import { TopologySource } from '../../src/core/topology/topologySource';
import { clientAmbassadorLabels, managedLabels, serverAmbassadorLabels } from '../../src/core/values/labels';
import type { ContainerSummary } from '../../src/core/types';
import { Emitter, silentLogger } from '../../src/core/like';
import type { HostDirectory, HostSnapshot } from '../../src/core/hosts/hostDirectory';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import type { TunnelInfo } from '../../src/core/forwarding/tunnelManager';
import { FakeDockerClient, container } from './fakes/fakeDockerClient';

const target = { host: 'alpha', container: 'oracle', port: 1521 };

/**
 * The scene of the issue: on beta, `app` has a legacy link to `cache` and is on `backend` as
 * `api`; it reaches alpha's `oracle` through ambassadors, `worker` reaches alpha's `queue` over an
 * overlay network, and this machine has a tunnel to `oracle`.
 */
function scene(overrides: { oracleState?: ContainerSummary['state']; betaState?: HostSnapshot['state'] } = {}): TopologyInput {
  const alpha = [
    container('o1', 'oracle', { state: overrides.oracleState ?? 'running', image: 'oracle:23' }),
    container('q1', 'queue'),
    container('s1', 'crosslink-srv-oracle-1521', { labels: serverAmbassadorLabels(target, { name: 'crosslink-oracle', joined: true, created: true }) }),
    container('t1', 'crosslink-tunnel-oracle', { labels: managedLabels('tunnel-ambassador') }),
  ];
  const beta = [
    container('a1', 'app', {
      networks: [
        { name: 'bridge', aliases: [] },
        { name: 'backend', aliases: ['api'] },
      ],
    }),
    container('c1', 'cache'),
    container('w1', 'worker'),
    container('k1', 'crosslink-cli-app-db', {
      labels: clientAmbassadorLabels({ target, client: { host: 'beta', container: 'app' }, alias: 'db', mode: 'network', upstream: { address: '10.231.0.11', port: 31521 } }),
    }),
  ];
  return {
    hosts: [
      { name: 'alpha', state: 'connected', containers: alpha },
      { name: 'beta', state: overrides.betaState ?? 'connected', containers: beta },
    ],
    inspected: new Map([['beta/a1', { links: ['cache:redis'], networks: beta[0].networks }]]),
    crossLinkHealth: () => 'ok',
    overlays: [{ client: { host: 'beta', container: 'worker' }, target: { host: 'alpha', container: 'queue' }, alias: 'mq', network: 'crosslink-overlay', health: 'degraded' }],
    tunnels: [{ id: 'alpha/oracle:1521', host: 'alpha', container: 'oracle', port: 1521, localAddress: '127.0.0.1:1521', state: 'active' }],
  };
}

const edgeSummary = (edge: TopologyEdge) => `${edge.kind} ${edge.fromRef} -> ${edge.toRef} ${edge.health}`;

function edgesOf(graph: TopologyGraph): string[] {
  return graph.edges.map(edgeSummary).sort();
}

describe('topology graph (unit)', () => {
  it('draws every kind of tie in the scene, each with both ends and its health', () => {
    const graph = buildTopology(scene());
    assert.deepEqual(edgesOf(graph), [
      'alias beta/app -> beta/backend ok',
      'ambassador alpha/crosslink-srv-oracle-1521 -> alpha/oracle ok',
      'ambassador beta/app -> beta/crosslink-cli-app-db ok',
      'crossLink beta/crosslink-cli-app-db -> alpha/crosslink-srv-oracle-1521 ok',
      'legacyLink beta/app -> beta/cache ok',
      'overlay beta/worker -> alpha/queue degraded',
      'tunnel 127.0.0.1:1521 -> alpha/oracle ok',
    ]);
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    assert.equal(byId.get('host:alpha')?.kind, 'host');
    assert.equal(byId.get('container:alpha/crosslink-srv-oracle-1521')?.kind, 'ambassador');
    assert.equal(byId.get('container:beta/crosslink-cli-app-db')?.host, 'beta');
    assert.equal(byId.get('network:beta/backend')?.kind, 'network');
    assert.equal(byId.get('local')?.kind, 'local');
    assert.ok(!byId.has('container:alpha/crosslink-tunnel-oracle'), 'tunnel ambassadors are plumbing, not drawn');
    const alias = graph.edges.find((edge) => edge.kind === 'alias');
    assert.equal(alias?.label, 'as api');
    const crossLink = graph.edges.filter((edge) => edge.link);
    assert.ok(
      crossLink.filter((edge) => edge.kind !== 'overlay').every((edge) => edge.link?.client === 'beta/app' && edge.link.target === 'alpha/oracle' && edge.link.alias === 'db'),
    );
    for (const edge of graph.edges) {
      assert.ok(byId.has(edge.from) && byId.has(edge.to), `${edge.id} has both ends`);
    }
  });

  it('a stopped target breaks its legacy link and tunnel state follows the tunnel; a host not connected makes its ties unknown', () => {
    const stopped = buildTopology({ ...scene({ oracleState: 'exited' }), tunnels: [{ id: 'alpha/oracle:1521', host: 'alpha', container: 'oracle', port: 1521, state: 'error' }] });
    assert.equal(stopped.nodes.find((node) => node.id === 'container:alpha/oracle')?.state, 'exited');
    assert.equal(stopped.edges.find((edge) => edge.kind === 'tunnel')?.health, 'broken');
    const input = scene();
    input.hosts[1].containers = [...input.hosts[1].containers].map((summary) => (summary.name === 'cache' ? { ...summary, state: 'exited' as const } : summary));
    assert.equal(buildTopology(input).edges.find((edge) => edge.kind === 'legacyLink')?.health, 'broken');
    const offline = buildTopology(scene({ betaState: 'reconnecting' }));
    assert.equal(offline.edges.find((edge) => edge.kind === 'legacyLink')?.health, 'unknown');
    assert.equal(offline.nodes.find((node) => node.id === 'container:beta/app')?.state, 'unknown');
  });

  it('a link to a container that is gone keeps a node for it, shown missing', () => {
    const input = scene();
    input.hosts[1].containers = [...input.hosts[1].containers].filter((summary) => summary.name !== 'cache');
    const graph = buildTopology(input);
    assert.deepEqual(
      graph.nodes.filter((node) => node.id === 'container:beta/cache').map((node) => [node.state, node.detail]),
      [['dead', 'missing']],
    );
    assert.equal(graph.edges.find((edge) => edge.kind === 'legacyLink')?.health, 'broken');
  });

  it('filters: one host keeps the far ends of its links; linked only drops loners and plain network membership', () => {
    const alphaOnly = buildTopology(scene(), { host: 'alpha' });
    assert.deepEqual(edgesOf(alphaOnly), [
      'ambassador alpha/crosslink-srv-oracle-1521 -> alpha/oracle ok',
      'ambassador beta/app -> beta/crosslink-cli-app-db ok',
      'crossLink beta/crosslink-cli-app-db -> alpha/crosslink-srv-oracle-1521 ok',
      'overlay beta/worker -> alpha/queue degraded',
      'tunnel 127.0.0.1:1521 -> alpha/oracle ok',
    ]);
    assert.ok(!alphaOnly.nodes.some((node) => node.id === 'container:beta/cache'), 'beta containers with no tie to alpha go');
    assert.ok(
      alphaOnly.nodes.some((node) => node.id === 'host:beta'),
      'the far end keeps its host group',
    );

    const input = scene();
    input.hosts[0].containers = [...input.hosts[0].containers, container('l1', 'loner', { networks: [{ name: 'lonely', aliases: [] }] })];
    const full = buildTopology(input);
    assert.ok(full.nodes.some((node) => node.id === 'container:alpha/loner') && full.edges.some((edge) => edge.kind === 'network'));
    const linked = buildTopology(input, { linkedOnly: true });
    assert.ok(!linked.nodes.some((node) => node.id === 'container:alpha/loner' || node.id === 'network:alpha/lonely'));
    assert.ok(!linked.edges.some((edge) => edge.kind === 'network'));
    assert.equal(linked.edges.length, 7);
  });
});

describe('topology export (unit)', () => {
  it('Mermaid: hosts as subgraphs, one line per edge in the arrow of its kind, unhealthy edges coloured', () => {
    const text = exportMermaid(buildTopology(scene()));
    assert.match(text, /^flowchart LR\n/);
    assert.match(text, /subgraph host\d+\["alpha · connected"\]/);
    assert.match(text, /n\d+ -->\|"as redis"\| n\d+/, 'legacy link');
    assert.match(text, /n\d+ ==>\|":31521"\| n\d+/, 'cross-host hop');
    assert.match(text, /n\d+ -\.->\|"as mq · crosslink-overlay"\| n\d+/, 'overlay');
    assert.match(text, /n\d+\[\[.*This machine/, 'the local machine');
    const overlayIndex = buildTopology(scene()).edges.findIndex((edge) => edge.kind === 'overlay');
    assert.match(text, new RegExp(`linkStyle ${overlayIndex} stroke:#9a6700`));
    assert.equal(text.split('\n').filter((line) => /^ {2}n\d+ .*n\d+$/.test(line)).length, 7);
  });

  it('Mermaid escapes quotes in labels', () => {
    const input = scene();
    input.hosts[0].containers = [...input.hosts[0].containers, container('x1', 'odd', { image: 'say "hi"' })];
    assert.match(exportMermaid(buildTopology(input)), /say #quot;hi#quot;/);
  });

  it('SVG: a standalone file with every node and edge, marked by id, kind, refs and state', () => {
    const graph = buildTopology(scene());
    const svg = exportSvg(graph);
    assert.match(svg, /^<\?xml/);
    assert.match(svg, /<style>/);
    for (const node of graph.nodes) {
      assert.ok(svg.includes(`data-node-id="${node.id}"`), node.id);
    }
    const edgeTags = [...svg.matchAll(/<g class="edge kind-(\w+) health-(\w+)"[^>]*data-from="([^"]+)" data-to="([^"]+)"/g)].map(
      (match) => `${match[1]} ${match[3]} -> ${match[4]} ${match[2]}`,
    );
    assert.deepEqual(edgeTags.sort(), edgesOf(graph));
    assert.match(svg, /class="node kind-container state-running"[^>]*data-ref="alpha\/oracle"/);
  });

  it('layout: groups hold their members and nothing is placed outside the drawing', () => {
    assertLaidOut(layoutTopology(buildTopology(scene())));
  });

  it('layout of a picture past a thousand nodes (the faster ranking) keeps the same guarantees', () => {
    const input = scene();
    for (const host of input.hosts) {
      host.containers = [...host.containers, ...Array.from({ length: 550 }, (_, index) => container(`${host.name}-n${index}`, `service-${index}`))];
    }
    const graph = buildTopology(input);
    assert.ok(graph.nodes.length > 1000);
    assertLaidOut(layoutTopology(graph));
  });

  function assertLaidOut(layout: ReturnType<typeof layoutTopology>): void {
    const groups = new Map(layout.groups.map((group) => [group.node.label, group]));
    for (const placed of layout.nodes) {
      assert.ok(placed.x >= 0 && placed.y >= 0 && placed.x + placed.width <= layout.width && placed.y + placed.height <= layout.height, placed.node.id);
      const group = placed.node.host ? groups.get(placed.node.host) : undefined;
      if (group) {
        assert.ok(
          placed.x >= group.x && placed.x + placed.width <= group.x + group.width && placed.y >= group.y && placed.y + placed.height <= group.y + group.height,
          `${placed.node.id} inside ${group.node.id}`,
        );
      }
    }
    assert.ok(layout.edges.every((placed) => placed.points.length >= 2));
  }

  it('escapes markup in names, and an empty graph still draws', () => {
    const input = scene();
    input.hosts[0].containers = [...input.hosts[0].containers, container('x1', 'odd', { image: '<img src=x onerror=alert(1)>' })];
    const svg = renderSvg(layoutTopology(buildTopology(input)));
    assert.ok(!svg.includes('<img'));
    assert.match(renderSvg(layoutTopology({ nodes: [], edges: [] })), /<svg[^>]*width="200"/);
  });
});

describe('topology source (unit)', () => {
  function directory(clients: FakeDockerClient[]): HostDirectory & { fire(host: string): void } {
    const changed = new Emitter<string>();
    const snapshot = (client: FakeDockerClient): HostSnapshot => ({
      state: 'connected',
      engine: { version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64' },
      spec: parseHostEntry({ name: client.hostName, url: `tcp://${client.hostName}:2375` }),
      containers: client.containers,
    });
    return {
      client: (name) => clients.find((client) => client.hostName === name),
      spec: () => undefined,
      hosts: () => clients.map(snapshot),
      host: (name) => clients.filter((client) => client.hostName === name).map(snapshot)[0],
      connectedHosts: () => clients.map((client) => client.hostName),
      findContainer: () => undefined,
      onDidChange: changed.event,
      fire: (host) => changed.fire(host),
    };
  }

  it('inspects each container once per network set, asks again after a network change, and tells when anything changed', async () => {
    const beta = new FakeDockerClient('beta');
    beta.containers.set('a1', container('a1', 'app'));
    beta.containers.set('c1', container('c1', 'cache'));
    let inspections = 0;
    const inspect = beta.inspectContainer.bind(beta);
    beta.inspectContainer = async (id) => {
      inspections++;
      const details = await inspect(id);
      return id === 'a1' ? { ...details, links: ['cache:redis'] } : details;
    };
    const hosts = directory([beta]);
    const tunnels = { list: (): TunnelInfo[] => [], onDidChange: new Emitter<string>().event };
    const health = { get: () => undefined, onDidChange: new Emitter<void>().event };
    const source = new TopologySource(hosts, tunnels, health, silentLogger);
    let changes = 0;
    const subscription = source.onDidChange(() => changes++);
    try {
      assert.deepEqual(edgesOf(await source.graph()), ['legacyLink beta/app -> beta/cache ok']);
      await source.graph();
      assert.equal(inspections, 2, 'cached while the container keeps its networks');
      beta.containers.set(
        'a1',
        container('a1', 'app', {
          networks: [
            { name: 'bridge', aliases: [] },
            { name: 'backend', aliases: [] },
          ],
        }),
      );
      hosts.fire('beta');
      await source.graph();
      assert.equal(inspections, 3);
      assert.equal(changes, 1);
    } finally {
      subscription.dispose();
      source.dispose();
    }
  });

  it('a container that cannot be inspected shows what the list says', async () => {
    const beta = new FakeDockerClient('beta');
    beta.containers.set('a1', container('a1', 'app', { networks: [{ name: 'backend', aliases: [] }] }));
    beta.inspectContainer = async () => {
      throw new Error('gone');
    };
    const source = new TopologySource(
      directory([beta]),
      { list: () => [], onDidChange: new Emitter<string>().event },
      { get: () => undefined, onDidChange: new Emitter<void>().event },
      silentLogger,
    );
    assert.deepEqual(edgesOf(await source.graph()), ['network beta/app -> beta/backend ok']);
    source.dispose();
  });
});
