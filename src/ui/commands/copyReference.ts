import * as vscode from 'vscode';
import type { Command } from './command';
import { findContainerRef } from './commandArguments';
import { containerRequest, promptContainer } from './containerRequest';
import { formatContainerRef } from '../../core/values/containerRef';

/** Copies "host/name", the form every Crosslink command takes as an argument. Args: container node, "host/name" or `{ container }`. */
export const copyReferenceCommand: Command<{ container: string }, { reference: string }> = {
  id: 'crosslink.copyReference',
  parse: (args) => containerRequest('Copy Reference', args),
  prompt: (ui, context, node) => promptContainer(ui, context, node, 'Container to copy as host/name'),
  async run({ model }, request) {
    const resolved = findContainerRef(model, request.container);
    const reference = formatContainerRef(resolved.hostName, resolved.container.name);
    await vscode.env.clipboard.writeText(reference);
    return { reference };
  },
  report: (ui, { reference }) => ui.status(`Copied ${reference}`),
};
