import * as vscode from 'vscode';
import type { TunnelManager } from '../../core/forwarding/tunnelManager';

/** The number of tunnels; click pauses them all (listeners closed) or resumes them. Hidden while there are none. */
export class TunnelsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('crosslink.tunnels', vscode.StatusBarAlignment.Left, 49);
  private readonly subscription: { dispose(): void };

  constructor(private readonly tunnels: TunnelManager) {
    this.item.name = 'Crosslink Tunnels';
    this.item.command = 'crosslink.toggleTunnels';
    this.subscription = tunnels.onDidChange(() => this.update());
    this.update();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private update(): void {
    const all = this.tunnels.list();
    if (all.length === 0) {
      this.item.hide();
      return;
    }
    const paused = all.filter((tunnel) => tunnel.state === 'paused').length;
    const troubled = all.filter((tunnel) => tunnel.state === 'error' || tunnel.state === 'reconnecting').length;
    const running = all.length - paused;
    this.item.text = paused === all.length ? `$(debug-pause) ${all.length} tunnel${all.length === 1 ? '' : 's'} paused` : `$(plug) ${running} tunnel${running === 1 ? '' : 's'}`;
    this.item.backgroundColor = troubled > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString(`**Crosslink tunnels** — click to ${paused === all.length ? 'resume' : 'pause'} all\n\n`);
    for (const tunnel of all) {
      tooltip.appendMarkdown(`- \`${tunnel.localAddress ?? '—'}\` → ${tunnel.id} (${tunnel.state})\n`);
    }
    this.item.tooltip = tooltip;
    this.item.show();
  }
}
