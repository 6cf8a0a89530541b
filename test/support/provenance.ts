import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ObjectRegistry } from '../../src/core/provenance/objectRegistry';
import { Provenance, newSecret } from '../../src/core/provenance/provenance';
import { Sealer } from '../../src/core/provenance/seal';

/** A fresh installation: its own secret and an empty registry in a temporary directory. */
export function testProvenance(secret: Buffer = newSecret()): Provenance {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-provenance-'));
  return new Provenance(new Sealer(secret), new ObjectRegistry(path.join(directory, 'objects.json')));
}
