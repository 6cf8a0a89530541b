import type { ListedOverlayLink } from '../../core/topology/overlayListing';
import type { CrossLink } from '../../core/values/labels';

/** Tree elements are small, stable keys; everything shown is read from the model when rendered. */
export class HostNode {
  readonly kind = 'host';
  constructor(readonly hostName: string) {}
}

export class ContainerNode {
  readonly kind = 'container';
  constructor(
    readonly hostName: string,
    readonly containerId: string,
  ) {}
}

/** A legacy link of a container: it reaches `target` as `alias`. */
export class LinkNode {
  readonly kind = 'link';
  constructor(
    readonly hostName: string,
    readonly clientName: string,
    readonly target: string,
    readonly alias: string,
    /** The target's first exposed port, used to verify the link. */
    readonly port: number | undefined,
  ) {}
}

/** An extra name of a container on a user-defined network. */
export class AliasNode {
  readonly kind = 'alias';
  constructor(
    readonly hostName: string,
    readonly containerName: string,
    readonly network: string,
    readonly alias: string,
  ) {}
}

/** A cross-host link, shown under its client ("→ oracle on alpha:1521") and under its target ("← bw on beta"). */
export class CrossLinkNode {
  readonly kind = 'crossLink';
  constructor(
    readonly link: CrossLink,
    readonly side: 'client' | 'target',
  ) {}
}

/** A cross-host link over a Swarm overlay network, under its client and under its target, as a CrossLinkNode is. */
export class OverlayLinkNode {
  readonly kind = 'overlayLink';
  constructor(
    readonly link: ListedOverlayLink,
    readonly side: 'client' | 'target',
  ) {}
}

/** The "Tunnels" section at the top of the tree. */
export class TunnelsNode {
  readonly kind = 'tunnels';
}

/** One tunnel, by its id ("host/container:port"). */
export class TunnelNode {
  readonly kind = 'tunnel';
  constructor(readonly id: string) {}
}

/** A line of text under a host or at the top (errors, hints, actions). */
export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly id: string,
    readonly label: string,
    readonly options: { icon?: string; color?: string; tooltip?: string; command?: { command: string; title: string; arguments?: unknown[] } } = {},
  ) {}
}

export type TreeNode = TunnelsNode | TunnelNode | HostNode | ContainerNode | LinkNode | AliasNode | CrossLinkNode | OverlayLinkNode | MessageNode | InterruptedChangeNode;

/** An interrupted change shown on its container ("host/name"); `action` is set when a notification button chose it. */
export class InterruptedChangeNode {
  readonly kind = 'interruptedChange';
  constructor(
    readonly container: string,
    readonly title: string,
    readonly action?: 'finish' | 'rollBack',
    /** The container whose children show it ("host/id"): the new one and the parked original both do. */
    readonly shownOn?: string,
  ) {}
}
