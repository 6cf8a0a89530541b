// Runs one recreation against a testbed host in its own process, journaled in a directory, and
// stops dead at a chosen step: it prints "step N <kind>" and waits, so the test can SIGKILL it
// there. Arguments (JSON in argv[2]): { host, operation: "link" | "share" | "migrate" | "overlay", request, journalDir,
// pauseAt, provenance? }. "overlay" links across alpha and beta (already in one Swarm) as the installation whose
// secret (hex) and registry file `provenance` names, so the test process can prove what the child made.
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { OverlayOperations } from '../../src/core/overlay/overlayOperations';
import { FileJournal } from '../../src/core/planning/journal';
import { ObjectRegistry } from '../../src/core/provenance/objectRegistry';
import { Provenance } from '../../src/core/provenance/provenance';
import { Sealer } from '../../src/core/provenance/seal';
import { RecordingLogger, newModel, settingFor, specs, testbed, testbedSshFiles } from './harness';

export interface ChildArgs {
  host: string;
  operation: 'link' | 'share' | 'migrate' | 'overlay';
  request: Record<string, unknown>;
  journalDir: string;
  pauseAt: number;
  provenance?: { secret: string; registry: string };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as ChildArgs;
  const logger = new RecordingLogger();
  if (args.operation === 'overlay') {
    await linkOverlay(args, logger);
    return;
  }
  const client = new DockerodeClient(parseHostEntry(settingFor(args.host)), logger, { callTimeoutMs: 30_000, sshFiles: testbedSshFiles() });
  const operations = new LinkOperations(args.host, client, logger, new FileJournal(args.journalDir));
  const options = pausing(args.pauseAt);
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

/** Prints the step and waits forever when it reaches `pauseAt`. */
function pausing(pauseAt: number) {
  return {
    beforeStep: async (step: { kind: string }, index: number) => {
      if (index === pauseAt) {
        process.stdout.write(`step ${index} ${step.kind}\n`);
        await new Promise(() => undefined);
      }
    },
  };
}

async function linkOverlay(args: ChildArgs, logger: RecordingLogger): Promise<void> {
  const { model } = newModel(logger, { callTimeoutMs: 30_000 });
  await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
  const provenance = new Provenance(new Sealer(Buffer.from(args.provenance!.secret, 'hex')), new ObjectRegistry(args.provenance!.registry));
  const crossLinks = new CrossLinkOperations(model, logger, () => testbed.images.socat, provenance);
  const overlay = new OverlayOperations(model, logger, () => testbed.images.socat, provenance, crossLinks, { journal: new FileJournal(args.journalDir) });
  await overlay.link(args.request as { client: string; target: string; port: number; alias?: string }, pausing(args.pauseAt));
  process.stdout.write('finished\n');
  model.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
