import * as vscode from 'vscode';
import { DisposableLike, Logger } from './core/like';
import { DockerodeClient } from './core/hosts/dockerodeClient';
import { watchDockerCliConfig } from './core/hosts/localHosts';
import { ContainerModel, DockerClientFactory } from './core/model/containerModel';
import { registerCommands } from './ui/commands/registerCommands';
import { AmbassadorNetworkKeeper } from './core/ambassadors/networkKeeper';
import { CrossLinkOperations } from './core/ambassadors/crossLinkOperations';
import { TunnelManager } from './core/forwarding/tunnelManager';
import { refreshTunnelsOnTargetChanges } from './core/forwarding/tunnelRefresh';
import { CrossLinkHealth } from './ui/crossLinkHealth';
import { TunnelsStatusBar } from './ui/tunnels/tunnelsStatusBar';
import { TunnelStore } from './ui/tunnels/tunnelStore';
import { ambassadorImage, dockerCliConfigDir, readConfiguredHosts, settingsSection } from './ui/hostSettings';
import { HostsStatusBar } from './ui/hostsStatusBar';
import { LinksStatusBar } from './ui/linksStatusBar';
import { channelLogger } from './ui/log';
import { ContainersTreeProvider } from './ui/tree/containersTree';

// The core's shapes must stay assignable to VS Code's, so core code can be handed VS Code objects.
void ({} as vscode.Disposable satisfies DisposableLike);
void ({} as Logger satisfies Pick<vscode.LogOutputChannel, keyof Logger>);

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('Crosslink', { log: true });
  const logger = channelLogger(channel);
  const createClient: DockerClientFactory = (spec) => new DockerodeClient(spec, logger);
  const model = new ContainerModel(createClient, logger);
  const crossLinks = new CrossLinkOperations(model, logger, ambassadorImage);
  const health = new CrossLinkHealth(model, crossLinks, logger);
  const tunnels = new TunnelManager(
    (name) => {
      const client = model.client(name);
      const spec = model.spec(name);
      return client && spec ? { client, spec } : undefined;
    },
    { logger, ambassadorImage: ambassadorImage() },
  );
  const tunnelStore = new TunnelStore(tunnels, context.workspaceState, logger);
  const tree = new ContainersTreeProvider(model, health, tunnels);
  const view = vscode.window.createTreeView('crosslink.containers', { treeDataProvider: tree, showCollapseAll: true });

  context.subscriptions.push(
    channel,
    model,
    health,
    health.followVisibility(view),
    new LinksStatusBar(health),
    new AmbassadorNetworkKeeper(model, logger),
    tunnels,
    tunnelStore,
    new TunnelsStatusBar(tunnels),
    refreshTunnelsOnTargetChanges(model, tunnels),
    tree,
    view,
    new HostsStatusBar(model),
    ...registerCommands({ model, logger, channel, createClient, state: context.globalState, crossLinks, health, tunnels }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(settingsSection)) {
        void applyHostSettings(model, logger);
      }
    }),
    // Without crosslink.hosts the view shows the CLI's contexts; with it, this changes nothing.
    watchDockerCliConfig(dockerCliConfigDir(), () => {
      logger.info('Docker CLI contexts changed');
      void applyHostSettings(model, logger);
    }),
  );
  void applyHostSettings(model, logger).then(() => tunnelStore.restore());
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

async function applyHostSettings(model: ContainerModel, logger: Logger): Promise<void> {
  const { hosts, problems } = readConfiguredHosts(logger);
  for (const problem of problems) {
    logger.warn(`crosslink.hosts: ${problem.message}`);
  }
  logger.info(`Hosts: ${hosts.map((host) => `${host.name} (${host.url})`).join(', ') || 'none'}`);
  await model.setHosts(hosts, problems);
}
