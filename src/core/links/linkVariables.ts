import type { ContainerDetails } from '../types';
import { versionAtLeast } from '../planning/recreate';

/** A legacy link of a client: the target container's name and the alias the client reaches it by. */
export interface LegacyLink {
  target: string;
  alias: string;
}

/** The client's legacy links (ContainerDetails.links holds them as "target:alias"). */
export function legacyLinks(details: Pick<ContainerDetails, 'links'>): LegacyLink[] {
  return details.links.map((link) => {
    const [target, alias] = link.split(':');
    return { target, alias: alias || target };
  });
}

/**
 * The Engine API version of Docker 29, which no longer injects link variables (a daemon started
 * with DOCKER_KEEP_DEPRECATED_LEGACY_LINKS_ENV_VARS=1 still does, until Docker 30 removes that).
 */
const noLinkVariables = '1.52';

/** The engine's prefix for a link's variables: the alias upper-cased, "-" as "_" ("my-db" → "MY_DB"). */
export function linkVariablePrefix(alias: string): string {
  return alias.toUpperCase().replace(/-/g, '_');
}

/** Whether `name` is one of the variables the engine injects for a link with this alias (`*_PORT*`, `*_NAME`, `*_ENV_*`). */
export function isLinkVariable(name: string, alias: string): boolean {
  const prefix = linkVariablePrefix(alias);
  if (!name.startsWith(`${prefix}_`)) {
    return false;
  }
  return /^(PORT(_\d+_[A-Z]+(_(ADDR|PORT|PROTO|START|END|PORT_START|PORT_END))?)?|NAME|ENV_.+)$/.test(name.slice(prefix.length + 1));
}

/**
 * The variables the engine injected for `link` (moby daemon/links: `ToEnv`), with one difference:
 * where the engine wrote the target's IP address, these name the alias. The address was the
 * target's at the client's start; it changes whenever the target restarts or is recreated, and a
 * fixed variable would then point at nothing (or at another container). The alias resolves through
 * the network's DNS to wherever the target is now, so `DB_PORT=tcp://db:5432` and
 * `DB_PORT_5432_TCP_ADDR=db` stay right. An app that insists on an IP address in `*_ADDR` would
 * need a lookup, which an app reading `*_PORT` as a URL does anyway.
 */
export function fixedLinkVariables(clientName: string, link: LegacyLink, target: Pick<ContainerDetails, 'raw'>): string[] {
  const config = (target.raw.Config ?? {}) as { ExposedPorts?: Record<string, unknown> | null; Env?: string[] | null };
  const prefix = linkVariablePrefix(link.alias);
  const host = link.alias;
  const ports = Object.keys(config.ExposedPorts ?? {})
    .map((key) => {
      const [number, proto = 'tcp'] = key.split('/');
      return { number: Number(number), proto };
    })
    .filter((port) => Number.isInteger(port.number))
    .sort(tcpFirst);
  const env: string[] = [];
  let start = ports[0];
  let end = ports[0];
  ports.forEach((port, index) => {
    if (index === 0) {
      env.push(`${prefix}_PORT=${port.proto}://${host}:${port.number}`);
    }
    const portPrefix = `${prefix}_PORT_${port.number}_${port.proto.toUpperCase()}`;
    env.push(`${portPrefix}=${port.proto}://${host}:${port.number}`, `${portPrefix}_ADDR=${host}`, `${portPrefix}_PORT=${port.number}`, `${portPrefix}_PROTO=${port.proto}`);
    // Consecutive ports of one protocol also get the range's start and end, as the engine gives them.
    if (port.number === end.number + 1 && port.proto === end.proto) {
      end = port;
      if (index < ports.length - 1) {
        return;
      }
    }
    if (end !== start) {
      const rangePrefix = `${prefix}_PORT_${start.number}_${start.proto.toUpperCase()}`;
      env.push(
        `${rangePrefix}_START=${start.proto}://${host}:${start.number}`,
        `${rangePrefix}_PORT_START=${start.number}`,
        `${rangePrefix}_END=${end.proto}://${host}:${end.number}`,
        `${rangePrefix}_PORT_END=${end.number}`,
      );
    }
    start = port;
    end = port;
  });
  env.push(`${prefix}_NAME=/${clientName}/${link.alias}`);
  for (const entry of config.Env ?? []) {
    const separator = entry.indexOf('=');
    const name = entry.slice(0, separator);
    // The engine leaves these two out: every image sets them, so they say nothing about the target.
    if (separator > 0 && name !== 'HOME' && name !== 'PATH') {
      env.push(`${prefix}_ENV_${entry}`);
    }
  }
  return env;
}

/** The engine's order: TCP ports first, then by protocol, each by number. */
function tcpFirst(a: { number: number; proto: string }, b: { number: number; proto: string }): number {
  if (a.proto === b.proto) {
    return a.number - b.number;
  }
  return a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto.localeCompare(b.proto);
}

/**
 * Where link variables were seen, strongest first:
 * - `config`: set explicitly in the container's own env (Config.Env, beyond what the image sets),
 *   e.g. by Compose or an earlier migration: the app was given them on purpose.
 * - `process`: in the running process's environment (read with `env`), injected by the engine.
 * - `engine`: not looked at (stopped, or no `env` in the image), but an engine before Docker 29
 *   injects them into every container with legacy links when it starts.
 * - `none`: not there. The engine's variables never show in inspect: it adds them at start.
 */
export type LinkVariableEvidence = 'config' | 'process' | 'engine' | 'none';

export interface LinkVariableUse {
  /** The app may read link variables: they are in its environment now (or will be when it starts). */
  present: boolean;
  evidence: LinkVariableEvidence;
  /** The link variables seen (names), empty for `engine` and `none`. */
  variables: string[];
}

/**
 * Whether a container's app may read its links' variables. `imageEnv` tells variables the user set
 * from ones the image happens to define; `processEnv` is the running process's environment when it
 * could be read.
 */
export function linkVariableUse(details: Pick<ContainerDetails, 'links' | 'raw'>, facts: { imageEnv: string[]; processEnv?: string[]; apiVersion: string }): LinkVariableUse {
  const aliases = legacyLinks(details).map((link) => link.alias);
  if (aliases.length === 0) {
    return { present: false, evidence: 'none', variables: [] };
  }
  const matching = (entries: string[]) => entries.map((entry) => entry.split('=')[0]).filter((name) => aliases.some((alias) => isLinkVariable(name, alias)));
  const image = new Set(facts.imageEnv);
  const configEnv = ((details.raw.Config as { Env?: string[] | null } | undefined)?.Env ?? []).filter((entry) => !image.has(entry));
  const configured = matching(configEnv);
  const injected = matching(facts.processEnv ?? []).filter((name) => !configured.includes(name));
  const variables = [...configured, ...injected];
  if (configured.length > 0) {
    return { present: true, evidence: 'config', variables };
  }
  if (injected.length > 0) {
    return { present: true, evidence: 'process', variables };
  }
  if (facts.processEnv === undefined && !versionAtLeast(facts.apiVersion, noLinkVariables)) {
    return { present: true, evidence: 'engine', variables: [] };
  }
  return { present: false, evidence: 'none', variables: [] };
}
