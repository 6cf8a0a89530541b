import type * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/like';
import { type TunnelManager, readTunnelRecords } from '../../core/forwarding/tunnelManager';
import { countOf } from '../../core/plural';

const storageKey = 'crosslink.tunnels';

/** Keeps the window's tunnels in workspace state, so a reload reopens them on the same local ports. */
export class TunnelStore implements vscode.Disposable {
  private readonly subscription: { dispose(): void };
  private restoring = false;

  constructor(
    private readonly tunnels: TunnelManager,
    private readonly state: vscode.Memento,
    private readonly logger: Logger,
    /** Where tunnels listen now (crosslink.tunnels.localAddress): restored ones follow it, not the saved address. */
    private readonly bindAddress: () => string,
  ) {
    this.subscription = tunnels.onDidChange(() => {
      if (!this.restoring) {
        void this.state.update(storageKey, tunnels.serialize());
      }
    });
  }

  /** Tunnels were open when the window last closed: activation then connects their hosts at once to reopen them. */
  get hasSaved(): boolean {
    return readTunnelRecords(this.state.get<unknown>(storageKey)).records.length > 0;
  }

  /** Reopens the saved tunnels; one that cannot come back is logged and dropped, never blocking the rest. */
  async restore(): Promise<void> {
    // Records saved by an earlier version load too; anything else is named in the log and dropped.
    const { records, dropped } = readTunnelRecords(this.state.get<unknown>(storageKey));
    for (const record of dropped) {
      this.logger.warn(`Saved tunnel not restored (unreadable record): ${record}`);
    }
    if (records.length === 0) {
      return;
    }
    this.restoring = true;
    try {
      await this.tunnels.restore(records, this.bindAddress());
      this.logger.info(`Restored ${this.tunnels.list().length} of ${countOf(records.length, 'tunnel')}`);
    } catch (error) {
      this.logger.warn(`Could not restore tunnels: ${errorMessage(error)}`);
    } finally {
      this.restoring = false;
      void this.state.update(storageKey, this.tunnels.serialize());
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
