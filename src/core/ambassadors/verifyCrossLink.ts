import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import { type HopCheck, type HopStatus, type VerifyResult, interpretHops, legacyStep, probeStatus } from '../links/hops';
import { NamespaceRunner, type ProbeResult } from '../links/probe';
import { type VerifyOptions, notChecked, resolveStatus } from '../links/verifyLink';
import type { ContainerSummary } from '../types';
import { type CrossLink, ambassadorLabel, isServerAmbassadorFor, serverAmbassadorName } from '../values/labels';

/** The containers a cross-host link is made of, as its hosts list them now. */
export interface CrossLinkParts {
  client?: ContainerSummary;
  clientAmbassador?: ContainerSummary;
  /** Undefined on a link that reuses a port the target publishes itself (`reuse`), or when it is gone. */
  serverAmbassador?: ContainerSummary;
  target?: ContainerSummary;
  /** False when the target's host is not connected: its side cannot be known. */
  serverSideKnown: boolean;
  /** The client-side ambassador forwards straight to a port the target publishes: there is no server-side ambassador. */
  reuse: boolean;
}

/** Finds a link's parts in its hosts' container lists (pure: the health monitor passes the model's lists). */
export function crossLinkParts(link: CrossLink, clientHost: readonly ContainerSummary[], serverHost: readonly ContainerSummary[] | undefined): CrossLinkParts {
  const clientAmbassador =
    clientHost.find((container) => container.id === link.clientAmbassador.id) ??
    clientHost.find((container) => container.name === link.clientAmbassador.name && container.labels[ambassadorLabel.role] === 'client-ambassador');
  const serverAmbassador = serverHost?.find((container) => isServerAmbassadorFor(container, link.target));
  const target = serverHost?.find((container) => container.name === link.target.container);
  return {
    client: clientHost.find((container) => container.name === link.client.container),
    clientAmbassador,
    serverAmbassador,
    target,
    serverSideKnown: serverHost !== undefined,
    reuse: !serverAmbassador && !!target?.ports.some((binding) => binding.privatePort === link.target.port && binding.publicPort === link.upstream.port),
  };
}

/**
 * Verifies a cross-host link hop by hop, each from where it lives: the client resolves the alias
 * and connects (to the client-side ambassador, which accepts whatever lies behind it); the
 * client-side ambassador's namespace connects to the server host's address:port; the server-side
 * ambassador's namespace resolves the target and connects to its port. Container states come from
 * both hosts' lists. Never throws for a failed check: the result names the hop and the cause.
 */
export async function verifyCrossLink(
  docker: { client: DockerClient; server?: DockerClient },
  logger: Logger,
  link: CrossLink,
  options: VerifyOptions & { helperImage: string },
): Promise<VerifyResult> {
  const [clientHost, serverHost] = await Promise.all([docker.client.listContainers(), docker.server?.listContainers().catch(() => undefined)]);
  const parts = crossLinkParts(link, clientHost, serverHost);
  const runnerOptions = { helperImage: options.helperImage, allowHelper: options.allowHelper ?? true };
  const clientRunner = new NamespaceRunner(docker.client, logger, runnerOptions);
  const serverRunner = docker.server && new NamespaceRunner(docker.server, logger, runnerOptions);
  const running = (container: ContainerSummary | undefined): container is ContainerSummary => container?.state === 'running';
  const { client, clientAmbassador, serverAmbassador, target } = parts;
  const [clientProbe, upstreamProbe, targetProbe] = await Promise.all([
    running(client) ? clientRunner.probe(client, link.alias, link.target.port) : undefined,
    running(clientAmbassador) ? clientRunner.probe(clientAmbassador, link.upstream.address, link.upstream.port) : undefined,
    serverRunner && running(serverAmbassador) ? serverRunner.probe(serverAmbassador, link.target.container, link.target.port) : undefined,
  ]);
  const targetListens = serverRunner && parts.reuse && running(target) ? await serverRunner.listens(target, link.target.port) : undefined;
  const checks = crossLinkChecks(link, parts, { clientProbe, upstreamProbe, targetProbe, targetListens });
  const result = interpretHops(checks, { alias: link.alias, port: link.target.port, crossHost: true, resolvedIp: clientProbe?.resolvedIp });
  return { ...result, connectMs: clientProbe?.outcome === 'ok' ? clientProbe.ms : undefined, failedStep: legacyStep(result.failedHop, result.reason) };
}

/** The hops of a cross-host link from its parts and what the probes found (pure, unit-tested). */
export function crossLinkChecks(
  link: CrossLink,
  parts: CrossLinkParts,
  found: { clientProbe?: ProbeResult; upstreamProbe?: ProbeResult; targetProbe?: ProbeResult; targetListens?: boolean },
): HopCheck[] {
  const { client, clientAmbassador, serverAmbassador, target } = parts;
  const { clientProbe, upstreamProbe, targetProbe } = found;
  const upstream = `${link.upstream.address}:${link.upstream.port}`;
  const clientAmbassadorName = clientAmbassador?.name ?? link.clientAmbassador.name;
  const serverSideUnknown = notChecked(`${link.target.host} is not connected`);
  const checks: HopCheck[] = [];
  checks.push({
    name: 'resolve',
    from: link.client.container,
    to: `"${link.alias}"`,
    status: !client
      ? { ok: false, reason: 'clientMissing' }
      : client.state !== 'running'
        ? { ok: false, reason: 'clientNotRunning', detail: client.state }
        : clientProbe
          ? resolveStatus(clientProbe)
          : notChecked('the client was not probed'),
  });
  checks.push({
    name: 'clientAmbassador',
    from: link.client.container,
    to: `${link.alias}:${link.target.port} (${clientAmbassadorName})`,
    status: partStatus(clientAmbassador, 'ambassador', () =>
      !clientProbe ? notChecked('the client is not running') : clientProbe.outcome === 'notResolving' ? notChecked('the name did not resolve') : probeStatus(clientProbe),
    ),
  });
  checks.push({
    name: 'upstream',
    from: clientAmbassadorName,
    to: upstream,
    status: upstreamProbe ? probeStatus(upstreamProbe) : notChecked(`${clientAmbassadorName} is not running`),
  });
  if (!parts.reuse) {
    checks.push({
      name: 'serverAmbassador',
      from: upstream,
      to: serverAmbassador?.name ?? serverAmbassadorName(link.target),
      status: parts.serverSideKnown ? partStatus(serverAmbassador, 'ambassador', () => ({ ok: true })) : serverSideUnknown,
    });
  }
  checks.push({
    name: 'target',
    from: parts.reuse ? upstream : (serverAmbassador?.name ?? serverAmbassadorName(link.target)),
    to: `${link.target.container}:${link.target.port}`,
    status: !parts.serverSideKnown
      ? serverSideUnknown
      : partStatus(target, 'target', () => {
          if (parts.reuse) {
            return found.targetListens === undefined
              ? notChecked('its listening ports could not be read')
              : found.targetListens
                ? { ok: true }
                : { ok: false, reason: 'notListening' };
          }
          return targetProbe ? probeStatus(targetProbe, 'notListening') : notChecked('the server-side ambassador is not running');
        }),
  });
  return checks;
}

/** A part that is missing or not running fails its hop; a running one is checked by `whenRunning`. */
function partStatus(part: ContainerSummary | undefined, kind: 'ambassador' | 'target', whenRunning: () => HopStatus): HopStatus {
  if (!part) {
    return { ok: false, reason: kind === 'ambassador' ? 'ambassadorMissing' : 'targetMissing' };
  }
  if (part.state !== 'running') {
    return { ok: false, reason: kind === 'ambassador' ? 'ambassadorNotRunning' : 'targetNotRunning', detail: part.state };
  }
  return whenRunning();
}
