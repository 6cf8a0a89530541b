import type * as vscode from 'vscode';
import type { Logger } from '../../core/like';
import type { CrossLinkOperations } from '../../core/ambassadors/crossLinkOperations';
import type { OverlayOperations } from '../../core/overlay/overlayOperations';
import type { TunnelManager } from '../../core/forwarding/tunnelManager';
import type { ContainerModel, DockerClientFactory } from '../../core/model/containerModel';
import type { CrossLinkHealth } from '../crossLinkHealth';
import type { Journal } from '../../core/planning/journal';
import type { InterruptedChanges } from '../interruptedChanges';
import type { Prompter } from '../prompter';
import type { TopologyPanel } from '../topology/topologyPanel';

/** What every command may use; built once in activate(). */
export interface CommandContext {
  model: ContainerModel;
  logger: Logger;
  channel: vscode.LogOutputChannel;
  createClient: DockerClientFactory;
  /** Per-user state that outlives the window (e.g. notices shown once). */
  state: vscode.Memento;
  crossLinks: CrossLinkOperations;
  /** Cross-host links over Swarm overlay networks, and the Swarm around them. */
  overlay: OverlayOperations;
  /** Last verify result per cross-host link, shown in the tree. */
  health: CrossLinkHealth;
  tunnels: TunnelManager;
  /** Where changes are recorded while they run (extension global storage). */
  journal: Journal;
  interrupted: InterruptedChanges;
  /** The Topology view (one panel per window). */
  topology: TopologyPanel;
  /** Every question and notice to the user (the one Prompter, built from vscode.window in registerCommands). */
  ui: Prompter;
  /** Reads the host settings and connects, once per window: activation itself connects nothing (see extension.ts). */
  connect: () => Promise<void>;
  /** The user's own Retry asks ssh's questions again (passphrase, host key) that were declined before. */
  forgetSshDeclines: (hostName: string) => void;
}
