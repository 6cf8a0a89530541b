import * as vscode from 'vscode';
import { Logger } from '../../core/like';
import { ContainerModel, DockerClientFactory } from '../../core/model/containerModel';

/** What every command may use; built once in activate(). */
export interface CommandContext {
  model: ContainerModel;
  logger: Logger;
  channel: vscode.LogOutputChannel;
  createClient: DockerClientFactory;
}

export type CommandHandler = (context: CommandContext, ...args: unknown[]) => Promise<unknown>;
