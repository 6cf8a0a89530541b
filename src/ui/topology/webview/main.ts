import { errorMessage } from '../../../core/errors';
import { layoutTopology, renderSvg } from '../../../core/topology/topologyRender';
import type { TopologyFilter } from '../../../core/topology/topology';
import type { FromWebview, ToWebview } from '../protocol';

/**
 * The Topology view's browser side: lays the graph out and draws it (the same renderSvg the SVG
 * export uses), and sends clicks, filter changes and export requests to the extension. No inline
 * handlers (the CSP forbids them): listeners are attached here.
 */

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

const vscode = acquireVsCodeApi();
const post = (message: FromWebview) => vscode.postMessage(message);

const canvas = element('canvas');
const hostSelect = element<HTMLSelectElement>('host');
const linkedOnly = element<HTMLInputElement>('linkedOnly');
const summary = element('summary');

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`topology: #${id} is missing from the page`);
  }
  return found as T;
}

function currentFilter(): TopologyFilter {
  return { host: hostSelect.value || undefined, linkedOnly: linkedOnly.checked || undefined };
}

function showHosts(hosts: string[], selected: string | undefined): void {
  const options = [['', 'All hosts'], ...hosts.map((host) => [host, host])];
  hostSelect.replaceChildren(
    ...options.map(([value, label]) => {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = label;
      option.selected = value === (selected ?? '');
      return option;
    }),
  );
}

function draw(message: ToWebview): void {
  const started = performance.now();
  showHosts(message.hosts, message.filter.host);
  linkedOnly.checked = message.filter.linkedOnly === true;
  const { graph } = message;
  try {
    // renderSvg escapes every name it writes, so the markup holds no text from a container as markup.
    canvas.innerHTML = graph.nodes.length > 0 ? renderSvg(layoutTopology(graph)) : '';
  } catch (error) {
    // A blank view would say nothing: say the drawing failed, here and (through the extension) in the log.
    const reason = errorMessage(error);
    canvas.replaceChildren();
    summary.textContent = `The topology could not be drawn: ${reason}`;
    post({ type: 'failed', message: reason });
    return;
  }
  const containers = graph.nodes.filter((node) => node.kind === 'container' || node.kind === 'ambassador').length;
  const hosts = graph.nodes.filter((node) => node.kind === 'host').length;
  summary.textContent =
    graph.nodes.length > 0
      ? `${hosts} hosts · ${containers} containers · ${graph.edges.length} connections`
      : 'Nothing to show: no host is connected, or the filter leaves nothing.';
  post({ type: 'rendered', nodes: graph.nodes.length, edges: graph.edges.length, ms: Math.round(performance.now() - started) });
}

function select(target: EventTarget | null): void {
  const node = target instanceof Element ? target.closest('[data-node-id]') : null;
  const id = node?.getAttribute('data-node-id');
  if (id) {
    post({ type: 'select', nodeId: id });
  }
}

canvas.addEventListener('click', (event) => select(event.target));
canvas.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    select(event.target);
  }
});
hostSelect.addEventListener('change', () => post({ type: 'filter', filter: currentFilter() }));
linkedOnly.addEventListener('change', () => post({ type: 'filter', filter: currentFilter() }));
element('export').addEventListener('click', () => post({ type: 'export' }));
window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  if (event.data?.type === 'graph') {
    draw(event.data);
  }
});
post({ type: 'ready' });
