import { ConfigError, errorMessage } from '../errors';
import { Logger } from '../like';
import { DockerClient } from '../hosts/dockerClient';
import { ContainerDetails } from '../types';
import { managedLabels } from './labels';
import { aliasProblem, portProblem } from './names';

export type VerifyStep = 'client' | 'resolve' | 'connect';

export interface VerifyResult {
  alias: string;
  port?: number;
  resolvedIp?: string;
  ok: boolean;
  /** The step that failed, when `ok` is false. */
  failedStep?: VerifyStep;
  /** Milliseconds for the TCP connect, as measured inside the client's network namespace. */
  connectMs?: number;
  /** Which tools answered: the client's own, or a helper container in its network namespace. */
  via: 'client' | 'helper';
  message: string;
}

/**
 * POSIX sh that resolves $1 and opens a TCP connection to it on port $2, with whatever the image
 * has: getent or ping to resolve (both read /etc/hosts, so legacy links count); socat, nc or
 * bash's /dev/tcp to connect; `date +%s%N` or /proc/uptime to time it.
 */
export const probeScript = `
name="$1"; port="$2"
ip=""
if command -v getent >/dev/null 2>&1; then ip=$(getent hosts "$name" | awk 'NR==1 {print $1}'); fi
if [ -z "$ip" ] && command -v ping >/dev/null 2>&1; then ip=$(ping -c1 -W1 "$name" 2>/dev/null | sed -n '1s/^PING [^(]*(\\([^)]*\\)).*/\\1/p'); fi
echo "resolved=$ip"
[ -n "$ip" ] && [ -n "$port" ] || exit 0
now() { t=$(date +%s%N 2>/dev/null); case "$t" in *N|"") awk '{printf "%d000000\\n", $1 * 1000}' /proc/uptime ;; *) echo "$t" ;; esac; }
start=$(now)
if command -v socat >/dev/null 2>&1; then socat -u /dev/null "TCP:$ip:$port,connect-timeout=3" 2>/dev/null && r=ok || r=fail; tool=socat
elif command -v nc >/dev/null 2>&1; then nc -w 3 "$ip" "$port" </dev/null >/dev/null 2>&1 && r=ok || r=fail; tool=nc
elif command -v bash >/dev/null 2>&1; then bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null && r=ok || r=fail; tool=bash
else r=notool; tool=none; fi
end=$(now)
echo "connect=$r"; echo "tool=$tool"; echo "elapsedNs=$((end - start))"
`;

export interface ProbeOutput {
  resolvedIp?: string;
  connect?: 'ok' | 'fail' | 'notool';
  elapsedMs?: number;
}

export function parseProbeOutput(output: string): ProbeOutput {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line.trim());
    if (match) {
      values.set(match[1], match[2]);
    }
  }
  const elapsedNs = Number(values.get('elapsedNs'));
  const connect = values.get('connect');
  return {
    resolvedIp: values.get('resolved') || undefined,
    connect: connect === 'ok' || connect === 'fail' || connect === 'notool' ? connect : undefined,
    elapsedMs: Number.isFinite(elapsedNs) && values.has('elapsedNs') ? Math.round(elapsedNs / 1e4) / 100 : undefined,
  };
}

/** Exit codes of `docker exec` when the command cannot run at all (no shell in the image). */
const cannotRunExitCodes = new Set([126, 127]);

/**
 * Checks a link from inside the client: resolves `alias` and connects to `port`. Uses the client's
 * own tools when it has a shell; otherwise a short-lived helper container that shares the client's
 * network namespace (and so its /etc/hosts and DNS). Never throws for a failed check: the result says
 * which step failed.
 */
export async function verifyLink(
  client: DockerClient,
  logger: Logger,
  request: { client: ContainerDetails; alias: string; port?: number; helperImage: string },
): Promise<VerifyResult> {
  const { alias, port } = request;
  const problem = aliasProblem(alias) ?? (port !== undefined ? portProblem(port) : undefined);
  if (problem) {
    throw new ConfigError('invalidOption', problem);
  }
  if (request.client.state !== 'running') {
    return { alias, port, ok: false, failedStep: 'client', via: 'client', message: `${request.client.name} is not running (${request.client.state}); start it to verify its links.` };
  }
  const command = ['sh', '-c', probeScript, 'probe', alias, port === undefined ? '' : String(port)];
  let via: VerifyResult['via'] = 'client';
  let output: string;
  try {
    const result = await client.exec(request.client.id, command, { timeoutMs: 15_000 });
    if (cannotRunExitCodes.has(result.exitCode)) {
      throw new Error(`no shell in ${request.client.name}`);
    }
    output = result.stdout;
  } catch (error) {
    logger.info(`verify: ${errorMessage(error)}; using a helper container in ${request.client.name}'s network namespace`);
    via = 'helper';
    output = await runInHelper(client, request.client, request.helperImage, command);
  }
  return toResult(parseProbeOutput(output), alias, port, via);
}

function toResult(probe: ProbeOutput, alias: string, port: number | undefined, via: VerifyResult['via']): VerifyResult {
  const base = { alias, port, resolvedIp: probe.resolvedIp, via };
  if (!probe.resolvedIp) {
    return { ...base, ok: false, failedStep: 'resolve', message: `"${alias}" does not resolve inside the container.` };
  }
  if (port === undefined) {
    return { ...base, ok: true, message: `"${alias}" resolves to ${probe.resolvedIp} (no port to test).` };
  }
  if (probe.connect !== 'ok') {
    const why = probe.connect === 'notool' ? 'no tool to open a connection' : `nothing accepted a connection on ${probe.resolvedIp}:${port}`;
    return { ...base, ok: false, failedStep: 'connect', message: `"${alias}" resolves to ${probe.resolvedIp}, but ${why}.` };
  }
  return {
    ...base,
    ok: true,
    connectMs: probe.elapsedMs,
    message: `${alias}:${port} → ${probe.resolvedIp}: connected${probe.elapsedMs !== undefined ? ` in ${probe.elapsedMs} ms` : ''}.`,
  };
}

async function runInHelper(client: DockerClient, target: ContainerDetails, image: string, command: string[]): Promise<string> {
  if (!(await client.imageExists(image))) {
    throw new ConfigError(
      'invalidOption',
      `${target.name} has no shell to run the check, and the helper image ${image} is not on ${client.hostName}. Pull it there, or set crosslink.ambassadorImage to an image with sh that the host has.`,
    );
  }
  const id = await client.createContainer(undefined, {
    Image: image,
    Entrypoint: ['sleep'],
    Cmd: ['60'],
    Labels: managedLabels('verify-helper', { 'crosslink.client': target.name }),
    HostConfig: { NetworkMode: `container:${target.id}`, AutoRemove: false },
  });
  try {
    await client.startContainer(id);
    const result = await client.exec(id, command, { timeoutMs: 15_000 });
    return result.stdout;
  } finally {
    await client.removeContainer(id, { force: true }).catch(() => undefined);
  }
}
