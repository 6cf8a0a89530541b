// Runs one recreation against a testbed host in its own process, journaled in a directory, and
// stops dead at a chosen step: it prints "step N <kind>" and waits, so the test can SIGKILL it
// there. Arguments (JSON in argv[2]): { host, operation: "link" | "share" | "migrate" | "overlay" | "promote", request,
// journalDir, pauseAt, provenance? }. "overlay" links across alpha and beta (already in one Swarm) as the installation
// whose secret (hex) and registry file `provenance` names, so the test process can prove what the child made.
// "promote" switches the ambassador link `request.client` → `request.alias` to the overlay as that installation; its
// two halves are two plans, and `pauseAt` counts steps across both.
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { LinkOperations } from '../../src/core/links/linkOperations';
import { OverlayOperations } from '../../src/core/overlay/overlayOperations';
import { FileJournal } from '../../src/core/planning/journal';
import { ObjectRegistry } from '../../src/core/provenance/objectRegistry';
import { Provenance } from '../../src/core/provenance/provenance';
import { Sealer } from '../../src/core/provenance/seal';
import { formatContainerRef } from '../../src/core/values/containerRef';
import { RecordingLogger, newModel, settingFor, specs, testbed, testbedSshFiles } from './harness';

export interface ChildArgs {
  host: string;
  operation: 'link' | 'share' | 'migrate' | 'overlay' | 'promote';
  request: Record<string, unknown>;
  journalDir: string;
  pauseAt: number;
  provenance?: { secret: string; registry: string };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as ChildArgs;
  const logger = new RecordingLogger();
  if (args.operation === 'overlay' || args.operation === 'promote') {
    await acrossHosts(args, logger);
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

/** Prints the step and waits forever when it reaches `pauseAt`: the step's index in its plan, or counted across plans. */
function pausing(pauseAt: number, count: 'inPlan' | 'acrossPlans' = 'inPlan') {
  let stepsSeen = 0;
  return {
    beforeStep: async (step: { kind: string }, index: number) => {
      const at = count === 'inPlan' ? index : stepsSeen++;
      if (at === pauseAt) {
        process.stdout.write(`step ${at} ${step.kind}\n`);
        await new Promise(() => undefined);
      }
    },
  };
}

async function acrossHosts(args: ChildArgs, logger: RecordingLogger): Promise<void> {
  const { model } = newModel(logger, { callTimeoutMs: 30_000 });
  await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
  const provenance = new Provenance(new Sealer(Buffer.from(args.provenance!.secret, 'hex')), new ObjectRegistry(args.provenance!.registry));
  const journal = new FileJournal(args.journalDir);
  const crossLinks = new CrossLinkOperations(model, logger, () => testbed.images.socat, provenance, { journal });
  const overlay = new OverlayOperations(model, logger, () => testbed.images.socat, provenance, crossLinks, { journal });
  if (args.operation === 'overlay') {
    await overlay.link(args.request as { client: string; target: string; port: number; alias?: string }, pausing(args.pauseAt));
  } else {
    const { client, alias } = args.request as { client: string; alias: string };
    const link = (await crossLinks.list()).find((candidate) => formatContainerRef(candidate.client.host, candidate.client.container) === client && candidate.alias === alias);
    if (!link) {
      throw new Error(`no ambassador link of ${client} as ${alias}`);
    }
    await overlay.promote(link, pausing(args.pauseAt, 'acrossPlans'));
  }
  process.stdout.write('finished\n');
  model.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
