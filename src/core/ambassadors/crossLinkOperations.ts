import { ConfigError, errorMessage } from '../errors';
import { Logger } from '../like';
import { DockerClient } from '../hosts/dockerClient';
import { HostSpec } from '../hosts/hostSpec';
import { DockerCommands, DockerCommandsOptions, command, comment, networkConnectCommand } from '../links/dockerCommands';
import { LinkOperations } from '../links/linkOperations';
import { defaultAlias } from '../links/names';
import { VerifyResult, verifyLink } from '../links/verifyLink';
import { formatContainerRef, parseContainerRef } from '../model/containerRef';
import { ExecuteOptions, executePlans } from '../planning/planExecutor';
import { ContainerSummary } from '../types';
import { CrossLink, CrossLinkMode, ambassadorLabel, crossLinkOf, formatTarget, isServerAmbassadorFor } from './ambassadorLabels';
import { CrossLinkPlan, HostState, planCrossLink, planCrossLinkRemoval } from './crossLinkPlanner';

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

  /** From inside the client: resolve the alias and connect to the port, through both ambassadors. */
  async verify(link: CrossLink): Promise<VerifyResult> {
    const details = await this.linksOn(link.client.host).inspect(link.client.container);
    return verifyLink(this.clientOf(link.client.host), this.logger, { client: details, alias: link.alias, port: link.target.port, helperImage: this.image() });
  }

  /**
   * The whole link as docker commands, per host: on the target host the network Crosslink made, the
   * target joining it and the server ambassador; on the client host the client ambassador (with its
   * alias and labels) and the client joining its network, or in link mode the client recreated with
   * --link. Each host's lines follow a comment naming the host and its URL.
   */
  async dockerCommands(link: CrossLink, options: DockerCommandsOptions = {}): Promise<DockerCommands> {
    const lines: string[] = [];
    let maskedValues = 0;
    const add = (commands: DockerCommands) => {
      lines.push(...commands.lines);
      maskedValues += commands.maskedValues;
    };
    const header = (host: string) => comment(`on ${host} (${this.hosts.spec(host)?.url ?? 'not configured'}): run these with docker -H <that URL>`);

    lines.push(header(link.target.host));
    const serverClient = this.hosts.client(link.target.host);
    const serverAmbassador = serverClient && (await serverClient.listContainers()).find((container) => isServerAmbassadorFor(container, link.target));
    if (serverAmbassador) {
      add(await this.ambassadorCommands(this.linksOn(link.target.host), serverAmbassador.id, link.target.container, options));
    } else {
      lines.push(comment(`nothing to run: ${link.target.container} publishes port ${link.upstream.port} itself, or ${link.target.host} cannot be reached`));
    }

    const clientLinks = this.linksOn(link.client.host);
    lines.push(header(link.client.host));
    add(await this.ambassadorCommands(clientLinks, link.clientAmbassador.id, link.client.container, options));
    if (link.mode === 'link') {
      const client = await clientLinks.dockerCommands(link.client.container, options);
      lines.push(comment(`${link.client.container} reaches ${link.alias} through a legacy link: remove or rename the existing ${link.client.container}, then`));
      add({ lines: client.lines.slice(client.lines.findIndex(isRunLine)), maskedValues: client.maskedValues });
    }
    return { lines, maskedValues };
  }

  /** An ambassador's commands, with the user's container joining the network Crosslink connected it to (before the ambassador runs). */
  private async ambassadorCommands(links: LinkOperations, ambassadorId: string, userContainer: string, options: DockerCommandsOptions): Promise<DockerCommands> {
    const ambassador = await links.inspect(ambassadorId);
    const commands = await links.dockerCommands(ambassador, options);
    const network = ambassador.labels[ambassadorLabel.network];
    if (!network || ambassador.labels[ambassadorLabel.joinedNetwork] !== 'true') {
      return commands;
    }
    const user = await links.inspect(userContainer).catch(() => undefined);
    const join = user?.networks.some((attached) => attached.name === network) ? networkConnectCommand(user, network) : command('docker', 'network', 'connect', network, userContainer);
    const run = commands.lines.findIndex(isRunLine);
    return { lines: [...commands.lines.slice(0, run), join, ...commands.lines.slice(run)], maskedValues: commands.maskedValues };
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

const isRunLine = (line: string) => line.startsWith('docker run ');
