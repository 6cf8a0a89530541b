import { ProvenanceError } from '../../core/provenance/seal';
import type { Prompter } from '../prompter';

/**
 * Runs an operation that refuses (ProvenanceError 'foreign') to change objects this installation
 * did not create. Interactively (`ui` given), a modal names every object and change, and only
 * "Change Them Anyway" runs it again with consent. Scripted callers consent with
 * `confirmForeign: true`; without it they get the error.
 */
export async function withForeignConsent<T>(
  ui: Prompter | undefined,
  scriptedConsent: boolean,
  action: string,
  run: (confirmForeign: boolean) => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run(!ui && scriptedConsent);
  } catch (error) {
    const consent = ui ? await askForeignConsent(ui, error, action) : 'rethrow';
    if (consent === 'rethrow') {
      throw error;
    }
    return consent ? run(true) : undefined;
  }
}

/** True when the user lets the operation change objects that are not this installation's; 'rethrow' for any other failure. */
export async function askForeignConsent(ui: Prompter, error: unknown, action: string): Promise<true | undefined | 'rethrow'> {
  if (!ProvenanceError.is(error, 'foreign')) {
    return 'rethrow';
  }
  const choice = await ui.confirm({
    message: `Crosslink did not create these objects here. ${action} anyway?`,
    detail: `They carry Crosslink's labels, but without this installation's seal: a teammate's Crosslink, an older Crosslink, or labels someone copied. This would change:\n\n${error.objects.map((object) => `• ${object}`).join('\n')}`,
    actions: ['Change Them Anyway'],
  });
  return choice ? true : undefined;
}
