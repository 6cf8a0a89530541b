import type { CrosslinkError } from '../errors';
import type { EventLike } from '../like';
import type { ContainerSummary, EngineInfo } from '../types';
import type { DockerClient } from './dockerClient';
import type { HostSpec } from './hostSpec';

export type HostState = 'connecting' | 'connected' | 'reconnecting' | 'unreachable';

/**
 * Where a host's connection stands, with exactly the facts that state has: a connected host has its
 * engine, a failing one the reason (and the engine it last answered with, if it ever did).
 */
export type HostStatus =
  | { readonly state: 'connecting'; readonly engine?: undefined; readonly error?: undefined }
  | { readonly state: 'connected'; readonly engine: EngineInfo; readonly error?: undefined }
  | { readonly state: 'reconnecting' | 'unreachable'; readonly engine?: EngineInfo; readonly error: CrosslinkError };

export type HostSnapshot = HostStatus & {
  readonly spec: HostSpec;
  /** By container id, in the engine's order. */
  readonly containers: ReadonlyMap<string, ContainerSummary>;
};

/**
 * The one way every consumer reaches the configured hosts: their clients, specs, live state and
 * containers. The ContainerModel implements it in the extension; tests pass small fakes. It lives
 * below core/model so planners, operations and tunnels depend on the seam, not on the model.
 */
export interface HostDirectory {
  client(hostName: string): DockerClient | undefined;
  spec(hostName: string): HostSpec | undefined;
  /** Every configured host, connected or not (a client on an offline host still counts). */
  hosts(): readonly HostSnapshot[];
  host(hostName: string): HostSnapshot | undefined;
  /** Names of the hosts that are connected now. */
  connectedHosts(): string[];
  /** A container by id, name, or an id prefix of at least 12 characters. */
  findContainer(hostName: string, nameOrId: string): ContainerSummary | undefined;
  /** Fires with the host name whose state or containers changed ('' when the host list changed). */
  readonly onDidChange: EventLike<string>;
}
