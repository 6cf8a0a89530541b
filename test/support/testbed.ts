// The Docker testbed written by `scripts/testbed up`: its description file and docker CLI helpers.
// Used by the e2e runner, the electron runner and the extension-host suite (plain Node APIs only).
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

export interface TestbedHost {
  name: string;
  ip?: string;
  socket?: string;
  tcpUrl?: string;
  tlsUrl?: string;
  sshUrl?: string;
}

/** One entry of the `crosslink.hosts` setting. */
export interface HostSetting {
  name: string;
  url: string;
  [key: string]: unknown;
}

export interface Testbed {
  file: string;
  hosts: TestbedHost[];
  settings: HostSetting[];
  images: { fixture: string; [key: string]: string };
  /** A home whose .ssh/known_hosts holds beta's host key: the extension under test runs with it as HOME. */
  sshHome?: string;
}

/** Repo root (extensionDevelopmentPath) from out/test/<dir>/<file>.js. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function testbedFile(): string {
  const dir = process.env.CROSSLINK_TESTBED_DIR || '/var/lib/crosslink-testbed';
  return path.join(dir, 'testbed.json');
}

export function readTestbed(): Testbed {
  const file = testbedFile();
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} not found: start the testbed first (scripts/testbed up), or set CROSSLINK_TESTBED_DIR`);
  }
  const tb = JSON.parse(raw) as Omit<Testbed, 'file'>;
  if (!Array.isArray(tb.hosts) || !Array.isArray(tb.settings) || tb.hosts.length === 0) {
    throw new Error(`${file}: expected "hosts" and "settings" arrays`);
  }
  return { ...tb, images: tb.images ?? { fixture: 'crosslink/fixture:latest' }, file };
}

/** The testbed host called `name`, or the index-th one. */
export function testbedHost(tb: Testbed, name: string, index: number): TestbedHost {
  const host = tb.hosts.find((h) => h.name === name) ?? tb.hosts[index];
  if (!host) throw new Error(`testbed ${tb.file} has no host ${name} (nor a host #${index + 1})`);
  return host;
}

function engineUrl(host: TestbedHost): string {
  if (host.socket) return `unix://${host.socket}`;
  if (host.tcpUrl) return host.tcpUrl;
  throw new Error(`testbed host ${host.name} has neither "socket" nor "tcpUrl"`);
}

/** Runs the docker CLI against one testbed host; returns stdout. */
export function docker(host: TestbedHost, args: string[], timeoutMs = 60_000): string {
  try {
    return execFileSync(dockerBinary(), ['-H', engineUrl(host), ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (err) {
    throw dockerFailure(host, args, err);
  }
}

/**
 * The same without blocking the event loop: for polling while code under test runs in this very
 * process (a keeper acting on Docker events cannot act during a synchronous `docker exec`).
 */
export async function dockerAsync(host: TestbedHost, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(dockerBinary(), ['-H', engineUrl(host), ...args], { encoding: 'utf8', timeout: timeoutMs });
    return stdout.trim();
  } catch (err) {
    throw dockerFailure(host, args, err);
  }
}

const dockerBinary = () => process.env.CROSSLINK_DOCKER || 'docker';

function dockerFailure(host: TestbedHost, args: string[], err: unknown): Error {
  const e = err as { stderr?: string; message: string };
  return new Error(`docker -H ${engineUrl(host)} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
}

export function removeContainer(host: TestbedHost, name: string): void {
  try {
    docker(host, ['rm', '-f', '--volumes', name]);
  } catch (err) {
    if (!/No such container/i.test(String(err))) throw err;
  }
}

/** (Re)creates a running container `name` from the fixture image on `host`. */
export function createContainer(tb: Testbed, host: TestbedHost, name: string, labels: Record<string, string> = {}, command: string[] = ['sleep', '86400']): string {
  removeContainer(host, name);
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  // A 1 s stop timeout: `sleep` as PID 1 ignores SIGTERM, and recreations stop containers.
  return docker(host, ['run', '-d', '--pull', 'never', '--stop-timeout', '1', '--name', name, ...labelArgs, tb.images.fixture, ...command]);
}

/** A TCP service for link tests: answers every connection on `port` with `reply`. */
export function replyServer(port: number, reply: string): string[] {
  return ['socat', '-t', '10', `TCP-LISTEN:${port},fork,reuseaddr`, `SYSTEM:echo ${reply}`];
}

/** An HTTP server for tunnel tests: busybox httpd serving `body` as / on `port`. */
export function httpServer(port: number, body: string): string[] {
  return ['sh', '-c', `mkdir -p /www && echo ${body} > /www/index.html && exec httpd -f -p ${port} -h /www`];
}
