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
}

export interface DockerEvent {
  type: string;
  action: string;
  actorId: string;
  attributes: Record<string, string>;
  timeNano: number;
}
