/** Our own view of Docker objects: only what Crosslink shows or plans with. */

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerNetwork {
  name: string;
  ipAddress?: string;
  aliases: string[];
}

export interface PortBinding {
  privatePort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  publicPort?: number;
  hostIp?: string;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  /** Human status from the engine, e.g. "Up 3 minutes". */
  status: string;
  createdAt: number;
  labels: Record<string, string>;
  networks: ContainerNetwork[];
  ports: PortBinding[];
}

/** What `inspect` adds on top of the summary, for tooltips and later planners. */
export interface ContainerDetails extends ContainerSummary {
  /** Legacy links as `target:alias`. */
  links: string[];
  hostname: string;
  /** The raw inspect document, for planners that must keep every setting. */
  raw: Record<string, unknown>;
}

export interface EngineInfo {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  /** "Docker" or "Podman" (from the components /version lists); undefined means Docker. */
  engine?: string;
  /** The platform's own name, e.g. "Docker Engine - Community" or "Docker Desktop 4.25.0 (126437)". */
  platformName?: string;
  /** The kernel the engine runs on (`uname -r` there). */
  kernelVersion?: string;
}

/** Where the engine runs, from `GET /info`: what tells a VM (Docker Desktop, Colima) from this machine. */
export interface EngineHost {
  /** The engine's own ID: tells two engines apart whatever URL reaches them. */
  id: string;
  /** The engine machine's host name ("colima", "docker-desktop", …). */
  name: string;
  /** "Docker Desktop", "Ubuntu 22.04.3 LTS", "fedora", … */
  operatingSystem: string;
  kernelVersion: string;
}

export interface DockerEvent {
  type: string;
  action: string;
  actorId: string;
  attributes: Record<string, string>;
  timeNano: number;
}

/**
 * The body of Docker's "create container" call: the `Config` part of inspect plus `HostConfig`
 * and `NetworkingConfig`. Planners derive it from inspect so recreation keeps every setting.
 */
export interface ContainerCreateBody {
  Image: string;
  Cmd?: string[] | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, object> | null;
  HostConfig?: Record<string, unknown>;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointConfig> };
  /** "os/arch[/variant]" of the image; sent as the create call's `platform` query parameter (API ≥ 1.41), not in the body. */
  platform?: string;
  [setting: string]: unknown;
}

export interface EndpointConfig {
  Aliases?: string[] | null;
  Links?: string[] | null;
  IPAMConfig?: Record<string, unknown> | null;
  [setting: string]: unknown;
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** Container ids attached, with their aliases on this network (from inspect; empty in lists). */
  containers: Record<string, { name: string; ipv4Address: string }>;
}

/**
 * A host's place in a Swarm (`GET /info` → Swarm). `inactive`: not in any; `pending`, `error` and
 * `locked` are in-between states in which the node cannot carry an overlay network yet.
 */
export interface SwarmMembership {
  /** `unsupported`: the engine has no Swarm mode (Podman reports "inactive" for it, so the engine is asked). */
  state: 'inactive' | 'pending' | 'active' | 'error' | 'locked' | 'unsupported';
  /** Empty when inactive. */
  nodeId: string;
  /** Empty when inactive, and on a worker whose engine does not say it. */
  clusterId: string;
  /** Managers can create overlay networks and hand out join tokens; workers can only attach to them. */
  role?: 'manager' | 'worker';
  /** The address this node advertises to the others (`NodeAddr`). */
  nodeAddress: string;
  /** Where the managers listen ("ip:2377"), as this node knows them. */
  managers: string[];
}

export interface VolumeSummary {
  name: string;
  driver: string;
  labels: Record<string, string>;
  mountpoint: string;
}

/** One entry of `GET /containers/{id}/changes`: a path of the container's own filesystem that differs from its image. */
export interface FilesystemChange {
  path: string;
  kind: 'modified' | 'added' | 'deleted';
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** An image's own defaults, so generated commands show only what a container adds. */
export interface ImageConfig {
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  labels: Record<string, string>;
  exposedPorts: string[];
  workingDir: string;
  user: string;
  healthcheck?: HealthcheckConfig;
  stopSignal?: string;
  /** "os/arch" or "os/arch/variant". */
  platform?: string;
}

/** Config.Healthcheck as the Engine API has it (durations in nanoseconds). */
export interface HealthcheckConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}
