/**
 * Typed errors. Callers branch on `reason`, never on message text; the message is
 * written for the user and says what to do.
 */
export class CrosslinkError<Reason extends string = string> extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ConfigErrorReason =
  // crosslink.hosts entries
  | 'invalidName' // a host name that cannot be used
  | 'invalidUrl' // a host URL that cannot be used
  | 'invalidEntry' // an entry that cannot be used at all (not an object; no client can be made of it)
  | 'unknownKey' // a key an entry does not take
  | 'optionNotForScheme' // identityFile without ssh://, tls without tcp://
  | 'invalidOption' // a key's value is not of the type the key takes
  | 'duplicateName' // two entries with one name
  | 'unresolvableAddress' // a host's "address" does not resolve
  | 'addressMissing' // a cross-host link needs the host's "address", which is not set
  | 'hostNotInSettings' // the host comes from a Docker context, DOCKER_HOST or the local engine, not crosslink.hosts
  // what a request names
  | 'hostUnknown' // no host has that name
  | 'containerNotFound' // no container of that name or id on the host
  | 'invalidReference' // not a "host/name" reference
  | 'invalidAlias' // an alias that is not a DNS label
  | 'invalidPort' // not a TCP port
  | 'invalidNetworkName'
  | 'invalidVolumeName'
  | 'invalidMountPath' // not an absolute path in the container
  | 'nothingPicked' // no container to act on
  // what a request asks that the containers do not allow
  | 'selfLink' // a container linked to itself
  | 'sameHost' // a cross-host link between containers on one host
  | 'differentHosts' // a single-host change for containers on several hosts
  | 'aliasTaken' // the alias already names something else for that container or on that network
  | 'nameTaken' // a container that is not Crosslink's holds the name Crosslink needs
  | 'notRequested' // an alias given for a container that is not among the ones to change
  | 'mountPathTaken' // another volume or folder is mounted where the volume should go
  | 'networkDriverUnsupported' // the network is not a bridge network
  | 'portNotPublished' // publish: "reuse", but the target does not publish the port
  | 'networkModeUnsupported' // the container's network mode does not allow the change
  | 'bridgeRequired' // legacy links need the default bridge
  | 'engineUnsupported' // the engine (Podman) cannot do what is asked
  | 'legacyLinkTarget' // the container is the target of legacy links, so it cannot be recreated
  | 'autoRemove' // started with --rm, so it cannot be recreated
  | 'imageMissing'; // the ambassador image is not on the host and cannot be pulled

/**
 * A host setting, or a request, that cannot be carried out as written; nothing was changed.
 * Each failure has its own reason, and the message says what to do.
 */
export class ConfigError extends CrosslinkError<ConfigErrorReason> {
  static is(error: unknown, reason?: ConfigErrorReason): error is ConfigError {
    return error instanceof ConfigError && (reason === undefined || error.reason === reason);
  }
}

export type HostErrorReason =
  | 'refused' // nothing listens at the address
  | 'timeout' // no answer in time
  | 'unreachable' // no route, host down, DNS failure
  | 'auth' // SSH authentication failed
  | 'tls' // certificate or TLS handshake problem
  | 'hostKey' // SSH host key unknown, changed or @revoked
  | 'hostCertificate' // known_hosts vouches for the host only by @cert-authority, which Crosslink cannot check
  | 'credentials' // a TLS file or SSH identity file named in the settings cannot be read
  | 'permission' // local socket not accessible
  | 'protocol' // something answered, but not a Docker engine
  | 'incompatible' // a Docker-compatible engine (Podman, an old Docker) answered, but refused a call Crosslink needs
  | 'closed'; // the connection dropped

/** The Docker engine of a host could not be reached. */
export class HostError extends CrosslinkError<HostErrorReason> {
  constructor(
    readonly host: string,
    reason: HostErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }

  static is(error: unknown, reason?: HostErrorReason): error is HostError {
    return error instanceof HostError && (reason === undefined || error.reason === reason);
  }
}

export type DockerApiErrorReason = 'notFound' | 'conflict' | 'invalidRequest' | 'server';

/** The engine answered, and refused the request. */
export class DockerApiError extends CrosslinkError<DockerApiErrorReason> {
  constructor(
    reason: DockerApiErrorReason,
    message: string,
    readonly statusCode: number,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }

  static is(error: unknown, reason?: DockerApiErrorReason): error is DockerApiError {
    return error instanceof DockerApiError && (reason === undefined || error.reason === reason);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type ForwardErrorReason =
  | 'portInUse' // the local port is taken; offer another (findFreePort)
  | 'portForbidden' // the local port needs privileges this process lacks
  | 'invalidPort' // not a port number
  | 'invalidAddress' // the bind address is not one of this machine's
  | 'targetUnreachable' // the host answered, the container or its port did not
  | 'hostUnreachable' // the Docker host (or its SSH connection) did not answer
  | 'noTransport' // nothing can carry this tunnel (no address, a name clash with a foreign container)
  | 'notListening'; // the tunnel is paused or could not listen, so it has no local address to use

/** A tunnel could not listen locally or reach its target. */
export class ForwardError extends CrosslinkError<ForwardErrorReason> {
  static is(error: unknown, reason?: ForwardErrorReason): error is ForwardError {
    return error instanceof ForwardError && (reason === undefined || error.reason === reason);
  }
}
