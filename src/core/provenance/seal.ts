import { createHmac, timingSafeEqual } from 'node:crypto';
import { CrosslinkError } from '../errors';

/** The label that proves an object was made by this installation of Crosslink. */
export const sealLabel = 'crosslink.seal';
const sealVersion = 'v1';

/** What a seal is about: containers and networks carry labels Crosslink acts on. */
export type SealedKind = 'container' | 'network';

/**
 * A canonical, unambiguous encoding of everything the seal covers: the object's kind and name, the
 * engine it lives on, and every `crosslink.*` label but the seal, sorted. A JSON array of strings
 * cannot be confused with another split of the same characters, unlike a joined string.
 */
export function canonicalSealInput(kind: SealedKind, name: string, engineId: string, labels: Record<string, string>): string {
  const covered = Object.entries(labels)
    .filter(([key]) => key.startsWith('crosslink.') && key !== sealLabel)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([sealVersion, kind, name.replace(/^\//, ''), engineId, ...covered.flat()]);
}

/** HMAC-SHA256 with the installation's secret; a copy on another object, name or host fails, as does any edit. */
export class Sealer {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) {
      throw new Error('the provenance secret must be at least 32 bytes');
    }
  }

  seal(kind: SealedKind, name: string, engineId: string, labels: Record<string, string>): string {
    return `${sealVersion}:${createHmac('sha256', this.secret).update(canonicalSealInput(kind, name, engineId, labels)).digest('hex')}`;
  }

  /** The labels with their seal added. */
  sealed(kind: SealedKind, name: string, engineId: string, labels: Record<string, string>): Record<string, string> {
    return { ...labels, [sealLabel]: this.seal(kind, name, engineId, labels) };
  }

  verify(kind: SealedKind, name: string, engineId: string, labels: Record<string, string>): boolean {
    const actual = labels[sealLabel];
    if (!actual) {
      return false;
    }
    const expected = Buffer.from(this.seal(kind, name, engineId, labels));
    const given = Buffer.from(actual);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/**
 * 'ours': made (or adopted) by this installation. 'foreign': it carries `crosslink.*` labels but
 * proves nothing — a teammate's Crosslink, an older Crosslink that did not seal, or a forgery.
 * 'none': not a Crosslink object at all.
 */
export type Origin = 'ours' | 'foreign' | 'none';

export function hasCrosslinkLabels(labels: Record<string, string>): boolean {
  return Object.keys(labels).some((key) => key.startsWith('crosslink.'));
}

/** The object carries Crosslink's labels but was not made by this installation; pass `confirmForeign` to act anyway. */
export type ProvenanceErrorReason = 'foreign';

export class ProvenanceError extends CrosslinkError<ProvenanceErrorReason> {
  constructor(
    reason: ProvenanceErrorReason,
    message: string,
    /** The objects ("host/name") that were not touched because they are foreign. */
    readonly objects: string[] = [],
  ) {
    super(reason, message);
  }

  static is(error: unknown, reason?: ProvenanceErrorReason): error is ProvenanceError {
    return error instanceof ProvenanceError && (reason === undefined || error.reason === reason);
  }
}
