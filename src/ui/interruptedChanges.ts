import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/like';
import type { HostDirectory } from '../core/hosts/hostDirectory';
import { formatContainerRef } from '../core/values/containerRef';
import type { Journal } from '../core/planning/journal';
import { type InterruptedChange, findInterruptedChanges } from '../core/planning/recovery';

/**
 * The interrupted changes on the connected hosts: found on activation, and again whenever a host
 * connects or its containers change (debounced). Each newly found one is announced once with
 * Finish / Roll Back; the tree shows them on their containers.
 */
export class InterruptedChanges implements vscode.Disposable {
  private changes: InterruptedChange[] = [];
  private readonly announced = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: { dispose(): void };
  private timer: NodeJS.Timeout | undefined;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly model: HostDirectory,
    private readonly journal: Journal,
    private readonly logger: Logger,
    /**
     * The argument Recover Interrupted Change takes for a choice made here (the tree's node):
     * injected so this module, below the tree, does not import the tree's node classes.
     */
    private readonly recoverArgument: (container: string, title: string, action: 'finish' | 'rollBack') => unknown,
  ) {
    this.subscription = model.onDidChange(() => this.scheduleScan());
  }

  list(): readonly InterruptedChange[] {
    return this.changes;
  }

  /** The change a container belongs to: by its original name, or as the parked original itself. */
  forContainer(hostName: string, containerName: string): InterruptedChange | undefined {
    const reference = formatContainerRef(hostName, containerName);
    return this.changes.find((change) => change.containers.includes(reference) || change.parked.some((parked) => parked.host === hostName && parked.name === containerName));
  }

  async scan(): Promise<void> {
    const hosts = this.model
      .hosts()
      .filter((host) => host.state === 'connected')
      .map((host) => ({ name: host.spec.name, containers: host.containers.values() }));
    try {
      this.changes = await findInterruptedChanges(this.journal, hosts);
    } catch (error) {
      this.logger.warn(`could not look for interrupted changes: ${errorMessage(error)}`);
      return;
    }
    this.changed.fire();
    for (const change of this.changes.filter((candidate) => !this.announced.has(candidate.key))) {
      this.announced.add(change.key);
      void this.announce(change);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }

  private scheduleScan(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.scan(), 1000);
  }

  private async announce(change: InterruptedChange): Promise<void> {
    const [container] = change.containers;
    const parked = change.parked.map((candidate) => candidate.name).join(', ');
    this.logger.warn(`interrupted change (${change.key}): ${change.title}`);
    const choice = await vscode.window.showWarningMessage(
      `A Crosslink change to ${change.containers.join(', ')} was interrupted${parked ? ` (the original is parked as ${parked})` : ''}. Finish it, or roll it back?`,
      'Finish',
      'Roll Back',
    );
    if (choice) {
      await vscode.commands.executeCommand('crosslink.recoverChange', this.recoverArgument(container, change.title, choice === 'Finish' ? 'finish' : 'rollBack'));
    }
  }
}
