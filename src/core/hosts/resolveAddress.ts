import * as dns from 'node:dns/promises';
import * as net from 'node:net';
import { ConfigError, errorMessage } from '../errors';

/** Every address a name resolves to; injectable so tests need no DNS. */
export type AddressLookup = (hostname: string) => Promise<string[]>;

export const systemLookup: AddressLookup = async (hostname) => (await dns.lookup(hostname, { all: true })).map((entry) => entry.address);

/**
 * A host's `address` as an IP: Docker takes only IPs as a port binding's HostIp, and an engine
 * that ignores an unparsable one publishes on every interface. IPv4 first, as the engines'
 * default bridges are. A name that resolves to nothing is refused ('unresolvableAddress') before
 * anything changes.
 */
export async function resolveHostAddress(hostName: string, address: string, lookup: AddressLookup = systemLookup): Promise<string> {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(bare)) {
    return bare;
  }
  let addresses: string[] = [];
  let problem = 'no addresses';
  try {
    addresses = (await lookup(bare)).filter((candidate) => net.isIP(candidate));
  } catch (error) {
    problem = errorMessage(error);
  }
  const ip = addresses.find((candidate) => net.isIPv4(candidate)) ?? addresses[0];
  if (!ip) {
    throw new ConfigError(
      'unresolvableAddress',
      `The address "${address}" of host ${hostName} does not resolve here (${problem}); set "address" in crosslink.hosts to an IP or a name this machine resolves. Nothing was changed.`,
    );
  }
  return ip;
}
