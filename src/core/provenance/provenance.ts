import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DockerClient } from '../hosts/dockerClient';
import type { ObjectRegistry, RegistryEntry } from './objectRegistry';
import { type Origin, type SealedKind, type Sealer, hasCrosslinkLabels } from './seal';

/** What the judgement needs of a container or network. */
export interface LabelledObject {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * Proves which objects this installation made: a seal (HMAC with the installation's secret over
 * kind, name, engine ID and labels) that nobody without the secret can write, and the registry of
 * the ids it created, which a copy on another container cannot have. An object is ours when both
 * hold, or when the user adopted it by id; anything else with `crosslink.*` labels is foreign.
 */
export class Provenance {
  private readonly engineIds = new WeakMap<DockerClient, string>();

  constructor(
    private readonly sealer: Sealer,
    readonly registry: ObjectRegistry,
  ) {}

  /** The engine's ID (GET /info), cached per client so the tree can judge synchronously once it is known. */
  async engineIdOf(client: DockerClient): Promise<string> {
    const known = this.engineIds.get(client);
    if (known) {
      return known;
    }
    const id = await client.engineId();
    this.engineIds.set(client, id);
    return id;
  }

  knownEngineId(client: DockerClient): string | undefined {
    return this.engineIds.get(client);
  }

  sealed(kind: SealedKind, name: string, engineId: string, labels: Record<string, string>): Record<string, string> {
    return this.sealer.sealed(kind, name, engineId, labels);
  }

  originOf(kind: SealedKind, object: LabelledObject, engineId: string): Origin {
    if (!hasCrosslinkLabels(object.labels)) {
      return 'none';
    }
    const entry = this.registry.get(object.id);
    if (entry && entry.kind === kind && (entry.adopted || this.sealer.verify(kind, object.name, engineId, object.labels))) {
      return 'ours';
    }
    return 'foreign';
  }

  isOurs(kind: SealedKind, object: LabelledObject, engineId: string): boolean {
    return this.originOf(kind, object, engineId) === 'ours';
  }

  record(entry: RegistryEntry): void {
    this.registry.add(entry);
  }

  forget(id: string): void {
    this.registry.remove(id);
  }
}

/** The secret in a 0600 file: for tests, and for the extension when its SecretStorage fails. */
export function fileSecret(file: string): Buffer {
  try {
    const existing = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    if (existing.length === 32) {
      return existing;
    }
  } catch {
    // Missing: created below.
  }
  const secret = randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, secret.toString('hex'), { mode: 0o600 });
  return secret;
}

export function newSecret(): Buffer {
  return randomBytes(32);
}
