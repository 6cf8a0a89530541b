// `npm run test:electron`: the extension-host suite (out/test/suite) in desktop VS Code via
// @vscode/test-electron, against the Docker testbed. Needs internet to download VS Code
// (into ${CROSSLINK_CACHE_DIR:-~/.cache/crosslink}/vscode-test), or VSCODE_EXECUTABLE=/path/to/code.
// Offline, use `npm run test:e2e` (the same suite in code-server).
// Env: CROSSLINK_VSCODE_VERSION (default: stable), VSCODE_EXECUTABLE, CROSSLINK_TESTBED_DIR, CROSSLINK_CACHE_DIR.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { loadCodeServerModule } from '../e2e/codeServer';
import { readTestbed, repoRoot } from '../support/testbed';

const cacheDir = process.env.CROSSLINK_CACHE_DIR || path.join(os.homedir(), '.cache', 'crosslink');

function looksOffline(err: unknown): boolean {
  return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|getaddrinfo|socket hang up|timeout|Failed to get|status code/i.test(
    String(err instanceof Error ? `${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}` : err),
  );
}

/** Electron needs an X display; on a headless Linux start Xvfb (installing Debian's xvfb if needed). */
async function ensureDisplay(): Promise<ChildProcess | undefined> {
  if (process.platform !== 'linux' || process.env.DISPLAY) return undefined;
  const cs = await loadCodeServerModule();
  cs.installPackages(['electron']);
  const display = `:${90 + Math.floor(Math.random() * 100)}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const socket = `/tmp/.X11-unix/X${display.slice(1)}`;
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(socket)) {
    if (xvfb.exitCode !== null || Date.now() > deadline) throw new Error(`Xvfb ${display} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env.DISPLAY = display;
  return xvfb;
}

async function main(): Promise<number> {
  const tb = readTestbed();
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'suite', 'index.js');

  let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
  if (!vscodeExecutablePath) {
    const version = process.env.CROSSLINK_VSCODE_VERSION || 'stable';
    try {
      vscodeExecutablePath = await downloadAndUnzipVSCode({
        version,
        cachePath: path.join(cacheDir, 'vscode-test'),
        timeout: 20_000,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      console.error(
        `test:electron: could not download VS Code ${version} (${why}).\n` +
          (looksOffline(err) ? 'This machine seems to have no internet access. ' : '') +
          'Set VSCODE_EXECUTABLE to an installed VS Code, or run the same suite offline with `npm run test:e2e` (code-server).',
      );
      return 1;
    }
  }

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-electron-'));
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'crosslink.hosts': tb.settings,
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'workbench.tips.enabled': false,
      },
      null,
      2,
    ),
  );
  let xvfb: ChildProcess | undefined;
  try {
    xvfb = await ensureDisplay();
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      // The testbed's home: its .ssh knows beta's host key, so the real ~/.ssh is neither read nor written.
      extensionTestsEnv: { CROSSLINK_TESTBED_DIR: process.env.CROSSLINK_TESTBED_DIR, ...(tb.sshHome ? { HOME: tb.sshHome } : {}) },
      launchArgs: [
        repoRoot,
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        path.join(userDataDir, 'extensions'),
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu',
        ...(isRoot ? ['--no-sandbox'] : []),
      ],
    });
    console.log(`test:electron: VS Code exited with ${code}`);
    return code;
  } catch (err) {
    console.error(`test:electron: ${err instanceof Error ? err.message : err}`);
    return 1;
  } finally {
    if (xvfb && xvfb.exitCode === null) xvfb.kill();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`test:electron: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
