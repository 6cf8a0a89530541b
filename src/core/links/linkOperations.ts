import { ConfigError, DockerApiError } from '../errors';
import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import type { Plan } from '../planning/plan';
import { type RecreateSubject, sharedNamespaces } from '../planning/recreate';
import { type ExecuteOptions, executePlan } from '../planning/planExecutor';
import type { Journal } from '../planning/journal';
import type { ContainerDetails } from '../types';
import { type DockerCommands, type DockerCommandsOptions, concatCommands, dockerCommandsFor, networkCreateCommand } from './dockerCommands';
import { planLegacyLink } from './linkPlanner';
import { defaultAlias } from './names';
import { planNetworkConnect } from './networkPlanner';
import { planShareVolume } from './volumePlanner';

/** What to do with files a container wrote outside its volumes when it is recreated. */
export type WritableLayerChoice = NonNullable<RecreateSubject['writableLayer']>;

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
    await executePlan(plan, this.client, this.logger, { journal: this.journal, title: `link ${this.host}/${client.name} to ${target.name} as ${request.alias ?? defaultAlias(target.name)}`, ...options });
    return plan;
  }

  async connectNetwork(request: { containers: string[]; network: string; aliases?: Record<string, string> }, options?: ExecuteOptions): Promise<Plan> {
    const containers = await Promise.all(request.containers.map((name) => this.inspect(name)));
    const existing = (await this.client.listNetworks()).find((network) => network.name === request.network);
    const plan = planNetworkConnect({ host: this.host, networkName: request.network, existing, containers, aliases: request.aliases ?? {} });
    await executePlan(plan, this.client, this.logger, { journal: this.journal, title: `connect ${request.containers.join(', ')} on ${this.host} to network ${request.network}`, ...options });
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
    await executePlan(plan, this.client, this.logger, { journal: this.journal, title: `mount volume ${request.volume} at ${request.mountPath} in ${request.containers.join(', ')} on ${this.host}`, ...options });
    return plan;
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
