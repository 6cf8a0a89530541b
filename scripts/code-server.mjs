#!/usr/bin/env node
// code-server (VS Code's own server + browser workbench) for running Crosslink in
// real VS Code without downloading a VS Code build: `npm start` and `npm run test:e2e`.
//
//   node scripts/code-server.mjs install   # install (idempotent), print the binary path
//   node scripts/code-server.mjs path      # print the binary path if installed (exit 1 if not)
//
// Library:
//   ensureCodeServer()                      -> path of the code-server binary
//   startCodeServer({ hosts, folder, ... }) -> { url, port, userDataDir, extensionsDir, workbenchUrl(), stop() }
//   installPackages([...groups]), chromiumPath(), ensureChromium()
//
// code-server is installed from npm into ${CROSSLINK_CACHE_DIR:-~/.cache/crosslink}/code-server-VERSION,
// outside the repo. Its postinstall builds VS Code's native modules (needs libkrb5-dev, pkg-config,
// build-essential) and runs @vscode/ripgrep's postinstall, which would download ripgrep from
// GitHub: we seed its download cache with Debian's /usr/bin/rg first.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_VERSION = 'v13.0.0-10';
const MARKER = '.crosslink-installed';

const log = (/** @type {string} */ msg) => process.stderr.write(`[code-server] ${msg}\n`);

export function cacheDir() {
  return process.env.CROSSLINK_CACHE_DIR || path.join(os.homedir(), '.cache', 'crosslink');
}

export function installDir() {
  return path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

function binaryPath() {
  return path.join(installDir(), 'node_modules', '.bin', 'code-server');
}

/** Path of the installed code-server binary, or undefined when it isn't (completely) installed. */
export function installedCodeServer() {
  const bin = binaryPath();
  return fs.existsSync(path.join(installDir(), MARKER)) && fs.existsSync(bin) ? bin : undefined;
}

// ---------------------------------------------------------------------------------------------
// Debian packages

/**
 * Installs the machine packages of the named groups that are missing, through the one script that
 * lists them (scripts/install-packages.sh, also used by .ci/run and the testbed).
 *
 * @param {string[]} groups  'code-server', 'browser', 'electron', 'testbed' or 'ci'
 */
export function installPackages(groups) {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'install-packages.sh');
  const r = spawnSync(script, groups, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    throw new Error(`'scripts/install-packages.sh ${groups.join(' ')}' failed (exit ${r.status ?? r.signal}); run it as root, then retry`);
  }
}

/** Where the Chromium for Playwright is expected: CROSSLINK_CHROMIUM, else Debian's. */
export function chromiumPath() {
  return process.env.CROSSLINK_CHROMIUM || '/usr/bin/chromium';
}

/** Debian's chromium for Playwright (`npx playwright install` cannot download a browser here). */
export function ensureChromium() {
  const exe = chromiumPath();
  if (!fs.existsSync(exe)) installPackages(['browser']);
  if (!fs.existsSync(exe)) throw new Error(`chromium not found at ${exe} after installing Debian's chromium`);
  return exe;
}

// ---------------------------------------------------------------------------------------------
// Install

/** @param {NodeJS.ProcessEnv} env */
function seedRipgrepCache(env) {
  /** @type {Partial<Record<string, string>>} */
  const targets = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' };
  const target = targets[process.arch];
  if (!target || process.platform !== 'linux') {
    log(`no ripgrep cache seeding for ${process.platform}/${process.arch}; @vscode/ripgrep will try to download`);
    return;
  }
  const tmp = env.TMPDIR || os.tmpdir();
  const dir = path.join(tmp, RIPGREP_CACHE);
  const file = path.join(dir, `ripgrep-${RIPGREP_VERSION}-${target}.tar.gz`);
  if (fs.existsSync(file)) return;
  const rg = fs.existsSync('/usr/bin/rg') ? '/usr/bin/rg' : undefined;
  if (!rg) throw new Error('/usr/bin/rg not found (Debian package ripgrep)');
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  // -h: store the file even if /usr/bin/rg is a symlink; the archive must hold just `rg`.
  const r = spawnSync('tar', ['-czhf', partial, '-C', path.dirname(rg), 'rg'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`could not create ${file}`);
  fs.renameSync(partial, file);
  log(`seeded ripgrep download cache: ${file}`);
}

/** @type {Promise<string> | undefined} */
let installing;

/**
 * Installs code-server if needed; resolves to the path of its binary. Idempotent and fast when installed.
 * @returns {Promise<string>}
 */
export function ensureCodeServer() {
  installing ??= doEnsureCodeServer().finally(() => {
    installing = undefined;
  });
  return installing;
}

async function doEnsureCodeServer() {
  const ready = installedCodeServer();
  if (ready) return ready;

  const dir = installDir();
  const started = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (about 1-2 minutes, ~300 MB)`);
  if (process.platform === 'linux') installPackages(['code-server']);
  const env = {
    ...process.env,
    npm_config_yes: 'true', // an inner `npx node-gyp` would otherwise wait for a yes
    npm_config_unsafe_perm: 'true', // as root, code-server's postinstall refuses without it
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  seedRipgrepCache(env);

  // A leftover from an interrupted install has no marker: start over.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'crosslink-code-server', private: true, description: 'installed by crosslink scripts/code-server.mjs' }, null, 2),
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await new Promise((resolve, reject) => {
    const child = spawn(npm, ['install', '--no-save', '--no-package-lock', '--loglevel=warn', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: dir,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (c, sig) => resolve(c ?? sig));
  });
  const bin = binaryPath();
  if (code !== 0 || !fs.existsSync(bin)) {
    throw new Error(
      `npm install code-server@${CODE_SERVER_VERSION} failed (exit ${code}) in ${dir}. ` +
        'Check the npm output above; it needs the npm registry, the packages of ' +
        '`scripts/install-packages.sh code-server` and Node 20.',
    );
  }
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) throw new Error(`${bin} --version failed: ${v.stderr || v.stdout}`);
  const version = v.stdout.split('\n').find((l) => /^\d+\.\d+\.\d+ /.test(l)) ?? v.stdout.trim();
  fs.writeFileSync(path.join(dir, MARKER), `${version}\n`);
  log(`installed code-server ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}

// ---------------------------------------------------------------------------------------------
// Start

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {string} url
 * @returns {Promise<number | undefined>}
 */
function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** Settings that keep the workbench quiet and predictable. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'typescript.tsc.autoDetect': 'off',
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
};

/** With workspace trust on: untrusted folders open in Restricted Mode at once, without asking. */
const TRUST_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/**
 * Starts code-server on 127.0.0.1 with a fresh user-data-dir and extensions-dir.
 *
 * The extension under development is not installed: it is loaded as a development extension
 * through the `payload` query of the workbench URL (see workbenchUrl()), exactly like
 * `code --extensionDevelopmentPath`. `url` already carries that payload for extensionDevelopmentPath.
 *
 * @param {object} opts
 * @param {unknown[]} opts.hosts            value of the `crosslink.hosts` setting
 * @param {string} opts.folder              folder to open
 * @param {number} [opts.port]              default: a free port
 * @param {string} [opts.extensionDevelopmentPath]  default: the repo root (parent of scripts/)
 * @param {Record<string, unknown>} [opts.settings]  more user settings
 * @param {boolean} [opts.quiet]            don't echo code-server's output (it goes to userDataDir/code-server.log anyway)
 * @param {number} [opts.timeoutMs]         readiness timeout (default 60 s)
 * @param {string} [opts.home]              HOME for code-server and the extension host (the testbed's, so its
 *                                          known_hosts is read and the developer's ~/.ssh is never needed)
 * @param {boolean} [opts.workspaceTrust]   workspace trust on (default off): a folder the fresh user data has
 *                                          never trusted opens in Restricted Mode, without the startup prompt
 */
export async function startCodeServer(opts) {
  const { hosts, folder, settings = {}, quiet = true, timeoutMs = 60_000, workspaceTrust = false } = opts;
  const extensionDevelopmentPath = path.resolve(opts.extensionDevelopmentPath ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const bin = await ensureCodeServer();
  const port = opts.port ?? (await freePort());
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-code-server-'));
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...(workspaceTrust ? TRUST_SETTINGS : {}), ...settings, 'crosslink.hosts': hosts }, null, 2),
  );
  const logFile = path.join(base, 'code-server.log');
  // Own config file: ~/.config/code-server/config.yaml (password auth, other bind address) must not apply.
  const configFile = path.join(base, 'config.yaml');
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\n`);
  const logStream = fs.createWriteStream(logFile);

  const args = [
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--config',
    configFile,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    folder,
  ];
  const child = spawn(bin, args, {
    // own process group so stop() can end code-server and its extension host together
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.home ? { ...process.env, HOME: opts.home } : process.env,
  });
  let exited = false;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (c, s) => {
      exited = true;
      resolve(c ?? s);
    }),
  );
  /** @type {string[]} */
  const tail = [];
  const onData = (/** @type {Buffer} */ chunk) => {
    logStream.write(chunk);
    const lines = chunk.toString().split('\n').filter(Boolean);
    tail.push(...lines);
    tail.splice(0, Math.max(0, tail.length - 40));
    if (!quiet) process.stderr.write(lines.map((l) => `[code-server] ${l}\n`).join(''));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const pid = /** @type {number} */ (child.pid);
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const t = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exitPromise;
      clearTimeout(t);
    }
    logStream.end();
    if (!process.env.CROSSLINK_KEEP_USER_DATA) fs.rmSync(base, { recursive: true, force: true });
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`code-server exited before it was ready (log: ${logFile}):\n${tail.join('\n')}`);
    }
    const status = await httpStatus(`${origin}/healthz`);
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${origin} within ${timeoutMs / 1000} s:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  /** Workbench URL opening `folder`, with extensionDevelopmentPath (+ optional extensionTestsPath) in the payload. */
  /** @param {{ extensionTestsPath?: string; authority?: string; developmentPath?: string }} [options] */
  const workbenchUrl = ({ extensionTestsPath, authority = `127.0.0.1:${port}`, developmentPath = extensionDevelopmentPath } = {}) => {
    const remote = (/** @type {string} */ p) => `vscode-remote://${authority}${path.resolve(p)}`;
    const payload = [];
    if (developmentPath) payload.push(['extensionDevelopmentPath', remote(developmentPath)]);
    if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
    payload.push(['skipWelcome', 'true']);
    return `http://${authority}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  };

  return { url: workbenchUrl(), origin, port, userDataDir, extensionsDir, logFile, pid: child.pid, workbenchUrl, stop, exited: exitPromise };
}

// ---------------------------------------------------------------------------------------------
// CLI

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const cmd = process.argv[2] ?? 'install';
  try {
    if (cmd === 'install') {
      console.log(await ensureCodeServer());
    } else if (cmd === 'path') {
      const bin = installedCodeServer();
      if (!bin) {
        console.error(`code-server ${CODE_SERVER_VERSION} is not installed in ${installDir()}`);
        process.exit(1);
      }
      console.log(bin);
    } else {
      console.error('usage: node scripts/code-server.mjs [install|path]');
      process.exit(2);
    }
  } catch (err) {
    console.error(`[code-server] error: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
