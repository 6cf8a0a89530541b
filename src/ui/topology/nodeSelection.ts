import * as vscode from 'vscode';
import type { TopologyNode } from '../../core/topology/topology';
import type { ContainersTreeProvider } from '../tree/containersTree';
import type { TreeNode } from '../tree/treeNodes';
import { type MenuEntry, menuActions } from './menuActions';

const treeViewId = 'crosslink.containers';

/**
 * What a click on a topology node does: selects its row in the Containers tree (a network's or
 * the local machine's nearest row: its host, the Tunnels section) and offers, in a quick pick, the
 * commands that row's context menu has, run on that row as if chosen there.
 */
export function selectInTree(
  view: vscode.TreeView<TreeNode>,
  tree: ContainersTreeProvider,
  packageJson: { contributes?: { commands?: Array<{ command: string; title: string }>; menus?: Record<string, MenuEntry[]> } },
): (node: TopologyNode) => Promise<void> {
  const entries = packageJson.contributes?.menus?.['view/item/context'] ?? [];
  const titles = new Map((packageJson.contributes?.commands ?? []).map((command) => [command.command, command.title]));
  return async (node) => {
    const element =
      node.kind === 'local'
        ? tree.tunnelsElement()
        : node.kind === 'host' || node.kind === 'network'
          ? tree.elementFor(node.host ?? node.ref)
          : node.host && tree.elementFor(node.host, node.label);
    if (!element) {
      void vscode.window.showInformationMessage(`${node.ref} is not listed now (removed, or its host is not connected).`);
      return;
    }
    await view.reveal(element, { select: true, focus: false, expand: false });
    const item = await tree.getTreeItem(element);
    const actions = menuActions(entries, titles, treeViewId, item.contextValue ?? '');
    if (actions.length === 0) {
      return;
    }
    // The click left focus in the webview: without ignoreFocusOut the pick could close as soon as it opens.
    const picked = await vscode.window.showQuickPick(
      actions.map((action) => ({ label: action.title, description: action.command, action })),
      { title: `${node.ref}${node.kind === 'network' ? ` (network, on ${node.host ?? ''})` : ''}`, placeHolder: 'Action', ignoreFocusOut: true },
    );
    if (picked) {
      await vscode.commands.executeCommand(picked.action.command, element);
    }
  };
}
