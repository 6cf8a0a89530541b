// The Topology view through the real VS Code API: the graph crosslink.showTopology draws, for a
// scene made on the testbed (a legacy link, a network alias, a cross-host link, a tunnel).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { createContainer, docker, readTestbed, removeContainer, replyServer, testbedHost } from '../support/testbed';

interface Graph {
  nodes: Array<{ id: string; kind: string; ref: string; host?: string; state: string }>;
  edges: Array<{ kind: string; fromRef: string; toRef: string; health: string; label?: string; link?: { client: string; target: string; alias: string } }>;
}

describe('Topology view', () => {
  const testbed = readTestbed();
  const alpha = testbedHost(testbed, 'alpha', 0);
  const beta = testbedHost(testbed, 'beta', 1);
  const suffix = Math.random().toString(36).slice(2, 8);
  const db = `suite-topo-db-${suffix}`;
  const app = `suite-topo-app-${suffix}`;
  const bw = `suite-topo-bw-${suffix}`;
  const net = `suite-topo-net-${suffix}`;
  const tunnel = `${alpha.name}/${db}:5433`;

  before(async () => {
    docker(alpha, ['network', 'create', net]);
    createContainer(testbed, alpha, db, {}, replyServer(5433, 'pg-data'));
    docker(alpha, ['network', 'connect', '--alias', 'database', net, db]);
    docker(alpha, ['run', '-d', '--pull', 'never', '--stop-timeout', '1', '--name', app, '--link', `${db}:pg`, testbed.images.fixture, 'sleep', '600']);
    createContainer(testbed, beta, bw);
    await vscode.commands.executeCommand('crosslink.refresh');
    await vscode.commands.executeCommand('crosslink.linkAcrossHosts', { client: `${beta.name}/${bw}`, target: `${alpha.name}/${db}`, port: 5433, alias: 'pgx' });
    await vscode.commands.executeCommand('crosslink.forwardPort', { container: `${alpha.name}/${db}`, port: 5433 });
  });

  after(async () => {
    await Promise.resolve(vscode.commands.executeCommand('crosslink.stopTunnel', { id: tunnel })).catch(() => undefined);
    await Promise.resolve(vscode.commands.executeCommand('crosslink.removeCrossLink', { client: `${beta.name}/${bw}`, alias: 'pgx' })).catch(() => undefined);
    for (const name of [app, db]) removeContainer(alpha, name);
    removeContainer(beta, bw);
    try {
      docker(alpha, ['network', 'rm', net]);
    } catch {
      // Removed with a container already, or never made: nothing of ours is left either way.
    }
  });

  const has = (graph: Graph, kind: string, from: string, to: string) => graph.edges.find((edge) => edge.kind === kind && edge.fromRef === from && edge.toRef === to);

  it('crosslink.showTopology returns the graph it draws: every tie of the scene, with both ends and its health', async () => {
    const graph = await vscode.commands.executeCommand<Graph>('crosslink.showTopology', {});
    const refs = new Set(graph.nodes.map((node) => node.ref));
    for (const ref of [`${alpha.name}/${db}`, `${alpha.name}/${app}`, `${alpha.name}/${net}`, `${beta.name}/${bw}`]) {
      assert.ok(refs.has(ref), `${ref} is a node`);
    }
    assert.ok(graph.nodes.some((node) => node.kind === 'host' && node.ref === alpha.name && node.state === 'connected'));
    assert.strictEqual(has(graph, 'legacyLink', `${alpha.name}/${app}`, `${alpha.name}/${db}`)?.health, 'ok');
    assert.strictEqual(has(graph, 'alias', `${alpha.name}/${db}`, `${alpha.name}/${net}`)?.label, 'as database');
    const clientAmbassador = `${beta.name}/crosslink-cli-${bw}-pgx`;
    const serverAmbassador = `${alpha.name}/crosslink-srv-${db}-5433`;
    assert.ok(has(graph, 'ambassador', `${beta.name}/${bw}`, clientAmbassador));
    assert.ok(has(graph, 'crossLink', clientAmbassador, serverAmbassador));
    assert.deepStrictEqual(has(graph, 'ambassador', serverAmbassador, `${alpha.name}/${db}`)?.link, { client: `${beta.name}/${bw}`, target: `${alpha.name}/${db}`, alias: 'pgx' });
    assert.ok(graph.edges.some((edge) => edge.kind === 'tunnel' && edge.toRef === `${alpha.name}/${db}` && edge.health === 'ok'));
  });

  it('filters by host (keeping the far end of a cross-host link) and to linked containers', async () => {
    const betaOnly = await vscode.commands.executeCommand<Graph>('crosslink.showTopology', { host: beta.name });
    assert.ok(
      betaOnly.nodes.every(
        (node) => node.kind === 'host' || node.kind === 'local' || node.host === beta.name || betaOnly.edges.some((edge) => edge.toRef === node.ref || edge.fromRef === node.ref),
      ),
    );
    assert.ok(!betaOnly.edges.some((edge) => edge.kind === 'legacyLink' && edge.fromRef === `${alpha.name}/${app}`), 'alpha-only ties go');
    assert.ok(has(betaOnly, 'ambassador', `${alpha.name}/crosslink-srv-${db}-5433`, `${alpha.name}/${db}`), 'the link keeps its far end');
    const linked = await vscode.commands.executeCommand<Graph>('crosslink.showTopology', { linkedOnly: true });
    assert.ok(!linked.edges.some((edge) => edge.kind === 'network'));
  });

  it('crosslink.exportTopology returns Mermaid and SVG text of the same picture', async () => {
    const mermaid = await vscode.commands.executeCommand<string>('crosslink.exportTopology', { format: 'mermaid' });
    assert.match(mermaid, /^flowchart LR/);
    assert.ok(mermaid.includes(db) && mermaid.includes('"as pg"'));
    const svg = await vscode.commands.executeCommand<string>('crosslink.exportTopology', { format: 'svg', host: alpha.name });
    assert.ok(svg.includes(`data-ref="${alpha.name}/${db}"`));
  });

  it('refuses an unknown host with the reason, and opens nothing new', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.showTopology', { host: `nowhere-${suffix}` })),
      (error: unknown) => (error as { reason?: string }).reason === 'invalidValue',
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.exportTopology', { format: 'png' })),
      (error: unknown) => (error as { reason?: string }).reason === 'invalidValue',
    );
  });
});
