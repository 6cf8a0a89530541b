import * as vscode from 'vscode';
import { CrossLink } from '../core/ambassadors/ambassadorLabels';
import { VerifyResult } from '../core/links/verifyLink';

/** The last verify result of each cross-host link (by its client-side ambassador), for the tree. */
export class CrossLinkHealth implements vscode.Disposable {
  private readonly results = new Map<string, VerifyResult>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  get(link: CrossLink): VerifyResult | undefined {
    return this.results.get(link.clientAmbassador.id);
  }

  record(link: CrossLink, result: VerifyResult): void {
    this.results.set(link.clientAmbassador.id, result);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
