import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/like';
import { ObjectRegistry } from '../core/provenance/objectRegistry';
import { Provenance, fileSecret, newSecret } from '../core/provenance/provenance';
import { Sealer } from '../core/provenance/seal';

const secretKey = 'crosslink.provenanceSecret';

/**
 * This installation's provenance: the secret in SecretStorage (the OS keychain), or in a 0600
 * file under global storage when SecretStorage fails; once that file exists it stays the secret,
 * so a keychain that works only some of the time cannot make our own objects look foreign. The
 * registry of created ids is a JSON file beside it.
 */
export async function installationProvenance(context: vscode.ExtensionContext, logger: Logger): Promise<Provenance> {
  const directory = path.join(context.globalStorageUri.fsPath, 'provenance');
  const registry = new ObjectRegistry(path.join(directory, 'objects.json'));
  return new Provenance(new Sealer(await installationSecret(context, path.join(directory, 'secret'), logger)), registry);
}

async function installationSecret(context: vscode.ExtensionContext, file: string, logger: Logger): Promise<Buffer> {
  const fallback = await vscode.workspace.fs.stat(vscode.Uri.file(file)).then(
    () => true,
    () => false,
  );
  if (!fallback) {
    try {
      const stored = Buffer.from((await withinTimeout(context.secrets.get(secretKey))) ?? '', 'hex');
      if (stored.length === 32) {
        return stored;
      }
      const secret = newSecret();
      await withinTimeout(context.secrets.store(secretKey, secret.toString('hex')));
      return secret;
    } catch (error) {
      logger.warn(`SecretStorage is not available (${errorMessage(error)}); keeping Crosslink's provenance secret in a private file instead`);
    }
  }
  return fileSecret(file);
}

/** A keychain that never answers (a locked one on a headless machine) must not hold up activation. */
function withinTimeout<T>(pending: Thenable<T>, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
