import { errorMessage } from '../errors';
import type { Logger } from '../like';
import type { DockerClient } from '../hosts/dockerClient';
import { ambassadorLabel, managedLabels } from '../values/labels';

/** How a connection attempt from one network namespace ended. */
export type ProbeOutcome = 'ok' | 'notResolving' | 'refused' | 'timedOut' | 'unreachable' | 'failed' | 'noTool' | 'notChecked';

export interface ProbeResult {
  outcome: ProbeOutcome;
  resolvedIp?: string;
  /** The tool's own words for a failure (socat's error line, nc's message). */
  detail?: string;
  /** Connect time, when socat measured it (see `connectMs`). */
  ms?: number;
}

/** Seconds a probe waits for a connection; name lookups are bounded to one second by RES_OPTIONS. */
export const probeTimeoutSeconds = 3;

/**
 * POSIX sh that resolves $1 and opens a TCP connection to $1:$2 from the namespace it runs in,
 * printing what happened. socat (always in Crosslink's ambassador image) does both and says why a
 * connection failed; without it: getent or ping to resolve (both read /etc/hosts, so legacy links
 * count), nc or bash's /dev/tcp to connect. RES_OPTIONS bounds glibc's lookups to one second (an
 * unknown name otherwise takes 10 s while Docker's DNS forwards it), `timeout` bounds the rest.
 * socat's -lu stamps each log line with microseconds, which times the connect (see `connectMs`).
 */
export const probeScript = `
name="$1"; port="$2"; limit="$3"
export RES_OPTIONS="timeout:1 attempts:1"
t=""; timeout 1 true >/dev/null 2>&1 && t="timeout $((limit + 2))"
if command -v socat >/dev/null 2>&1; then
  echo "tool=socat"
  out=$($t socat -d -d -lu -u /dev/null "TCP:$name:$port,connect-timeout=$limit" 2>&1); echo "rc=$?"
  printf '%s\\n' "$out" | sed -n 's/^[0-9/]* \\([0-9:.]*\\) socat\\[[0-9]*\\] \\([NE]\\) /\\2 \\1 /p'
  exit 0
fi
ip=""
if command -v getent >/dev/null 2>&1; then ip=$($t getent hosts "$name" | awk 'NR==1 {print $1}'); fi
if [ -z "$ip" ] && command -v ping >/dev/null 2>&1; then ip=$($t ping -c1 -W1 "$name" 2>/dev/null | sed -n '1s/^PING [^(]*(\\([^)]*\\)).*/\\1/p'); fi
echo "resolved=$ip"
[ -n "$ip" ] || exit 0
if command -v nc >/dev/null 2>&1; then echo "tool=nc"; err=$($t nc -w "$limit" "$ip" "$port" </dev/null 2>&1 >/dev/null); echo "rc=$?"
elif command -v bash >/dev/null 2>&1; then echo "tool=bash"; err=$($t bash -c "exec 3<>/dev/tcp/$ip/$port" 2>&1); echo "rc=$?"
else echo "tool=none"; exit 0; fi
[ -n "$err" ] && echo "E $err" | head -1
`;

/** Reads the probe script's output. Pure, so every tool's wording is unit-tested. */
export function parseProbeOutput(output: string): ProbeResult {
  const lines = output.split('\n').map((line) => line.trim());
  const value = (key: string) => lines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
  const tool = value('tool');
  const rc = value('rc');
  const opening = lines.map((line) => /^N (\S+) opening connection to AF=\d+ \[?([^\]\s]+?)\]?:\d+$/.exec(line)).find(Boolean);
  // With connect-timeout socat does not log "successfully connected"; the transfer loop starts right after.
  const connected = lines.map((line) => /^N (\S+) (?:successfully connected|starting data transfer loop)/.exec(line)).find(Boolean);
  const resolvedIp = value('resolved') || opening?.[2] || undefined;
  const detail = lines.map((line) => /^E (?:[0-9:.]+ )?(.*)$/.exec(line)?.[1]).find((text) => text !== undefined);
  if (tool === undefined && value('resolved') === undefined) {
    return { outcome: 'notChecked', detail: 'the probe printed nothing' };
  }
  if (tool === 'none') {
    return { outcome: 'noTool', resolvedIp };
  }
  if (tool === 'socat' ? !opening && (detail === undefined || /getaddrinfo|resolv|not known|no address/i.test(detail)) : !resolvedIp) {
    return { outcome: 'notResolving', resolvedIp: undefined, detail };
  }
  if (rc === '0' && !detail) {
    const ms = opening && connected ? connectMs(opening[1], connected[1]) : undefined;
    return { outcome: 'ok', resolvedIp, ...(ms !== undefined ? { ms } : {}) };
  }
  return { outcome: failureOf(detail ?? '', rc), resolvedIp, detail };
}

function failureOf(detail: string, rc: string | undefined): ProbeOutcome {
  if (/refused/i.test(detail)) {
    return 'refused';
  }
  // 124 and 143: `timeout` stopped the tool.
  if (/timed? ?out/i.test(detail) || rc === '124' || rc === '143') {
    return 'timedOut';
  }
  if (/unreachable|no route/i.test(detail)) {
    return 'unreachable';
  }
  return 'failed';
}

/**
 * Milliseconds between socat's "opening connection" and its next line once connected, stamped
 * with microseconds (-lu) inside the namespace: busybox has no finer clock than 10 ms, and an exec
 * round trip's jitter (tens of ms) swamps a LAN connect. The stamps are wall-clock time of day, so
 * a negative or implausible interval (a clock step, midnight) gives no number rather than a wrong one.
 */
export function connectMs(opening: string, connected: string): number | undefined {
  const seconds = (stamp: string) => {
    const match = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)$/.exec(stamp);
    return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) : NaN;
  };
  const ms = (seconds(connected) - seconds(opening)) * 1000;
  return Number.isFinite(ms) && ms >= 0 && ms <= (probeTimeoutSeconds + 1) * 1000 ? Math.round(ms * 1000) / 1000 : undefined;
}

/** The TCP ports something listens on, from /proc/net/tcp and tcp6 of a network namespace. */
export function parseListeningPorts(procNetTcp: string): Set<number> {
  const ports = new Set<number>();
  for (const line of procNetTcp.split('\n')) {
    // "  0: 00000000:0CEA 00000000:0000 0A ..." — local address:port in hex, state 0A = LISTEN
    const match = /^\s*\d+:\s+[0-9A-Fa-f]+:([0-9A-Fa-f]{4})\s+[0-9A-Fa-f]+:[0-9A-Fa-f]{4}\s+0A\s/.exec(line);
    if (match) {
      ports.add(parseInt(match[1], 16));
    }
  }
  return ports;
}

/** Exit codes of `docker exec` when the command cannot run at all (no shell, no cat in the image). */
const cannotRunExitCodes = new Set([126, 127]);

type Exec = (command: string[]) => Promise<{ exitCode: number; stdout: string }>;

/**
 * Runs checks in a container's network namespace: in the container itself when its image has the
 * tools, else (when allowed) in a short-lived helper container that shares the namespace (and so
 * its /etc/hosts and DNS). A helper is a container create per check, so periodic checks do without.
 */
export class NamespaceRunner {
  constructor(
    private readonly client: DockerClient,
    private readonly logger: Logger,
    private readonly options: { helperImage: string; allowHelper: boolean },
  ) {}

  /** Resolves `name` and connects to `name:port` from the container's namespace. Never throws. */
  async probe(container: { id: string; name: string }, name: string, port: number): Promise<ProbeResult> {
    try {
      return await this.inNamespace(container, async (exec) => {
        const { exitCode, stdout } = await exec(['sh', '-c', probeScript, 'probe', name, String(port), String(probeTimeoutSeconds)]);
        const result = parseProbeOutput(stdout);
        return cannotRunExitCodes.has(exitCode) || result.outcome === 'noTool' ? undefined : result;
      });
    } catch (error) {
      // The check could not run (exec failed, no tools): that says nothing about the link.
      return { outcome: 'notChecked', detail: errorMessage(error) };
    }
  }

  /** Whether anything listens on `port` in the container's namespace; undefined when that cannot be read. */
  async listens(container: { id: string; name: string }, port: number): Promise<boolean | undefined> {
    try {
      return await this.inNamespace(container, async (exec) => {
        const { stdout } = await exec(['cat', '/proc/net/tcp', '/proc/net/tcp6']);
        return stdout.includes('local_address') ? parseListeningPorts(stdout).has(port) : undefined;
      });
    } catch (error) {
      this.logger.info(`verify: cannot read the listening ports of ${container.name}: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** `work` returns undefined when the place it ran in lacks the tools; then a helper gets a turn. */
  private async inNamespace<T>(container: { id: string; name: string }, work: (exec: Exec) => Promise<T | undefined>): Promise<T> {
    let reason = `${container.name} lacks the tools`;
    try {
      const result = await work(this.execIn(container.id));
      if (result !== undefined) {
        return result;
      }
    } catch (error) {
      reason = errorMessage(error);
    }
    if (!this.options.allowHelper) {
      throw new Error(`${reason}; a check through a helper container is left to Verify Link`);
    }
    this.logger.info(`verify: ${reason}; using a helper container in ${container.name}'s network namespace`);
    const { client } = this;
    if (!(await client.imageExists(this.options.helperImage))) {
      throw new Error(
        `${container.name} has no tools for the check, and the helper image ${this.options.helperImage} is not on ${client.hostName}: pull it there, or set crosslink.ambassadorImage to an image with sh and socat that the host has`,
      );
    }
    const id = await client.createContainer(undefined, {
      Image: this.options.helperImage,
      Entrypoint: ['sleep'],
      Cmd: ['60'],
      Labels: managedLabels('verify-helper', { [ambassadorLabel.client]: container.name }),
      // Gone by itself after its sleep when nobody removes it (the window died during the check).
      HostConfig: { NetworkMode: `container:${container.id}`, AutoRemove: true },
    });
    try {
      await client.startContainer(id);
      const result = await work(this.execIn(id));
      if (result === undefined) {
        throw new Error(`the helper image ${this.options.helperImage} lacks sh or socat`);
      }
      return result;
    } finally {
      await client.removeContainer(id, { force: true }).catch(() => undefined);
    }
  }

  private execIn(id: string): Exec {
    return (command) => this.client.exec(id, command, { timeoutMs: 15_000 });
  }
}
