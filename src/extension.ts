import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DisposableLike, Logger } from './core/like';
import { DockerodeClient, defaultDockerodeClientOptions } from './core/hosts/dockerodeClient';
import { watchDockerCliConfig } from './core/hosts/localHosts';
import { ContainerModel, type DockerClientFactory } from './core/model/containerModel';
import { registerCommands } from './ui/commands/registerCommands';
import { AmbassadorNetworkKeeper } from './core/ambassadors/networkKeeper';
import { CrossLinkOperations } from './core/ambassadors/crossLinkOperations';
import { OverlayOperations } from './core/overlay/overlayOperations';
import { OverlayLinkListing } from './core/topology/overlayListing';
import { TunnelManager } from './core/forwarding/tunnelManager';
import { refreshTunnelsOnTargetChanges } from './core/forwarding/tunnelRefresh';
import { CrossLinkHealth } from './ui/crossLinkHealth';
import { TunnelsStatusBar } from './ui/tunnels/tunnelsStatusBar';
import { TunnelStore } from './ui/tunnels/tunnelStore';
import { ambassadorImage, dockerCliConfigDir, readConfiguredHosts, restrictedToUserSettings, settingsSection, tunnelBindAddress } from './ui/hostSettings';
import { restrictedModeMessage } from './ui/trustedSettings';
import { installationProvenance } from './ui/provenanceSecret';
import { HostsStatusBar } from './ui/hostsStatusBar';
import { LinksStatusBar } from './ui/linksStatusBar';
import { channelLogger } from './ui/log';
import { ContainersTreeProvider } from './ui/tree/containersTree';
import { InterruptedChangeNode } from './ui/tree/treeNodes';
import { FileJournal } from './core/planning/journal';
import { InterruptedChanges } from './ui/interruptedChanges';
import { SshClientSettings } from './ui/sshClient';
import { TopologySource } from './core/topology/topologySource';
import { TopologyPanel } from './ui/topology/topologyPanel';
import { selectInTree } from './ui/topology/nodeSelection';

// The core's shapes must stay assignable to VS Code's, so core code can be handed VS Code objects.
void ({} as vscode.Disposable satisfies DisposableLike);
void ({} as Logger satisfies Pick<vscode.LogOutputChannel, keyof Logger>);

/** Set while active: deactivate() waits for the tunnels' ambassadors to be removed. */
let activeTunnels: TunnelManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel('Crosslink', { log: true });
  const logger = channelLogger(channel);
  const provenance = await installationProvenance(context, logger);
  const sshClient = new SshClientSettings(logger);
  const createClient: DockerClientFactory = (spec) =>
    new DockerodeClient(spec, logger, { ...defaultDockerodeClientOptions(), openSsh: spec.endpoint.kind === 'ssh' ? sshClient.openSshOptions() : undefined });
  const model = new ContainerModel(createClient, logger);
  // Changes in progress are recorded here, so one cut short by a crash or a closed window can be finished or rolled back.
  const journal = new FileJournal(path.join(context.globalStorageUri.fsPath, 'changes'));
  const interrupted = new InterruptedChanges(model, journal, logger, (container, title, action) => new InterruptedChangeNode(container, title, action));
  const crossLinks = new CrossLinkOperations(model, logger, ambassadorImage, provenance, { journal });
  const overlay = new OverlayOperations(model, logger, ambassadorImage, provenance, crossLinks, { journal });
  const health = new CrossLinkHealth(model, crossLinks, logger);
  const tunnels = new TunnelManager(model, { logger, ambassadorImage: ambassadorImage(), provenance });
  activeTunnels = tunnels;
  const tunnelStore = new TunnelStore(tunnels, context.workspaceState, logger, tunnelBindAddress);
  // One listing of the overlay links for the tree and the topology: listed again only when who is on an overlay network changes.
  const overlayLinks = new OverlayLinkListing(model, overlay, logger);
  const tree = new ContainersTreeProvider(model, health, tunnels, provenance, interrupted, overlayLinks);
  const view = vscode.window.createTreeView('crosslink.containers', { treeDataProvider: tree, showCollapseAll: true });
  // Restricted Mode: the view says whose hosts it lists until the folder is trusted.
  const restrictedHostSettings = restrictedToUserSettings('hosts', 'includeDockerContexts');
  view.message = restrictedHostSettings && restrictedModeMessage(restrictedHostSettings);
  const topology = new TopologyPanel(new TopologySource(model, tunnels, health, logger, overlayLinks), {
    extensionUri: context.extensionUri,
    onSelect: selectInTree(view, tree, context.extension.packageJSON as Parameters<typeof selectInTree>[2]),
    onExport: async () => void (await vscode.commands.executeCommand('crosslink.exportTopology')),
    logger,
  });

  // Activation connects nothing: hosts are read and connected once the view is shown, a command
  // runs, or tunnels saved by the last session are to be reopened (then at once).
  let connected: Promise<void> | undefined;
  const connect = () => {
    connected ??= applyHostSettings(model, logger).then(
      () => {
        void interrupted.scan();
        cliWatch.update();
      },
      (error: unknown) => {
        // The next view or command tries again; this one goes on with what there is.
        connected = undefined;
        logger.error(`Could not apply the host settings: ${String(error)}`);
      },
    );
    return connected;
  };
  // The Docker CLI's files are watched only while their changes can show: the view is visible or tunnels exist.
  const cliWatch = new CliConfigWatch(
    () => connected !== undefined && (view.visible || tunnels.list().length > 0),
    () => {
      logger.info('Docker CLI contexts changed');
      void applyHostSettings(model, logger);
    },
  );
  // Restored tunnels take their ambassadors back before leftovers are looked for.
  const restored = tunnelStore.hasSaved ? connect().then(() => tunnelStore.restore()) : Promise.resolve();
  if (view.visible) {
    void connect();
  }
  context.subscriptions.push(
    channel,
    model,
    sshClient,
    health,
    health.followVisibility(view),
    new LinksStatusBar(health),
    new AmbassadorNetworkKeeper(model, logger, provenance),
    removeLeftoverTunnelHelpers(model, tunnels, restored, logger),
    tunnels,
    tunnelStore,
    new TunnelsStatusBar(tunnels),
    refreshTunnelsOnTargetChanges(model, tunnels),
    overlayLinks,
    tree,
    view,
    interrupted,
    new HostsStatusBar(model),
    topology.source,
    topology,
    ...registerCommands({
      model,
      logger,
      channel,
      createClient,
      state: context.globalState,
      crossLinks,
      overlay,
      health,
      tunnels,
      journal,
      interrupted,
      topology,
      connect,
      forgetSshDeclines: (hostName) => sshClient.forgetDeclines(hostName),
    }),
    view.onDidChangeVisibility(() => {
      if (view.visible) {
        void connect();
      }
      cliWatch.update();
    }),
    tunnels.onDidChange(() => cliWatch.update()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (connected && event.affectsConfiguration(`${settingsSection}.ssh`)) {
        // The ssh:// hosts' connections are made again with the new client or options.
        const others = model
          .hosts()
          .map((host) => host.spec)
          .filter((spec) => spec.endpoint.kind !== 'ssh');
        void model.setHosts(others).then(() => applyHostSettings(model, logger));
      } else if (connected && event.affectsConfiguration(settingsSection)) {
        void applyHostSettings(model, logger);
      }
    }),
    // Trusting the folder brings its restricted settings (its own hosts) into effect.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      view.message = undefined;
      return connected && void applyHostSettings(model, logger);
    }),
    cliWatch,
  );
}

/**
 * Follows the Docker CLI's contexts (without crosslink.hosts the view lists them) while `wanted()`;
 * turning on again re-reads them, so a change made while off is not missed.
 */
class CliConfigWatch implements DisposableLike {
  private watcher?: DisposableLike;
  private watchedBefore = false;

  constructor(
    private readonly wanted: () => boolean,
    private readonly onChange: () => void,
  ) {}

  update(): void {
    if (this.wanted() && !this.watcher) {
      this.watcher = watchDockerCliConfig(dockerCliConfigDir(), this.onChange);
      if (this.watchedBefore) {
        this.onChange();
      }
      this.watchedBefore = true;
    } else if (!this.wanted() && this.watcher) {
      this.dispose();
    }
  }

  dispose(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
  }
}

/** Removes the window's tunnel ambassadors before the window goes; everything else is disposed through context.subscriptions. */
export async function deactivate(): Promise<void> {
  await activeTunnels?.shutdown();
  activeTunnels = undefined;
}

/**
 * Once per host and session, when the host is connected: the tunnel ambassadors a window that
 * died left behind (after the restored tunnels took back theirs).
 */
function removeLeftoverTunnelHelpers(model: ContainerModel, tunnels: TunnelManager, restored: Promise<void>, logger: Logger): DisposableLike {
  const checked = new Set<string>();
  return model.onDidChange((hostName) => {
    if (!hostName || checked.has(hostName) || model.host(hostName)?.state !== 'connected') {
      return;
    }
    checked.add(hostName);
    void restored
      .then(() => tunnels.removeLeftoverHelpers(hostName))
      .then(
        (removed) => removed.length > 0 && logger.info(`[${hostName}] removed tunnel ambassadors left by a closed window: ${removed.join(', ')}`),
        (error: unknown) => {
          checked.delete(hostName);
          logger.warn(`[${hostName}] could not look for leftover tunnel ambassadors: ${String(error)}`);
        },
      );
  });
}

async function applyHostSettings(model: ContainerModel, logger: Logger): Promise<void> {
  const { hosts, problems } = readConfiguredHosts(logger);
  for (const problem of problems) {
    logger.warn(`crosslink.hosts: ${problem.message}`);
  }
  logger.info(`Hosts: ${hosts.map((host) => `${host.name} (${host.url})`).join(', ') || 'none'}`);
  await model.setHosts(hosts, problems);
}
