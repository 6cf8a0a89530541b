import * as vscode from 'vscode';
import { Logger } from '../../core/like';
import { ContainerModel, DockerClientFactory } from '../../core/model/containerModel';

/** What every command may use; built once in activate(). */
export interface CommandContext {
  model: ContainerModel;
  logger: Logger;
  channel: vscode.LogOutputChannel;
  createClient: DockerClientFactory;
  /** Per-user state that outlives the window (e.g. notices shown once). */
  state: vscode.Memento;
}

export type CommandHandler = (context: CommandContext, ...args: unknown[]) => Promise<unknown>;
