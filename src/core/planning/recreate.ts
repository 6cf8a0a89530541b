import { ConfigError, CrosslinkError } from '../errors';
import type { ContainerCreateBody, ContainerDetails, EndpointConfig, FilesystemChange } from '../types';
import { userAliases } from '../values/aliases';
import type { PlanStep } from './plan';
import { ignoredPaths, unsavedChanges } from './writableLayer';

/** Recreating would lose files the container wrote outside its volumes, and the caller did not say what to do with them. */
export class UnsavedChangesError extends CrosslinkError<'unsavedChanges'> {
  constructor(readonly containers: Array<{ name: string; paths: string[]; deleted: string[] }>) {
    const listed = containers
      .map(({ name, paths, deleted }) => {
        const all = [...paths, ...deleted.map((path) => `${path} (deleted)`)];
        return `${name}: ${all.slice(0, 20).join(', ')}${all.length > 20 ? ` and ${all.length - 20} more` : ''}`;
      })
      .join('; ');
    super(
      'unsavedChanges',
      `Recreating would lose files written outside volumes (${listed}). Pass copyChanges: true to copy them into the new container, or discardChanges: true to recreate without them.`,
    );
  }

  static is(error: unknown): error is UnsavedChangesError {
    return error instanceof UnsavedChangesError;
  }
}

/** Other containers run in this one's network, IPC or PID namespace: recreating it would cut them off. */
export class NamespaceDependentsError extends CrosslinkError<'namespaceDependents'> {
  constructor(
    readonly container: string,
    readonly dependents: Array<{ name: string; namespaces: Namespace[] }>,
  ) {
    const listed = dependents.map(({ name, namespaces }) => `${name} (${namespaces.join(', ')})`).join(', ');
    super(
      'namespaceDependents',
      `${listed} ${dependents.length === 1 ? 'shares' : 'share'} namespaces of ${container}; recreating ${container} would cut ${dependents.length === 1 ? 'it' : 'them'} off, so Crosslink leaves it as it is. ` +
        `Use "Connect Containers on a Network", which needs no recreation, or remove ${dependents.length === 1 ? 'it' : 'them'} first and create ${dependents.length === 1 ? 'it' : 'them'} again afterwards.`,
    );
  }

  static is(error: unknown): error is NamespaceDependentsError {
    return error instanceof NamespaceDependentsError;
  }
}

export type Namespace = 'network' | 'ipc' | 'pid';

/** What a recreation adds to the container; everything else stays as inspect shows it. */
export interface RecreateChange {
  /** Legacy links to add, as "target:alias". */
  addLinks?: string[];
  /** Legacy links to drop, by alias. */
  removeLinkAliases?: string[];
  /** Mounts to add (HostConfig.Mounts entries). */
  addMounts?: Array<{ Type: 'volume'; Source: string; Target: string; ReadOnly: boolean }>;
  /** Networks to join, with their endpoint settings (aliases, …). */
  addNetworks?: Array<{ network: string; endpoint: EndpointConfig }>;
  /** "NAME=value" entries to add to Config.Env (the caller leaves out names the container sets already). */
  addEnv?: string[];
}

/** Config keys that are set by the engine rather than chosen by the user, so are not carried. */
const configKeysNotCarried = new Set(['Image']);

type EndpointSettings = EndpointConfig & {
  Aliases?: string[] | null;
  Links?: string[] | null;
  MacAddress?: string;
  IPAddress?: string;
  DriverOpts?: Record<string, string> | null;
  GwPriority?: number;
};

type PortBindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

interface InspectDocument {
  Id: string;
  Name: string;
  Image: string;
  Config: Record<string, unknown> & { Image: string; Labels?: Record<string, string>; Hostname?: string; MacAddress?: string };
  HostConfig: Record<string, unknown> & {
    NetworkMode?: string;
    IpcMode?: string;
    PidMode?: string;
    Links?: string[] | null;
    Mounts?: Array<{ Type?: string; Source?: string; Target?: string }> | null;
    Binds?: string[] | null;
    AutoRemove?: boolean;
    PortBindings?: PortBindings | null;
    PublishAllPorts?: boolean;
    Ulimits?: Array<{ Name: string; Soft?: number; Hard?: number }> | null;
  };
  NetworkSettings: { Networks?: Record<string, EndpointSettings>; Ports?: PortBindings | null };
  Mounts?: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>;
  State?: { Running?: boolean };
}

/**
 * Settings the engine refuses with `--network container:…` ("conflicting options"): the network
 * stack, and with it hostname, DNS, ports and MAC, belong to the other container.
 */
const configKeysNotWithContainerNetwork = ['Hostname', 'Domainname', 'ExposedPorts', 'MacAddress'];
const hostConfigKeysNotWithContainerNetwork = ['Dns', 'DnsOptions', 'DnsSearch', 'ExtraHosts', 'PortBindings', 'PublishAllPorts', 'Links'];

/**
 * How create takes networks, MAC addresses and the platform changed over the Engine API versions:
 * - 1.41 (Docker 20.10) create takes a `platform` query parameter.
 * - before 1.44 (Docker 20.10–24) create joins one network; others are connected before start. A
 *   MAC address is only container-wide (Config.MacAddress, for the primary network); an endpoint's
 *   MacAddress is ignored. Aliases in inspect include the engine's short id (and hostname).
 * - 1.44 (Docker 25) create takes every network, each with its own MacAddress; a container-wide
 *   MacAddress beside an endpoint keyed by another name than NetworkMode ("bridge" for "default")
 *   is refused, so it moves onto the primary endpoint. Inspect still shows the configured
 *   Config.MacAddress; an endpoint's MacAddress is the address in use, generated from the IP
 *   (02:42:…) unless configured.
 * - 1.45 inspect shows aliases exactly as created (the short id moved to DNSNames).
 * - 1.48 (Docker 28) adds the endpoint's GwPriority.
 * - 1.52 (Docker 29) no longer returns Config.MacAddress and generates random MACs: the address in
 *   use on each network is all there is, so each is pinned.
 */
const api = {
  platformAtCreate: '1.41',
  multipleNetworksAtCreate: '1.44',
  exactAliases: '1.45',
  noContainerMacAddress: '1.52',
};

/**
 * The create body that reproduces a container from its inspect document, plus the change.
 * Carries: every Config field (env, cmd, entrypoint, labels, hostname, user, working dir, …), the
 * whole HostConfig (mounts, port bindings, restart policy, resources, log config, …), legacy links,
 * anonymous volumes (`-v /path`, image VOLUME, `--mount` without source) by their real volume so
 * their data stays, host ports the engine chose pinned, every network endpoint setting, and the
 * image's platform. Networks go in the body as far as the API version allows; the others are
 * returned to connect before start.
 */
export function recreateBody(
  subject: Pick<RecreateSubject, 'details' | 'image' | 'apiVersion' | 'platform'>,
  change: RecreateChange,
): { body: ContainerCreateBody; extraNetworks: Array<{ network: string; endpoint: EndpointConfig }> } {
  const raw = subject.details.raw as unknown as InspectDocument;
  const apiVersion = subject.apiVersion;
  const config = Object.fromEntries(Object.entries(raw.Config).filter(([key]) => !configKeysNotCarried.has(key)));
  if (change.addEnv?.length) {
    config.Env = [...((raw.Config.Env as string[] | null | undefined) ?? []), ...change.addEnv];
  }
  const hostConfig: Record<string, unknown> = { ...raw.HostConfig };
  const dropped = new Set(change.removeLinkAliases ?? []);
  const keptLinks = (raw.HostConfig.Links ?? []).map(toCreateLink).filter((link) => !dropped.has(link.split(':')[1]));
  const links = [...keptLinks, ...(change.addLinks ?? [])];
  hostConfig.Links = links.length > 0 ? links : null;
  const mounts = [...declaredMounts(raw), ...anonymousVolumeMounts(raw), ...(change.addMounts ?? [])];
  hostConfig.Mounts = mounts.length > 0 ? mounts : null;
  hostConfig.PortBindings = pinnedPortBindings(raw);
  if (raw.HostConfig.Ulimits) {
    hostConfig.Ulimits = createUlimits(raw.HostConfig.Ulimits);
  }

  const networkMode = raw.HostConfig.NetworkMode ?? 'default';
  const joinsContainer = networkMode.startsWith('container:');
  if (joinsContainer) {
    configKeysNotWithContainerNetwork.forEach((key) => delete config[key]);
    hostConfigKeysNotWithContainerNetwork.forEach((key) => delete hostConfig[key]);
  }
  const configuredMac = raw.Config.MacAddress || undefined;
  if (versionAtLeast(apiVersion, api.multipleNetworksAtCreate)) {
    delete config.MacAddress;
  }
  const sharesAnotherStack = joinsContainer || networkMode === 'host' || networkMode === 'none';
  const primaryName = networkMode === 'default' ? 'bridge' : networkMode;
  const endpoints = sharesAnotherStack
    ? []
    : [
        ...Object.entries(raw.NetworkSettings.Networks ?? {}).map(([network, settings]) => ({
          network,
          endpoint: endpointConfig(raw, settings, apiVersion, network === primaryName ? configuredMac : undefined),
        })),
        ...(change.addNetworks ?? []),
      ];
  const inBody = versionAtLeast(apiVersion, api.multipleNetworksAtCreate) ? endpoints : endpoints.filter(({ network }) => network === primaryName);
  const body: ContainerCreateBody = {
    ...config,
    Image: subject.image,
    HostConfig: hostConfig,
    NetworkingConfig: inBody.length > 0 ? { EndpointsConfig: Object.fromEntries(inBody.map(({ network, endpoint }) => [network, endpoint])) } : undefined,
    ...(subject.platform && versionAtLeast(apiVersion, api.platformAtCreate) ? { platform: subject.platform } : {}),
  };
  return { body, extraNetworks: endpoints.filter((endpoint) => !inBody.includes(endpoint)) };
}

/**
 * Ulimits as create takes them: Podman's inspect names them as the kernel does (`RLIMIT_NOFILE`,
 * including the defaults it applies) but its create refuses those names and takes Docker's
 * (`nofile`), which Docker's inspect already shows.
 */
function createUlimits(ulimits: Array<{ Name: string; Soft?: number; Hard?: number }>): Array<{ Name: string; Soft?: number; Hard?: number }> {
  return ulimits.map((ulimit) => ({ ...ulimit, Name: ulimit.Name.replace(/^RLIMIT_/i, '').toLowerCase() }));
}

/**
 * One network's endpoint as create or connect takes it. The MAC address is carried only where
 * the API version both shows what was configured and takes it back (see `api`).
 */
function endpointConfig(raw: InspectDocument, settings: EndpointSettings, apiVersion: string, configuredMac: string | undefined): EndpointConfig {
  const aliases = versionAtLeast(apiVersion, api.exactAliases) ? (settings.Aliases ?? []) : userAliases(settings.Aliases, raw.Id, raw.Config.Hostname);
  const endpoint: EndpointConfig = {
    Aliases: nullIfEmpty(aliases),
    Links: settings.Links ?? null,
    IPAMConfig: settings.IPAMConfig ?? null,
  };
  if (settings.DriverOpts) {
    endpoint.DriverOpts = settings.DriverOpts;
  }
  if (settings.GwPriority) {
    endpoint.GwPriority = settings.GwPriority;
  }
  const macAddress = !versionAtLeast(apiVersion, api.multipleNetworksAtCreate)
    ? undefined
    : versionAtLeast(apiVersion, api.noContainerMacAddress)
      ? settings.MacAddress
      : (configuredMac ?? (settings.MacAddress && settings.MacAddress !== macFromIp(settings.IPAddress) ? settings.MacAddress : undefined));
  if (macAddress) {
    endpoint.MacAddress = macAddress;
  }
  return endpoint;
}

/** The MAC Docker 25–28 generates for an IPv4 address (02:42 and the address's bytes). */
function macFromIp(ip: string | undefined): string | undefined {
  const bytes = ip?.split('.').map(Number);
  return bytes?.length === 4 ? ['02', '42', ...bytes.map((byte) => byte.toString(16).padStart(2, '0'))].join(':') : undefined;
}

/** Compares "1.44"-style API versions numerically. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  const [minMajor, minMinor] = minimum.split('.').map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

/**
 * HostConfig.Mounts as given, except that a volume mount without a source (an anonymous volume,
 * as Compose makes them) names the volume the engine created, so the new container gets its data.
 */
function declaredMounts(raw: InspectDocument): unknown[] {
  return (raw.HostConfig.Mounts ?? []).map((mount) => {
    if (mount.Type !== 'volume' || mount.Source) {
      return mount;
    }
    const volume = (raw.Mounts ?? []).find((used) => used.Type === 'volume' && used.Destination === mount.Target && used.Name);
    return volume ? { ...mount, Source: volume.Name } : mount;
  });
}

/**
 * Port bindings with every host port the engine chose (`-p 8080`, a range, `-P`) pinned to the one
 * in use, so the recreated container is reached where it was. A stopped container has none in use.
 */
function pinnedPortBindings(raw: InspectDocument): PortBindings | null {
  const declared = raw.HostConfig.PortBindings ?? null;
  const inUse = raw.NetworkSettings.Ports ?? {};
  const usedPort = (key: string, hostIp: string | undefined) => (inUse[key] ?? []).find((binding) => !hostIp || binding.HostIp === hostIp)?.HostPort;
  const pinned: PortBindings = Object.fromEntries(
    Object.entries(declared ?? {}).map(([key, bindings]) => [
      key,
      bindings?.map((binding) =>
        /^\d+$/.test(binding.HostPort ?? '') && binding.HostPort !== '0' ? binding : { ...binding, HostPort: usedPort(key, binding.HostIp) ?? binding.HostPort },
      ) ?? null,
    ]),
  );
  if (raw.HostConfig.PublishAllPorts) {
    for (const [key, bindings] of Object.entries(inUse)) {
      const port = bindings?.[0]?.HostPort;
      if (!(key in pinned) && port) {
        pinned[key] = [{ HostIp: '', HostPort: port }];
      }
    }
  }
  return declared === null && Object.keys(pinned).length === 0 ? null : pinned;
}

/**
 * The namespaces of `subject` that `other` joins (`--network/--ipc/--pid container:<id or name>`;
 * Compose's `service:` is stored as `container:<id>`).
 */
export function sharedNamespaces(subject: Pick<ContainerDetails, 'id' | 'name'>, other: ContainerDetails): Namespace[] {
  const hostConfig = (other.raw.HostConfig ?? {}) as InspectDocument['HostConfig'];
  const names: Array<[Namespace, string | undefined]> = [
    ['network', hostConfig.NetworkMode],
    ['ipc', hostConfig.IpcMode],
    ['pid', hostConfig.PidMode],
  ];
  return names
    .filter(([, mode]) => {
      const reference = mode?.startsWith('container:') ? mode.slice('container:'.length) : undefined;
      return reference !== undefined && (reference === subject.name || (/^[0-9a-f]{12,64}$/.test(reference) && subject.id.startsWith(reference)));
    })
    .map(([namespace]) => namespace);
}

/** A container about to be recreated, with what the planner must know beyond its inspect document. */
export interface RecreateSubject {
  details: ContainerDetails;
  /** Image to recreate from: the tag while it still names the original image, else the image id. */
  image: string;
  /** The engine's API version: it decides how networks and MAC addresses are given to create. */
  apiVersion: string;
  /** The image's "os/arch[/variant]", so create picks the same variant of a multi-platform tag. */
  platform?: string;
  /** Containers whose default-bridge links point at this one (their links follow the original, then break). */
  linkedFrom: string[];
  /** Containers that join this one's namespaces (they lose them when it is replaced). */
  namespaceUsers: Array<{ name: string; namespaces: Namespace[] }>;
  /** What the container changed in its own filesystem (GET /containers/{id}/changes). */
  changes: FilesystemChange[];
  /** What to do with those changes that recreation would lose; undefined refuses when there are any. */
  writableLayer?: 'copy' | 'discard';
}

/**
 * Steps that replace a container by one with `change` applied, keeping its name: the original is
 * renamed and stopped (not removed) until the new one runs, so a failure can put it back.
 */
export function recreateSteps(subject: RecreateSubject, change: RecreateChange, ref: string): PlanStep[] {
  const { details } = subject;
  const raw = details.raw as unknown as InspectDocument;
  if (subject.linkedFrom.length > 0) {
    const clients = subject.linkedFrom.join(', ');
    throw new ConfigError(
      'legacyLinkTarget',
      `${details.name} is the target of legacy links from ${clients}; recreating it would break them, so Crosslink leaves it as it is. ` +
        `Connect ${clients} and ${details.name} on a network instead ("Connect Containers on a Network"), which needs no recreation.`,
    );
  }
  if (raw.HostConfig.AutoRemove) {
    throw new ConfigError(
      'autoRemove',
      `${details.name} was started with --rm: Docker deletes it as soon as it stops, so Crosslink cannot recreate it safely. Use "Connect Containers on a Network", which needs no recreation.`,
    );
  }
  if (subject.namespaceUsers.length > 0) {
    throw new NamespaceDependentsError(details.name, subject.namespaceUsers);
  }
  const ignored = ignoredPaths(details.raw);
  const unsaved = unsavedChanges(subject.changes, ignored);
  if (!subject.writableLayer && unsaved.copy.length + unsaved.deleted.length > 0) {
    throw new UnsavedChangesError([{ name: details.name, paths: unsaved.copy, deleted: unsaved.deleted }]);
  }
  const { body, extraNetworks } = recreateBody(subject, change);
  const original = { id: details.id };
  const replacement = { ref };
  const parkedName = `${details.name}-crosslink-replaced-${details.id.slice(0, 8)}`;
  const running = raw.State?.Running === true;
  const copy = subject.writableLayer === 'copy' && unsaved.copy.length > 0;
  return [
    { kind: 'renameContainer', container: original, from: details.name, to: parkedName },
    ...(running ? [{ kind: 'stopContainer' as const, container: original, name: details.name }] : []),
    { kind: 'createContainer', ref, name: details.name, body },
    ...(copy ? [{ kind: 'copyPaths' as const, from: original, to: replacement, name: details.name, paths: unsaved.copy, ignored }] : []),
    ...extraNetworks.map(({ network, endpoint }) => ({
      kind: 'connectNetwork' as const,
      network,
      container: replacement,
      name: details.name,
      endpoint,
    })),
    ...(running ? [{ kind: 'startContainer' as const, container: replacement, name: details.name }] : []),
    { kind: 'removeContainer', container: original, name: parkedName },
  ];
}

/** inspect shows links as "/target:/client/alias"; create takes "target:alias". */
function toCreateLink(link: string): string {
  const [target, clientAlias] = link.split(':');
  return `${target.replace(/^\//, '')}:${clientAlias.split('/').pop()}`;
}

function nullIfEmpty(values: string[]): string[] | null {
  return values.length > 0 ? values : null;
}

/**
 * Volumes the engine created for the container (image VOLUME or `-v /path`) are not in HostConfig;
 * without an explicit mount the new container would get fresh, empty ones.
 */
function anonymousVolumeMounts(raw: InspectDocument): Array<{ Type: 'volume'; Source: string; Target: string; ReadOnly: boolean }> {
  const declared = new Set([
    ...((raw.HostConfig.Mounts as Array<{ Target?: string }> | null) ?? []).map((mount) => mount.Target),
    ...(raw.HostConfig.Binds ?? []).map((bind) => bind.split(':')[1]),
  ]);
  return (raw.Mounts ?? [])
    .filter((mount) => mount.Type === 'volume' && mount.Name && !declared.has(mount.Destination))
    .map((mount) => ({ Type: 'volume', Source: mount.Name!, Target: mount.Destination, ReadOnly: !mount.RW }));
}
