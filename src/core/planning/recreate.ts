import { ConfigError } from '../errors';
import { ContainerCreateBody, ContainerDetails, EndpointConfig } from '../types';
import { userAliases } from '../model/aliases';
import { PlanStep } from './plan';

/** What a recreation adds to the container; everything else stays as inspect shows it. */
export interface RecreateChange {
  /** Legacy links to add, as "target:alias". */
  addLinks?: string[];
  /** Legacy links to drop, by alias. */
  removeLinkAliases?: string[];
  /** Mounts to add (HostConfig.Mounts entries). */
  addMounts?: Array<{ Type: 'volume'; Source: string; Target: string; ReadOnly: boolean }>;
}

/** Config keys that are set by the engine rather than chosen by the user, so are not carried. */
const configKeysNotCarried = new Set(['Image']);

type EndpointSettings = EndpointConfig & { Aliases?: string[] | null; Links?: string[] | null };

interface InspectDocument {
  Id: string;
  Name: string;
  Image: string;
  Config: Record<string, unknown> & { Image: string; Labels?: Record<string, string> };
  HostConfig: Record<string, unknown> & { NetworkMode?: string; Links?: string[] | null; Mounts?: unknown[] | null; Binds?: string[] | null; AutoRemove?: boolean };
  NetworkSettings: { Networks?: Record<string, EndpointSettings> };
  Mounts?: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>;
  State?: { Running?: boolean };
}

/**
 * The create body that reproduces a container from its inspect document, plus the change.
 * Carries: every Config field (env, cmd, entrypoint, labels, hostname, user, working dir, …), the
 * whole HostConfig (mounts, port bindings, restart policy, resources, log config, …), legacy links,
 * and anonymous volumes as explicit mounts, so their data stays with the new container. The primary
 * network goes in the body; API 1.41 takes only one network at create, so the others are returned
 * to connect before start.
 */
export function recreateBody(
  details: ContainerDetails,
  change: RecreateChange,
  image: string,
): { body: ContainerCreateBody; extraNetworks: Array<{ network: string; endpoint: EndpointConfig }> } {
  const raw = details.raw as unknown as InspectDocument;
  const config = Object.fromEntries(Object.entries(raw.Config).filter(([key]) => !configKeysNotCarried.has(key)));
  const hostConfig = { ...raw.HostConfig };
  const dropped = new Set(change.removeLinkAliases ?? []);
  const keptLinks = (raw.HostConfig.Links ?? []).map(toCreateLink).filter((link) => !dropped.has(link.split(':')[1]));
  hostConfig.Links = [...keptLinks, ...(change.addLinks ?? [])];
  if (hostConfig.Links.length === 0) {
    hostConfig.Links = null;
  }
  const mounts = [...((raw.HostConfig.Mounts as unknown[] | null) ?? []), ...anonymousVolumeMounts(raw), ...(change.addMounts ?? [])];
  hostConfig.Mounts = mounts.length > 0 ? mounts : null;

  const networkMode = raw.HostConfig.NetworkMode ?? 'default';
  const networks = Object.entries(raw.NetworkSettings.Networks ?? {});
  const endpoint = (settings: EndpointSettings): EndpointConfig => ({
    Aliases: nullIfEmpty(userAliases(settings.Aliases, raw.Id, raw.Config.Hostname as string | undefined)),
    Links: settings.Links ?? null,
    IPAMConfig: settings.IPAMConfig ?? null,
  });
  const primaryName = networkMode === 'default' ? 'bridge' : networkMode;
  const sharesAnotherStack = networkMode.startsWith('container:') || networkMode === 'host' || networkMode === 'none';
  const primary = networks.find(([name]) => name === primaryName);
  const body: ContainerCreateBody = {
    ...config,
    Image: image,
    HostConfig: hostConfig,
    NetworkingConfig: primary && !sharesAnotherStack ? { EndpointsConfig: { [primary[0]]: endpoint(primary[1]) } } : undefined,
  };
  const extraNetworks = sharesAnotherStack
    ? []
    : networks.filter(([name]) => name !== primaryName).map(([network, settings]) => ({ network, endpoint: endpoint(settings) }));
  return { body, extraNetworks };
}

/** A container about to be recreated, with what the planner must know beyond its inspect document. */
export interface RecreateSubject {
  details: ContainerDetails;
  /** Image to recreate from: the tag while it still names the original image, else the image id. */
  image: string;
  /** Containers whose default-bridge links point at this one (their links follow the original, then break). */
  linkedFrom: string[];
}

/**
 * Steps that replace a container by one with `change` applied, keeping its name: the original is
 * renamed and stopped (not removed) until the new one runs, so a failure can put it back.
 */
export function recreateSteps(subject: RecreateSubject, change: RecreateChange, ref: string): PlanStep[] {
  const { details, image } = subject;
  const raw = details.raw as unknown as InspectDocument;
  if (subject.linkedFrom.length > 0) {
    const clients = subject.linkedFrom.join(', ');
    throw new ConfigError(
      'invalidOption',
      `${details.name} is the target of legacy links from ${clients}; recreating it would break them, so Crosslink leaves it as it is. ` +
        `Connect ${clients} and ${details.name} on a network instead ("Connect Containers on a Network"), which needs no recreation.`,
    );
  }
  if (raw.HostConfig.AutoRemove) {
    throw new ConfigError(
      'invalidOption',
      `${details.name} was started with --rm: Docker deletes it as soon as it stops, so Crosslink cannot recreate it safely. Use "Connect Containers on a Network", which needs no recreation.`,
    );
  }
  const { body, extraNetworks } = recreateBody(details, change, image);
  const original = { id: details.id };
  const replacement = { ref };
  const parkedName = `${details.name}-crosslink-replaced-${details.id.slice(0, 8)}`;
  const running = raw.State?.Running === true;
  return [
    { kind: 'renameContainer', container: original, from: details.name, to: parkedName },
    ...(running ? [{ kind: 'stopContainer' as const, container: original, name: details.name }] : []),
    { kind: 'createContainer', ref, name: details.name, body },
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
