#!/usr/bin/env node
// `npm start`: build the extension, bring up the Docker testbed with two demo containers, and serve
// VS Code (code-server) with Crosslink loaded as a development extension. Open the printed URL in a
// browser on this machine; Ctrl-C stops code-server (the testbed keeps running: `scripts/testbed down`).
//
// Env:
//   CROSSLINK_HOSTS      your own hosts instead of the testbed: a JSON array in the `crosslink.hosts`
//                        format, or the path of a JSON file holding one
//   CROSSLINK_PORT       port for code-server (default: a free one)
//   CROSSLINK_TESTBED_DIR, CROSSLINK_CACHE_DIR, CROSSLINK_DOCKER (docker CLI to use)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer } from './code-server.mjs';
import { demoClient, demoPort, demoServer, demoVersion } from './demo.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** @typedef {{ name: string; url: string; [key: string]: unknown }} HostSetting */
/** @typedef {{ name: string; socket?: string; tcpUrl?: string }} TestbedHost */

const log = (/** @type {string} */ msg) => process.stdout.write(`[start] ${msg}\n`);

/** @param {string} msg */
function fail(msg) {
  process.stderr.write(`[start] error: ${msg}\n`);
  process.exit(1);
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @returns {Promise<void>}
 */
function run(cmd, args) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal})`))));
  });
}

/**
 * @param {string} value
 * @returns {HostSetting[]}
 */
function hostsFromEnv(value) {
  const text = value.trim().startsWith('[') ? value : fs.readFileSync(path.resolve(value), 'utf8');
  const hosts = JSON.parse(text);
  if (!Array.isArray(hosts) || hosts.some((/** @type {HostSetting | null} */ h) => !h || typeof h.name !== 'string' || typeof h.url !== 'string')) {
    throw new Error('CROSSLINK_HOSTS must be a JSON array of { "name": ..., "url": ... } (or a file holding one)');
  }
  return hosts;
}

/**
 * @param {TestbedHost} host
 * @param {string[]} args
 */
function docker(host, args) {
  const engine = host.socket ? `unix://${host.socket}` : String(host.tcpUrl);
  const r = spawnSync(process.env.CROSSLINK_DOCKER || 'docker', ['-H', engine, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`docker: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`docker -H ${engine} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/** Creates (or starts) the demo container `name` on `host` unless it is already running. */
/**
 * @param {TestbedHost} host
 * @param {string} name
 * @param {string} image
 * @param {string} script
 * @param {string[]} [extraArgs]
 */
function ensureDemoContainer(host, name, image, script, extraArgs = []) {
  const found = docker(host, ['ps', '-a', '--filter', `name=^/${name}$`, '--format', '{{.State}} {{.Label "crosslink.demo"}}']);
  if (found) {
    const [state, version] = found.split(' ');
    // An older demo container (nothing listening) is left alone: it may be linked by now.
    if (version !== demoVersion)
      log(`${host.name}/${name} is from an older demo; \`docker rm -f ${name}\` on ${host.name} and run npm start again to get the one that shows traffic`);
    if (state === 'running') return log(`demo container ${host.name}/${name} is running`);
    docker(host, ['start', name]);
    return log(`started demo container ${host.name}/${name}`);
  }
  docker(host, ['run', '-d', '--pull', 'never', '--name', name, '--label', `crosslink.demo=${demoVersion}`, ...extraArgs, image, 'sh', '-c', script]);
  log(`created demo container ${host.name}/${name} (${image})`);
}

async function testbedHosts() {
  const testbed = path.join(repoRoot, 'scripts', 'testbed');
  if (!fs.existsSync(testbed)) throw new Error(`${testbed} is missing; set CROSSLINK_HOSTS to use your own Docker hosts`);
  await run(testbed, ['up']);
  const file = path.join(process.env.CROSSLINK_TESTBED_DIR || '/var/lib/crosslink-testbed', 'testbed.json');
  const tb = JSON.parse(fs.readFileSync(file, 'utf8'));
  const image = tb.images?.fixture ?? 'crosslink/fixture:latest';
  /** @type {(name: string, i: number) => TestbedHost} */
  const byName = (name, i) => tb.hosts.find((/** @type {TestbedHost} */ h) => h.name === name) ?? tb.hosts[i];
  ensureDemoContainer(byName('beta', 1), 'database', image, demoServer, ['--expose', String(demoPort)]);
  ensureDemoContainer(byName('alpha', 0), 'web', image, demoClient);
  // The testbed's home knows beta's host key (the testbed never writes the real ~/.ssh).
  return { hosts: /** @type {HostSetting[]} */ (tb.settings), home: /** @type {string | undefined} */ (tb.sshHome) };
}

async function main() {
  const t0 = Date.now();
  await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build']);
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('npm run build did not produce dist/extension.js');

  /** @type {HostSetting[]} */
  let hosts;
  /** @type {string | undefined} */
  let home;
  if (process.env.CROSSLINK_HOSTS) {
    hosts = hostsFromEnv(process.env.CROSSLINK_HOSTS);
    log(`hosts from CROSSLINK_HOSTS: ${hosts.map((h) => h.name).join(', ')}`);
  } else {
    ({ hosts, home } = await testbedHosts());
    log(`testbed hosts: ${hosts.map((h) => `${h.name} (${h.url})`).join(', ')}`);
  }

  const port = process.env.CROSSLINK_PORT ? Number(process.env.CROSSLINK_PORT) : undefined;
  log('starting code-server (installs it on first use, 1-2 minutes)');
  const server = await startCodeServer({ hosts, folder: repoRoot, port, extensionDevelopmentPath: repoRoot, home });

  let stopping = false;
  const stop = async (/** @type {number} */ code) => {
    if (stopping) return;
    stopping = true;
    log('stopping code-server');
    await server.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  server.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`[start] code-server exited unexpectedly (${code}); its log: ${server.logFile}\n`);
    process.exit(1);
  });

  const line = '─'.repeat(72);
  process.stdout.write(
    `\n${line}\n` +
      `Crosslink is running in VS Code (code-server), ready in ${Math.round((Date.now() - t0) / 1000)} s. Open:\n\n` +
      `  ${server.url}\n\n` +
      'The URL loads this repo as development extension (its `payload` parameter); the plain\n' +
      `${server.origin}/ opens VS Code without it. After a change: \`npm run build\` in another\n` +
      'terminal, then "Developer: Reload Window" in the browser.\n' +
      `User data: ${server.userDataDir} (deleted on exit)\n` +
      (process.env.CROSSLINK_HOSTS
        ? ''
        : '\nTry first: right-click alpha/web → Link Container Across Hosts… → beta/database, port 8080, alias\n' +
          '"api"; then web → Show Container Logs: "api answered" replaces "waiting for api". Right-click\n' +
          'beta/database → Forward Port to Localhost… → 8080, and open the tunnel in the browser.\n') +
      `Press Ctrl-C to stop.\n${line}\n`,
  );
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
