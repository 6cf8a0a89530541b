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

/** A host setting or URL that cannot be used as written. */
export class ConfigError extends CrosslinkError<'invalidName' | 'invalidUrl' | 'invalidOption' | 'duplicateName' | 'unresolvableAddress'> {
  static is(error: unknown): error is ConfigError {
    return error instanceof ConfigError;
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
  | 'noTransport'; // nothing can carry this tunnel (no address, a name clash with a foreign container)

/** A tunnel could not listen locally or reach its target. */
export class ForwardError extends CrosslinkError<ForwardErrorReason> {
  static is(error: unknown, reason?: ForwardErrorReason): error is ForwardError {
    return error instanceof ForwardError && (reason === undefined || error.reason === reason);
  }
}
