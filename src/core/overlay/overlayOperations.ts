import { setTimeout as delay } from 'node:timers/promises';
import type { CrossLinkOperations, ForeignConsent } from '../ambassadors/crossLinkOperations';
import { ConfigError, DockerApiError, errorMessage } from '../errors';
import type { DockerClient } from '../hosts/dockerClient';
import type { HostDirectory } from '../hosts/hostDirectory';
import { type AddressLookup, resolveHostAddress } from '../hosts/resolveAddress';
import type { Logger } from '../like';
import { type HopCheck, interpretHops, legacyStep, probeStatus } from '../links/hops';
import { defaultAlias } from '../links/names';
import { NamespaceRunner } from '../links/probe';
import { type VerifyResult, notChecked, resolveStatus } from '../links/verifyLink';
import type { Journal } from '../planning/journal';
import type { Plan } from '../planning/plan';
import { type ExecuteOptions, executePlans } from '../planning/planExecutor';
import { orUndefined } from '../planning/stepActions';
import type { Provenance } from '../provenance/provenance';
import { ProvenanceError } from '../provenance/seal';
import type { SwarmMembership } from '../types';
import { formatContainerRef, parseContainerRef } from '../values/containerRef';
import { type CrossLink, type OverlayLink, formatTarget, overlayLinkOf, overlayNetworkName } from '../values/labels';
import { planOverlayLink, planOverlayRemoval } from './overlayPlanner';
import { OverlayError, sharedSwarm, shortId } from './swarm';
import { checkSwarmPorts } from './swarmPorts';

/** How long a blocked Swarm port gets before the second and last check. */
const portRecheckMs = 3000;

export interface OverlayLinkArgs {
  client: string;
  target: string;
  port: number;
  alias?: string;
  /** IPsec between the hosts (`--opt encrypted`). */
  encrypted?: boolean;
  /** Form a Swarm of the two hosts first when they are in none (checks the ports first). */
  formSwarm?: boolean;
}

export interface OverlayLinkResult {
  link: OverlayLink;
  /** The host that created (or holds) the network, a Swarm manager. */
  manager: string;
  /** False when the link's network existed already and was reused. */
  createdNetwork: boolean;
  /** The cluster ID when this call formed the Swarm. */
  formedSwarm?: string;
  verified: VerifyResult;
}

export interface OverlayRemoval {
  removedNetwork: boolean;
  /** 'left': both hosts left the Swarm Crosslink had formed; 'kept': it stays (not asked, not ours, or still used). */
  swarm: 'left' | 'kept';
}

/** The registry role of a Swarm this installation formed (its entry's id is the cluster ID). */
const formedSwarmRole = 'formed-swarm';

/**
 * Cross-host links over a Swarm overlay network: Swarm membership, forming a Swarm of two hosts,
 * linking, verifying and removing, and switching a link between ambassadors and an overlay.
 * The overlay network is sealed with the Swarm's cluster ID (every node sees the same network),
 * so any node of that Swarm proves it the same way.
 */
export class OverlayOperations {
  constructor(
    private readonly hosts: Pick<HostDirectory, 'client' | 'spec' | 'connectedHosts'>,
    private readonly logger: Logger,
    private readonly image: () => string,
    private readonly provenance: Provenance,
    private readonly crossLinks: Pick<CrossLinkOperations, 'link' | 'list' | 'verify' | 'remove'>,
    private readonly options: { journal?: Journal; lookup?: AddressLookup } = {},
  ) {}

  /** The host's Swarm membership; `unsupported` on Podman, whose /info says "inactive" though it has no Swarm mode. */
  async membership(host: string): Promise<SwarmMembership> {
    const client = this.clientOf(host);
    const [swarm, engine] = await Promise.all([client.swarm(), client.version()]);
    return engine.engine === 'Podman' ? { ...swarm, state: 'unsupported' } : swarm;
  }

  async link(args: OverlayLinkArgs & ForeignConsent, options: ExecuteOptions = {}): Promise<OverlayLinkResult> {
    const targetRef = parseContainerRef(args.target);
    const clientRef = parseContainerRef(args.client);
    const [targetClient, clientClient] = [this.clientOf(targetRef.host), this.clientOf(clientRef.host)];
    const [target, client] = await Promise.all([targetClient.inspectContainer(targetRef.container), clientClient.inspectContainer(clientRef.container)]);
    let formedSwarm: string | undefined;
    if (args.formSwarm && !(await this.inOneSwarm(targetRef.host, clientRef.host))) {
      formedSwarm = await this.formSwarm(targetRef.host, clientRef.host);
    }
    const swarm = await this.swarmPair(targetRef.host, clientRef.host);
    const { clusterId, manager } = sharedSwarm(swarm);
    const alias = args.alias ?? defaultAlias(target.name);
    const managerClient = this.clientOf(manager);
    const name = overlayNetworkName(client.name, alias);
    const network = await orUndefined(managerClient.inspectNetwork(name));
    const plan = planOverlayLink({
      target: { host: targetRef.host, details: target, port: args.port },
      client: { host: clientRef.host, details: client },
      alias,
      swarm,
      encrypted: args.encrypted,
      existing: network && { network, origin: this.provenance.isOurs('network', network, clusterId) ? 'ours' : 'foreign' },
      confirmForeign: args.confirmForeign,
    });
    const runs = plan.runs.map((hostPlan) => ({ plan: this.sealPlan(hostPlan, clusterId), client: this.clientOf(hostPlan.host) }));
    const title = `link ${args.client} to ${args.target}:${args.port} over an overlay network`;
    await executePlans(runs, this.logger, { journal: this.options.journal, title, ...options });
    const created = plan.creates ? await managerClient.inspectNetwork(name) : network!;
    if (plan.creates) {
      this.recordNetwork(created.id, manager, name);
    }
    const link: OverlayLink = {
      target: { host: targetRef.host, container: target.name, port: args.port },
      client: { host: clientRef.host, container: client.name },
      alias,
      network: { id: created.id, name },
    };
    const verified = await this.verify(link);
    if (!verified.ok) {
      // A link that does not carry traffic is not kept: undo exactly what this call did.
      await this.undoLink(link, runs, plan.creates, clusterId);
      throw new OverlayError('notVerified', `The overlay link did not pass its check, so it was rolled back: ${verified.message}`, [], verified);
    }
    return { link, manager, createdNetwork: plan.creates, formedSwarm, verified };
  }

  /** Every overlay link whose network a connected host sees, once each, with its origin. */
  async list(): Promise<Array<OverlayLink & { origin: 'ours' | 'foreign' }>> {
    const seen = new Map<string, OverlayLink & { origin: 'ours' | 'foreign' }>();
    for (const host of this.hosts.connectedHosts()) {
      const client = this.hosts.client(host);
      const listed = client && (await Promise.all([client.listNetworks(), client.swarm()]).catch(() => undefined));
      if (!listed) {
        continue;
      }
      const [networks, membership] = listed;
      for (const network of networks) {
        const link = overlayLinkOf(network);
        const known = seen.get(network.id);
        if (link && (!known || known.origin === 'foreign')) {
          seen.set(network.id, { ...link, origin: membership.clusterId && this.provenance.isOurs('network', network, membership.clusterId) ? 'ours' : 'foreign' });
        }
      }
    }
    return [...seen.values()];
  }

  /** The overlay link of `client` ("host/name") under `alias`, if any. */
  async find(client: string, alias: string): Promise<(OverlayLink & { origin: 'ours' | 'foreign' }) | undefined> {
    const ref = parseContainerRef(client);
    return (await this.list()).find((link) => link.client.host === ref.host && link.client.container === ref.container && link.alias === alias);
  }

  /**
   * From the client's own namespace: the alias resolves and its port answers, and the target's
   * address on the link's network answers too (so the check is about the overlay even while an
   * ambassador still answers to the same alias). Never throws for a failed check.
   */
  async verify(link: OverlayLink): Promise<VerifyResult> {
    const clientClient = this.clientOf(link.client.host);
    const targetClient = this.hosts.client(link.target.host);
    const [client, target] = await Promise.all([
      clientClient.inspectContainer(link.client.container).catch(() => undefined),
      targetClient?.inspectContainer(link.target.container).catch(() => undefined),
    ]);
    const runner = new NamespaceRunner(clientClient, this.logger, { helperImage: this.image(), allowHelper: true });
    const targetIp = target?.networks.find((network) => network.name === link.network.name)?.ipAddress;
    const running = client?.state === 'running';
    const [aliasProbe, pathProbe] = await Promise.all([
      running ? runner.probe(client, link.alias, link.target.port) : undefined,
      running && targetIp ? runner.probe(client, targetIp, link.target.port) : undefined,
    ]);
    const checks: HopCheck[] = [
      {
        name: 'resolve',
        from: link.client.container,
        to: `"${link.alias}"`,
        status: !client
          ? { ok: false, reason: 'clientMissing' }
          : !running
            ? { ok: false, reason: 'clientNotRunning', detail: client.state }
            : aliasProbe
              ? resolveStatus(aliasProbe)
              : notChecked('not probed'),
      },
      {
        name: 'connect',
        from: link.client.container,
        to: `${link.alias}:${link.target.port}`,
        status: aliasProbe ? probeStatus(aliasProbe) : notChecked('the client is not running'),
      },
      {
        name: 'target',
        from: link.client.container,
        to: `${link.target.container}:${link.target.port} on ${link.network.name}`,
        status: !target
          ? targetClient
            ? { ok: false, reason: 'targetMissing' }
            : notChecked(`${link.target.host} is not connected`)
          : target.state !== 'running'
            ? { ok: false, reason: 'targetNotRunning', detail: target.state }
            : !targetIp
              ? { ok: false, reason: 'unreachable', detail: `${target.name} is not on ${link.network.name}` }
              : pathProbe
                ? probeStatus(pathProbe, 'notListening')
                : notChecked('the client is not running'),
      },
    ];
    const result = interpretHops(checks, { alias: link.alias, port: link.target.port, crossHost: true, resolvedIp: aliasProbe?.resolvedIp });
    return { ...result, connectMs: aliasProbe?.outcome === 'ok' ? aliasProbe.ms : undefined, failedStep: legacyStep(result.failedHop, result.reason) };
  }

  /**
   * Disconnects both containers and removes the network when this installation made it and
   * nothing else is on it. `leaveSwarm`: when Crosslink formed the Swarm and no other overlay
   * link uses it, both hosts leave it (the worker first), which dissolves it.
   */
  async remove(link: OverlayLink, options: ExecuteOptions & ForeignConsent & { leaveSwarm?: boolean } = {}): Promise<OverlayRemoval> {
    const swarm = await this.swarmPair(link.target.host, link.client.host);
    const { clusterId, manager } = sharedSwarm(swarm);
    const network = await orUndefined(this.clientOf(manager).inspectNetwork(link.network.name));
    const ours = network !== undefined && this.provenance.isOurs('network', network, clusterId);
    if (network && !ours && !options.confirmForeign) {
      throw new ProvenanceError(
        'foreign',
        `network ${link.network.name} carries Crosslink's labels but was not created here; confirm to disconnect the containers from it anyway (the network itself stays).`,
        [`network ${link.network.name}`],
      );
    }
    const containers = Object.fromEntries(
      await Promise.all(
        [link.client.host, link.target.host].map(
          async (host) =>
            [
              host,
              await this.clientOf(host)
                .listContainers()
                .catch(() => undefined),
            ] as const,
        ),
      ),
    );
    const plan = planOverlayRemoval({ link, manager, containers, ours: network !== undefined && ours });
    await executePlans(
      plan.runs.map((hostPlan) => ({ plan: hostPlan, client: this.clientOf(hostPlan.host) })),
      this.logger,
      {
        journal: this.options.journal,
        title: `remove the overlay link of ${formatContainerRef(link.client.host, link.client.container)} to ${formatTarget(link.target)}`,
        ...options,
      },
    );
    if (plan.removesNetwork && network && (await this.networkGone([link.target.host, link.client.host], network.name))) {
      this.forget(network.id);
    }
    const left = options.leaveSwarm ? await this.dissolveSwarm(link.target.host, link.client.host, clusterId, link.network.id) : false;
    return { removedNetwork: plan.removesNetwork, swarm: left ? 'left' : 'kept' };
  }

  /**
   * A removed overlay network stays listed on the nodes for a moment (the Swarm's state spreads to
   * them): waits until every host no longer lists it, so Remove Link returns once both hosts are
   * as before. Until then it stays recorded as ours, never shown as "not created here".
   */
  private async networkGone(hosts: string[], name: string, timeoutMs = 20_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const listed = await Promise.all(hosts.map((host) => orUndefined(this.clientOf(host).inspectNetwork(name)).catch(() => 'unanswered' as const)));
      if (listed.every((network) => network === undefined)) {
        return true;
      }
      if (Date.now() > deadline) {
        this.logger.warn(`network ${name} is still listed ${timeoutMs / 1000} s after its removal; it stays recorded as Crosslink's`);
        return false;
      }
      await delay(250);
    }
  }

  /** Whether this installation formed the Swarm with that cluster ID (so Remove Link may offer to dissolve it). */
  formedHere(clusterId: string): boolean {
    return this.provenance.registry.get(clusterId)?.role === formedSwarmRole;
  }

  /**
   * Forms a Swarm of two hosts that are in none: checks every port it needs in both directions
   * (OverlayError 'portsBlocked' names each blocked one), inits on `first` advertising its
   * `address`, fetches the worker token over the existing connection, joins `second`. A host in
   * another Swarm is never changed (OverlayError 'otherSwarm'). Returns the cluster ID.
   */
  async formSwarm(first: string, second: string): Promise<string> {
    const [a, b] = [await this.portHost(first), await this.portHost(second)];
    const [ma, mb] = await Promise.all([this.membership(first), this.membership(second)]);
    for (const [host, membership] of [
      [first, ma],
      [second, mb],
    ] as const) {
      if (membership.state === 'unsupported') {
        throw new OverlayError('swarmUnsupported', `${host} runs an engine without Swarm mode (Podman); a Swarm can only be formed of Docker engines. Use ambassadors.`);
      }
      if (membership.state !== 'inactive') {
        throw new OverlayError(
          'otherSwarm',
          `${host} is already in a Swarm (${membership.state}${membership.clusterId ? `, cluster ${shortId(membership.clusterId)}` : ''}); Crosslink forms a Swarm only of hosts in none, and never moves a host between Swarms.`,
        );
      }
    }
    const checkPorts = async () => [...(await checkSwarmPorts(b, a, true, this.image(), this.logger)), ...(await checkSwarmPorts(a, b, false, this.image(), this.logger))];
    let blocked = await checkPorts();
    if (blocked.length > 0) {
      // A host that has just left a Swarm holds 7946 and 4789 for a second or two: one more look before refusing.
      this.logger.info(`Swarm ports blocked (${blocked.join('; ')}); checking again in ${portRecheckMs / 1000} s`);
      await delay(portRecheckMs);
      blocked = await checkPorts();
    }
    if (blocked.length > 0) {
      throw new OverlayError(
        'portsBlocked',
        `A Swarm needs these ports open between the hosts, and they are blocked: ${blocked.join('; ')}. Open them, or use ambassadors.`,
        blocked,
      );
    }
    const manager = `${a.address}:2377`;
    this.logger.info(`[${first}] swarm init --advertise-addr ${a.address}`);
    await this.swarmCall(
      first,
      'init',
      () => a.client.swarmInit({ advertiseAddress: a.address }),
      (now) => now.state === 'active' && now.role === 'manager',
    );
    try {
      const { worker } = await a.client.swarmJoinTokens();
      this.logger.info(`[${second}] swarm join ${manager} --advertise-addr ${b.address}`);
      await this.swarmCall(
        second,
        'join',
        () => b.client.swarmJoin({ managerAddress: manager, token: worker, advertiseAddress: b.address }),
        (now) => now.state === 'active' && now.managers.includes(manager),
      );
    } catch (error) {
      // Half a Swarm is worse than none: both hosts were in none, so whatever membership they have now this call
      // made (a join whose reply was lost may still have gone through): they leave again, the worker first.
      for (const [host, client] of [
        [second, b.client],
        [first, a.client],
      ] as const) {
        const now = await client.swarm().catch(() => undefined);
        if (now?.state !== 'inactive') {
          await client.swarmLeave(true).catch((leaveError: unknown) => this.logger.warn(`[${host}] could not leave the Swarm after a failed join: ${errorMessage(leaveError)}`));
        }
      }
      throw error;
    }
    const clusterId = (await a.client.swarm()).clusterId;
    this.provenance.record({ id: clusterId, kind: 'swarm', host: first, name: `${first}+${second}`, role: formedSwarmRole });
    return clusterId;
  }

  /**
   * Runs a Swarm call that changes `host`. When it fails without the engine's refusal (a timeout, a
   * dropped connection: only the reply may be lost), the host is asked again, and a membership that
   * `took` recognises counts as done, as the plan executor does for its steps.
   */
  private async swarmCall(host: string, what: string, call: () => Promise<unknown>, took: (now: SwarmMembership) => boolean): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (DockerApiError.is(error) || !(await this.membership(host).then(took, () => false))) {
        throw error;
      }
      this.logger.warn(`[${host}] swarm ${what}: ${errorMessage(error)}, but the host shows it done`);
    }
  }

  /**
   * Moves an ambassador link onto an overlay with no gap: the overlay comes first and is verified
   * (the alias then answers both ways), and only then are the ambassadors removed.
   */
  async promote(link: CrossLink, options: ExecuteOptions & ForeignConsent & { encrypted?: boolean; formSwarm?: boolean } = {}): Promise<OverlayLinkResult> {
    const overlay = await this.link(
      {
        client: formatContainerRef(link.client.host, link.client.container),
        target: formatContainerRef(link.target.host, link.target.container),
        port: link.target.port,
        alias: link.alias,
        encrypted: options.encrypted,
        formSwarm: options.formSwarm,
        confirmForeign: options.confirmForeign,
      },
      options,
    );
    try {
      await this.crossLinks.remove(link, { ...options, confirmForeign: options.confirmForeign });
    } catch (error) {
      throw oldPathKept('overlay', overlay.verified, `the ambassadors of ${link.client.container} → ${link.alias}`, error);
    }
    return { ...overlay, verified: await this.verify(overlay.link) };
  }

  /**
   * Falls back from an overlay to ambassadors with no gap: the ambassador link (network alias) comes
   * first and must pass its own check, then the overlay link is removed. A failed check removes
   * the new ambassadors again and leaves the overlay as it was. `publish` is the server ambassador's
   * host port (default: the target port), or "reuse" a port the target publishes itself.
   */
  async demote(link: OverlayLink, options: ExecuteOptions & ForeignConsent & { publish?: 'reuse' | number } = {}): Promise<{ link: CrossLink; verified: VerifyResult }> {
    const args = {
      client: formatContainerRef(link.client.host, link.client.container),
      target: formatContainerRef(link.target.host, link.target.container),
      port: link.target.port,
      alias: link.alias,
    };
    // Not on the overlay: the ambassadors must keep working once it is gone.
    const made = await this.crossLinks.link(
      { ...args, mode: 'network' as const, publish: options.publish, excludeNetworks: [link.network.name], confirmForeign: options.confirmForeign },
      options,
    );
    const ambassadorLink = (await this.crossLinks.list()).find(
      (candidate) => formatContainerRef(candidate.clientAmbassador.host, candidate.clientAmbassador.name) === made.clientRef,
    );
    if (!ambassadorLink) {
      throw new ConfigError('invalidOption', `The ambassador link of ${args.client} was made but is not listed; the overlay link stays.`);
    }
    const checked = await this.crossLinks.verify(ambassadorLink);
    if (!checked.ok) {
      await this.crossLinks.remove(ambassadorLink, options);
      throw new OverlayError('notVerified', `The ambassador link did not pass its check, so it was removed again and the overlay link stays: ${checked.message}`, [], checked);
    }
    try {
      await this.remove(link, options);
    } catch (error) {
      throw oldPathKept('ambassadors', checked, `the overlay link ${link.network.name}`, error);
    }
    return { link: ambassadorLink, verified: await this.crossLinks.verify(ambassadorLink) };
  }

  /**
   * Both hosts leave a Swarm this installation formed, when no overlay link but `removed` (whose
   * network a node may list for a moment after its removal) is left on it; true when they did.
   */
  private async dissolveSwarm(first: string, second: string, clusterId: string, removed: string): Promise<boolean> {
    if (!this.formedHere(clusterId)) {
      throw new OverlayError('notFormedHere', `Crosslink did not form the Swarm ${shortId(clusterId)}, so it does not dissolve it; the link was removed and the Swarm stays.`);
    }
    const remaining = (await this.list()).filter(
      (other) => other.network.id !== removed && ([first, second].includes(other.client.host) || [first, second].includes(other.target.host)),
    );
    if (remaining.length > 0) {
      this.logger.info(`kept Swarm ${shortId(clusterId)}: still used by ${remaining.map((other) => other.network.name).join(', ')}`);
      return false;
    }
    const memberships = await Promise.all([first, second].map(async (host) => ({ host, membership: await this.membership(host) })));
    // Workers first: the last manager leaving with force is what dissolves the Swarm.
    for (const { host } of memberships.sort((x, y) => Number(x.membership.role === 'manager') - Number(y.membership.role === 'manager'))) {
      await this.clientOf(host).swarmLeave(true);
    }
    this.forget(clusterId);
    return true;
  }

  private async undoLink(link: OverlayLink, runs: Array<{ plan: Plan; client: DockerClient }>, createdNetwork: boolean, clusterId: string): Promise<void> {
    const connected = new Set(runs.flatMap(({ plan }) => plan.steps.flatMap((step) => (step.kind === 'connectNetwork' ? [step.name] : []))));
    const containers = Object.fromEntries(await Promise.all(runs.map(async ({ plan, client }) => [plan.host, await client.listContainers()] as const)));
    const manager = sharedSwarm(await this.swarmPair(link.target.host, link.client.host)).manager;
    const removal = planOverlayRemoval({ link, manager, containers, ours: createdNetwork });
    // Only what this call connected is disconnected: a container that was on the network before stays.
    const runsBack = removal.runs.map((hostPlan) => ({
      plan: { ...hostPlan, steps: hostPlan.steps.filter((step) => step.kind !== 'disconnectNetwork' || connected.has(step.name)) },
      client: this.clientOf(hostPlan.host),
    }));
    await executePlans(runsBack, this.logger, { journal: this.options.journal, title: `roll back the unverified overlay link of ${link.client.container}` });
    if (removal.removesNetwork) {
      this.forget(link.network.id);
    }
    this.logger.info(`rolled back the overlay link of ${link.client.container} (Swarm ${shortId(clusterId)})`);
  }

  private async inOneSwarm(first: string, second: string): Promise<boolean> {
    try {
      sharedSwarm(await this.swarmPair(first, second));
      return true;
    } catch (error) {
      if (OverlayError.is(error, 'notInSwarm')) {
        return false;
      }
      throw error;
    }
  }

  private async swarmPair(target: string, client: string) {
    const [targetMembership, clientMembership] = await Promise.all([this.membership(target), this.membership(client)]);
    return { target: { host: target, membership: targetMembership }, client: { host: client, membership: clientMembership } };
  }

  private async portHost(host: string) {
    const address = this.hosts.spec(host)?.address;
    if (!address) {
      throw new ConfigError('invalidOption', `Set "address" for host ${host} in crosslink.hosts: the address the other Swarm node reaches it at.`);
    }
    return { name: host, client: this.clientOf(host), address: await resolveHostAddress(host, address, this.options.lookup) };
  }

  /** Seals the network the plan creates with the Swarm's cluster ID: the same proof on every node. */
  private sealPlan(plan: Plan, clusterId: string): Plan {
    return {
      ...plan,
      steps: plan.steps.map((step) => (step.kind === 'createNetwork' ? { ...step, labels: this.provenance.sealed('network', step.name, clusterId, step.labels) } : step)),
    };
  }

  private recordNetwork(id: string, host: string, name: string): void {
    try {
      this.provenance.record({ id, kind: 'network', host, name, role: 'overlay-network' });
    } catch (error) {
      this.logger.warn(`Could not record network ${name} in ${this.provenance.registry.file}: ${errorMessage(error)}`);
    }
  }

  private forget(id: string): void {
    try {
      this.provenance.forget(id);
    } catch (error) {
      // A stale entry for an id that never comes back only takes room.
      this.logger.warn(`Could not update ${this.provenance.registry.file}: ${errorMessage(error)}`);
    }
  }

  private clientOf(host: string): DockerClient {
    const client = this.hosts.client(host);
    if (!client) {
      throw new ConfigError('invalidOption', `There is no host "${host}".`);
    }
    return client;
  }
}

/**
 * A switch whose new path is in place and verified, and whose old one could not be removed: both
 * stay, and the error says which one carries the link. A refusal to touch objects this installation
 * did not create stays as it is: it changed nothing, and the caller answers it with consent.
 */
function oldPathKept(carriedBy: 'overlay' | 'ambassadors', verified: VerifyResult, old: string, error: unknown): Error {
  if (ProvenanceError.is(error, 'foreign')) {
    return error;
  }
  return new OverlayError(
    'oldPathKept',
    `The link now answers over ${carriedBy === 'overlay' ? 'the overlay network' : 'ambassadors'} (verified), but removing ${old} failed: ${errorMessage(error)} ` +
      'Both stay; switch again to remove the old path.',
    [],
    verified,
    carriedBy,
    { cause: error },
  );
}
