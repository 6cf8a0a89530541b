import * as vscode from 'vscode';
import type { ExecuteOptions } from '../core/planning/planExecutor';

/** Runs a plan-executing operation under a notification that shows each step as it starts. */
export function withStepProgress<T>(title: string, run: (options: ExecuteOptions) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) =>
      run({
        onStep: (description, index, total) => progress.report({ message: `${description} (${index + 1}/${total})`, increment: 100 / total }),
      }),
    ),
  );
}
