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

/** A line of text under a host or at the top (errors, hints, actions). */
export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly id: string,
    readonly label: string,
    readonly options: { icon?: string; color?: string; tooltip?: string; command?: { command: string; title: string; arguments?: unknown[] } } = {},
  ) {}
}

export type TreeNode = HostNode | ContainerNode | MessageNode;
