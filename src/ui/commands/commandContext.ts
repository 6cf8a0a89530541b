import * as vscode from 'vscode';
import { Logger } from '../../core/like';
import { CrossLinkOperations } from '../../core/ambassadors/crossLinkOperations';
import { TunnelManager } from '../../core/forwarding/tunnelManager';
import { ContainerModel, DockerClientFactory } from '../../core/model/containerModel';
import { CrossLinkHealth } from '../crossLinkHealth';
import { Journal } from '../../core/planning/journal';
import { InterruptedChanges } from '../interruptedChanges';

/** What every command may use; built once in activate(). */
export interface CommandContext {
  model: ContainerModel;
  logger: Logger;
  channel: vscode.LogOutputChannel;
  createClient: DockerClientFactory;
  /** Per-user state that outlives the window (e.g. notices shown once). */
  state: vscode.Memento;
  crossLinks: CrossLinkOperations;
  /** Last verify result per cross-host link, shown in the tree. */
  health: CrossLinkHealth;
  tunnels: TunnelManager;
  /** Where changes are recorded while they run (extension global storage). */
  journal: Journal;
  interrupted: InterruptedChanges;
  /** Reads the host settings and connects, once per window: activation itself connects nothing (see extension.ts). */
  connect: () => Promise<void>;
}

export type CommandHandler = (context: CommandContext, ...args: unknown[]) => Promise<unknown>;
