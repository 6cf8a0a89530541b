import * as vscode from 'vscode';
import type { TopologyFilter } from '../../core/topology/topology';
import { exportMermaid, exportSvg } from '../../core/topology/topologyRender';
import type { TopologyExportFormat } from '../topology/protocol';
import { type Command, Fields } from './command';
import { checkHost } from './showTopology';

const id = 'crosslink.exportTopology';

export interface ExportTopologyRequest {
  format: TopologyExportFormat;
  filter?: TopologyFilter;
  /** Interactive exports only: a file to write, or the clipboard. Scripted calls get the text back and nothing else happens. */
  destination?: { kind: 'file'; path: string } | { kind: 'clipboard' };
}

const formats: readonly TopologyExportFormat[] = ['svg', 'mermaid'];
const fileExtensions: Record<TopologyExportFormat, string> = { svg: 'svg', mermaid: 'mmd' };

/**
 * The topology as a standalone SVG file or Mermaid text, with the open view's filter (or the one
 * given). Scripted: `{ format: "svg" | "mermaid", host?, linkedOnly? }` returns the text.
 */
export const exportTopologyCommand: Command<ExportTopologyRequest, string> = {
  id,
  parse(args) {
    const fields = new Fields(id, args, '{ format: "svg" | "mermaid", host?: "name", linkedOnly?: true }');
    const format = fields.oneOf('format', formats);
    if (format === undefined) {
      return fields.fail('format', 'missing', 'is required: "svg" or "mermaid".');
    }
    const host = fields.string('host', 'optional');
    const linkedOnly = fields.flag('linkedOnly');
    return { format, filter: host !== undefined || linkedOnly !== undefined ? { host, linkedOnly } : undefined };
  },
  async prompt(ui) {
    const format = await ui.pickOne<TopologyExportFormat>({
      title: 'Export Topology',
      placeholder: 'Format',
      items: [
        { label: 'SVG', description: 'a picture, opens in any browser', value: 'svg' },
        { label: 'Mermaid', description: 'text for Markdown (GitHub, GitLab, docs)', value: 'mermaid' },
      ],
    });
    if (typeof format !== 'string') {
      return undefined;
    }
    const where = await ui.pickOne<'file' | 'clipboard'>({
      title: 'Export Topology',
      placeholder: 'Where to',
      items: [
        { label: 'Save to a File…', value: 'file' },
        { label: 'Copy to the Clipboard', value: 'clipboard' },
      ],
    });
    if (where === 'clipboard') {
      return { format, destination: { kind: 'clipboard' } };
    }
    if (where !== 'file') {
      return undefined;
    }
    const path = await ui.pickPath({ title: 'Export Topology', folders: false, openLabel: 'Export', save: { defaultName: `topology.${fileExtensions[format]}` } });
    return path ? { format, destination: { kind: 'file', path } } : undefined;
  },
  async run(context, request) {
    const filter = request.filter ?? context.topology.currentFilter() ?? {};
    checkHost(context, id, filter.host);
    const graph = await context.topology.source.graph(filter);
    const text = request.format === 'svg' ? exportSvg(graph) : exportMermaid(graph);
    if (request.destination?.kind === 'clipboard') {
      await vscode.env.clipboard.writeText(text);
    } else if (request.destination?.kind === 'file') {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(request.destination.path), Buffer.from(text, 'utf8'));
    }
    return text;
  },
  report(ui, _text, request) {
    if (request.destination?.kind === 'file') {
      void ui.notify('info', `Topology saved to ${request.destination.path}.`);
    } else if (request.destination?.kind === 'clipboard') {
      void ui.notify('info', `Topology copied to the clipboard as ${request.format === 'svg' ? 'SVG' : 'Mermaid'}.`);
    }
  },
};
