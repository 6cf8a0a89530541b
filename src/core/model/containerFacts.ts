import type { ContainerDetails, ContainerSummary, PortBinding } from '../types';

/** One line per fact a user looks for when linking: addresses per network, aliases, ports, links. */
export function containerFacts(container: ContainerSummary | ContainerDetails): string[] {
  const facts = [`Image: ${container.image}`, `Status: ${container.status || container.state}`, `ID: ${container.id.slice(0, 12)}`];
  for (const network of container.networks) {
    const aliases = network.aliases.filter((alias) => alias !== container.name);
    facts.push(`Network ${network.name}: ${network.ipAddress ?? 'no address'}${aliases.length > 0 ? ` (aliases: ${aliases.join(', ')})` : ''}`);
  }
  if (container.ports.length > 0) {
    facts.push(`Ports: ${container.ports.map(formatPort).join(', ')}`);
  }
  if ('links' in container && container.links.length > 0) {
    facts.push(`Links: ${container.links.join(', ')}`);
  }
  return facts;
}

export function formatPort(port: PortBinding): string {
  const inside = `${port.privatePort}/${port.protocol}`;
  if (!port.publicPort) {
    return inside;
  }
  const hostIp = port.hostIp && port.hostIp !== '0.0.0.0' && port.hostIp !== '::' ? `${port.hostIp}:` : '';
  return `${hostIp}${port.publicPort}→${inside}`;
}
