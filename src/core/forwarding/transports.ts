import { setTimeout as delay } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import { DockerApiError, ForwardError, HostError, errorMessage } from '../errors';
import type { Logger } from '../like';
import type { ContainerCreateBody, ContainerDetails, PortBinding } from '../types';
import type { DockerClient } from '../hosts/dockerClient';
import type { HostSpec } from '../hosts/hostSpec';
import { dialTcp } from '../hosts/reusedBufferSocket';
import { processAlive } from '../processes';
import { formatAddress, loopbackAddress } from './tcpForwarder';
import { ambassadorLabel, type CrosslinkRole, managedLabels } from '../values/labels';
import { socatArguments } from '../ambassadors/socat';
import { resolveHostAddress } from '../hosts/resolveAddress';
import { defaultNetworks } from '../hosts/engines';
import type { Provenance } from '../provenance/provenance';

export const defaultAmbassadorImage = 'alpine/socat:latest';

/** How a tunnel reaches its target, decided from data alone (describe first, then run). */
export type TransportPlan = DirectPlan | ChannelPlan | AmbassadorPlan;

/** A published port (or a host-network container): plain TCP to the host. */
export interface DirectPlan {
  kind: 'published';
  label: string;
  address: string;
  port: number;
}

/** The container's own address, dialled from the Docker host: over the host's one SSH connection, or locally. */
export interface ChannelPlan {
  kind: 'sshChannel' | 'localBridge';
  label: string;
  ip: string;
  port: number;
}

/** A socat helper container on the target's network that publishes the port on the host's address only. */
export interface AmbassadorPlan {
  kind: 'ambassador';
  label: string;
  /** One helper per target, so a second tunnel (or window) to the same target reuses it. */
  name: string;
  image: string;
  /** The host's address: the only interface the helper publishes on. */
  publishAddress: string;
  /** The target's network; a user-defined one lets the helper find the target by name after an IP change. */
  network: string;
  targetAddress: string;
  targetPort: number;
  labels: Record<string, string>;
}

export interface PlanOptions {
  ambassadorImage?: string;
}

export const tunnelAmbassadorRole: CrosslinkRole = 'tunnel-ambassador';

/**
 * Picks the transport for `port` of `container` on the host `spec`. Pure: the caller inspects
 * the container and says whether the client can dial from the host (ssh, and local sockets
 * whose engine does not run in a VM: see ContainerRoutes).
 * Throws ForwardError 'invalidPort', 'targetUnreachable' (not running) or 'noTransport'.
 */
export function planTransport(spec: HostSpec, container: ContainerDetails, port: number, hasDialFromHost: boolean, options: PlanOptions = {}): TransportPlan {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ForwardError('invalidPort', `${port} is not a container port (1 to 65535).`);
  }
  const target = `${spec.name}/${container.name}:${port}`;
  if (container.state !== 'running') {
    throw new ForwardError('targetUnreachable', `${spec.name}/${container.name} is ${container.state}; start it to forward port ${port}.`);
  }
  const local = spec.endpoint.kind === 'unix';
  const hostAddress = spec.address ?? (local ? loopbackAddress : undefined);
  const published = container.ports
    .filter((binding) => binding.privatePort === port && binding.protocol === 'tcp' && binding.publicPort)
    .map((binding) => ({ address: publishedAddress(binding, hostAddress, local), port: binding.publicPort as number }))
    .find((candidate) => candidate.address !== undefined);
  if (published?.address) {
    return { kind: 'published', label: `published port ${formatAddress(published.address, published.port)}`, address: published.address, port: published.port };
  }
  if (container.networks.some((network) => network.name === 'host') && hostAddress) {
    return { kind: 'published', label: `host network ${formatAddress(hostAddress, port)}`, address: hostAddress, port };
  }
  // A user-defined network first: its DNS keeps working for an ambassador when the IP changes.
  const network =
    container.networks.find((candidate) => candidate.ipAddress && !defaultNetworks.has(candidate.name)) ?? container.networks.find((candidate) => candidate.ipAddress);
  if (!network?.ipAddress) {
    throw new ForwardError('noTransport', `${spec.name}/${container.name} has no IP address (network mode none or shared); publish port ${port} to reach it.`);
  }
  if (hasDialFromHost) {
    const kind = spec.endpoint.kind === 'ssh' ? 'sshChannel' : 'localBridge';
    const via = kind === 'sshChannel' ? 'SSH channel' : 'local bridge';
    return { kind, label: `${via} to ${formatAddress(network.ipAddress, port)}`, ip: network.ipAddress, port };
  }
  // A local engine in a VM (Docker Desktop, Colima, Podman machine) forwards ports published on
  // its loopback to this machine's: that is where its helper publishes without an address.
  if (!hostAddress) {
    throw new ForwardError('noTransport', `Host ${spec.name} has no "address" setting, so a helper's published port cannot be reached; set one.`);
  }
  const name = `crosslink-tunnel-${container.name}-${port}`;
  return {
    kind: 'ambassador',
    label: `ambassador ${name}`,
    name,
    image: options.ambassadorImage ?? defaultAmbassadorImage,
    publishAddress: hostAddress,
    network: network.name,
    targetAddress: defaultNetworks.has(network.name) ? network.ipAddress : container.name,
    targetPort: port,
    labels: managedLabels(tunnelAmbassadorRole, { [ambassadorLabel.target]: target }),
  };
}

/** Where a published port answers from here, or undefined when it is bound to the remote host's loopback. */
function publishedAddress(binding: PortBinding, hostAddress: string | undefined, local: boolean): string | undefined {
  const hostIp = binding.hostIp;
  if (!hostIp || hostIp === '0.0.0.0' || hostIp === '::') {
    return hostAddress;
  }
  if (hostIp.startsWith('127.') || hostIp === '::1') {
    return local ? hostIp : undefined;
  }
  return hostIp;
}

/** The helper's container; `hostIp` is the publish address resolved to an IP (Docker takes no names there). */
export function ambassadorCreateBody(plan: AmbassadorPlan, hostIp: string): ContainerCreateBody {
  const portKey = `${plan.targetPort}/tcp`;
  return {
    Image: plan.image,
    Entrypoint: ['socat'],
    Cmd: socatArguments(plan.targetPort, plan.targetAddress, plan.targetPort),
    Labels: plan.labels,
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      NetworkMode: plan.network,
      // HostPort '' lets the engine pick a free port; HostIp keeps it off other interfaces.
      PortBindings: { [portKey]: [{ HostIp: hostIp, HostPort: '' }] },
      RestartPolicy: { Name: 'unless-stopped' },
    },
    NetworkingConfig: { EndpointsConfig: { [plan.network]: {} } },
  };
}

/** A running transport: one new stream to the target per call. */
export interface Transport {
  readonly plan: TransportPlan;
  /** The plan's label, completed with what opening learned (the helper's host port). */
  readonly label: string;
  /** True when dispose() removes a helper container this transport created or adopted. */
  readonly ownsHelper: boolean;
  /** Throws ForwardError 'targetUnreachable' or 'hostUnreachable'. */
  connect(): Promise<Duplex>;
  dispose(): Promise<void>;
}

export interface TransportOptions {
  logger: Logger;
  connectTimeoutMs: number;
  /** Count an existing helper for the same target as this transport's own: a tunnel restored after a reload. */
  adoptHelper?: boolean;
  /** Seals and records the helpers it creates; only helpers this installation made are used or removed. */
  provenance: Provenance;
  /** The process that owns created helpers (the extension host): a helper whose owner is gone is a leftover. */
  ownerPid: number;
}

/** Runs a plan. For an ambassador this creates (or reuses) and starts the helper before it resolves. */
export async function openTransport(plan: TransportPlan, client: DockerClient, options: TransportOptions): Promise<Transport> {
  switch (plan.kind) {
    case 'published':
      return directTransport(plan, () => dialTcp(plan.address, plan.port, options.connectTimeoutMs));
    case 'sshChannel':
    case 'localBridge': {
      const dialFromHost = client.dialFromHost;
      if (!dialFromHost) {
        throw new ForwardError('noTransport', `${client.hostName} cannot open connections from the host; no ${plan.label}.`);
      }
      if (plan.kind === 'localBridge') {
        // A container on this machine's bridge answers within milliseconds. One that does not is behind a
        // VM's network: fail early enough that the ambassador fallback fits in the connection's own time.
        const deadlineMs = Math.min(localBridgeDeadlineMs, options.connectTimeoutMs / 2);
        return directTransport(plan, () => withDeadline(dialFromHost(plan.ip, plan.port), deadlineMs, `connect to ${plan.ip}:${plan.port}`));
      }
      return directTransport(plan, () => dialFromHost(plan.ip, plan.port));
    }
    case 'ambassador': {
      const transport = new AmbassadorTransport(plan, client, options);
      await transport.ready();
      return transport;
    }
  }
}

const localBridgeDeadlineMs = 3000;

/** The dial's stream, or ETIMEDOUT after `ms`; a stream that connects later is closed. */
function withDeadline(dial: Promise<Duplex>, ms: number, what: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' }));
      void dial.then(
        (late) => late.destroy(),
        () => undefined,
      );
    }, ms);
    dial.then(
      (stream) => {
        clearTimeout(timer);
        resolve(stream);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function directTransport(plan: DirectPlan | ChannelPlan, dial: () => Promise<Duplex>): Transport {
  return {
    plan,
    label: plan.label,
    ownsHelper: false,
    connect: () =>
      dial().catch((error: unknown) => {
        throw dialError(plan, error);
      }),
    dispose: async () => undefined,
  };
}

/** A helper that was just (re)started may refuse for a moment until socat listens. */
const helperStartupMs = 2000;
const helperDialAttempts = 5;
const helperRetryBaseMs = 50;

class AmbassadorTransport implements Transport {
  ownsHelper: boolean;
  private endpoint?: Promise<{ address: string; port: number }>;
  private publishedPort?: number;
  private startedAt = 0;

  constructor(
    readonly plan: AmbassadorPlan,
    private readonly client: DockerClient,
    private readonly options: TransportOptions,
  ) {
    this.ownsHelper = options.adoptHelper ?? false;
  }

  get label(): string {
    return this.publishedPort ? `${this.plan.label} (${formatAddress(this.plan.publishAddress, this.publishedPort)})` : this.plan.label;
  }

  /** Resolves once the helper runs; concurrent callers share one check. Throws ForwardError. */
  ready(): Promise<{ address: string; port: number }> {
    this.endpoint ??= this.ensureHelper().catch((error: unknown) => {
      this.endpoint = undefined;
      throw dialError(this.plan, error);
    });
    return this.endpoint;
  }

  async connect(): Promise<Duplex> {
    for (let attempt = 1; ; attempt++) {
      const { address, port } = await this.ready();
      try {
        return await dialTcp(address, port, this.options.connectTimeoutMs);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || attempt >= helperDialAttempts) {
          throw dialError(this.plan, error);
        }
        if (Date.now() - this.startedAt > helperStartupMs) {
          this.endpoint = undefined; // Stopped or removed behind our back: check and start it again.
        }
        await delay(helperRetryBaseMs * 2 ** (attempt - 1));
      }
    }
  }

  async dispose(): Promise<void> {
    if (!this.ownsHelper) {
      return;
    }
    await removeHelper(this.client, this.plan.name, this.options);
  }

  private async ensureHelper(): Promise<{ address: string; port: number }> {
    const { plan, client } = this;
    const { provenance } = this.options;
    const hostIp = await resolveHostAddress(client.hostName, plan.publishAddress).catch((error: unknown) => {
      throw new ForwardError('noTransport', errorMessage(error), { cause: error });
    });
    const engineId = await provenance.engineIdOf(client);
    const body = ambassadorCreateBody(plan, hostIp);
    body.Labels = provenance.sealed('container', plan.name, engineId, plan.labels);
    let helper = await inspectIfExists(client, plan.name);
    if (helper && (helper.labels[ambassadorLabel.target] !== plan.labels[ambassadorLabel.target] || !provenance.isOurs('container', helper, engineId))) {
      throw new ForwardError(
        'noTransport',
        `${client.hostName} already has a container named ${plan.name} that Crosslink did not create here for this tunnel; rename or remove it.`,
      );
    }
    if (helper && JSON.stringify(commandOf(helper)) !== JSON.stringify(body.Cmd)) {
      // The target moved (a new IP on the default bridge): replace the helper.
      await client.removeContainer(helper.id, { force: true });
      provenance.forget(helper.id);
      helper = undefined;
    }
    if (helper && !this.ownsHelper && !processAlive(provenance.registry.get(helper.id)?.ownerPid)) {
      // Its window died without removing it: this tunnel takes it over (and removes it when it stops).
      this.ownsHelper = true;
    }
    if (helper && this.ownsHelper) {
      provenance.record({ id: helper.id, kind: 'container', host: client.hostName, name: plan.name, role: tunnelAmbassadorRole, ownerPid: this.options.ownerPid });
    }
    if (!helper) {
      if (!(await client.imageExists(plan.image))) {
        this.options.logger.info(`[tunnel] pulling ${plan.image} on ${client.hostName} for ${plan.name}`);
        await client.pullImage(plan.image).catch((error: unknown) => {
          const problem = `The ambassador image ${plan.image} is not on ${client.hostName} and could not be pulled: ${errorMessage(error)}`;
          throw new ForwardError('noTransport', problem, { cause: error });
        });
      }
      const id = await client.createContainer(plan.name, body);
      try {
        provenance.record({ id, kind: 'container', host: client.hostName, name: plan.name, role: tunnelAmbassadorRole, ownerPid: this.options.ownerPid });
      } catch (error) {
        // Unrecorded, it could never be proven ours and removed: take it away again rather than leave it published.
        await client.removeContainer(id, { force: true });
        throw new ForwardError('noTransport', `Could not record ${plan.name} in ${provenance.registry.file} (${errorMessage(error)}); it was removed again.`, { cause: error });
      }
      this.ownsHelper = true;
      this.options.logger.info(`[tunnel] created ${plan.name} on ${client.hostName}: socat ${(body.Cmd ?? []).join(' ')}`);
      helper = await client.inspectContainer(id);
    }
    if (helper.state !== 'running') {
      await client.startContainer(helper.id);
      this.startedAt = Date.now();
      helper = await client.inspectContainer(helper.id);
    }
    const port = helper.ports.find((binding) => binding.privatePort === plan.targetPort && binding.publicPort)?.publicPort;
    if (!port) {
      throw new ForwardError('noTransport', `${plan.name} on ${client.hostName} publishes no port for ${plan.targetPort}.`);
    }
    this.publishedPort = port;
    return { address: plan.publishAddress, port };
  }
}

async function inspectIfExists(client: DockerClient, name: string): Promise<ContainerDetails | undefined> {
  try {
    return await client.inspectContainer(name);
  } catch (error) {
    if (DockerApiError.is(error, 'notFound')) {
      return undefined;
    }
    throw error;
  }
}

function commandOf(container: ContainerDetails): unknown {
  return (container.raw.Config as { Cmd?: unknown } | undefined)?.Cmd;
}

/** Removes a tunnel helper by name, only if this installation made it (a look-alike stays), and forgets it. */
export async function removeHelper(client: DockerClient, name: string, options: Pick<TransportOptions, 'logger' | 'provenance'>): Promise<boolean> {
  try {
    const helper = await inspectIfExists(client, name);
    if (!helper) {
      return false;
    }
    if (!options.provenance.isOurs('container', helper, await options.provenance.engineIdOf(client))) {
      options.logger.warn(`[tunnel] left ${name} on ${client.hostName} alone: Crosslink did not create it here`);
      return false;
    }
    await client.removeContainer(helper.id, { force: true });
    options.provenance.forget(helper.id);
    options.logger.info(`[tunnel] removed ${name} on ${client.hostName}`);
    return true;
  } catch (error) {
    if (!DockerApiError.is(error, 'notFound')) {
      options.logger.warn(`[tunnel] could not remove ${name} on ${client.hostName}: ${errorMessage(error)}`);
    }
    return false;
  }
}

/** Sorts a failed dial into "the host is gone" (reconnect) and "the host is there, the target is not". */
export function dialError(plan: TransportPlan, error: unknown): ForwardError {
  if (ForwardError.is(error)) {
    return error;
  }
  if (HostError.is(error)) {
    return new ForwardError('hostUnreachable', error.message, { cause: error });
  }
  const code = (error as NodeJS.ErrnoException).code;
  const detail = errorMessage(error);
  if (plan.kind === 'sshChannel') {
    // sshd reports its own failed connect to the container as a channel open failure with a numeric reason.
    const refusedBySshd = typeof (error as { reason?: unknown }).reason === 'number';
    return refusedBySshd
      ? new ForwardError('targetUnreachable', `${plan.label}: ${detail}. Is the service listening?`, { cause: error })
      : new ForwardError('hostUnreachable', `${plan.label}: the SSH connection failed (${detail}).`, { cause: error });
  }
  if (plan.kind !== 'localBridge' && (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT' || code === 'EHOSTDOWN')) {
    return new ForwardError('hostUnreachable', `${plan.label}: the host does not answer (${code}).`, { cause: error });
  }
  return new ForwardError('targetUnreachable', `${plan.label}: ${detail}.`, { cause: error });
}
