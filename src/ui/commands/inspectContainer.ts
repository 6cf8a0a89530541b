import * as vscode from 'vscode';
import { HostError } from '../../core/errors';
import { formatContainerRef } from '../../core/values/containerRef';
import type { Command } from './command';
import { containerRequest, promptContainer } from './containerRequest';
import { findContainerRef } from './commandArguments';

/** Read-only documents of `docker inspect` output, by URI; the provider serves them to the editor. */
export const inspectScheme = 'crosslink-inspect';
const documents = new Map<string, string>();
/** Tells an open document of a container inspected again to show the new output. */
let changed: vscode.EventEmitter<vscode.Uri> | undefined;

export function registerInspectProvider(): vscode.Disposable {
  const emitter = (changed = new vscode.EventEmitter<vscode.Uri>());
  return vscode.Disposable.from(
    emitter,
    vscode.workspace.registerTextDocumentContentProvider(inspectScheme, {
      onDidChange: emitter.event,
      provideTextDocumentContent: (uri) => documents.get(uri.toString()) ?? '',
    }),
  );
}

/** Opens `docker inspect` of a container as read-only JSON. Args: container node, "host/name" or `{ container }`. */
export const inspectContainerCommand: Command<{ container: string }, { container: string; id: string }> = {
  id: 'crosslink.inspectContainer',
  parse: (args) => containerRequest('Inspect', args),
  prompt: (ui, context, node) => promptContainer(ui, context, node, 'Container to inspect'),
  async run({ model }, request) {
    const resolved = findContainerRef(model, request.container);
    const client = model.client(resolved.hostName);
    if (!client) {
      throw new HostError(resolved.hostName, 'closed', `${resolved.hostName} is no longer configured.`);
    }
    const details = await client.inspectContainer(resolved.container.id);
    const uri = vscode.Uri.from({ scheme: inspectScheme, path: `/${resolved.hostName}/${details.name}.json` });
    documents.set(uri.toString(), JSON.stringify(details.raw, null, 2));
    changed?.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'json');
    await vscode.window.showTextDocument(document, { preview: true });
    return { container: formatContainerRef(resolved.hostName, details.name), id: details.id };
  },
};
