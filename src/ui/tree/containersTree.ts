import * as vscode from 'vscode';
import { describeEndpoint } from '../../core/hosts/hostSpec';
import type { ContainerModel } from '../../core/model/containerModel';
import type { HostSnapshot } from '../../core/model/hostWatcher';
import type { ContainerState, ContainerSummary } from '../../core/types';
import { errorMessage } from '../../core/errors';
import {
  AliasNode,
  ContainerNode,
  CrossLinkNode,
  HostNode,
  InterruptedChangeNode,
  LinkNode,
  MessageNode,
  OverlayLinkNode,
  type TreeNode,
  TunnelNode,
  TunnelsNode,
} from './treeNodes';
import type { InterruptedChanges } from '../interruptedChanges';
import type { TunnelInfo, TunnelManager } from '../../core/forwarding/tunnelManager';
import { type CrossLink, ambassadorLabel, crossLinkOf, formatTarget } from '../../core/values/labels';
import type { CrossLinkHealth } from '../crossLinkHealth';
import { hopTitle } from '../../core/links/hops';
import type { LinkHealth, LinkHealthState } from '../../core/links/linkHealth';
import { containerTooltip } from './tooltips';
import type { Provenance } from '../../core/provenance/provenance';
import { hasCrosslinkLabels } from '../../core/provenance/seal';
import { countOf } from '../../core/plural';
import { hasLinksOrAliases } from '../../core/model/containerChildren';
import { withoutHostPrefix } from '../../core/hosts/translateError';
import { engineLabel } from '../../core/hosts/engines';
import { currentTunnelMachine } from '../tunnels/reachableAddress';
import { noEngineAnswers } from '../welcomeState';
import { RefreshBatcher, TaskLimiter } from './pacing';

/**
 * Refreshes are drawn together once none was asked for 30 ms, and at the latest 200 ms after the
 * first (one redraw per burst of events, not one per host; VS Code itself merges for about as long).
 */
const refreshQuietMs = 30;
const refreshMaxWaitMs = 200;
/** Inspect calls the rows of one host make at once; the rest of its connection pool stays free for events. */
const rowInspectsPerHost = 2;
import { SwarmMemberships } from '../../core/overlay/swarmMemberships';
import { describeSwarm } from '../../core/overlay/swarm';
import type { OverlayLinkListing, OverlayLinkState } from '../../core/topology/overlayListing';

const containerIcons: Record<ContainerState, [icon: string, color?: string]> = {
  running: ['circle-filled', 'charts.green'],
  paused: ['debug-pause', 'charts.yellow'],
  restarting: ['sync~spin', 'charts.yellow'],
  created: ['circle-large-outline'],
  exited: ['circle-outline', 'disabledForeground'],
  removing: ['trash'],
  dead: ['error', 'charts.red'],
};

const hostIcons: Record<HostSnapshot['state'], [icon: string, color?: string]> = {
  connecting: ['loading~spin'],
  connected: ['server-environment', 'charts.green'],
  reconnecting: ['sync~spin', 'charts.yellow'],
  unreachable: ['error', 'charts.red'],
};

/** Maps the ContainerModel to tree items; refreshes only the host that changed. */
export class ContainersTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  private readonly refreshes: RefreshBatcher<TreeNode>;
  /** Set by a model change, so the nodes of removed containers are forgotten once per refresh, not once per change. */
  private modelChanged = false;
  /** By "host/container name": the cross-host links where it is the client or the target. Built on first use after a model change. */
  private crossLinkIndex?: Map<string, Array<{ link: CrossLink; side: 'client' | 'target' }>>;
  private readonly inspectLimiters = new Map<string, TaskLimiter>();
  private readonly hostNodes = new Map<string, HostNode>();
  private readonly tunnelsNode = new TunnelsNode();
  /** The rows under Tunnels, kept by tunnel id so one row can be redrawn on its own. */
  private readonly tunnelNodes = new Map<string, TunnelNode>();
  private readonly subscription: { dispose(): void };
  /** By "host/id": what inspect said about links and aliases, for the networks the container was on then. */
  private readonly linksOrAliases = new Map<string, { networks: string; has?: boolean }>();
  private readonly containerNodes = new Map<string, ContainerNode>();
  /** Swarm membership per host, for the host row (redrawn when it changes). */
  readonly swarms = new SwarmMemberships((host) => this.changed.fire(this.hostNodes.get(host)));
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly model: ContainerModel,
    private readonly health: CrossLinkHealth,
    private readonly tunnels: TunnelManager,
    private readonly provenance: Provenance,
    private readonly interrupted: InterruptedChanges,
    /** Overlay links, listed once per change of who is on an overlay network; their state is read from the model. */
    private readonly overlays?: Pick<OverlayLinkListing, 'of' | 'stateOf' | 'onDidChange'>,
  ) {
    this.refreshes = new RefreshBatcher(refreshQuietMs, refreshMaxWaitMs, (nodes) => {
      if (this.modelChanged) {
        this.modelChanged = false;
        this.forgetRemovedContainers();
      }
      this.changed.fire(nodes);
    });
    const modelChanged = model.onDidChange((hostName) => {
      this.modelChanged = true;
      this.crossLinkIndex = undefined;
      this.refreshes.request(hostName ? this.hostNodes.get(hostName) : undefined);
    });
    const healthChanged = health.onDidChange(() => this.refreshes.request(undefined));
    // A new or removed tunnel shows or hides the section; a tunnel's state or counters refresh only the section.
    const tunnelsChanged = tunnels.onDidChange((id) => this.refreshes.request(id ? this.tunnelsNode : undefined));
    // Counters redraw only that tunnel's row: redrawing the section replaces its rows, and a context-menu
    // command chosen meanwhile (Stop Tunnel on a busy tunnel) would reach the command without its row.
    const countersChanged = tunnels.onDidChangeCounters((id) => this.refreshes.request(this.tunnelNodes.get(id) ?? this.tunnelsNode));
    const interruptedChanged = interrupted?.onDidChange(() => this.refreshes.request(undefined));
    const overlaysChanged = overlays?.onDidChange(() => this.refreshes.request(undefined));
    this.subscription = {
      dispose: () =>
        [modelChanged, healthChanged, tunnelsChanged, countersChanged, interruptedChanged, overlaysChanged, this.refreshes].forEach((disposable) => disposable?.dispose()),
    };
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (!element) {
      const tunnels = this.tunnels.list().length > 0 ? [this.tunnelsNode] : [];
      const problems = this.problemNodes();
      const hosts = this.model.hosts();
      // Empty, so the welcome (Add Docker Host, Use the Local Engine) shows in its place.
      const welcome = noEngineAnswers(hosts) && tunnels.length === 0 && problems.length === 0;
      void vscode.commands.executeCommand('setContext', 'crosslink.noEngine', welcome);
      return welcome ? [] : [...tunnels, ...problems, ...hosts.map((host) => this.hostNode(host.spec.name))];
    }
    if (element instanceof TunnelsNode) {
      const open = this.tunnels.list();
      [...this.tunnelNodes.keys()].filter((id) => !open.some((tunnel) => tunnel.id === id)).forEach((id) => this.tunnelNodes.delete(id));
      return open.map((tunnel) => this.tunnelNodes.get(tunnel.id) ?? this.tunnelNodes.set(tunnel.id, new TunnelNode(tunnel.id)).get(tunnel.id)!);
    }
    if (element instanceof HostNode) {
      const host = this.model.host(element.hostName);
      return host ? this.hostChildren(host) : [];
    }
    if (element instanceof ContainerNode) {
      return this.containerChildren(element);
    }
    return [];
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element instanceof ContainerNode ? this.hostNodes.get(element.hostName) : undefined;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    if (element instanceof HostNode) {
      return this.hostItem(element);
    }
    if (element instanceof ContainerNode) {
      return this.containerItem(element);
    }
    if (element instanceof LinkNode) {
      return linkItem(element, this.model.findContainer(element.hostName, element.target)?.state);
    }
    if (element instanceof AliasNode) {
      return aliasItem(element);
    }
    if (element instanceof CrossLinkNode) {
      return crossLinkItem(element, this.health, this.originOf(element.link.clientAmbassador.host, element.link.clientAmbassador.id));
    }
    if (element instanceof OverlayLinkNode) {
      return overlayLinkItem(element, this.overlays?.stateOf(element.link) ?? { state: 'unknown', message: 'not known yet' });
    }
    if (element instanceof TunnelsNode) {
      const item = new vscode.TreeItem('Tunnels', vscode.TreeItemCollapsibleState.Expanded);
      item.id = 'tunnels';
      item.iconPath = new vscode.ThemeIcon('plug');
      const machine = currentTunnelMachine();
      item.description = `${this.tunnels.list().filter((tunnel) => tunnel.state !== 'paused').length} active${machine.remote ? ` · on ${machine.label}` : ''}`;
      // The inline Pause or Resume action, whose icon shows which one it is.
      item.contextValue = this.tunnels.list().every((tunnel) => tunnel.state === 'paused') ? 'tunnels.paused' : 'tunnels.active';
      return item;
    }
    if (element instanceof TunnelNode) {
      const tunnel = this.tunnels.get(element.id);
      return tunnel ? tunnelItem(tunnel) : new vscode.TreeItem(element.id);
    }
    if (element instanceof InterruptedChangeNode) {
      return interruptedChangeItem(element);
    }
    return messageItem(element);
  }

  /** Tooltips need an inspect call (links, aliases); only made when the user hovers. */
  async resolveTreeItem(item: vscode.TreeItem, element: TreeNode): Promise<vscode.TreeItem> {
    if (element instanceof ContainerNode) {
      const summary = this.model.host(element.hostName)?.containers.get(element.containerId);
      if (summary) {
        item.tooltip = await containerTooltip(this.model, element.hostName, summary);
      }
    }
    return item;
  }

  /** The row of a host, or of a container on it by name, for TreeView.reveal; undefined when not listed. */
  elementFor(hostName: string, containerName?: string): TreeNode | undefined {
    if (containerName === undefined) {
      return this.model.host(hostName) ? this.hostNode(hostName) : undefined;
    }
    const container = this.model.findContainer(hostName, containerName);
    return container ? this.containerNode(hostName, container.id) : undefined;
  }

  tunnelsElement(): TreeNode | undefined {
    return this.tunnels.list().length > 0 ? this.tunnelsNode : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private hostNode(name: string): HostNode {
    let node = this.hostNodes.get(name);
    if (!node) {
      node = new HostNode(name);
      this.hostNodes.set(name, node);
    }
    return node;
  }

  /**
   * One node per container for as long as it is listed, so a single row can be redrawn (a host's
   * redraw re-creates its rows, and a context menu opened on one of them would lose its argument).
   */
  private containerNode(hostName: string, containerId: string): ContainerNode {
    const key = `${hostName}/${containerId}`;
    let node = this.containerNodes.get(key);
    if (!node) {
      node = new ContainerNode(hostName, containerId);
      this.containerNodes.set(key, node);
    }
    return node;
  }

  private problemNodes(): MessageNode[] {
    return this.model.problems().map(
      (problem, index) =>
        new MessageNode(`problem:${index}`, problem.message, {
          icon: 'warning',
          color: 'problemsWarningIcon.foreground',
          tooltip: `${problem.message}\n\nClick to edit crosslink.hosts.`,
          command: { command: 'workbench.action.openSettingsJson', title: 'Open Settings (JSON)' },
        }),
    );
  }

  private hostChildren(host: HostSnapshot): TreeNode[] {
    const name = host.spec.name;
    if (host.state === 'unreachable' || (host.state === 'reconnecting' && host.containers.size === 0)) {
      // The row sits under the host's own row: its name would only repeat.
      const reason = host.error ? withoutHostPrefix(name, errorMessage(host.error)) : 'not reachable';
      return [
        new MessageNode(`${name}:error`, reason, { icon: 'warning', color: 'problemsWarningIcon.foreground', tooltip: reason }),
        new MessageNode(`${name}:retry`, 'Retry', { icon: 'debug-restart', command: { command: 'crosslink.retryHost', title: 'Retry', arguments: [name] } }),
      ];
    }
    if (host.state === 'connecting') {
      return [new MessageNode(`${name}:connecting`, 'Connecting…', { icon: 'loading~spin' })];
    }
    if (host.containers.size === 0) {
      return [new MessageNode(`${name}:empty`, 'No containers', { icon: 'info' })];
    }
    return [...host.containers.values()].sort(byStateThenName).map((container) => this.containerNode(name, container.id));
  }

  /** Links and aliases need inspect, so they are read when the user expands the container. */
  private async containerChildren(node: ContainerNode): Promise<TreeNode[]> {
    const client = this.model.client(node.hostName);
    if (!client) {
      return [];
    }
    let details;
    try {
      details = await client.inspectContainer(node.containerId);
    } catch (error) {
      return [new MessageNode(`${node.hostName}/${node.containerId}:error`, errorMessage(error), { icon: 'warning' })];
    }
    const links = details.links.map((link) => {
      const [target, alias] = link.split(':');
      const port = this.model.findContainer(node.hostName, target)?.ports[0]?.privatePort;
      return new LinkNode(node.hostName, details.name, target, alias, port);
    });
    const aliases = details.networks.flatMap((network) =>
      network.aliases.filter((alias) => alias !== details.name).map((alias) => new AliasNode(node.hostName, details.name, network.name, alias)),
    );
    const change = this.interrupted.forContainer(node.hostName, details.name);
    const interrupted = change ? [new InterruptedChangeNode(change.containers[0], change.title, undefined, `${node.hostName}/${node.containerId}`)] : [];
    return [...interrupted, ...this.crossLinksOf(node.hostName, details.name), ...this.overlayLinksOf(node.hostName, details.name), ...links, ...aliases];
  }

  /** Cross-host links from the ambassadors' labels on every host: where this container is the client or the target. */
  private crossLinksOf(hostName: string, containerName: string): CrossLinkNode[] {
    const entries = this.crossLinkEntries(hostName, containerName);
    return [...entries.filter((entry) => entry.side === 'client'), ...entries.filter((entry) => entry.side === 'target')].map(
      ({ link, side }) => new CrossLinkNode({ ...link, origin: this.originOf(link.clientAmbassador.host, link.clientAmbassador.id) }, side),
    );
  }

  /** Overlay links where this container is the client (first) or the target. */
  private overlayLinksOf(hostName: string, containerName: string): OverlayLinkNode[] {
    const entries = this.overlays?.of(hostName, containerName) ?? [];
    return [...entries.filter((entry) => entry.side === 'client'), ...entries.filter((entry) => entry.side === 'target')].map(({ link, side }) => new OverlayLinkNode(link, side));
  }

  /**
   * Every row asks this, so the ambassadors of all hosts are read once per model change into an
   * index: scanning them per row made drawing 20 hosts × 250 containers quadratic (25 million visits).
   */
  private crossLinkEntries(hostName: string, containerName: string): Array<{ link: CrossLink; side: 'client' | 'target' }> {
    if (!this.crossLinkIndex) {
      const index = new Map<string, Array<{ link: CrossLink; side: 'client' | 'target' }>>();
      const add = (key: string, entry: { link: CrossLink; side: 'client' | 'target' }) => index.set(key, [...(index.get(key) ?? []), entry]);
      for (const host of this.model.hosts()) {
        for (const container of host.containers.values()) {
          const link = crossLinkOf(host.spec.name, container);
          if (link) {
            add(`${link.client.host}/${link.client.container}`, { link, side: 'client' });
            add(`${link.target.host}/${link.target.container}`, { link, side: 'target' });
          }
        }
      }
      this.crossLinkIndex = index;
    }
    return this.crossLinkIndex.get(`${hostName}/${containerName}`) ?? [];
  }

  /**
   * Whether this installation made a container with Crosslink's labels. Undefined until the
   * host's engine ID is known (asked once per client, then the host's items are redrawn).
   */
  private originOf(hostName: string, containerId: string): 'ours' | 'foreign' | undefined {
    const client = this.model.client(hostName);
    const container = this.model.host(hostName)?.containers.get(containerId);
    if (!client || !container) {
      return undefined;
    }
    const engineId = this.provenance.knownEngineId(client);
    if (engineId === undefined) {
      void this.provenance.engineIdOf(client).then(
        () => this.refreshes.request(this.hostNodes.get(hostName)),
        () => undefined,
      );
      return undefined;
    }
    return this.provenance.isOurs('container', container, engineId) ? 'ours' : 'foreign';
  }

  /**
   * Whether a container has legacy links or aliases, which only inspect tells. Links come only with
   * a new container (a new id) and aliases with a network change, so inspect is asked again only
   * then — not for the exec and health events that also re-list a container. Until the answer comes
   * the row keeps its arrow, and the row is redrawn once it came without any.
   */
  private mayHaveLinksOrAliases(hostName: string, container: ContainerSummary): boolean {
    const key = `${hostName}/${container.id}`;
    const networks = container.networks
      .map((network) => network.name)
      .sort()
      .join(',');
    const known = this.linksOrAliases.get(key);
    if (known?.networks === networks) {
      return known.has ?? true;
    }
    const client = this.model.client(hostName);
    if (!client) {
      return true;
    }
    const entry: { networks: string; has?: boolean } = { networks };
    this.linksOrAliases.set(key, entry);
    let limiter = this.inspectLimiters.get(hostName);
    if (!limiter) {
      limiter = new TaskLimiter(rowInspectsPerHost);
      this.inspectLimiters.set(hostName, limiter);
    }
    // A row gone (or asked again) before its turn needs no answer.
    const current = () => this.linksOrAliases.get(key) === entry;
    limiter
      .run(async () => (current() ? client.inspectContainer(container.id) : undefined))
      .then(
        (details) => {
          if (!details) {
            return;
          }
          entry.has = hasLinksOrAliases(details);
          const node = this.containerNodes.get(key);
          if (!entry.has && node && current()) {
            this.refreshes.request(node);
          }
        },
        // Gone or unreachable: the arrow stays, and expanding says why.
        () => (entry.has = true),
      );
    return true;
  }

  private forgetRemovedContainers(): void {
    // One snapshot per host, not one per row: thousands of rows are checked on every refresh.
    const listed = new Map(this.model.hosts().map((host) => [host.spec.name, host.containers]));
    for (const [key, node] of this.containerNodes) {
      if (!listed.get(node.hostName)?.has(node.containerId)) {
        this.containerNodes.delete(key);
        this.linksOrAliases.delete(key);
      }
    }
  }

  private hostItem(node: HostNode): vscode.TreeItem {
    const host = this.model.host(node.hostName);
    const item = new vscode.TreeItem(node.hostName, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `host:${node.hostName}`;
    if (!host) {
      return item;
    }
    const endpoint = describeEndpoint(host.spec.endpoint);
    const stateText =
      host.state === 'connected'
        ? `${host.engine ? engineLabel(host.engine) : 'Docker ?'} · ${countOf(host.containers.size, 'container')}`
        : host.state === 'unreachable'
          ? host.error?.reason === 'incompatible'
            ? 'incompatible engine'
            : `unreachable: ${host.error?.reason ?? 'unknown'}`
          : host.state;
    const client = host.state === 'connected' ? this.model.client(node.hostName) : undefined;
    const swarm = client && this.swarms.known(node.hostName, client);
    const swarmText = swarm && describeSwarm(swarm);
    item.description = `${endpoint} · ${stateText}${swarmText ? ` · ${swarmText}` : ''}${host.spec.current ? ' · current' : ''}`;
    const [icon, color] = hostIcons[host.state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    // `.configured`: the entry is in crosslink.hosts, so Edit Host and Remove Host apply.
    item.contextValue = `host.${host.state}${host.spec.source === 'settings' ? '.configured' : ''}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${node.hostName}** — ${host.state}\n\n`);
    tooltip.appendMarkdown(`- Endpoint: \`${endpoint}\`\n`);
    const sshRoute = this.model.client(node.hostName)?.sshRoute?.();
    if (sshRoute) {
      tooltip.appendMarkdown(`- SSH (OpenSSH, from ssh_config): \`${sshRoute}\`\n`);
    }
    if (host.spec.address) {
      tooltip.appendMarkdown(`- Reached by other hosts at: \`${host.spec.address}\`\n`);
    }
    if (host.engine) {
      tooltip.appendMarkdown(`- ${engineLabel(host.engine)} (API ${host.engine.apiVersion}, ${host.engine.os}/${host.engine.arch})\n`);
    }
    if (swarm && swarm.state !== 'inactive') {
      tooltip.appendMarkdown(
        `- Swarm: ${swarm.state}, ${swarm.role ?? 'node'}; node \`${swarm.nodeId}\`${swarm.clusterId ? `, cluster \`${swarm.clusterId}\`` : ''}${swarm.nodeAddress ? `, advertises ${swarm.nodeAddress}` : ''}\n`,
      );
    }
    tooltip.appendMarkdown(`- From: ${host.spec.source}\n`);
    if (host.error) {
      tooltip.appendMarkdown(`\n${withoutHostPrefix(node.hostName, host.error.message)}\n`);
    }
    item.tooltip = tooltip;
    return item;
  }

  private containerItem(node: ContainerNode): vscode.TreeItem {
    const container = this.model.host(node.hostName)?.containers.get(node.containerId);
    const item = new vscode.TreeItem(container?.name ?? node.containerId.slice(0, 12), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `container:${node.hostName}/${node.containerId}`;
    if (!container) {
      return item;
    }
    const linked = this.crossLinkEntries(node.hostName, container.name).length > 0 || (this.overlays?.of(node.hostName, container.name).length ?? 0) > 0;
    if (!linked && !this.mayHaveLinksOrAliases(node.hostName, container)) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    }
    const addresses = container.networks.filter((network) => network.ipAddress).map((network) => network.ipAddress);
    const published = container.ports.filter((port) => port.publicPort).map((port) => `${port.publicPort}→${port.privatePort}`);
    item.description = [container.image, container.state !== 'running' ? container.state : undefined, ...addresses, ...published].filter(Boolean).join(' · ');
    const [icon, color] = containerIcons[container.state];
    const ambassadorFor = container.labels[ambassadorLabel.target];
    item.iconPath = new vscode.ThemeIcon(ambassadorFor ? 'radio-tower' : icon, color ? new vscode.ThemeColor(color) : undefined);
    if (ambassadorFor) {
      item.description = `ambassador → ${ambassadorFor}${container.state !== 'running' ? ` · ${container.state}` : ''}`;
    }
    item.contextValue = `container.${container.state}`;
    if (hasCrosslinkLabels(container.labels) && this.originOf(node.hostName, container.id) === 'foreign') {
      item.description = `${item.description} · not created here`;
      item.contextValue = `container.${container.state}.foreign`;
    }
    if (this.interrupted.forContainer(node.hostName, container.name)) {
      item.description = `interrupted change · ${item.description}`;
      item.contextValue += '.interrupted';
    }
    return item;
  }
}

/** A legacy link follows its target's state from Docker events: a stopped or missing target breaks it. */
function linkItem(node: LinkNode, targetState: ContainerState | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(`→ ${node.target}`, vscode.TreeItemCollapsibleState.None);
  item.id = `link:${node.hostName}/${node.clientName}/${node.alias}`;
  const broken = targetState !== 'running' && targetState !== 'restarting';
  const targetStatus = targetState === 'running' ? '' : ` · target ${targetState ?? 'missing'}`;
  item.description = `${node.alias === node.target ? 'legacy link' : `as ${node.alias} · legacy link`}${targetStatus}`;
  item.tooltip = `${node.clientName} reaches ${node.target} as "${node.alias}"${node.port ? ` (port ${node.port})` : ''} through a legacy link.${broken ? ` ${node.target} is ${targetState ?? 'missing'}: start it, then Verify.` : ''}`;
  item.iconPath = broken ? new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red')) : new vscode.ThemeIcon('link');
  item.contextValue = 'link.legacy';
  return item;
}

const healthIcons: Record<LinkHealthState, [icon: string, color: string]> = {
  ok: ['pass', 'charts.green'],
  degraded: ['warning', 'charts.yellow'],
  broken: ['error', 'charts.red'],
  unknown: ['question', 'disabledForeground'],
};

function crossLinkItem(node: CrossLinkNode, healthOf: CrossLinkHealth, origin: 'ours' | 'foreign' | undefined): vscode.TreeItem {
  const { link } = node;
  const label = node.side === 'client' ? `→ ${link.target.container} on ${link.target.host}:${link.target.port}` : `← ${link.client.container} on ${link.client.host}`;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `crosslink:${node.side}:${link.clientAmbassador.host}/${link.clientAmbassador.id}`;
  const health: LinkHealth = healthOf.get(link) ?? { state: 'unknown', message: 'not known yet' };
  const checked = health.checked;
  const foreign = origin === 'foreign';
  const status = health.state === 'ok' ? (checked?.ok ? 'verified' : 'ok') : health.state === 'broken' && health.failedHop ? `broken: ${hopTitle(health.failedHop)}` : health.state;
  item.description = `as ${link.alias} · ${link.mode === 'link' ? 'legacy link' : 'network alias'} · ${status}${foreign ? ' · not created here' : ''}`;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${link.client.container}** on ${link.client.host} reaches **${formatTarget(link.target)}** as \`${link.alias}:${link.target.port}\`\n\n`);
  tooltip.appendMarkdown(`- client-side ambassador: ${link.clientAmbassador.name} (${link.clientAmbassador.state}) → ${link.upstream.address}:${link.upstream.port}\n`);
  tooltip.appendMarkdown(`- how the client reaches it: ${link.mode === 'link' ? 'legacy link' : 'network alias'}\n`);
  tooltip.appendMarkdown(`- health: **${health.state}** — `).appendText(health.message).appendMarkdown('\n');
  if (checked) {
    tooltip.appendMarkdown('\nLast check, hop by hop:\n\n');
    for (const hop of checked.hops) {
      const mark = hop.ok ? '$(pass)' : hop.reason === 'notChecked' ? '$(circle-slash)' : '$(error)';
      tooltip
        .appendMarkdown(`- ${mark} ${hopTitle(hop.name)}: `)
        .appendText(`${hop.from} → ${hop.to}${hop.ms !== undefined ? ` · ${hop.ms} ms` : ''}${hop.error ? ` · ${hop.error}` : ''}`)
        .appendMarkdown('\n');
    }
  }
  if (foreign) {
    tooltip.appendMarkdown(
      `\n**Not created here**: another Crosslink (a teammate's, or a version before seals) or someone else made this ambassador. ` +
        `Crosslink changes it only after you confirm; **Adopt** takes it as this installation's own.\n`,
    );
  }
  item.tooltip = tooltip;
  const [icon, color] = healthIcons[health.state];
  item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
  // crossLink.<ok|degraded|broken|unknown>, plus .foreign when this installation did not make it: a broken link shows Repair inline.
  item.contextValue = `crossLink.${health.state}${foreign ? '.foreign' : ''}`;
  return item;
}

/** An overlay link follows the model: both ends running and on its network, or what is not. */
function overlayLinkItem(node: OverlayLinkNode, health: OverlayLinkState): vscode.TreeItem {
  const { link } = node;
  const label = node.side === 'client' ? `→ ${link.target.container} on ${link.target.host}:${link.target.port}` : `← ${link.client.container} on ${link.client.host}`;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `overlaylink:${node.side}:${link.network.id}`;
  const foreign = link.origin === 'foreign';
  item.description = `as ${link.alias} · overlay network ${link.network.name} · ${health.state}${foreign ? ' · not created here' : ''}`;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${link.client.container}** on ${link.client.host} reaches **${formatTarget(link.target)}** as \`${link.alias}:${link.target.port}\`\n\n`);
  tooltip.appendMarkdown(`- over the Swarm overlay network \`${link.network.name}\` (no ambassadors)\n`);
  tooltip.appendMarkdown(`- state: **${health.state}** — `).appendText(health.message).appendMarkdown('\n');
  tooltip.appendMarkdown('\nVerify Link probes it from the client; Switch to Ambassadors moves it off the overlay with no gap.\n');
  if (foreign) {
    tooltip.appendMarkdown(`\n**Not created here**: this installation did not make the network; Crosslink changes it only after you confirm.\n`);
  }
  item.tooltip = tooltip;
  const [icon, color] = healthIcons[health.state];
  item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
  // overlayLink.<ok|broken|unknown>, plus .foreign: its own menu (Remove, Switch to Ambassadors, Verify), not the ambassador link's.
  item.contextValue = `overlayLink.${health.state}${foreign ? '.foreign' : ''}`;
  return item;
}

const tunnelIcons: Record<TunnelInfo['state'], [icon: string, color?: string]> = {
  active: ['plug', 'charts.green'],
  paused: ['debug-pause'],
  reconnecting: ['sync~spin', 'charts.yellow'],
  error: ['error', 'charts.red'],
};

function tunnelItem(tunnel: TunnelInfo): vscode.TreeItem {
  const item = new vscode.TreeItem(tunnel.localAddress ?? `(port ${tunnel.localPort ?? '?'})`, vscode.TreeItemCollapsibleState.None);
  item.id = `tunnel:${tunnel.id}`;
  const { activeConnections, bytesIn, bytesOut } = tunnel.stats;
  item.description = `→ ${tunnel.id} · ${tunnel.state === 'active' ? `${activeConnections} conn · ${formatBytes(bytesIn + bytesOut)}` : tunnel.state}`;
  const [icon, color] = tunnelIcons[tunnel.state];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const machine = currentTunnelMachine();
  item.tooltip = new vscode.MarkdownString(
    `**${tunnel.localAddress ?? 'not listening'}** → ${tunnel.id}\n\n` +
      `- listens on: ${machine.label}${machine.remote ? ' (Open in Browser and Copy Local Address give the address your browser reaches)' : ''}\n` +
      `- transport: ${tunnel.transport || 'not resolved yet'}\n` +
      `- state: ${tunnel.state}${tunnel.problem ? ` — ${tunnel.problem}` : ''}\n` +
      `- connections: ${activeConnections} open, ${tunnel.stats.totalConnections} in all, ${tunnel.stats.errors} failed\n` +
      `- bytes: ${formatBytes(bytesIn)} in, ${formatBytes(bytesOut)} out\n`,
  );
  item.contextValue = `tunnel.${tunnel.state}`;
  return item;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function aliasItem(node: AliasNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.alias, vscode.TreeItemCollapsibleState.None);
  item.id = `alias:${node.hostName}/${node.containerName}/${node.network}/${node.alias}`;
  item.description = `alias on ${node.network}`;
  item.tooltip = `Containers on ${node.network} reach ${node.containerName} as "${node.alias}".`;
  item.iconPath = new vscode.ThemeIcon('tag');
  item.contextValue = 'alias';
  return item;
}

function interruptedChangeItem(node: InterruptedChangeNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Interrupted change: Finish or Roll Back…', vscode.TreeItemCollapsibleState.None);
  item.id = `interrupted:${node.shownOn ?? node.container}`;
  item.tooltip = `A change stopped half-way: ${node.title}. Click to finish it or roll it back.`;
  item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  item.command = { command: 'crosslink.recoverChange', title: 'Recover Interrupted Change', arguments: [node] };
  item.contextValue = 'interruptedChange';
  return item;
}

function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.tooltip = node.options.tooltip;
  item.command = node.options.command;
  item.contextValue = 'message';
  if (node.options.icon) {
    item.iconPath = new vscode.ThemeIcon(node.options.icon, node.options.color ? new vscode.ThemeColor(node.options.color) : undefined);
  }
  return item;
}

/** Running containers first, then by name, so what is alive is on top. */
function byStateThenName(a: ContainerSummary, b: ContainerSummary): number {
  const running = Number(b.state === 'running') - Number(a.state === 'running');
  return running !== 0 ? running : a.name.localeCompare(b.name);
}
