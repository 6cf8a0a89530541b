import { ConfigError } from '../errors';
import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import type { ContainerDetails, ContainerSummary } from '../types';
import { type HopCheck, type VerifyResult, interpretHops, legacyStep, probeStatus } from './hops';
import { aliasProblem, portProblem } from './names';
import { NamespaceRunner, type ProbeResult } from './probe';

export type { VerifyResult, VerifyStep } from './hops';

export interface VerifyOptions {
  /** Allow a short-lived helper container when a namespace's own image lacks the tools. */
  allowHelper?: boolean;
}

/**
 * Checks a link on one host (legacy link or network alias) hop by hop: the client resolves the
 * alias and connects to the port from its own namespace, and when that fails, the target (found by
 * its legacy link or its address) is asked whether it runs and listens, from its own namespace, so
 * the failure names the part that is down. Never throws for a failed check.
 */
export async function verifyLink(
  client: DockerClient,
  logger: Logger,
  request: { client: ContainerDetails; alias: string; port?: number; helperImage: string } & VerifyOptions,
): Promise<VerifyResult> {
  const { alias, port } = request;
  const badAlias = aliasProblem(alias);
  if (badAlias) {
    throw new ConfigError('invalidAlias', badAlias);
  }
  const badPort = port !== undefined ? portProblem(port) : undefined;
  if (badPort) {
    throw new ConfigError('invalidPort', badPort);
  }
  const runner = new NamespaceRunner(client, logger, { helperImage: request.helperImage, allowHelper: request.allowHelper ?? true });
  const from = request.client.name;
  const checks: HopCheck[] = [];
  let probe: ProbeResult | undefined;
  if (request.client.state !== 'running') {
    checks.push({ name: 'resolve', from, to: `"${alias}"`, status: { ok: false, reason: 'clientNotRunning', detail: request.client.state } });
  } else {
    // Without a port only the name is checked; port 9 (discard) gives socat something to open.
    probe = await runner.probe(request.client, alias, port ?? 9);
    checks.push({ name: 'resolve', from, to: `"${alias}"`, status: resolveStatus(probe) });
    if (port !== undefined) {
      checks.push({ name: 'connect', from, to: `${alias}:${port}`, status: probe.outcome === 'notResolving' ? notChecked('the name did not resolve') : probeStatus(probe) });
    }
  }
  const target = port === undefined ? undefined : await findTarget(client, request.client, alias, probe?.resolvedIp);
  if (target && port !== undefined) {
    checks.push({ name: 'target', from: target.name, to: `${target.name}:${port}`, status: await targetStatus(runner, target, port, probe?.outcome === 'ok') });
  }
  const result = interpretHops(checks, { alias, port, crossHost: false, resolvedIp: probe?.resolvedIp });
  return { ...result, connectMs: probe?.outcome === 'ok' ? probe.ms : undefined, failedStep: legacyStep(result.failedHop, result.reason) };
}

/** The target runs and listens on `port`, checked in its own namespace unless the client already connected. */
async function targetStatus(runner: NamespaceRunner, target: ContainerSummary, port: number, connected: boolean): Promise<HopCheck['status']> {
  if (target.state !== 'running') {
    return { ok: false, reason: 'targetNotRunning', detail: target.state };
  }
  if (connected) {
    return { ok: true };
  }
  const listens = await runner.listens(target, port);
  return listens === undefined ? notChecked('its listening ports could not be read') : listens ? { ok: true } : { ok: false, reason: 'notListening' };
}

/** The container behind the alias: the legacy link's target, else the container with the resolved address. */
async function findTarget(client: DockerClient, from: ContainerDetails, alias: string, resolvedIp: string | undefined): Promise<ContainerSummary | undefined> {
  const linked = from.links.map((link) => link.split(':')).find(([, linkAlias]) => linkAlias === alias)?.[0];
  if (!linked && !resolvedIp) {
    return undefined;
  }
  const containers = await client.listContainers().catch(() => [] as ContainerSummary[]);
  return containers.find((container) => (linked ? container.name === linked : container.networks.some((network) => network.ipAddress === resolvedIp)));
}

/** The name lookup part of a probe: a socat error before any connection means the name did not resolve. */
export function resolveStatus(probe: ProbeResult): HopCheck['status'] {
  if (probe.outcome === 'notResolving') {
    return probeStatus(probe);
  }
  return probe.resolvedIp ? { ok: true } : notChecked(probe.detail ?? 'no tool to resolve names');
}

export function notChecked(why: string): HopCheck['status'] {
  return { ok: false, reason: 'notChecked', detail: why };
}
