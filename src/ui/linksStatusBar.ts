import * as vscode from 'vscode';
import { formatTarget } from '../core/values/labels';
import type { CrossLinkHealth } from './crossLinkHealth';

/** "1 broken link" while any cross-host link is broken (hidden otherwise); click opens the Containers view. */
export class LinksStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('crosslink.links', vscode.StatusBarAlignment.Left, 48);
  private readonly subscription: { dispose(): void };

  constructor(private readonly health: CrossLinkHealth) {
    this.item.name = 'Crosslink Broken Links';
    this.item.command = 'crosslink.containers.focus';
    this.subscription = health.onDidChange(() => this.update());
    this.update();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private update(): void {
    const broken = this.health.broken();
    if (broken.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(error) ${broken.length} broken link${broken.length === 1 ? '' : 's'}`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    const tooltip = new vscode.MarkdownString('**Crosslink: broken links** — click to show them; Repair is on each link\n\n');
    for (const { link, health } of broken) {
      tooltip
        .appendMarkdown('- ')
        .appendText(`${link.client.container} on ${link.client.host} → ${formatTarget(link.target)}: ${health.message}`)
        .appendMarkdown('\n');
    }
    this.item.tooltip = tooltip;
    this.item.show();
  }
}
