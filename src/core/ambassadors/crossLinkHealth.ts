import { errorMessage } from '../errors';
import { type DisposableLike, Emitter, type EventLike, type Logger } from '../like';
import { type LinkHealth, type LinkPart, type PartsCheck, linkHealth, partsKey } from '../links/linkHealth';
import type { VerifyResult } from '../links/hops';
import type { VerifyOptions } from '../links/verifyLink';
import type { HostDirectory } from '../hosts/hostDirectory';
import type { ContainerSummary } from '../types';
import { type CrossLink, crossLinkOf } from '../values/labels';
import { type CrossLinkParts, crossLinkParts } from './verifyCrossLink';

export interface CrossLinkHealthEntry {
  link: CrossLink;
  health: LinkHealth;
}

/**
 * What the tree and status bar show of an entry: a periodic check that finds the same hops with
 * other timings changes nothing there, so it does not refresh the tree.
 */
function shown(entry: CrossLinkHealthEntry | undefined): string {
  const checked = entry?.health.checked;
  return JSON.stringify(entry && [entry.link, { ...entry.health, checked: checked && checked.hops.map((hop) => [hop.name, hop.ok, hop.reason]) }]);
}

/** A link's identity across ambassador recreations (Repair gives the client-side ambassador a new id). */
export function crossLinkKey(link: CrossLink): string {
  return `${link.client.host}/${link.client.container}/${link.alias}`;
}

/** The parts of a cross-host link in the order of its hops, for the health state machine. */
export function healthParts(link: CrossLink, parts: CrossLinkParts): LinkPart[] {
  const part = (hop: LinkPart['hop'], role: LinkPart['role'], name: string, container: ContainerSummary | undefined, known: boolean): LinkPart => ({
    hop,
    role,
    name,
    container: container && { id: container.id, state: container.state },
    known,
  });
  return [
    part('resolve', 'client', link.client.container, parts.client, true),
    part('clientAmbassador', 'ambassador', link.clientAmbassador.name, parts.clientAmbassador, true),
    ...(parts.reuse
      ? []
      : [
          part(
            'serverAmbassador',
            'ambassador',
            parts.serverAmbassador?.name ?? `the server-side ambassador on ${link.target.host}`,
            parts.serverAmbassador,
            parts.serverSideKnown,
          ),
        ]),
    part('target', 'target', `${link.target.container} on ${link.target.host}`, parts.target, parts.serverSideKnown),
  ];
}

/**
 * The live health of every cross-host link on the connected hosts. Parts follow the HostDirectory
 * (Docker events), so a stopped ambassador or target turns its link broken as soon as the event
 * arrives; while `active` (the view is visible) a periodic check finds what events cannot show:
 * a target that stopped listening, a blocked port, an alias gone from the network.
 */
export class CrossLinkHealthMonitor implements DisposableLike {
  private readonly checks = new Map<string, PartsCheck>();
  /** Checks of links the model has not listed yet (just created): they apply to the parts first seen. */
  private readonly pending = new Map<string, VerifyResult>();
  private entries = new Map<string, CrossLinkHealthEntry>();
  private readonly changed = new Emitter<void>();
  private readonly subscription: DisposableLike;
  private timer: ReturnType<typeof setInterval> | undefined;
  private settings = { active: false, intervalSeconds: 0 };
  private round: Promise<void> | undefined;
  /** Fires when any link's health changed. */
  readonly onDidChange: EventLike<void> = this.changed.event;

  constructor(
    private readonly model: HostDirectory,
    private readonly verify: (link: CrossLink, options: VerifyOptions) => Promise<VerifyResult>,
    private readonly logger: Logger,
  ) {
    this.subscription = model.onDidChange(() => this.update());
    this.update();
  }

  get(link: CrossLink): LinkHealth | undefined {
    return this.entries.get(crossLinkKey(link))?.health;
  }

  all(): CrossLinkHealthEntry[] {
    return [...this.entries.values()];
  }

  /** A Verify's result counts until one of the link's parts changes. */
  record(link: CrossLink, result: VerifyResult): void {
    const key = crossLinkKey(link);
    const entry = this.entries.get(key);
    const parts = entry && this.partsOf(entry.link);
    if (parts) {
      this.checks.set(key, { result, partsKey: partsKey(parts) });
    } else {
      this.pending.set(key, result);
    }
    this.update();
  }

  /** Periodic checks run only while `active` and with a positive interval. */
  configure(settings: Partial<{ active: boolean; intervalSeconds: number }>): void {
    this.settings = { ...this.settings, ...settings };
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (this.settings.active && this.settings.intervalSeconds > 0) {
      this.timer = setInterval(() => void this.checkAll(), this.settings.intervalSeconds * 1000);
      void this.checkAll();
    }
  }

  /**
   * One round of cheap checks (no helper containers) of the links whose parts all run: a broken
   * part is already known, and checking it would only repeat that. Rounds never overlap.
   */
  checkAll(): Promise<void> {
    this.round ??= (async () => {
      for (const { link, health } of this.all()) {
        if (health.state !== 'ok' && !(health.state === 'broken' && health.checked)) {
          continue;
        }
        try {
          this.record(link, await this.verify(link, { allowHelper: false }));
        } catch (error) {
          this.logger.info(`health check of ${crossLinkKey(link)}: ${errorMessage(error)}`);
        }
      }
    })().finally(() => (this.round = undefined));
    return this.round;
  }

  dispose(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.subscription.dispose();
    this.changed.dispose();
  }

  private update(): void {
    const next = new Map<string, CrossLinkHealthEntry>();
    for (const host of this.model.hosts()) {
      for (const container of host.containers.values()) {
        const link = crossLinkOf(host.spec.name, container);
        const parts = link && this.partsOf(link);
        if (link && parts) {
          const key = crossLinkKey(link);
          const pending = this.pending.get(key);
          if (pending) {
            this.checks.set(key, { result: pending, partsKey: partsKey(parts) });
            this.pending.delete(key);
          }
          next.set(key, { link, health: linkHealth(parts, this.checks.get(key)) });
        }
      }
    }
    for (const key of this.checks.keys()) {
      if (!next.has(key)) {
        this.checks.delete(key);
      }
    }
    const before = this.entries;
    this.entries = next;
    const same = before.size === next.size && [...next].every(([key, entry]) => shown(before.get(key)) === shown(entry));
    if (!same) {
      this.changed.fire();
    }
  }

  private partsOf(link: CrossLink): LinkPart[] | undefined {
    const containersOf = (hostName: string) => {
      const host = this.model.host(hostName);
      return host?.state === 'connected' ? [...host.containers.values()] : undefined;
    };
    const clientHost = containersOf(link.client.host);
    return clientHost ? healthParts(link, crossLinkParts(link, clientHost, containersOf(link.target.host))) : undefined;
  }
}
