import { ConfigError, errorMessage } from '../errors';
import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import { type AddressLookup, resolveHostAddress } from '../hosts/resolveAddress';
import type { Provenance } from '../provenance/provenance';
import { ProvenanceError } from '../provenance/seal';
import type { Plan } from '../planning/plan';
import { LinkOperations, type WritableLayerChoice } from '../links/linkOperations';
import { defaultAlias } from '../links/names';
import type { VerifyOptions, VerifyResult } from '../links/verifyLink';
import { formatContainerRef, parseContainerRef } from '../values/containerRef';
import type { DockerCommands, DockerCommandsOptions } from '../links/dockerCommands';
import { crossLinkDockerCommands } from './crossLinkCommands';
import { type ExecuteOptions, executePlans } from '../planning/planExecutor';
import type { Journal, JournalEntry } from '../planning/journal';
import type { ContainerSummary } from '../types';
import {
  type CrossLink,
  type CrossLinkMode,
  ambassadorLabel,
  crossLinkOf,
  formatTarget,
  isServerAmbassadorFor,
  parseTarget,
  roleLabel,
  serverAmbassadorName,
} from '../values/labels';
import { type CrossLinkPlan, type HostState, planCrossLink, planCrossLinkRemoval } from './crossLinkPlanner';
import { verifyCrossLink } from './verifyCrossLink';
import type { HostDirectory } from '../hosts/hostDirectory';

/** Acting on objects this installation did not make needs the caller to say so, after asking the user. */
export interface ForeignConsent {
  confirmForeign?: boolean;
}

/** What Remove Link did with the server-side ambassador. */
export interface CrossLinkRemoval {
  serverAmbassador: 'removed' | 'kept' | 'none';
  /** Why it was kept: client-side ambassadors still using it ("host/name"), and hosts that did not answer. */
  otherClients: string[];
  offlineHosts: string[];
}

export interface CrossLinkArgs {
  client: string;
  target: string;
  port: number;
  alias?: string;
  mode?: CrossLinkMode;
  /** "reuse" the port the target publishes itself, or the host port for the server ambassador (default: the same port). */
  publish?: 'reuse' | number;
  /** In "link" mode the client is recreated: what to do with files it wrote outside its volumes. */
  writableLayer?: WritableLayerChoice;
  /** Networks the ambassadors must not share with the containers (see CrossLinkRequest). */
  excludeNetworks?: readonly string[];
}

/** Links containers across hosts through ambassadors, and finds, repairs, verifies and removes those links. */
export class CrossLinkOperations {
  constructor(
    // Only what operations need of the seam, so a test passes four functions.
    private readonly hosts: Pick<HostDirectory, 'client' | 'spec' | 'connectedHosts' | 'hosts'>,
    private readonly logger: Logger,
    private readonly image: () => string,
    private readonly provenance: Provenance,
    private readonly options: {
      /** Where changes are recorded, so one interrupted by a crash can be finished or rolled back. */
      journal?: Journal;
      /** How `address` settings are resolved to IPs (the system resolver unless a test injects one). */
      lookup?: AddressLookup;
    } = {},
  ) {}

  async link(
    args: CrossLinkArgs & ForeignConsent,
    options: ExecuteOptions & { onPull?: (status: string) => void } = {},
  ): Promise<CrossLinkPlan & { serverRef: string; clientRef: string }> {
    const targetRef = parseContainerRef(args.target);
    const clientRef = parseContainerRef(args.client);
    const [targetClient, clientClient] = [this.clientOf(targetRef.host), this.clientOf(clientRef.host)];
    const address = await resolveHostAddress(targetRef.host, this.addressOf(targetRef.host), this.options.lookup);
    const clientLinks = this.linksOn(clientRef.host);
    const [target, client, targetHost, clientHost] = await Promise.all([
      this.linksOn(targetRef.host).inspect(targetRef.container),
      clientLinks.inspect(clientRef.container),
      this.hostState(targetClient, targetRef.host),
      this.hostState(clientClient, clientRef.host),
    ]);
    const image = this.image();
    const plan = planCrossLink({
      target: { details: target, port: args.port, host: targetHost, address },
      client: { subject: await clientLinks.recreateSubject(client, args.writableLayer), host: clientHost },
      alias: args.alias ?? defaultAlias(target.name),
      mode: args.mode ?? 'network',
      image,
      publish: args.publish ?? args.port,
      confirmForeign: args.confirmForeign,
      excludeNetworks: args.excludeNetworks,
    });
    const runs = [
      { plan: this.sealPlan(plan.server, targetHost.engineId), client: targetClient },
      { plan: this.sealPlan(plan.client, clientHost.engineId), client: clientClient },
    ];
    for (const run of runs.filter(({ plan: hostPlan }) => hostPlan.steps.some((step) => step.kind === 'createContainer'))) {
      await ensureImage(run.client, run.plan.host, image, options.onPull);
    }
    const [serverResult, clientResult] = await executePlans(runs, this.logger, {
      journal: this.options.journal,
      title: `link ${args.client} to ${args.target}:${args.port}`,
      ...options,
    });
    try {
      await this.register(runs[0], serverResult.created);
      await this.register(runs[1], clientResult.created);
      if (plan.serverAmbassador) {
        const server = (await targetClient.listContainers()).find((container) => container.name === plan.serverAmbassador);
        if (server) {
          this.provenance.registry.addClient(server.id, formatContainerRef(clientRef.host, plan.clientAmbassador));
        }
      }
    } catch (error) {
      // The link works; only the proof is missing, so its objects show as "not created here" and can be adopted.
      this.logger.warn(`Could not record the link's objects in ${this.provenance.registry.file}: ${errorMessage(error)}; adopt the link to manage it`);
    }
    return {
      ...plan,
      serverRef: formatContainerRef(targetRef.host, plan.serverAmbassador ?? target.name),
      clientRef: formatContainerRef(clientRef.host, plan.clientAmbassador),
    };
  }

  /**
   * Every cross-host link whose client-side ambassador is on a connected host, with its origin:
   * 'ours' when this installation made (or adopted) the client-side ambassador, else 'foreign'.
   */
  async list(): Promise<CrossLink[]> {
    const perHost = await Promise.all(
      this.hosts.connectedHosts().map(async (host) => {
        const client = this.clientOf(host);
        const listed = await Promise.all([client.listContainers(), this.provenance.engineIdOf(client)]).catch(() => undefined);
        if (!listed) {
          return [];
        }
        const [containers, engineId] = listed;
        return containers.flatMap((container): CrossLink[] => {
          const link = crossLinkOf(host, container);
          return link ? [{ ...link, origin: this.provenance.isOurs('container', container, engineId) ? 'ours' : 'foreign' }] : [];
        });
      }),
    );
    return perHost.flat();
  }

  /**
   * Re-runs the link from its labels: missing or stopped ambassadors come back; what is fine stays.
   * A foreign link is repaired only with `confirmForeign` (its labels are someone else's say-so).
   */
  async repair(link: CrossLink, options: ExecuteOptions & ForeignConsent = {}): Promise<CrossLinkPlan> {
    if (!options.confirmForeign) {
      const ambassador = await this.currentClientAmbassador(link);
      if (ambassador?.origin === 'foreign') {
        throw foreignError([ambassador.description], 'repair the link');
      }
    }
    return this.link({ ...argsOf(link), confirmForeign: options.confirmForeign }, options);
  }

  /**
   * Removes what the link added. The server-side ambassador goes only when no client-side
   * ambassador on any configured host uses it, and stays while a host that may hold one is
   * offline. Objects this installation did not make are changed only with `confirmForeign`;
   * without it, ProvenanceError 'foreign' names every change that would have been made.
   * `writableLayer` answers for the client's files when a "link" mode client is recreated without its link.
   */
  async remove(link: CrossLink, options: ExecuteOptions & ForeignConsent = {}, writableLayer?: WritableLayerChoice): Promise<CrossLinkRemoval> {
    const clientClient = this.clientOf(link.client.host);
    const clientHost = await this.hostState(clientClient, link.client.host);
    const serverClient = this.hosts.client(link.target.host);
    const serverHost = serverClient ? await this.hostState(serverClient, link.target.host).catch((error: unknown) => this.unreachable(link.target.host, error)) : undefined;
    const clientDetails = await clientClient.inspectContainer(link.client.container).catch(() => undefined);
    const users = await this.clientsOf(link);
    const plan = planCrossLinkRemoval({
      link,
      clientHost,
      serverHost,
      client: clientDetails && (await this.linksOn(link.client.host).recreateSubject(clientDetails, writableLayer)),
      clientsOfTarget: users.clients.length + 1,
      offlineHosts: users.offlineHosts,
    });
    const foreignSteps = [
      ...(clientHost.foreign?.has(link.clientAmbassador.id) ? plan.client.description.map((step) => `${link.client.host}: ${step}`) : []),
      ...(plan.server && serverHost && plan.serverAmbassador && serverHost.foreign?.has(plan.serverAmbassador.id)
        ? plan.server.description.map((step) => `${serverHost.name}: ${step}`)
        : []),
    ];
    if (foreignSteps.length > 0 && !options.confirmForeign) {
      throw foreignError(foreignSteps, 'remove the link');
    }
    const runs = [{ plan: plan.client, client: clientClient }];
    if (plan.server && serverClient) {
      runs.push({ plan: plan.server, client: serverClient });
    }
    await executePlans(runs, this.logger, {
      journal: this.options.journal,
      title: `remove the link of ${link.client.host}/${link.client.container} to ${formatTarget(link.target)}`,
      ...options,
    });
    try {
      this.provenance.registry.removeClient(formatContainerRef(link.clientAmbassador.host, link.clientAmbassador.name));
      for (const { plan: hostPlan } of runs) {
        for (const step of hostPlan.steps) {
          if (step.kind === 'removeContainer' && 'id' in step.container) {
            this.provenance.forget(step.container.id);
          }
        }
      }
    } catch (error) {
      // Ids of removed objects never come back, so a stale entry only takes room.
      this.logger.warn(`Could not update ${this.provenance.registry.file}: ${errorMessage(error)}`);
    }
    const serverAmbassador = plan.server
      ? 'removed'
      : serverHost?.containers.some((container) => isServerAmbassadorFor(container, link.target)) || users.offlineHosts.length > 0
        ? 'kept'
        : 'none';
    if (serverAmbassador === 'kept') {
      this.logger.info(
        `[${link.target.host}] kept ${serverAmbassadorName(link.target)}: ${[
          ...users.clients.map((other) => `still used by ${other}`),
          ...users.offlineHosts.map((host) => `${host} is offline and may hold a client`),
        ].join('; ')}`,
      );
    }
    return { serverAmbassador, otherClients: users.clients, offlineHosts: users.offlineHosts };
  }

  /**
   * Takes a link made by an older Crosslink (no seal) or another installation as this one's own:
   * its ambassadors, and the networks their labels say Crosslink created, are recorded by id.
   * Nothing changes on the hosts. Returns the objects adopted ("host: kind name").
   */
  async adopt(link: CrossLink): Promise<string[]> {
    const adopted: string[] = [];
    const sides = [
      { host: link.client.host, find: (containers: ContainerSummary[]) => containers.find((container) => container.id === link.clientAmbassador.id) },
      {
        host: link.target.host,
        find: (containers: ContainerSummary[]) =>
          containers.find((container) => container.name === serverAmbassadorName(link.target) && isServerAmbassadorFor(container, link.target)),
      },
    ];
    for (const side of sides) {
      const client = this.hosts.client(side.host);
      const containers = client ? await client.listContainers().catch(() => undefined) : undefined;
      const ambassador = containers && side.find(containers);
      if (!client || !ambassador) {
        continue;
      }
      const engineId = await this.provenance.engineIdOf(client);
      if (!this.provenance.isOurs('container', ambassador, engineId)) {
        this.provenance.record({
          id: ambassador.id,
          kind: 'container',
          host: side.host,
          name: ambassador.name,
          role: ambassador.labels[ambassadorLabel.role] ?? '',
          adopted: true,
        });
        adopted.push(`${side.host}: container ${ambassador.name}`);
      }
      const networkName = ambassador.labels[ambassadorLabel.createdNetwork] === 'true' ? ambassador.labels[ambassadorLabel.network] : undefined;
      const network = networkName ? (await client.listNetworks()).find((candidate) => candidate.name === networkName) : undefined;
      if (network && this.provenance.originOf('network', network, engineId) === 'foreign') {
        this.provenance.record({ id: network.id, kind: 'network', host: side.host, name: network.name, role: network.labels[roleLabel] ?? '', adopted: true });
        adopted.push(`${side.host}: network ${network.name}`);
      }
    }
    return adopted;
  }

  /** Hop by hop, each from where it lives (see verifyCrossLink); a disconnected target host leaves its side unchecked. */
  verify(link: CrossLink, options: VerifyOptions = {}): Promise<VerifyResult> {
    const server = this.hosts.connectedHosts().includes(link.target.host) ? this.hosts.client(link.target.host) : undefined;
    return verifyCrossLink({ client: this.clientOf(link.client.host), server }, this.logger, link, { ...options, helperImage: this.image() });
  }

  /** The whole link as docker commands, per host (see crossLinkDockerCommands). */
  dockerCommands(link: CrossLink, options: DockerCommandsOptions = {}): Promise<DockerCommands> {
    return crossLinkDockerCommands(link, { client: (host) => this.hosts.client(host), url: (host) => this.hosts.spec(host)?.url, linksOn: (host) => this.linksOn(host) }, options);
  }

  /** Client-side ambassadors of the same target on every configured host (this link's excluded), and the hosts that did not answer. */
  private async clientsOf(link: CrossLink): Promise<{ clients: string[]; offlineHosts: string[] }> {
    const listings = await Promise.all(
      this.hosts.hosts().map(async ({ spec: { name } }) => {
        const client = this.hosts.client(name);
        const containers = client && this.hosts.connectedHosts().includes(name) ? await client.listContainers().catch(() => undefined) : undefined;
        return { host: name, containers };
      }),
    );
    return usersOfTarget(link, listings);
  }

  private async currentClientAmbassador(link: CrossLink): Promise<{ origin: 'ours' | 'foreign'; description: string } | undefined> {
    const client = this.clientOf(link.client.host);
    const ambassador = (await client.listContainers()).find((container) => container.id === link.clientAmbassador.id);
    if (!ambassador) {
      return undefined;
    }
    const origin = this.provenance.isOurs('container', ambassador, await this.provenance.engineIdOf(client)) ? 'ours' : 'foreign';
    return { origin, description: `${link.client.host}: container ${ambassador.name}` };
  }

  /** What is on a host, with the Crosslink-labelled objects this installation did not make marked foreign. */
  private async hostState(client: DockerClient, name: string): Promise<HostState & { engineId: string }> {
    const [containers, networks, engineId] = await Promise.all([client.listContainers(), client.listNetworks(), this.provenance.engineIdOf(client)]);
    const foreign = new Set([
      ...containers.filter((container) => this.provenance.originOf('container', container, engineId) === 'foreign').map((container) => container.id),
      ...networks.filter((network) => this.provenance.originOf('network', network, engineId) === 'foreign').map((network) => network.id),
    ]);
    return { name, containers, networks, foreign, engineId };
  }

  /** Seals what the plan creates with Crosslink's labels (ambassadors and their networks), for this host's engine. */
  private sealPlan(plan: Plan, engineId: string): Plan {
    const steps = plan.steps.map((step) => {
      if (step.kind === 'createNetwork') {
        return { ...step, labels: this.provenance.sealed('network', step.name, engineId, step.labels) };
      }
      if (step.kind === 'createContainer' && ambassadorRefs.has(step.ref)) {
        return { ...step, body: { ...step.body, Labels: this.provenance.sealed('container', step.name, engineId, step.body.Labels ?? {}) } };
      }
      return step;
    });
    return { ...plan, steps };
  }

  /**
   * A cross-host link finished from its journal (recovery after the window died mid-change) made
   * its ambassadors without the run that records them: record them now, or the link would show as
   * "not created here" and its shared server-side ambassador would not count this client.
   */
  async registerRecovered(entry: Pick<JournalEntry, 'hosts' | 'steps' | 'created'>): Promise<void> {
    const runs = entry.hosts.map((host) => ({
      plan: { host, description: [], steps: entry.steps.filter((step) => step.host === host).map(({ step }) => step) },
      client: this.clientOf(host),
    }));
    for (const run of runs) {
      await this.register(run, entry.created[run.plan.host] ?? {});
    }
    for (const { host, step } of entry.steps) {
      const target = step.kind === 'createContainer' && step.ref === 'client-ambassador' ? parseTarget(step.body.Labels?.[ambassadorLabel.target] ?? '') : undefined;
      const server = target && (await this.clientOf(target.host).listContainers()).find((container) => isServerAmbassadorFor(container, target));
      if (server && step.kind === 'createContainer') {
        this.provenance.registry.addClient(server.id, formatContainerRef(host, step.name));
      }
    }
  }

  /** Records the ids of the ambassadors and networks a run created. */
  private async register(run: { plan: Plan; client: DockerClient }, created: Record<string, string>): Promise<void> {
    const networks = run.plan.steps.some((step) => step.kind === 'createNetwork') ? await run.client.listNetworks() : [];
    for (const step of run.plan.steps) {
      if (step.kind === 'createContainer' && ambassadorRefs.has(step.ref) && created[step.ref]) {
        this.provenance.record({ id: created[step.ref], kind: 'container', host: run.plan.host, name: step.name, role: step.ref });
      }
      const network = step.kind === 'createNetwork' ? networks.find((candidate) => candidate.name === step.name) : undefined;
      if (network && step.kind === 'createNetwork') {
        // The role comes from the journaled step (our own words), not from the network's labels: a recovered
        // overlay link's network is an overlay network, not an ambassador network.
        this.provenance.record({ id: network.id, kind: 'network', host: run.plan.host, name: network.name, role: step.labels[roleLabel] ?? 'ambassador-network' });
      }
    }
  }

  private clientOf(host: string): DockerClient {
    const client = this.hosts.client(host);
    if (!client) {
      throw new ConfigError('hostUnknown', `There is no host "${host}".`);
    }
    return client;
  }

  /** The single-host operations (inspect with clear not-found messages, recreation subjects, docker commands). */
  private linksOn(host: string): LinkOperations {
    return new LinkOperations(host, this.clientOf(host), this.logger, this.options.journal);
  }

  private addressOf(host: string): string {
    const address = this.hosts.spec(host)?.address;
    if (!address) {
      throw new ConfigError('addressMissing', `Set "address" for host ${host} in crosslink.hosts: the address other hosts use to reach it (its socket URL does not tell).`);
    }
    return address;
  }

  private unreachable(host: string, error: unknown): undefined {
    this.logger.warn(`${host} is unreachable (${errorMessage(error)}); removing the client side only`);
    return undefined;
  }
}

function argsOf(link: CrossLink): CrossLinkArgs {
  return {
    client: formatContainerRef(link.client.host, link.client.container),
    target: formatContainerRef(link.target.host, link.target.container),
    port: link.target.port,
    alias: link.alias,
    mode: link.mode,
  };
}

/**
 * Who else uses the link's target through a client-side ambassador, whoever made it (counting a
 * foreign one only ever keeps the server side), and which hosts could not be listed (`containers`
 * undefined): they may hold a client too.
 */
export function usersOfTarget(link: CrossLink, listings: Array<{ host: string; containers?: ContainerSummary[] }>): { clients: string[]; offlineHosts: string[] } {
  const clients: string[] = [];
  const offlineHosts: string[] = [];
  for (const { host, containers } of listings) {
    if (!containers) {
      offlineHosts.push(host);
      continue;
    }
    for (const container of containers) {
      const other = crossLinkOf(host, container);
      if (other && container.id !== link.clientAmbassador.id && formatTarget(other.target) === formatTarget(link.target)) {
        clients.push(formatContainerRef(host, container.name));
      }
    }
  }
  return { clients: clients.sort(), offlineHosts: offlineHosts.sort() };
}

/** The plan refs of the containers Crosslink makes for a link (the recreated client is the user's). */
const ambassadorRefs = new Set(['server-ambassador', 'client-ambassador']);

function foreignError(steps: string[], action: string): ProvenanceError {
  return new ProvenanceError(
    'foreign',
    `Crosslink did not create these objects here, so it will not ${action} on their labels' say-so without confirmation: ${steps.join('; ')}.`,
    steps,
  );
}

/** Ambassadors need their image on the host: pull it when missing, with a clear message offline. */
async function ensureImage(client: DockerClient, host: string, image: string, onPull?: (status: string) => void): Promise<void> {
  if (await client.imageExists(image)) {
    return;
  }
  onPull?.(`pulling ${image} on ${host}`);
  try {
    await client.pullImage(image, onPull);
  } catch (error) {
    throw new ConfigError(
      'imageMissing',
      `The ambassador image ${image} is not on ${host} and could not be pulled (${errorMessage(error)}). On a host without registry access, load it there (docker save ${image} | docker -H … load) or set crosslink.ambassadorImage to an image with socat that the host has.`,
    );
  }
}
