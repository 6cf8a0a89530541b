// Runs one recreation against a testbed host in its own process, journaled in a directory, and
// stops dead at a chosen step: it prints "step N <kind>" and waits, so the test can SIGKILL it
// there. Arguments (JSON in argv[2]): { host, operation: "link" | "share" | "migrate", request, journalDir, pauseAt }.
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { FileJournal } from '../../src/core/planning/journal';
import { RecordingLogger, settingFor, testbedSshFiles } from './harness';

export interface ChildArgs {
  host: string;
  operation: 'link' | 'share' | 'migrate';
  request: Record<string, unknown>;
  journalDir: string;
  pauseAt: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as ChildArgs;
  const logger = new RecordingLogger();
  const client = new DockerodeClient(parseHostEntry(settingFor(args.host)), logger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() });
  const operations = new LinkOperations(args.host, client, logger, new FileJournal(args.journalDir));
  const options = {
    beforeStep: async (step: { kind: string }, index: number) => {
      if (index === args.pauseAt) {
        process.stdout.write(`step ${index} ${step.kind}\n`);
        await new Promise(() => undefined);
      }
    },
  };
  if (args.operation === 'link') {
    await operations.linkContainers(args.request as { client: string; target: string; alias: string }, options);
  } else if (args.operation === 'migrate') {
    await operations.migrateLegacyLinks(args.request as { client: string; network?: string; keepLinkVariables?: boolean }, options);
  } else {
    await operations.shareVolume(args.request as { containers: string[]; volume: string; mountPath: string }, options);
  }
  process.stdout.write('finished\n');
  client.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
