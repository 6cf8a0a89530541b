import * as vscode from 'vscode';
import type { HostDirectory } from '../core/hosts/hostDirectory';
import { countOf } from '../core/plural';
import { settingsSection } from './hostSettings';
import { hostsNeedAttention, showHostsStatusItem } from './welcomeState';

/**
 * "2/2 hosts" at a glance, once more than one host is configured (or crosslink.statusBar.alwaysShowHosts);
 * a warning color when a host the user chose is down; click opens the Containers view.
 */
export class HostsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('crosslink.hosts', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: Array<{ dispose(): void }>;

  constructor(private readonly model: HostDirectory) {
    this.item.name = 'Crosslink Hosts';
    this.item.command = 'crosslink.containers.focus';
    this.subscriptions = [
      model.onDidChange(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration(`${settingsSection}.statusBar.alwaysShowHosts`) && this.update()),
    ];
    this.update();
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.item.dispose();
  }

  private update(): void {
    const hosts = this.model.hosts();
    const connected = hosts.filter((host) => host.state === 'connected');
    const attention = hostsNeedAttention(hosts);
    this.item.text = `$(${attention ? 'warning' : 'server-environment'}) ${connected.length}/${countOf(hosts.length, 'host')}`;
    this.item.backgroundColor = attention ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString('**Crosslink hosts**\n\n');
    for (const host of hosts) {
      tooltip.appendMarkdown(`- ${host.spec.name}: ${host.state}${host.state === 'connected' ? ` (${countOf(host.containers.size, 'container')})` : ''}\n`);
    }
    this.item.tooltip = tooltip;
    const alwaysShow = vscode.workspace.getConfiguration(settingsSection).get<boolean>('statusBar.alwaysShowHosts') ?? false;
    if (showHostsStatusItem(hosts.length, alwaysShow)) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }
}
