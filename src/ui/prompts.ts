import { errorMessage } from '../core/errors';
import type { Logger } from '../core/like';
import { aliasProblem, portProblem } from '../core/links/names';
import { parseListeningPorts } from '../core/links/probe';
import type { ContainerModel } from '../core/model/containerModel';
import type { ContainerSummary } from '../core/types';
import { isManaged } from '../core/values/labels';
import { type Answer, type PickItem, type Prompter, type Separator, type StepPosition, back } from './prompter';

/** The prompts several commands share, built on the Prompter (plain Node, tested with the scripted fake). */

export interface ResolvedContainer {
  hostName: string;
  container: ContainerSummary;
}

export interface ContainerPickOptions extends StepPosition {
  title: string;
  placeholder: string;
  /** Only containers of this host. */
  hostName?: string;
  /** Why a container cannot be picked (it is then left out), or undefined when it can. */
  unavailable?: (candidate: ResolvedContainer) => string | undefined;
  active?: ResolvedContainer;
}

/** For a step that picks a user's container to recreate: Crosslink's own are not offered, and an empty host says why. */
export const recreatableContainer: { unavailable: NonNullable<ContainerPickOptions['unavailable']>; empty: { message: string } } = {
  unavailable: ({ container }) => (isManaged(container.labels) ? 'managed by Crosslink' : undefined),
  empty: { message: 'no container on the connected hosts yet.' },
};

/** Candidates grouped by host: name, host · state · image; stopped containers are marked. */
export function containerItems(model: Pick<ContainerModel, 'hosts'>, options: ContainerPickOptions): Array<PickItem<ResolvedContainer> | Separator> {
  const items: Array<PickItem<ResolvedContainer> | Separator> = [];
  for (const host of model.hosts()) {
    if (options.hostName && host.spec.name !== options.hostName) {
      continue;
    }
    const candidates = [...host.containers.values()].map((container) => ({ hostName: host.spec.name, container })).filter((candidate) => !options.unavailable?.(candidate));
    if (candidates.length > 0) {
      items.push({ separator: host.spec.name });
    }
    for (const candidate of candidates) {
      const { container } = candidate;
      const running = container.state === 'running';
      items.push({
        label: `${running ? '$(circle-filled)' : '$(circle-outline)'} ${container.name}`,
        description: `${candidate.hostName} · ${running ? 'running' : `${container.state} (stopped)`}`,
        detail: container.image,
        value: candidate,
      });
    }
  }
  return items;
}

/**
 * One container. When none can be picked, the user is told why (`empty`) and may take the
 * alternative it offers; resolves undefined then.
 */
export async function pickContainer(
  ui: Prompter,
  model: Pick<ContainerModel, 'hosts'>,
  options: ContainerPickOptions & { empty: { message: string; alternative?: { label: string; run: () => void } } },
): Promise<Answer<ResolvedContainer>> {
  const items = containerItems(model, options);
  if (items.length === 0) {
    const alternative = options.empty.alternative;
    const choice = await ui.notify('info', `${options.title}: ${options.empty.message}`, ...(alternative ? [alternative.label] : []));
    if (alternative && choice === alternative.label) {
      alternative.run();
    }
    return undefined;
  }
  const active = options.active && items.find((item) => 'value' in item && item.value.container.id === options.active?.container.id);
  return ui.pickOne({ ...options, items, active: active && 'value' in active ? active.value : undefined });
}

/** An alias, validated as a DNS label while the user types. */
export function inputAlias(ui: Prompter, options: StepPosition & { title: string; prompt: string; value?: string }): Promise<Answer<string>> {
  return ui.inputText({ ...options, validate: (text) => aliasProblem(text.trim()) });
}

/** An alias that may be left empty (none). */
export function inputAliasOptional(ui: Prompter, options: StepPosition & { title: string; prompt: string; value?: string }): Promise<Answer<string>> {
  return ui.inputText({ ...options, validate: (text) => (text.trim() === '' ? undefined : aliasProblem(text.trim())) });
}

export interface PortCandidate {
  port: number;
  description: string;
}

/**
 * The TCP ports worth offering for a container: exposed, published, and what listens inside it
 * (read from /proc/net/tcp by exec, best effort: a container without `cat` or that does not
 * answer in `timeoutMs` simply adds nothing).
 */
export async function portCandidates(
  target: ResolvedContainer,
  listening: { exec(id: string, command: string[], options?: { timeoutMs?: number }): Promise<{ exitCode: number; stdout: string }> } | undefined,
  logger: Logger,
  timeoutMs = 2000,
): Promise<PortCandidate[]> {
  const tcp = target.container.ports.filter((binding) => binding.protocol === 'tcp');
  const byPort = new Map<number, string[]>();
  const add = (port: number, what: string) => byPort.set(port, [...(byPort.get(port) ?? []), what]);
  for (const binding of tcp) {
    if (binding.publicPort) {
      add(binding.privatePort, `published on ${binding.hostIp ?? '0.0.0.0'}:${binding.publicPort}`);
    } else if (!byPort.has(binding.privatePort)) {
      add(binding.privatePort, 'exposed');
    }
  }
  if (listening && target.container.state === 'running') {
    try {
      const { stdout } = await listening.exec(target.container.id, ['cat', '/proc/net/tcp', '/proc/net/tcp6'], { timeoutMs });
      for (const port of parseListeningPorts(stdout)) {
        add(port, 'listening');
      }
    } catch (error) {
      logger.info(`Ports of ${target.container.name}: cannot read what listens inside it: ${errorMessage(error)}`);
    }
  }
  return [...byPort.entries()].sort(([a], [b]) => a - b).map(([port, what]) => ({ port, description: [...new Set(what)].join(' · ') }));
}

/** A port from the candidates, or one typed right there (validated as the user types). */
export function pickPort(ui: Prompter, candidates: PortCandidate[], options: StepPosition & { title: string; active?: number }): Promise<Answer<number>> {
  return ui.pickOne({
    ...options,
    placeholder: candidates.length > 0 ? 'Pick a port, or type one' : 'Type the port number (nothing is exposed, published or listening)',
    items: candidates.map(({ port, description }) => ({ label: String(port), description, value: port })),
    typed: (text) => {
      const port = Number(text);
      const problem = /^\d+$/.test(text) ? portProblem(port) : 'Type a port number (1-65535).';
      return problem ? { problem } : { value: port, label: `Port ${port}` };
    },
  });
}

/**
 * Several containers of one host (a container the command was started on is preselected and only
 * its host is offered). Containers on two hosts are refused with the cross-host alternative.
 */
export async function pickContainersOnOneHost(
  ui: Prompter,
  model: Pick<ContainerModel, 'hosts'>,
  options: StepPosition & { title: string; placeholder: string; started?: ResolvedContainer; picked?: ResolvedContainer[]; unavailable?: ContainerPickOptions['unavailable'] },
): Promise<Answer<ResolvedContainer[]>> {
  const chosen = new Set((options.picked ?? (options.started ? [options.started] : [])).map((resolved) => resolved.container.id));
  const items = containerItems(model, { ...options, hostName: options.started?.hostName }).map((item) =>
    'value' in item ? { ...item, picked: chosen.has(item.value.container.id) } : item,
  );
  if (items.length === 0) {
    void ui.notify('info', `${options.title}: no container can be picked here; start or create containers on a host first.`);
    return undefined;
  }
  const picked = await ui.pickMany({ ...options, items });
  if (Array.isArray(picked)) {
    const hosts = [...new Set(picked.map((resolved) => resolved.hostName))];
    if (picked.length === 0) {
      return undefined;
    }
    if (hosts.length > 1) {
      void ui.notify(
        'warning',
        `${options.title} works on one host, but the containers are on ${hosts.join(' and ')}. To connect containers on different hosts, use "Link Container Across Hosts".`,
      );
      return undefined;
    }
  }
  return picked;
}

/**
 * An existing named object (network, volume) or a new one: typed right in the pick, or through
 * "Create…" with a suggested name. A new name is validated as the user types and may not repeat
 * an existing one. Back from the name returns to the pick.
 */
export async function pickOrCreateName(
  ui: Prompter,
  options: StepPosition & {
    title: string;
    placeholder?: string;
    existing: Array<{ name: string; description: string }>;
    /** Every name on the host, listed or not. */
    taken: ReadonlySet<string>;
    createLabel: string;
    suggestedName: string;
    nameProblem: (name: string) => string | undefined;
    active?: string;
  },
): Promise<Answer<string>> {
  const problem = (name: string) => options.nameProblem(name) ?? (options.taken.has(name) ? `${name} exists; pick it from the list instead.` : undefined);
  const create = '\0create';
  for (;;) {
    const picked = await ui.pickOne<string>({
      ...options,
      items: [{ label: `$(add) ${options.createLabel}`, value: create }, ...options.existing.map(({ name, description }) => ({ label: name, description, value: name }))],
      typed: (text) => (problem(text) ? { problem: problem(text)! } : { value: text, label: `$(add) Create ${text}` }),
    });
    if (picked !== create) {
      return picked;
    }
    const name = await ui.inputText({ ...options, title: options.createLabel.replace(/…$/, ''), value: options.suggestedName, validate: (text) => problem(text.trim()) });
    if (name !== back) {
      return name?.trim();
    }
  }
}
