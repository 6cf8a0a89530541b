import { createHash, createHmac } from 'node:crypto';
import { matchesPatternList } from './hostPatterns';

export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed' | 'revoked' | 'certAuthority';

interface KnownHostLine {
  marker?: '@revoked' | '@cert-authority';
  hostPatterns: string;
  keyType: string;
  keyBase64: string;
}

export function parseKnownHosts(text: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) {
      continue;
    }
    const fields = line.split(/\s+/);
    const marker = fields[0] === '@revoked' || fields[0] === '@cert-authority' ? fields.shift() : undefined;
    if (fields.length < 3) {
      continue;
    }
    lines.push({
      marker: marker as KnownHostLine['marker'],
      hostPatterns: fields[0],
      keyType: fields[1],
      keyBase64: fields[2],
    });
  }
  return lines;
}

/**
 * Checks a server's host key (the SSH wire-format blob ssh2 hands to `hostVerifier`) against
 * known_hosts lines, as OpenSSH does: plain and hashed names, `[host]:port` for non-22 ports,
 * wildcards and negation. A `@revoked` line for the key wins over every trusting line, whatever
 * their order (pass the lines of all files together, so this holds across files too). A key of
 * another type for the same host counts as "unknown" for that type only when no key of the offered
 * type is listed; a listed key of the same type that differs is "changed". A host matched only by
 * `@cert-authority` lines is "certAuthority": ssh2 cannot check host certificates, so the caller
 * must refuse it rather than treat it as unknown.
 */
export function verifyHostKey(lines: KnownHostLine[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const lookupName = port === 22 ? host : `[${host}]:${port}`;
  const offered = key.toString('base64');
  const offeredType = keyTypeOf(key);
  const matching = lines.filter((line) => namesMatch(line.hostPatterns, lookupName));
  if (matching.some((line) => line.marker === '@revoked' && line.keyBase64 === offered)) {
    return 'revoked';
  }
  const plain = matching.filter((line) => line.marker === undefined);
  if (plain.some((line) => line.keyBase64 === offered)) {
    return 'trusted';
  }
  if (plain.some((line) => line.keyType === offeredType)) {
    return 'changed';
  }
  return matching.some((line) => line.marker === '@cert-authority') ? 'certAuthority' : 'unknown';
}

/** OpenSSH's SHA256 fingerprint, as `ssh-keygen -lf` prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type is the first string of the wire-format blob. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) {
    return '';
  }
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString('ascii');
}

function namesMatch(hostPatterns: string, lookupName: string): boolean {
  if (hostPatterns.startsWith('|1|')) {
    const [, , salt, hash] = hostPatterns.split('|');
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(lookupName).digest('base64');
    return digest === hash;
  }
  return matchesPatternList(hostPatterns.split(','), lookupName);
}
