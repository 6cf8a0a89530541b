import * as vscode from 'vscode';
import { ProvenanceError } from '../../core/provenance/seal';

/**
 * Runs an operation that refuses (ProvenanceError 'foreign') to change objects this installation
 * did not create. Interactively, a modal names every object and change, and only "Change Them
 * Anyway" runs it again with consent. Scripted callers consent with `confirmForeign: true`; without
 * it they get the error.
 */
export async function withForeignConsent<T>(argument: unknown, interactive: boolean, action: string, run: (confirmForeign: boolean) => Promise<T>): Promise<T | undefined> {
  const scriptedConsent = (argument as { confirmForeign?: unknown } | undefined)?.confirmForeign === true;
  try {
    return await run(!interactive && scriptedConsent);
  } catch (error) {
    if (!interactive || !ProvenanceError.is(error, 'foreign')) {
      throw error;
    }
    const choice = await vscode.window.showWarningMessage(
      `Crosslink did not create these objects here. ${action} anyway?`,
      {
        modal: true,
        detail: `They carry Crosslink's labels, but without this installation's seal: a teammate's Crosslink, an older Crosslink, or labels someone copied. This would change:\n\n${error.objects.map((object) => `• ${object}`).join('\n')}`,
      },
      'Change Them Anyway',
    );
    return choice ? run(true) : undefined;
  }
}
