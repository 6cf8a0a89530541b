import { createHmac, timingSafeEqual } from 'node:crypto';
import { ambassadorLabel, managedLabel, roleLabel } from '../values/labels';
import { CrosslinkError } from '../errors';

/** The label that proves an object was made by this installation of Crosslink. */
export const sealLabel = 'crosslink.seal';
const sealVersion = 'v1';

/** What a seal is about: containers and networks carry labels Crosslink acts on. */
export type SealedKind = 'container' | 'network';

/**
 * The labels Crosslink reads to act: these are sealed, present or absent. Other `crosslink.*`
 * labels are neither read nor sealed: the engine merges the image's labels into the container's
 * at creation (the testbed's socat image carries `crosslink.fixture.version`), so a seal over every
 * `crosslink.*` label would break on our own ambassadors. A key we read that the image adds where
 * we set none (say `crosslink.network` on a link-mode ambassador) changes the encoding: that
 * ambassador then fails its check, which only ever means "not acted on".
 */
export const sealedLabelKeys: readonly string[] = [managedLabel, roleLabel, ...Object.values(ambassadorLabel)].sort();

/**
 * A canonical, unambiguous encoding of everything the seal covers: the object's kind and name, the
 * engine it lives on, and the value (or absence, as null) of every label Crosslink reads. A JSON
 * array cannot be confused with another split of the same characters, unlike a joined string.
 */
export function canonicalSealInput(kind: SealedKind, name: string, engineId: string, labels: Record<string, string>): string {
  return JSON.stringify([sealVersion, kind, name.replace(/^\//, ''), engineId, ...sealedLabelKeys.map((key) => [key, labels[key] ?? null])]);
}

/** HMAC-SHA256 with the installation's secret; a copy on another object, name or host fails, as does any edit. */
export class Sealer {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) {
      throw new Error('the provenance secret must be at least 32 bytes');
    }
  }

  seal(kind: SealedKind, name: string, engineId: string, labels: Record<string, string>): string {
    return `${sealVersion}:${createHmac('sha256', this.secret)
      .update(canonicalSealInput(kind, name, engineId, labels))
      .digest('hex')}`;
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

/** Whether an object carries any label Crosslink acts on (an image's `crosslink.fixture.version` is not one). */
export function hasCrosslinkLabels(labels: Record<string, string>): boolean {
  return sealedLabelKeys.some((key) => key in labels);
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
