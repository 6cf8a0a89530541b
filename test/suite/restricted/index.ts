// Extension-host suite for Restricted Mode: test/e2e/run.ts loads it in a code-server session of its
// own, with workspace trust on and an untrusted folder whose settings try to choose hosts, images and
// listen addresses (restrictedFolderSettings in test/e2e/run.ts).
import { runTests } from '../index';

export function run(): Promise<void> {
  return runTests(__dirname);
}
