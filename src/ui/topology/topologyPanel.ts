import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/like';
import type { TopologyFilter, TopologyGraph, TopologyNode } from '../../core/topology/topology';
import { type TopologyPalette, topologyCss } from '../../core/topology/topologyRender';
import type { TopologySource } from '../../core/topology/topologySource';
import type { FromWebview, ToWebview } from './protocol';

/** Model, tunnel and health events come in bursts (a container start is several): one redraw per burst. */
const redrawDelayMs = 250;

/** The theme's own colours, so the picture follows the user's theme (light, dark, high contrast). */
const themePalette: TopologyPalette = {
  foreground: 'var(--vscode-editor-foreground)',
  muted: 'var(--vscode-descriptionForeground)',
  background: 'var(--vscode-editor-background)',
  nodeBackground: 'var(--vscode-editorWidget-background)',
  border: 'var(--vscode-editorWidget-border, var(--vscode-contrastBorder, var(--vscode-descriptionForeground)))',
  ok: 'var(--vscode-charts-green)',
  degraded: 'var(--vscode-charts-yellow)',
  broken: 'var(--vscode-charts-red)',
  unknown: 'var(--vscode-disabledForeground)',
  accent: 'var(--vscode-focusBorder)',
  font: 'var(--vscode-font-family)',
};

export interface TopologyPanelOptions {
  /** Where dist/topology.js is. */
  extensionUri: vscode.Uri;
  /** A node was clicked: reveal it in the tree and offer its actions. */
  onSelect: (node: TopologyNode) => Promise<void>;
  /** The Export button: the interactive export (format, then file or clipboard). */
  onExport: () => Promise<void>;
  logger: Logger;
}

/**
 * The Topology webview panel: one per window, redrawn from TopologySource's change events (no
 * polling). The extension host builds the graph; the webview lays it out and draws it.
 */
export class TopologyPanel implements vscode.Disposable {
  static readonly viewType = 'crosslink.topology';
  private panel?: vscode.WebviewPanel;
  private filter: TopologyFilter = {};
  private graph?: TopologyGraph;
  private redrawTimer?: ReturnType<typeof setTimeout>;
  private readonly subscription: vscode.Disposable;

  constructor(
    readonly source: TopologySource,
    private readonly options: TopologyPanelOptions,
  ) {
    this.subscription = new vscode.Disposable(source.onDidChange(() => this.scheduleRedraw()).dispose);
  }

  /** Opens (or brings forward) the panel with this filter, and resolves with the graph it draws. */
  async show(filter: TopologyFilter): Promise<TopologyGraph> {
    this.filter = filter;
    if (this.panel) {
      this.panel.reveal(undefined, false);
    } else {
      this.panel = this.createPanel();
    }
    return this.redraw();
  }

  /** The filter the open panel shows (the export's default); none when it is closed. */
  currentFilter(): TopologyFilter | undefined {
    return this.panel ? this.filter : undefined;
  }

  dispose(): void {
    clearTimeout(this.redrawTimer);
    this.subscription.dispose();
    this.panel?.dispose();
  }

  private createPanel(): vscode.WebviewPanel {
    const dist = vscode.Uri.joinPath(this.options.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(TopologyPanel.viewType, 'Crosslink Topology', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist],
    });
    panel.iconPath = vscode.Uri.joinPath(this.options.extensionUri, 'media', 'crosslink.svg');
    panel.webview.html = this.html(panel.webview, vscode.Uri.joinPath(dist, 'topology.js'));
    panel.webview.onDidReceiveMessage((message: FromWebview) => void this.receive(message));
    // A hidden webview is discarded (no retainContextWhenHidden); shown again, it says 'ready' and gets the graph anew.
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.graph = undefined;
    });
    return panel;
  }

  private async receive(message: FromWebview): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          await this.redraw();
          break;
        case 'filter':
          this.filter = message.filter;
          await this.redraw();
          break;
        case 'select': {
          const node = this.graph?.nodes.find((candidate) => candidate.id === message.nodeId);
          if (node) {
            await this.options.onSelect(node);
          }
          break;
        }
        case 'export':
          await this.options.onExport();
          break;
        case 'rendered':
          this.options.logger.debug(`Topology drawn: ${message.nodes} nodes, ${message.edges} edges in ${message.ms} ms`);
          break;
        case 'failed':
          this.report(`the graph could not be drawn: ${message.message}`);
          break;
      }
    } catch (error) {
      this.report(errorMessage(error));
    }
  }

  private report(problem: string): void {
    this.options.logger.error(`Topology view: ${problem}`);
    void vscode.window.showErrorMessage(`Crosslink Topology: ${problem}`);
  }

  private scheduleRedraw(): void {
    if (!this.panel) {
      return;
    }
    clearTimeout(this.redrawTimer);
    this.redrawTimer = setTimeout(() => void this.redraw().catch((error: unknown) => this.options.logger.warn(`Topology redraw failed: ${String(error)}`)), redrawDelayMs);
  }

  private async redraw(): Promise<TopologyGraph> {
    const graph = await this.source.graph(this.filter);
    this.graph = graph;
    const message: ToWebview = { type: 'graph', graph, filter: this.filter, hosts: this.source.hostNames() };
    await this.panel?.webview.postMessage(message);
    return graph;
  }

  private html(webview: vscode.Webview, script: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Crosslink Topology</title>
<style nonce="${nonce}">
body{margin:0;padding:0;color:var(--vscode-foreground);background:var(--vscode-editor-background);font-family:var(--vscode-font-family);font-size:var(--vscode-font-size)}
.toolbar{position:sticky;top:0;display:flex;gap:14px;align-items:center;padding:6px 12px;background:var(--vscode-editor-background);border-bottom:1px solid var(--vscode-panel-border);z-index:1}
select,input,button{font:inherit}
select{color:var(--vscode-dropdown-foreground);background:var(--vscode-dropdown-background);border:1px solid var(--vscode-dropdown-border);padding:2px 4px}
button{color:var(--vscode-button-foreground);background:var(--vscode-button-background);border:none;padding:3px 10px;cursor:pointer}
button:hover{background:var(--vscode-button-hoverBackground)}
button:focus-visible,select:focus-visible,input:focus-visible{outline:1px solid var(--vscode-focusBorder)}
#summary{color:var(--vscode-descriptionForeground);margin-left:auto}
#canvas{padding:8px;overflow:auto}
.node:focus{outline:none}
${topologyCss(themePalette)}
</style>
</head>
<body>
<div class="toolbar" role="toolbar">
<label>Host <select id="host" aria-label="Show one host"></select></label>
<label><input type="checkbox" id="linkedOnly"> Only linked containers</label>
<button id="export" type="button">Export…</button>
<span id="summary" aria-live="polite"></span>
</div>
<div id="canvas" role="img" aria-label="Topology of the Docker hosts"></div>
<script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script>
</body>
</html>`;
  }
}
