import * as vscode from 'vscode';
import type { HostDirectory } from '../core/hosts/hostDirectory';
import { countOf } from '../core/plural';

/** "2/2 hosts" at a glance; a warning color when a host is down; click opens the Containers view. */
export class HostsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('crosslink.hosts', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: { dispose(): void };

  constructor(private readonly model: HostDirectory) {
    this.item.name = 'Crosslink Hosts';
    this.item.command = 'crosslink.containers.focus';
    this.subscription = model.onDidChange(() => this.update());
    this.update();
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private update(): void {
    const hosts = this.model.hosts();
    const connected = hosts.filter((host) => host.state === 'connected');
    const down = hosts.filter((host) => host.state === 'unreachable');
    this.item.text = `$(${down.length > 0 ? 'warning' : 'server-environment'}) ${connected.length}/${countOf(hosts.length, 'host')}`;
    this.item.backgroundColor = down.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString('**Crosslink hosts**\n\n');
    for (const host of hosts) {
      tooltip.appendMarkdown(`- ${host.spec.name}: ${host.state}${host.state === 'connected' ? ` (${countOf(host.containers.size, 'container')})` : ''}\n`);
    }
    this.item.tooltip = tooltip;
  }
}
