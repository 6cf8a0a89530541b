import { ConfigError, errorMessage } from '../errors';
import { Logger } from '../like';
import { DockerClient } from '../hosts/dockerClient';
import { HostSpec } from '../hosts/hostSpec';
import { LinkOperations } from '../links/linkOperations';
import { defaultAlias } from '../links/names';
import { VerifyOptions, VerifyResult } from '../links/verifyLink';
import { formatContainerRef, parseContainerRef } from '../model/containerRef';
import { ExecuteOptions, executePlans } from '../planning/planExecutor';
import { ContainerSummary } from '../types';
import { CrossLink, CrossLinkMode, crossLinkOf, formatTarget, isServerAmbassadorFor } from './ambassadorLabels';
import { CrossLinkPlan, HostState, planCrossLink, planCrossLinkRemoval } from './crossLinkPlanner';
import { verifyCrossLink } from './verifyCrossLink';

/** How the operations reach the configured hosts (the ContainerModel in the extension). */
export interface HostDirectory {
  client(hostName: string): DockerClient | undefined;
  spec(hostName: string): HostSpec | undefined;
  /** Names of the hosts that are connected now. */
  connectedHosts(): string[];
}

export interface CrossLinkArgs {
  client: string;
  target: string;
  port: number;
  alias?: string;
  mode?: CrossLinkMode;
  /** "reuse" the port the target publishes itself, or the host port for the server ambassador (default: the same port). */
  publish?: 'reuse' | number;
}

/** Links containers across hosts through ambassadors, and finds, repairs, verifies and removes those links. */
export class CrossLinkOperations {
  constructor(
    private readonly hosts: HostDirectory,
    private readonly logger: Logger,
    private readonly image: () => string,
  ) {}

  async link(args: CrossLinkArgs, options: ExecuteOptions & { onPull?: (status: string) => void } = {}): Promise<CrossLinkPlan & { serverRef: string; clientRef: string }> {
    const targetRef = parseContainerRef(args.target);
    const clientRef = parseContainerRef(args.client);
    const [targetClient, clientClient] = [this.clientOf(targetRef.host), this.clientOf(clientRef.host)];
    const address = this.addressOf(targetRef.host);
    const clientLinks = this.linksOn(clientRef.host);
    const [target, client, targetHost, clientHost] = await Promise.all([
      this.linksOn(targetRef.host).inspect(targetRef.container),
      clientLinks.inspect(clientRef.container),
      hostState(targetClient, targetRef.host),
      hostState(clientClient, clientRef.host),
    ]);
    const image = this.image();
    const plan = planCrossLink({
      target: { details: target, port: args.port, host: targetHost, address },
      client: { subject: await clientLinks.recreateSubject(client), host: clientHost },
      alias: args.alias ?? defaultAlias(target.name),
      mode: args.mode ?? 'network',
      image,
      publish: args.publish ?? args.port,
    });
    const runs = [
      { plan: plan.server, client: targetClient },
      { plan: plan.client, client: clientClient },
    ];
    for (const run of runs.filter(({ plan: hostPlan }) => hostPlan.steps.some((step) => step.kind === 'createContainer'))) {
      await ensureImage(run.client, run.plan.host, image, options.onPull);
    }
    await executePlans(runs, this.logger, options);
    return {
      ...plan,
      serverRef: formatContainerRef(targetRef.host, plan.serverAmbassador ?? target.name),
      clientRef: formatContainerRef(clientRef.host, plan.clientAmbassador),
    };
  }

  /** Every cross-host link whose client-side ambassador is on a connected host. */
  async list(): Promise<CrossLink[]> {
    const perHost = await Promise.all(
      this.hosts.connectedHosts().map(async (host) => {
        const containers = await this.clientOf(host).listContainers().catch(() => [] as ContainerSummary[]);
        return containers.flatMap((container) => crossLinkOf(host, container) ?? []);
      }),
    );
    return perHost.flat();
  }

  /** Re-runs the link from its labels: missing or stopped ambassadors come back; what is fine stays. */
  repair(link: CrossLink, options?: ExecuteOptions): Promise<CrossLinkPlan> {
    return this.link(argsOf(link), options);
  }

  async remove(link: CrossLink, options: ExecuteOptions = {}): Promise<void> {
    const clientClient = this.clientOf(link.client.host);
    const clientHost = await hostState(clientClient, link.client.host);
    const serverClient = this.hosts.client(link.target.host);
    const serverHost = serverClient ? await hostState(serverClient, link.target.host).catch((error: unknown) => this.unreachable(link.target.host, error)) : undefined;
    const clientDetails = await clientClient.inspectContainer(link.client.container).catch(() => undefined);
    const clientsOfTarget = (await this.list()).filter((other) => formatTarget(other.target) === formatTarget(link.target)).length;
    const plan = planCrossLinkRemoval({
      link,
      clientHost,
      serverHost,
      client: clientDetails && (await this.linksOn(link.client.host).recreateSubject(clientDetails)),
      clientsOfTarget,
    });
    const runs = [{ plan: plan.client, client: clientClient }];
    if (plan.server && serverClient) {
      runs.push({ plan: plan.server, client: serverClient });
    }
    await executePlans(runs, this.logger, options);
  }

  /** Hop by hop, each from where it lives (see verifyCrossLink); a disconnected target host leaves its side unchecked. */
  verify(link: CrossLink, options: VerifyOptions = {}): Promise<VerifyResult> {
    const server = this.hosts.connectedHosts().includes(link.target.host) ? this.hosts.client(link.target.host) : undefined;
    return verifyCrossLink({ client: this.clientOf(link.client.host), server }, this.logger, link, { ...options, helperImage: this.image() });
  }

  /** The seed's commands with real values: the server ambassador on the target host, the client one (and link) on the client host. */
  async dockerCommands(link: CrossLink): Promise<string[]> {
    const lines: string[] = [];
    const serverClient = this.hosts.client(link.target.host);
    const serverAmbassador = serverClient && (await serverClient.listContainers()).find((container) => isServerAmbassadorFor(container, link.target));
    if (serverAmbassador) {
      lines.push(`# on ${link.target.host} (${this.hosts.spec(link.target.host)?.url ?? ''})`, ...(await this.linksOn(link.target.host).dockerCommands(serverAmbassador.id)));
    }
    const clientLinks = this.linksOn(link.client.host);
    lines.push(`# on ${link.client.host} (${this.hosts.spec(link.client.host)?.url ?? ''})`, ...(await clientLinks.dockerCommands(link.clientAmbassador.id)));
    if (link.mode === 'link') {
      lines.push(...(await clientLinks.dockerCommands(link.client.container)).filter((line) => line.startsWith('docker run')));
    }
    return lines;
  }

  private clientOf(host: string): DockerClient {
    const client = this.hosts.client(host);
    if (!client) {
      throw new ConfigError('invalidOption', `There is no host "${host}".`);
    }
    return client;
  }

  /** The single-host operations (inspect with clear not-found messages, recreation subjects, docker commands). */
  private linksOn(host: string): LinkOperations {
    return new LinkOperations(host, this.clientOf(host), this.logger);
  }

  private addressOf(host: string): string {
    const address = this.hosts.spec(host)?.address;
    if (!address) {
      throw new ConfigError('invalidOption', `Set "address" for host ${host} in crosslink.hosts: the address other hosts use to reach it (its socket URL does not tell).`);
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

async function hostState(client: DockerClient, name: string): Promise<HostState> {
  const [containers, networks] = await Promise.all([client.listContainers(), client.listNetworks()]);
  return { name, containers, networks };
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
      'invalidOption',
      `The ambassador image ${image} is not on ${host} and could not be pulled (${errorMessage(error)}). On a host without registry access, load it there (docker save ${image} | docker -H … load) or set crosslink.ambassadorImage to an image with socat that the host has.`,
    );
  }
}
