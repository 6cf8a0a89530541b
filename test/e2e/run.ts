// `npm run test:e2e`: Crosslink in real VS Code (code-server + Debian chromium via playwright-core),
// against the Docker testbed (scripts/testbed up).
//   1. the extension-host suite (out/test/suite/index.js) through the workbench `payload` URL;
//   2. the UI steps of test/e2e/uiSteps.ts, one screenshot each in test-results/NN-<step>.png;
//   3. the Restricted Mode suite (out/test/suite/restricted/index.js) in a second, short code-server
//      session with workspace trust on and an untrusted folder (restrictedFolderSettings).
// Ends with `e2e: N passed, M failed`; exit code 1 when anything failed.
// Env: CROSSLINK_TESTBED_DIR, CROSSLINK_CACHE_DIR, CROSSLINK_CHROMIUM, CROSSLINK_E2E_SUITE_TIMEOUT_MS,
//      CROSSLINK_E2E_STEP_TIMEOUT_MS, CROSSLINK_E2E_HEADED=1 (needs a display), CROSSLINK_KEEP_USER_DATA=1.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { format } from 'util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadCodeServerModule, workbenchNoise, withTimeout, type CodeServer, type CodeServerModule } from './codeServer';
import { createContainer, docker, readTestbed, removeContainer, repoRoot, testbedHost, type TestbedHost } from '../support/testbed';
import { uiSteps, type UiContext } from './uiSteps';
import { resetUi, waitForWorkbench } from './workbench';

const RESULTS_DIR = path.join(repoRoot, 'test-results');
const SUITE_TIMEOUT_MS = Number(process.env.CROSSLINK_E2E_SUITE_TIMEOUT_MS) || 300_000;
/** While iterating: only the steps (and the suite, named extension-host-suite) whose names match this regex. */
const ONLY = process.env.CROSSLINK_E2E_ONLY ? new RegExp(process.env.CROSSLINK_E2E_ONLY) : undefined;
const STEP_TIMEOUT_MS = 120_000;
const VIEWPORT = { width: 1280, height: 800 };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const LABEL = { 'crosslink.e2e': 'true' };

interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  screenshot?: string;
}

const results: StepResult[] = [];
const extHostLog: string[] = [];
const browserLog: string[] = [];
const created: { host: TestbedHost; name: string }[] = [];
let codeServer: CodeServer | undefined;
/** The Restricted Mode session's code-server while it runs (stopped by cleanup() on a signal). */
let restrictedCodeServer: CodeServer | undefined;
let browser: Browser | undefined;

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function screenshotPath(index: number, name: string): string {
  return path.join(RESULTS_DIR, `${String(index).padStart(2, '0')}-${name}.png`);
}

async function screenshot(page: Page | undefined, file: string): Promise<string | undefined> {
  if (!page || page.isClosed()) return undefined;
  try {
    await page.mouse.move(VIEWPORT.width - 10, VIEWPORT.height / 2); // no hover tooltip in the picture
    await page.screenshot({ path: file, timeout: 15_000 });
    return file;
  } catch (err) {
    log(`  (no screenshot: ${err instanceof Error ? err.message : err})`);
    return undefined;
  }
}

function record(result: StepResult): void {
  results.push(result);
  const secs = (result.ms / 1000).toFixed(1);
  log(`${result.ok ? 'PASS' : 'FAIL'} ${result.name} (${secs} s)`);
  if (!result.ok) {
    log(`  error: ${result.error}`);
    if (result.screenshot) log(`  screenshot: ${result.screenshot}`);
  }
}

function removeNetwork(host: TestbedHost, name: string): void {
  try {
    docker(host, ['network', 'rm', name]);
  } catch (err) {
    if (!/No such network|not found/i.test(String(err))) log(`could not remove network ${name} on ${host.name}: ${err instanceof Error ? err.message : err}`);
  }
}

/** Networks the UI steps made, removed after their containers. */
const createdNetworks: Array<{ host: TestbedHost; name: string }> = [];

function makeContainer(tb: ReturnType<typeof readTestbed>, host: TestbedHost, name: string, command?: string[]): void {
  created.push({ host, name });
  createContainer(tb, host, name, LABEL, command);
  log(`created container ${name} on ${host.name}`);
}

/** Page with the automation hooks the workbench calls (extension-host console, test exit code). */
async function newWorkbenchPage(context: BrowserContext, onExit?: (code: number) => void): Promise<Page> {
  const page = await context.newPage();
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
    const text = typeof args === 'string' ? args : Array.isArray(args) ? format(...args) : JSON.stringify(args);
    if (workbenchNoise.test(text)) return;
    for (const line of text.split('\n')) {
      extHostLog.push(`[${type}] ${line}`);
      log(`  [exthost ${type}] ${line}`);
    }
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => onExit?.(code));
  page.on('pageerror', (err) => browserLog.push(`[pageerror] ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/open-vsx|marketplace|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|Failed to load resource/i.test(msg.text())) {
      browserLog.push(`[console.error] ${msg.text()}`);
    }
  });
  return page;
}

async function runSuite(cs: CodeServer, index: number, name: string, suiteDir: string): Promise<void> {
  const started = Date.now();
  const context = await browser!.newContext({ viewport: VIEWPORT });
  let page: Page | undefined;
  try {
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    page = await newWorkbenchPage(context, (code) => resolveExit(code));
    const extensionTestsPath = path.join(repoRoot, 'out', 'test', suiteDir, 'index.js');
    if (!fs.existsSync(extensionTestsPath)) throw new Error(`${extensionTestsPath} missing: run npm run compile`);
    log(`running ${name} (${path.relative(repoRoot, extensionTestsPath)}) in code-server`);
    await page.goto(cs.workbenchUrl({ extensionTestsPath }));
    const code = await withTimeout(exited, SUITE_TIMEOUT_MS, name);
    const shot = await screenshot(page, screenshotPath(index, name));
    record({ name, ok: code === 0, ms: Date.now() - started, error: code === 0 ? undefined : `suite exit code ${code}`, screenshot: shot });
  } catch (err) {
    const shot = await screenshot(page, screenshotPath(index, name));
    record({ name, ok: false, ms: Date.now() - started, error: errorText(err), screenshot: shot });
  } finally {
    await context.close().catch(() => undefined);
  }
}

async function runUiSteps(cs: CodeServer, ctxBase: Omit<UiContext, 'page'>, firstIndex: number): Promise<void> {
  const context = await browser!.newContext({ viewport: VIEWPORT });
  const page = await newWorkbenchPage(context);
  const started = Date.now();
  try {
    log(`opening the workbench: ${cs.url}`);
    await page.goto(cs.url);
    await waitForWorkbench(page);
    log(`workbench ready with Crosslink active (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    const shot = await screenshot(page, screenshotPath(firstIndex, 'workbench-ready'));
    record({ name: 'workbench-ready', ok: false, ms: Date.now() - started, error: errorText(err), screenshot: shot });
    await context.close().catch(() => undefined);
    return;
  }
  const ctx: UiContext = { ...ctxBase, page };
  for (const [i, step] of uiSteps.entries()) {
    if (ONLY && !ONLY.test(step.name)) {
      continue;
    }
    const file = screenshotPath(firstIndex + i, step.name);
    const t0 = Date.now();
    try {
      await resetUi(page).catch(() => undefined);
      await withTimeout(step.run(ctx), STEP_TIMEOUT_MS, step.name);
      const shot = await screenshot(page, file);
      record({ name: step.name, ok: true, ms: Date.now() - t0, screenshot: shot });
    } catch (err) {
      const shot = await screenshot(page, file);
      record({ name: step.name, ok: false, ms: Date.now() - t0, error: errorText(err), screenshot: shot });
    }
  }
  await context.close().catch(() => undefined);
}

/**
 * What the untrusted folder of the Restricted Mode session tries: hosts of its own (one over ssh
 * with a key from the folder), its own ambassador image, tunnels on all interfaces. None may apply.
 */
const restrictedFolderSettings = {
  'crosslink.hosts': [
    { name: 'folder-tcp', url: 'tcp://10.231.0.250:2375' },
    { name: 'folder-ssh', url: 'ssh://intruder@10.231.0.250', identityFile: './.vscode/id_folder' },
  ],
  'crosslink.includeDockerContexts': true,
  'crosslink.ambassadorImage': 'example.invalid/not-socat:1',
  'crosslink.tunnels.localAddress': 'allInterfaces',
};

/** Second code-server with workspace trust on, opening a fresh (so untrusted) folder: the restricted suite. */
async function runRestrictedSession(csModule: CodeServerModule, tb: ReturnType<typeof readTestbed>, index: number): Promise<void> {
  const name = 'restricted-mode-suite';
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'crosslink-untrusted-'));
  fs.mkdirSync(path.join(folder, '.vscode'));
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(restrictedFolderSettings, null, 2));
  let cs: CodeServer | undefined;
  try {
    cs = restrictedCodeServer = await csModule.startCodeServer({ hosts: tb.settings, folder, extensionDevelopmentPath: repoRoot, home: tb.sshHome, workspaceTrust: true });
    log(`code-server for Restricted Mode on ${cs.origin}, folder ${folder}`);
    await runSuite(cs, index, name, path.join('suite', 'restricted'));
  } catch (err) {
    record({ name, ok: false, ms: 0, error: errorText(err) });
  } finally {
    if (cs && results.some((r) => r.name === name && !r.ok)) printServerLogs(cs);
    await cs?.stop().catch((err) => log(`could not stop the Restricted Mode code-server: ${err}`));
    restrictedCodeServer = undefined;
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Extension-host and Crosslink log files code-server wrote (read before stop() deletes them). */
function extHostLogFiles(userDataDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/crosslink|remoteexthost\.log$/i.test(full) && full.endsWith('.log')) out.push(full);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return out.sort();
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** A session's extension-host logs and code-server output (read before stop() deletes them). */
function printServerLogs(cs: CodeServer): void {
  for (const file of extHostLogFiles(cs.userDataDir)) {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (!text) continue;
    log(`\n---- ${path.relative(cs.userDataDir, file)} (last 60 lines) ----`);
    log(tail(text, 60));
  }
  if (fs.existsSync(cs.logFile)) {
    log(`\n---- code-server output (last 30 lines) ----`);
    log(tail(fs.readFileSync(cs.logFile, 'utf8').trim(), 30));
  }
}

function printFailureDiagnostics(): void {
  log('\n---- extension host output collected through codeAutomationLog ----');
  log(extHostLog.length ? extHostLog.slice(-100).join('\n') : '(none)');
  if (codeServer) printServerLogs(codeServer);
  if (browserLog.length) {
    log('\n---- browser errors (last 30) ----');
    log(browserLog.slice(-30).join('\n'));
  }
  const shots = results.filter((r) => !r.ok && r.screenshot).map((r) => `${r.name}: ${r.screenshot}`);
  if (shots.length) log(`\nfailure screenshots:\n  ${shots.join('\n  ')}`);
  log('');
}

let cleanedUp = false;
async function cleanup(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  await browser?.close().catch(() => undefined);
  for (const { host, name } of created.reverse()) {
    try {
      removeContainer(host, name);
    } catch (err) {
      log(`could not remove container ${name} on ${host.name}: ${err instanceof Error ? err.message : err}`);
    }
  }
  for (const { host, name } of createdNetworks) {
    removeNetwork(host, name);
  }
  await codeServer?.stop().catch((err) => log(`could not stop code-server: ${err}`));
  await restrictedCodeServer?.stop().catch((err) => log(`could not stop code-server: ${err}`));
}

async function main(): Promise<number> {
  const t0 = Date.now();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  for (const f of fs.readdirSync(RESULTS_DIR)) if (/^\d\d-.*\.png$/.test(f)) fs.rmSync(path.join(RESULTS_DIR, f));

  try {
    const csModule = await loadCodeServerModule();
    await csModule.ensureCodeServer();
    const executablePath = csModule.ensureChromium();
    const tb = readTestbed();
    log(`testbed: ${tb.file} (${tb.hosts.map((h) => h.name).join(', ')})`);
    const alpha = testbedHost(tb, tb.settings[0]?.name ?? 'alpha', 0);
    const beta = testbedHost(tb, tb.settings[1]?.name ?? 'beta', 1);
    const web = 'e2e-web';
    const db = 'e2e-db';
    browser = await chromium.launch({
      executablePath,
      args: CHROMIUM_ARGS,
      headless: process.env.CROSSLINK_E2E_HEADED !== '1',
    });
    // CROSSLINK_E2E_ONLY=restricted-mode-suite needs no main session at all.
    const mainSession = !ONLY || ONLY.test('extension-host-suite') || uiSteps.some((step) => ONLY.test(step.name));
    if (mainSession) {
      for (const leftover of ['e2e-late']) for (const h of [alpha, beta]) removeContainer(h, leftover);
      makeContainer(tb, alpha, web);
      makeContainer(tb, beta, db);

      codeServer = await csModule.startCodeServer({ hosts: tb.settings, folder: repoRoot, extensionDevelopmentPath: repoRoot, home: tb.sshHome });
      log(`code-server ${csModule.CODE_SERVER_VERSION} on ${codeServer.origin} (user data: ${codeServer.userDataDir})`);

      if (!ONLY || ONLY.test('extension-host-suite')) {
        await runSuite(codeServer, 1, 'extension-host-suite', 'suite');
      }
      await runUiSteps(
        codeServer,
        {
          testbed: tb,
          alpha,
          beta,
          web,
          db,
          createContainer: (host, name, command) => makeContainer(tb, host, name, command),
          removeNetwork: (host, name) => {
            removeNetwork(host, name);
            createdNetworks.push({ host, name });
          },
        },
        2,
      );
    }
    if (!ONLY || ONLY.test('restricted-mode-suite')) {
      await runRestrictedSession(csModule, tb, 2 + uiSteps.length);
    }
  } catch (err) {
    record({ name: 'setup', ok: false, ms: Date.now() - t0, error: errorText(err) });
  }

  const failed = results.filter((r) => !r.ok).length;
  if (failed) printFailureDiagnostics();
  await cleanup();
  log(`screenshots: ${path.relative(process.cwd(), RESULTS_DIR) || '.'}/ (${((Date.now() - t0) / 1000).toFixed(0)} s in all)`);
  log(`e2e: ${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    log(`e2e runner crashed: ${errorText(err)}`);
    await cleanup();
    process.exit(1);
  },
);
