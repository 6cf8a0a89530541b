import * as vscode from 'vscode';
import type { CrossLink } from '../core/values/labels';
import { type CrossLinkHealthEntry, CrossLinkHealthMonitor } from '../core/ambassadors/crossLinkHealth';
import type { CrossLinkOperations } from '../core/ambassadors/crossLinkOperations';
import type { EventLike, Logger } from '../core/like';
import type { VerifyResult } from '../core/links/hops';
import type { LinkHealth } from '../core/links/linkHealth';
import type { HostDirectory } from '../core/hosts/hostDirectory';
import { settingsSection } from './hostSettings';

const intervalSetting = 'links.healthCheckInterval';
const defaultIntervalSeconds = 30;

/**
 * The live health of cross-host links for the tree and the status bar: the core monitor, with its
 * periodic check running every `crosslink.links.healthCheckInterval` seconds while the view is
 * visible (0 turns it off; Docker events keep the parts' state live either way).
 */
export class CrossLinkHealth implements vscode.Disposable {
  private readonly monitor: CrossLinkHealthMonitor;
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChange: EventLike<void>;

  constructor(model: HostDirectory, crossLinks: CrossLinkOperations, logger: Logger) {
    this.monitor = new CrossLinkHealthMonitor(model, (link, options) => crossLinks.verify(link, options), logger);
    this.onDidChange = this.monitor.onDidChange;
    this.monitor.configure({ intervalSeconds: intervalSeconds() });
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${settingsSection}.${intervalSetting}`)) {
          this.monitor.configure({ intervalSeconds: intervalSeconds() });
        }
      }),
    );
  }

  /** Periodic checks run only while `view` is visible. */
  followVisibility(view: vscode.TreeView<unknown>): vscode.Disposable {
    this.monitor.configure({ active: view.visible });
    return view.onDidChangeVisibility((event) => this.monitor.configure({ active: event.visible }));
  }

  get(link: CrossLink): LinkHealth | undefined {
    return this.monitor.get(link);
  }

  broken(): CrossLinkHealthEntry[] {
    return this.monitor.all().filter((entry) => entry.health.state === 'broken');
  }

  /** A Verify's result, shown until one of the link's containers changes. */
  record(link: CrossLink, result: VerifyResult): void {
    this.monitor.record(link, result);
  }

  dispose(): void {
    this.monitor.dispose();
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}

function intervalSeconds(): number {
  const value = vscode.workspace.getConfiguration(settingsSection).get<number>(intervalSetting, defaultIntervalSeconds);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : defaultIntervalSeconds;
}
