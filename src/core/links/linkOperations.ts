import { ConfigError, DockerApiError } from '../errors';
import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import type { Plan } from '../planning/plan';
import { type RecreateSubject, sharedNamespaces } from '../planning/recreate';
import { type ExecuteOptions, executePlan } from '../planning/planExecutor';
import type { Journal } from '../planning/journal';
import type { ContainerDetails, NetworkSummary } from '../types';
import { type DockerCommands, type DockerCommandsOptions, concatCommands, dockerCommandsFor, networkCreateCommand } from './dockerCommands';
import { planLegacyLink } from './linkPlanner';
import { type LegacyLink, type LinkVariableUse, legacyLinks, linkVariableUse } from './linkVariables';
import { type LinkMigration, linkVariablesToSet, migratedClientRef, planMigrateLegacyLinks, suggestedNetwork } from './migrateLegacyLinks';
import { defaultAlias } from './names';
import { planNetworkConnect } from './networkPlanner';
import { planShareVolume } from './volumePlanner';

/** What to do with files a container wrote outside its volumes when it is recreated. */
export type WritableLayerChoice = NonNullable<RecreateSubject['writableLayer']>;

/** A container with legacy links, and whether its app may read their variables. */
export interface LinkVariableDependent {
  container: ContainerDetails;
  links: LegacyLink[];
  use: LinkVariableUse;
}

/** What migrating a container off its legacy links involves, for a prompt to offer. */
export interface LegacyLinkFacts extends LinkVariableDependent {
  /** The links' targets that exist. */
  targets: ContainerDetails[];
  /** The env vars `keepLinkVariables` would set ("NAME=value"). */
  variables: string[];
  networks: NetworkSummary[];
  suggestedNetwork: string;
}

/**
 * The single-host link operations: look up what the planners need, plan, run. Each returns the
 * plan it ran (empty when there was nothing to do), for logs and "Copy as docker commands".
 */
export class LinkOperations {
  constructor(
    private readonly host: string,
    private readonly client: DockerClient,
    private readonly logger: Logger,
    /** Where changes are recorded, so one interrupted by a crash can be finished or rolled back. */
    private readonly journal?: Journal,
  ) {}

  async linkContainers(request: { client: string; target: string; alias?: string; writableLayer?: WritableLayerChoice }, options?: ExecuteOptions): Promise<Plan> {
    const [client, target] = await Promise.all([this.inspect(request.client), this.inspect(request.target)]);
    const plan = planLegacyLink({ host: this.host, client: await this.recreateSubject(client, request.writableLayer), target, alias: request.alias ?? defaultAlias(target.name) });
    await executePlan(plan, this.client, this.logger, {
      journal: this.journal,
      title: `link ${this.host}/${client.name} to ${target.name} as ${request.alias ?? defaultAlias(target.name)}`,
      ...options,
    });
    return plan;
  }

  async connectNetwork(request: { containers: string[]; network: string; aliases?: Record<string, string> }, options?: ExecuteOptions): Promise<Plan> {
    const containers = await Promise.all(request.containers.map((name) => this.inspect(name)));
    const existing = (await this.client.listNetworks()).find((network) => network.name === request.network);
    const plan = planNetworkConnect({ host: this.host, networkName: request.network, existing, containers, aliases: request.aliases ?? {} });
    await executePlan(plan, this.client, this.logger, {
      journal: this.journal,
      title: `connect ${request.containers.join(', ')} on ${this.host} to network ${request.network}`,
      ...options,
    });
    return plan;
  }

  async shareVolume(
    request: { containers: string[]; volume: string; mountPath: string; readOnly?: boolean; writableLayer?: WritableLayerChoice },
    options?: ExecuteOptions,
  ): Promise<Plan> {
    const containers = await Promise.all(request.containers.map(async (name) => this.recreateSubject(await this.inspect(name), request.writableLayer)));
    const existing = (await this.client.listVolumes()).find((volume) => volume.name === request.volume);
    const plan = planShareVolume({
      host: this.host,
      volumeName: request.volume,
      existing,
      containers,
      mountPath: request.mountPath,
      readOnly: request.readOnly ?? false,
    });
    await executePlan(plan, this.client, this.logger, {
      journal: this.journal,
      title: `mount volume ${request.volume} at ${request.mountPath} in ${request.containers.join(', ')} on ${this.host}`,
      ...options,
    });
    return plan;
  }

  /**
   * Moves a container's legacy links to a user-defined network (planMigrateLegacyLinks): its targets
   * join the network under the links' aliases, and it is recreated without the links, on the
   * network, with its links' variables as fixed env vars if asked. `network` defaults to the
   * suggested one. Returns the migration and the recreated container's id.
   */
  async migrateLegacyLinks(
    request: { client: string; network?: string; keepLinkVariables?: boolean; writableLayer?: WritableLayerChoice },
    options?: ExecuteOptions,
  ): Promise<LinkMigration & { containerId: string }> {
    const facts = await this.legacyLinkFacts(request.client);
    const network = request.network ?? facts.suggestedNetwork;
    const existing = facts.networks.find((candidate) => candidate.name === network);
    const migration = planMigrateLegacyLinks({
      host: this.host,
      client: await this.recreateSubject(facts.container, request.writableLayer),
      targets: facts.targets,
      network,
      existing,
      others: existing ? await this.othersOn(network, [facts.container, ...facts.targets]) : [],
      keepLinkVariables: request.keepLinkVariables ?? false,
    });
    const result = await executePlan(migration.plan, this.client, this.logger, {
      journal: this.journal,
      title: `move the legacy links of ${this.host}/${facts.container.name} to network ${network}`,
      ...options,
    });
    return { ...migration, containerId: result.created[migratedClientRef] };
  }

  /** A container's legacy links, their targets, whether its app may read their variables, and the network to offer. */
  async legacyLinkFacts(client: string): Promise<LegacyLinkFacts> {
    const container = await this.inspect(client);
    const links = legacyLinks(container);
    const [targets, use, networks] = await Promise.all([
      Promise.all([...new Set(links.map((link) => link.target))].map((target) => this.client.inspectContainer(target).catch(() => undefined))),
      this.variableUseOf(container),
      this.client.listNetworks(),
    ]);
    const found = targets.filter((target): target is ContainerDetails => target !== undefined);
    const variables = linkVariablesToSet(
      container,
      links.flatMap((link) => found.filter((target) => target.name === link.target).map((target) => ({ link, target }))),
    );
    return { container, links, use, targets: found, variables, networks, suggestedNetwork: suggestedNetwork(container, found, networks) };
  }

  /** Every container on the host with legacy links, and whether its app may read their variables (inspected eight at a time). */
  async linkVariableDependents(): Promise<LinkVariableDependent[]> {
    const dependents: LinkVariableDependent[] = [];
    for (const batch of chunks(await this.client.listContainers(), 8)) {
      const inspected = await Promise.all(batch.map((container) => this.client.inspectContainer(container.id).catch(() => undefined)));
      const linked = inspected.filter((details): details is ContainerDetails => details !== undefined && details.links.length > 0);
      dependents.push(...(await Promise.all(linked.map(async (container) => ({ container, links: legacyLinks(container), use: await this.variableUseOf(container) })))));
    }
    return dependents;
  }

  /**
   * Whether the app may read its links' variables: set in its config, or in the running process's
   * environment (read with `env`; the engine adds them at start, so inspect never shows them).
   */
  private async variableUseOf(container: ContainerDetails): Promise<LinkVariableUse> {
    const [image, engine, processEnv] = await Promise.all([
      this.client.imageConfig((container.raw.Image as string | undefined) ?? container.image).catch(() => undefined),
      this.client.version(),
      container.state === 'running'
        ? this.client.exec(container.id, ['env'], { timeoutMs: 5000 }).then(
            (result) => (result.exitCode === 0 ? result.stdout.split('\n') : undefined),
            () => undefined,
          )
        : undefined,
    ]);
    return linkVariableUse(container, { imageEnv: image?.env ?? [], processEnv, apiVersion: engine.apiVersion });
  }

  /** The containers on a network other than `exclude`, with their aliases there. */
  private async othersOn(network: string, exclude: ContainerDetails[]): Promise<Array<{ name: string; aliases: string[] }>> {
    const ids = Object.keys((await this.client.inspectNetwork(network)).containers ?? {}).filter((id) => !exclude.some((container) => container.id === id));
    const others = await Promise.all(ids.map((id) => this.client.inspectContainer(id).catch(() => undefined)));
    return others
      .filter((other): other is ContainerDetails => other !== undefined)
      .map((other) => ({ name: other.name, aliases: other.networks.find((attached) => attached.name === network)?.aliases ?? [] }));
  }

  /** The docker commands that reproduce a container and the Crosslink-made networks and volumes it uses. */
  async dockerCommands(container: string | ContainerDetails, options: DockerCommandsOptions = {}): Promise<DockerCommands> {
    const details = typeof container === 'string' ? await this.inspect(container) : container;
    const [image, networks, volumes, engine] = await Promise.all([
      this.client.imageConfig((details.raw.Image as string | undefined) ?? details.image),
      this.client.listNetworks(),
      this.client.listVolumes(),
      // Only to leave out a --platform that matches the engine anyway.
      this.client.version().catch(() => undefined),
    ]);
    const noDefaults = { env: [], cmd: null, entrypoint: null, labels: {}, exposedPorts: [], workingDir: '', user: '' };
    return dockerCommandsFor(details, image ?? noDefaults, { networks, volumes, engine }, options);
  }

  /** A legacy link as a whole: the target, then the client with its --link. */
  async legacyLinkDockerCommands(client: string, target: string, options: DockerCommandsOptions = {}): Promise<DockerCommands> {
    return concatCommands(await this.dockerCommands(target, options), await this.dockerCommands(client, options));
  }

  /** A container reached by an alias on a user network: the network, then the container joining it with its aliases. */
  async networkAliasDockerCommands(container: string, network: string, options: DockerCommandsOptions = {}): Promise<DockerCommands> {
    const existing = (await this.client.listNetworks()).find((candidate) => candidate.name === network);
    const create = existing ? [networkCreateCommand(existing)] : [];
    return concatCommands({ lines: create, maskedValues: 0 }, await this.dockerCommands(container, options));
  }

  async inspect(nameOrId: string): Promise<ContainerDetails> {
    try {
      return await this.client.inspectContainer(nameOrId);
    } catch (error) {
      if (DockerApiError.is(error, 'notFound')) {
        throw new ConfigError('containerNotFound', `There is no container "${nameOrId}" on ${this.host}; it may have been removed. Refresh and pick again.`);
      }
      throw error;
    }
  }

  /**
   * What a planner needs to recreate `details` safely: the image (and its platform) to use, the
   * engine's API version, who links to it or joins its namespaces, and what it wrote into its own
   * filesystem, with the caller's choice about those files.
   */
  async recreateSubject(details: ContainerDetails, writableLayer?: WritableLayerChoice): Promise<RecreateSubject> {
    const [image, neighbours, engine, changes, platform] = await Promise.all([
      this.recreateImage(details),
      this.neighbours(details),
      this.client.version(),
      this.client.containerChanges(details.id),
      this.client.imageConfig((details.raw.Image as string | undefined) ?? details.image).then((config) => config?.platform),
    ]);
    return { details, image, platform, apiVersion: engine.apiVersion, changes, writableLayer, ...neighbours };
  }

  /**
   * Containers bound to this one: default-bridge links that target it (links on user networks
   * resolve by name through Docker's DNS and survive recreation; default-bridge links are bound to
   * the container), and `container:` network, IPC or PID modes. Only inspect shows these, so every
   * other container is inspected once, eight at a time.
   */
  private async neighbours(details: ContainerDetails): Promise<Pick<RecreateSubject, 'linkedFrom' | 'namespaceUsers'>> {
    const others = (await this.client.listContainers()).filter((container) => container.id !== details.id);
    const linkedFrom: string[] = [];
    const namespaceUsers: RecreateSubject['namespaceUsers'] = [];
    for (const batch of chunks(others, 8)) {
      const inspected = await Promise.all(batch.map((container) => this.client.inspectContainer(container.id).catch(() => undefined)));
      for (const other of inspected.filter((candidate): candidate is ContainerDetails => candidate !== undefined)) {
        if (other.networks.some((network) => network.name === 'bridge') && other.links.some((link) => link.split(':')[0] === details.name)) {
          linkedFrom.push(other.name);
        }
        const namespaces = sharedNamespaces(details, other);
        if (namespaces.length > 0) {
          namespaceUsers.push({ name: other.name, namespaces });
        }
      }
    }
    return { linkedFrom, namespaceUsers };
  }

  /**
   * The recreated container must run the same image. Its tag is kept when it still names that
   * image; if the tag moved on (a newer pull), the image id pins the original.
   */
  private async recreateImage(details: ContainerDetails): Promise<string> {
    const tag = (details.raw.Config as { Image?: string } | undefined)?.Image ?? details.image;
    const imageId = details.raw.Image as string | undefined;
    const tagId = await this.client.imageId(tag);
    if (!imageId || tagId === imageId) {
      return tag;
    }
    this.logger.warn(`[${this.host}] ${details.name}: tag ${tag} now names another image; recreating from ${imageId.slice(0, 19)} to keep the original`);
    return imageId;
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}
