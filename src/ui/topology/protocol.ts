import type { TopologyFilter, TopologyGraph } from '../../core/topology/topology';

/** The messages between the Topology panel (extension host) and its webview script: plain data both sides type-check. */

export type TopologyExportFormat = 'svg' | 'mermaid';

export type ToWebview = { type: 'graph'; graph: TopologyGraph; filter: TopologyFilter; hosts: string[] };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'select'; nodeId: string }
  | { type: 'filter'; filter: TopologyFilter }
  /** The Export button: the extension asks the format and where to. */
  | { type: 'export' }
  /** After each drawing: what is on screen and how long layout and drawing took. */
  | { type: 'rendered'; nodes: number; edges: number; ms: number }
  /** Laying out or drawing the graph threw: the view says so; the extension logs and shows it. */
  | { type: 'failed'; message: string };
