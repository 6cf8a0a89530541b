import { type EdgeLabel, type GraphLabel, type NodeLabel, graphlib, layout as runLayout } from '@dagrejs/dagre';
import type { TopologyEdge, TopologyEdgeKind, TopologyGraph, TopologyNode } from './topology';

/**
 * Layout and drawing of a TopologyGraph, shared by the webview (which shows the SVG) and the
 * exports (which save it or its Mermaid text), so what is saved is what was shown. Plain code with
 * no DOM: the webview bundles it, the extension host runs it for scripted exports.
 */

export interface PlacedNode {
  node: TopologyNode;
  /** Top-left corner and size. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  edge: TopologyEdge;
  points: Array<{ x: number; y: number }>;
  /** Where the label's centre goes. */
  labelAt?: { x: number; y: number };
}

export interface TopologyLayout {
  width: number;
  height: number;
  /** Host groups first, so they are drawn beneath their members. */
  groups: PlacedNode[];
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const nodeHeightPx = 42;
const charWidthPx = 7;
const minNodeWidthPx = 110;
const marginPx = 16;
const groupPaddingPx = 10;
/** Room the layout keeps above a group's members for the host's name. */
const groupTitlePx = 22;

function nodeWidth(node: TopologyNode): number {
  return Math.max(minNodeWidthPx, 24 + charWidthPx * Math.max(node.label.length, node.detail?.length ?? 0));
}

/**
 * Past this many nodes dagre's default ranking (network simplex) takes seconds: 9 s for 4,270 nodes
 * in bench:tree's scale case. Longest-path ranking is several times faster there, at the cost of
 * some edges spanning more columns than they need; smaller pictures keep the tighter ranking.
 */
const fastRankingAboveNodes = 1000;

/** Left to right: clients on the left, what they reach on the right; hosts as boxes around their containers. */
export function layoutTopology(graph: TopologyGraph): TopologyLayout {
  const layout = new graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ compound: true, multigraph: true });
  layout.setGraph({
    rankdir: 'LR',
    ranker: graph.nodes.length > fastRankingAboveNodes ? 'longest-path' : 'network-simplex',
    nodesep: 2 * groupTitlePx,
    ranksep: 60,
    edgesep: 12,
    marginx: marginPx,
    marginy: marginPx,
  });
  const members = new Set(graph.nodes.flatMap((node) => (node.host ? [node.host] : [])));
  for (const node of graph.nodes) {
    // A host with members is a group sized by the layout; an empty one (offline, filtered) is a box of its own.
    const group = node.kind === 'host' && members.has(node.label);
    layout.setNode(node.id, group ? { width: 0, height: 0 } : { width: nodeWidth(node), height: nodeHeightPx });
    if (node.host) {
      layout.setParent(node.id, `host:${node.host}`);
    }
  }
  for (const edge of graph.edges) {
    const labelWidth = edge.label ? charWidthPx * edge.label.length : 0;
    layout.setEdge(
      edge.from,
      edge.to,
      { width: labelWidth, height: edge.label ? 14 : 0, labelpos: 'c', minlen: edge.kind === 'network' || edge.kind === 'alias' ? 1 : 2 },
      edge.id,
    );
  }
  runLayout(layout);

  const place = (node: TopologyNode): PlacedNode => {
    const box = layout.node(node.id);
    // dagre sets every node's centre.
    return { node, x: (box.x ?? 0) - box.width / 2, y: (box.y ?? 0) - box.height / 2, width: box.width, height: box.height };
  };
  // dagre wraps a group tightly around its members: the host's name and some air go around that.
  const placedGroups = graph.nodes
    .filter((node) => node.kind === 'host' && members.has(node.label))
    .map(place)
    .map((group) => ({
      ...group,
      x: group.x - groupPaddingPx,
      y: group.y - groupTitlePx,
      width: group.width + 2 * groupPaddingPx,
      height: group.height + groupTitlePx + groupPaddingPx,
    }));
  const placedNodes = graph.nodes.filter((node) => !(node.kind === 'host' && members.has(node.label))).map(place);
  const placedEdges = graph.edges.map((edge): PlacedEdge => {
    const route = layout.edge({ v: edge.from, w: edge.to, name: edge.id });
    return {
      edge,
      points: (route.points ?? []).map(({ x, y }) => ({ x, y })),
      labelAt: edge.label && route.x !== undefined && route.y !== undefined ? { x: route.x, y: route.y } : undefined,
    };
  });
  // Padded groups may reach past the layout's own margins: shift everything so the drawing starts at the margin.
  const boxes = [...placedGroups, ...placedNodes];
  const left = Math.min(marginPx, ...boxes.map((box) => box.x)) - marginPx;
  const top = Math.min(marginPx, ...boxes.map((box) => box.y)) - marginPx;
  const shift = <T extends { x: number; y: number }>(point: T): T => ({ ...point, x: point.x - left, y: point.y - top });
  const size = layout.graph();
  return {
    width: Math.ceil(Math.max(size.width ?? 0, ...boxes.map((box) => box.x + box.width + marginPx)) - left),
    height: Math.ceil(Math.max(size.height ?? 0, ...boxes.map((box) => box.y + box.height + marginPx)) - top),
    groups: placedGroups.map(shift),
    nodes: placedNodes.map(shift),
    edges: placedEdges.map((placed) => ({ ...placed, points: placed.points.map(shift), labelAt: placed.labelAt && shift(placed.labelAt) })),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const round = (value: number) => Math.round(value * 10) / 10;

/** Health colours (arrow heads need one marker each: SVG markers do not take the line's colour in every browser). */
const healths = ['ok', 'degraded', 'broken', 'unknown'] as const;

/**
 * The SVG markup: every node a `<g class="node kind-… state-…" data-node-id data-ref>`, every edge
 * a `<g class="edge kind-… health-…" data-edge-id data-from data-to>`. Colours come from CSS
 * classes (topologyCss), so the webview's theme and a saved file's fixed palette style the same markup.
 */
export function renderSvg(layout: TopologyLayout, options: { css?: string } = {}): string {
  const width = Math.max(layout.width, 200);
  const height = Math.max(layout.height, 80);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`];
  if (options.css) {
    out.push(`<style>${options.css}</style>`);
  }
  out.push(
    '<defs>',
    ...healths.map(
      (health) =>
        `<marker id="arrow-${health}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path class="arrow health-${health}" d="M0,0 L10,5 L0,10 z"/></marker>`,
    ),
    '</defs>',
  );
  for (const group of layout.groups) {
    const { node } = group;
    out.push(
      `<g class="group kind-host state-${node.state}" data-node-id="${escapeXml(node.id)}" data-ref="${escapeXml(node.ref)}" data-kind="host">`,
      `<title>${escapeXml(`${node.label}: ${node.state}${node.detail ? ` · ${node.detail}` : ''}`)}</title>`,
      `<rect x="${round(group.x)}" y="${round(group.y)}" width="${round(group.width)}" height="${round(group.height)}" rx="8"/>`,
      `<text class="group-label" x="${round(group.x + 10)}" y="${round(group.y + 18)}">${escapeXml(node.label)}${node.detail ? ` · ${escapeXml(node.detail)}` : ''}</text>`,
      '</g>',
    );
  }
  for (const placed of layout.edges) {
    const { edge } = placed;
    const path = placed.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${round(point.x)},${round(point.y)}`).join(' ');
    const directed = edge.kind !== 'network' && edge.kind !== 'alias';
    out.push(
      `<g class="edge kind-${edge.kind} health-${edge.health}" data-edge-id="${escapeXml(edge.id)}" data-kind="${edge.kind}" data-from="${escapeXml(edge.fromRef)}" data-to="${escapeXml(edge.toRef)}">`,
      `<title>${escapeXml(`${edgeTitles[edge.kind]}: ${edge.fromRef} → ${edge.toRef}${edge.label ? ` (${edge.label})` : ''} · ${edge.health}`)}</title>`,
      `<path d="${path}"${directed ? ` marker-end="url(#arrow-${edge.health})"` : ''}/>`,
    );
    if (edge.label && placed.labelAt) {
      out.push(`<text class="edge-label" x="${round(placed.labelAt.x)}" y="${round(placed.labelAt.y + 4)}" text-anchor="middle">${escapeXml(edge.label)}</text>`);
    }
    out.push('</g>');
  }
  for (const placed of layout.nodes) {
    const { node } = placed;
    const cx = round(placed.x + placed.width / 2);
    out.push(
      `<g class="node kind-${node.kind} state-${node.state}" data-node-id="${escapeXml(node.id)}" data-ref="${escapeXml(node.ref)}" data-kind="${node.kind}" tabindex="0">`,
      `<title>${escapeXml(`${node.ref}: ${node.state}${node.detail ? ` · ${node.detail}` : ''}`)}</title>`,
      `<rect x="${round(placed.x)}" y="${round(placed.y)}" width="${round(placed.width)}" height="${round(placed.height)}" rx="${node.kind === 'network' ? 18 : 5}"/>`,
      `<text class="node-label" x="${cx}" y="${round(placed.y + (node.detail ? 17 : 25))}" text-anchor="middle">${escapeXml(node.label)}</text>`,
    );
    if (node.detail) {
      out.push(`<text class="node-detail" x="${cx}" y="${round(placed.y + 33)}" text-anchor="middle">${escapeXml(node.detail)}</text>`);
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}

const edgeTitles: Record<TopologyEdgeKind, string> = {
  network: 'on network',
  alias: 'network alias',
  legacyLink: 'legacy link',
  ambassador: 'to its ambassador',
  crossLink: 'cross-host link',
  overlay: 'overlay link',
  tunnel: 'tunnel',
};

/** The colours the stylesheet needs, by role: the webview passes theme variables, a saved file fixed values. */
export interface TopologyPalette {
  foreground: string;
  muted: string;
  background: string;
  nodeBackground: string;
  border: string;
  ok: string;
  degraded: string;
  broken: string;
  unknown: string;
  accent: string;
  font: string;
}

/** Readable on white, for files opened outside VS Code. */
export const exportPalette: TopologyPalette = {
  foreground: '#1f2328',
  muted: '#6e7781',
  background: '#ffffff',
  nodeBackground: '#f6f8fa',
  border: '#8c959f',
  ok: '#1a7f37',
  degraded: '#9a6700',
  broken: '#cf222e',
  unknown: '#8c959f',
  accent: '#0969da',
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
};

/** Styles for renderSvg's classes. Running and healthy is green, starting or restarting yellow, down or failing red, not known grey. */
export function topologyCss(palette: TopologyPalette): string {
  return [
    `svg.topology{font-family:${palette.font};font-size:12px;background:${palette.background}}`,
    `svg.topology text{fill:${palette.foreground}}`,
    `.group rect{fill:none;stroke:${palette.border};stroke-dasharray:4 3}`,
    `.group-label{font-weight:600}`,
    `.group.state-unreachable rect,.group.state-reconnecting rect,.node.kind-host.state-unreachable rect{stroke:${palette.broken}}`,
    `.node.kind-host.state-reconnecting rect,.node.kind-host.state-connecting rect{stroke:${palette.degraded}}`,
    `.node rect{fill:${palette.nodeBackground};stroke:${palette.border};stroke-width:1.5}`,
    `.node{cursor:pointer}`,
    `.node:focus rect,.node:hover rect{stroke:${palette.accent};stroke-width:2.5}`,
    `.node.state-running rect{stroke:${palette.ok}}`,
    `.node.state-restarting rect,.node.state-paused rect,.node.state-created rect{stroke:${palette.degraded}}`,
    `.node.state-exited rect,.node.state-dead rect{stroke:${palette.broken};stroke-dasharray:3 2}`,
    `.node.state-unknown rect{stroke:${palette.unknown};stroke-dasharray:2 2}`,
    `.node.kind-ambassador rect{stroke-dasharray:6 2}`,
    `.node.kind-network rect{fill:none}`,
    `.node.kind-local rect{stroke:${palette.accent}}`,
    `svg.topology .node-detail,svg.topology .edge-label{fill:${palette.muted};font-size:10px}`,
    // A halo in the background colour keeps a label readable where it crosses a line.
    `.edge-label{paint-order:stroke;stroke:${palette.background};stroke-width:3px}`,
    `.edge path{fill:none;stroke-width:1.6}`,
    `.edge.kind-network path,.edge.kind-alias path{stroke-width:1}`,
    `.edge.kind-crossLink path{stroke-width:2.6}`,
    `.edge.kind-overlay path{stroke-width:2.6;stroke-dasharray:8 4}`,
    `.edge.kind-tunnel path{stroke-dasharray:2 3}`,
    ...healths.map((health) => `.edge.health-${health} path{stroke:${palette[health]}}.arrow.health-${health}{fill:${palette[health]}}`),
  ].join('\n');
}

/** A standalone SVG file: the drawing with its stylesheet inside, in the fixed palette. */
export function exportSvg(graph: TopologyGraph): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderSvg(layoutTopology(graph), { css: topologyCss(exportPalette) })}\n`;
}

const mermaidArrows: Record<TopologyEdgeKind, string> = {
  network: '---',
  alias: '---',
  legacyLink: '-->',
  ambassador: '-->',
  crossLink: '==>',
  overlay: '-.->',
  tunnel: '-->',
};

const mermaidHealthColours: Record<TopologyEdge['health'], string | undefined> = { ok: undefined, degraded: '#9a6700', broken: '#cf222e', unknown: '#8c959f' };

/** Mermaid text accepts most characters inside "…" except the quote itself, written as an entity. */
function mermaidText(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/** A Mermaid flowchart: hosts as subgraphs, one line per node and per edge, broken links red. */
export function exportMermaid(graph: TopologyGraph): string {
  const ids = new Map(graph.nodes.map((node, index) => [node.id, node.kind === 'host' ? `host${index}` : `n${index}`]));
  const lines = ['flowchart LR'];
  const nodeLine = (node: TopologyNode) => {
    const text = mermaidText(`${node.label}${node.detail ? `<br/><small>${node.detail}</small>` : ''}`);
    const shape = node.kind === 'network' ? `([${text}])` : node.kind === 'local' ? `[[${text}]]` : `[${text}]`;
    return `${ids.get(node.id)}${shape}:::${node.state}`;
  };
  for (const host of graph.nodes.filter((node) => node.kind === 'host')) {
    lines.push(`  subgraph ${ids.get(host.id)}[${mermaidText(`${host.label} · ${host.state}`)}]`);
    for (const node of graph.nodes.filter((candidate) => candidate.host === host.label)) {
      lines.push(`    ${nodeLine(node)}`);
    }
    lines.push('  end');
  }
  for (const node of graph.nodes.filter((candidate) => candidate.kind !== 'host' && !graph.nodes.some((host) => host.kind === 'host' && host.label === candidate.host))) {
    lines.push(`  ${nodeLine(node)}`);
  }
  const coloured: string[] = [];
  graph.edges.forEach((edge, index) => {
    const label = edge.label ? `|${mermaidText(edge.label)}|` : '';
    lines.push(`  ${ids.get(edge.from)} ${mermaidArrows[edge.kind]}${label} ${ids.get(edge.to)}`);
    const colour = mermaidHealthColours[edge.health];
    if (colour) {
      coloured.push(`  linkStyle ${index} stroke:${colour}`);
    }
  });
  lines.push(
    ...coloured,
    '  classDef running stroke:#1a7f37,stroke-width:2px',
    '  classDef exited stroke:#cf222e,stroke-dasharray:3 2',
    '  classDef dead stroke:#cf222e,stroke-dasharray:3 2',
    '  classDef unknown stroke:#8c959f,stroke-dasharray:2 2',
  );
  return `${lines.join('\n')}\n`;
}
