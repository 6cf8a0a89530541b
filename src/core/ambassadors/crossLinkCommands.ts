import type { DockerClient } from '../hosts/dockerClient';
import { type DockerCommands, type DockerCommandsOptions, comment, networkConnectCommand } from '../links/dockerCommands';
import { command } from '../values/shell';
import type { LinkOperations } from '../links/linkOperations';
import { type CrossLink, ambassadorLabel, isServerAmbassadorFor } from '../values/labels';

/** What the commands of a cross-host link are read from: each host's client, URL and single-host operations. */
export interface CrossLinkCommandHosts {
  client(host: string): DockerClient | undefined;
  url(host: string): string | undefined;
  linksOn(host: string): LinkOperations;
}

/**
 * The whole link as docker commands, per host: on the target host the network Crosslink made, the
 * target joining it and the server ambassador; on the client host the client ambassador (with its
 * alias and labels) and the client joining its network, or in link mode the client recreated with
 * --link. Each host's lines follow a comment naming the host and its URL.
 */
export async function crossLinkDockerCommands(link: CrossLink, hosts: CrossLinkCommandHosts, options: DockerCommandsOptions = {}): Promise<DockerCommands> {
  const lines: string[] = [];
  let maskedValues = 0;
  const add = (commands: DockerCommands) => {
    lines.push(...commands.lines);
    maskedValues += commands.maskedValues;
  };
  const header = (host: string) => comment(`on ${host} (${hosts.url(host) ?? 'not configured'}): run these with docker -H <that URL>`);

  lines.push(header(link.target.host));
  const serverClient = hosts.client(link.target.host);
  const serverAmbassador = serverClient && (await serverClient.listContainers()).find((container) => isServerAmbassadorFor(container, link.target));
  if (serverAmbassador) {
    add(await ambassadorCommands(hosts.linksOn(link.target.host), serverAmbassador.id, link.target.container, options));
  } else {
    lines.push(comment(`nothing to run: ${link.target.container} publishes port ${link.upstream.port} itself, or ${link.target.host} cannot be reached`));
  }

  const clientLinks = hosts.linksOn(link.client.host);
  lines.push(header(link.client.host));
  add(await ambassadorCommands(clientLinks, link.clientAmbassador.id, link.client.container, options));
  if (link.mode === 'link') {
    const client = await clientLinks.dockerCommands(link.client.container, options);
    lines.push(comment(`${link.client.container} reaches ${link.alias} through a legacy link: remove or rename the existing ${link.client.container}, then`));
    add({ lines: client.lines.slice(client.lines.findIndex(isRunLine)), maskedValues: client.maskedValues });
  }
  return { lines, maskedValues };
}

/** An ambassador's commands, with the user's container joining the network Crosslink connected it to (before the ambassador runs). */
async function ambassadorCommands(links: LinkOperations, ambassadorId: string, userContainer: string, options: DockerCommandsOptions): Promise<DockerCommands> {
  const ambassador = await links.inspect(ambassadorId);
  const commands = await links.dockerCommands(ambassador, options);
  const network = ambassador.labels[ambassadorLabel.network];
  if (!network || ambassador.labels[ambassadorLabel.joinedNetwork] !== 'true') {
    return commands;
  }
  const user = await links.inspect(userContainer).catch(() => undefined);
  const join = user?.networks.some((attached) => attached.name === network)
    ? networkConnectCommand(user, network)
    : command('docker', 'network', 'connect', network, userContainer);
  const run = commands.lines.findIndex(isRunLine);
  return { lines: [...commands.lines.slice(0, run), join, ...commands.lines.slice(run)], maskedValues: commands.maskedValues };
}

const isRunLine = (line: string) => line.startsWith('docker run ');
