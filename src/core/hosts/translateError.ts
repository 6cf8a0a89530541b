import { CrosslinkError, DockerApiError, type DockerApiErrorReason, HostError, type HostErrorReason } from '../errors';

const tlsCodes = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_|EPROTO$)/;

const connectReasons: Record<string, HostErrorReason> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
  ETIMEDOUT: 'timeout',
  ABORT_ERR: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ENOENT: 'refused',
  EACCES: 'permission',
  EPERM: 'permission',
};

const hints: Record<HostErrorReason, string> = {
  refused: 'Is the {service} running and listening there?',
  timeout: 'Check that the host is up and that no firewall drops the connection.',
  unreachable: 'Check the host name and your network (VPN?).',
  auth: 'Check the user and key.',
  tls: 'Check the tls ca/cert/key files of this host and that the engine uses the matching certificates.',
  hostKey: 'Check known_hosts.',
  hostCertificate: 'Add the host key itself to known_hosts.',
  credentials: 'Check the path and permissions of the file in the host settings.',
  permission: 'Add your user to the "docker" group or fix the socket permissions.',
  protocol: 'Check that the URL points at a Docker engine.',
  incompatible: 'Update the engine, or use Docker Engine or Podman 4.3 or newer.',
  closed: 'Retry; if it keeps happening, check the engine logs.',
};

/** Maps a socket/TLS/SSH failure to a HostError with a reason and a message that says what to do. */
export function translateConnectError(hostName: string, where: string, error: unknown, service = 'Docker engine'): HostError {
  if (error instanceof CrosslinkError) {
    return error instanceof HostError ? error : new HostError(hostName, 'protocol', error.message, { cause: error });
  }
  const code = errorCode(error);
  const reason: HostErrorReason = (code && tlsCodes.test(code)) || isTlsMessage(error) ? 'tls' : (code && connectReasons[code]) || 'closed';
  const detail = error instanceof Error ? error.message : String(error);
  const summary: Record<HostErrorReason, string> = {
    refused: `connection to ${where} refused`,
    timeout: `no answer from ${where} in time`,
    unreachable: `${where} cannot be reached`,
    auth: `authentication at ${where} failed`,
    tls: `TLS handshake with ${where} failed`,
    hostKey: `host key of ${where} not trusted`,
    hostCertificate: `host key of ${where} vouched for only by a @cert-authority`,
    credentials: `a credentials file for ${where} cannot be read`,
    permission: `no permission to open ${where}`,
    protocol: `${where} did not answer like a Docker engine`,
    incompatible: `${where} refused a call Crosslink needs`,
    closed: `connection to ${where} dropped`,
  };
  return new HostError(hostName, reason, `${hostName}: ${summary[reason]} (${detail}). ${hints[reason].replace('{service}', service)}`, { cause: error });
}

/** Maps a Docker API answer (status code) to DockerApiError, and transport failures to HostError. */
export function translateApiError(hostName: string, where: string, error: unknown): CrosslinkError {
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode !== 'number') {
    return translateConnectError(hostName, where, error);
  }
  const reason: DockerApiErrorReason = statusCode === 404 ? 'notFound' : statusCode === 409 ? 'conflict' : statusCode >= 400 && statusCode < 500 ? 'invalidRequest' : 'server';
  return new DockerApiError(reason, `${hostName}: ${engineMessage(error)}`, statusCode, { cause: error });
}

/** dockerode puts the engine's `{ "message": … }` in `json`; fall back to its own text. */
function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown }).json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (typeof json === 'string' && json.trim()) {
    return json.trim();
  }
  return error instanceof Error ? error.message.replace(/^\(HTTP code \d+\)\s*/, '') : String(error);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    return code;
  }
  return (error as { name?: unknown } | undefined)?.name === 'AbortError' || (error as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'ABORT_ERR' : undefined;
}

function isTlsMessage(error: unknown): boolean {
  return error instanceof Error && /certificate|ssl|tls|handshake/i.test(error.message) && !/ssh/i.test(error.message);
}

/** A host's error message without its leading "host: ", for places that already name the host. */
export function withoutHostPrefix(hostName: string, message: string): string {
  return message.startsWith(`${hostName}: `) ? message.slice(hostName.length + 2) : message;
}
