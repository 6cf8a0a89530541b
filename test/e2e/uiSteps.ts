// UI steps run in order by test/e2e/run.ts against one workbench page. Each step prints
// PASS/FAIL and leaves a screenshot test-results/NN-<name>.png. A step should not rely on a
// previous step having passed: use the idempotent helpers (openView, expandRow, ...).
// To add a step, append `{ name: 'kebab-case-name', run: async (ctx) => { ... } }`.
import * as assert from 'assert';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { docker, httpServer, removeContainer, repoRoot, replyServer, type Testbed, type TestbedHost } from '../support/testbed';
import {
  closeView,
  collapseRow,
  contextMenu,
  dialogButton,
  expandRow,
  clickInlineAction,
  menuItem,
  notification,
  openView,
  quickInput,
  quickInputSubmit,
  quickPickCheck,
  quickPickSelect,
  resetUi,
  rowDescription,
  runMenuItem,
  runPaletteCommand,
  runRowMenuItem,
  statusBarItem,
  treeRow,
  viewlet,
  waitForRow,
  waitForWorkbench,
} from './workbench';

export interface UiContext {
  page: Page;
  testbed: Testbed;
  /** The two testbed hosts, as named in the crosslink.hosts setting. */
  alpha: TestbedHost;
  beta: TestbedHost;
  /** Containers run.ts created before the workbench started. */
  web: string; // on alpha
  db: string; // on beta
  /** Creates a fixture container on `host` (running `command`, default sleep) that run.ts removes at the end. */
  createContainer(host: TestbedHost, name: string, command?: string[]): void;
  /** Removes the network now if a failed earlier run left it, and again at the end, after the step's containers. */
  removeNetwork(host: TestbedHost, name: string): void;
}

export interface UiStep {
  name: string;
  run(ctx: UiContext): Promise<void>;
}

/** Link Container Across Hosts from the palette: target, port typed in the pick, client, alias, network alias. */
async function linkAcrossHostsFromPalette(ctx: UiContext, link: { target: string; port: number; client: string; alias: string }): Promise<void> {
  const { page, beta } = ctx;
  await resetUi(page);
  await openView(page);
  await expandRow(page, beta.name);
  await waitForRow(page, link.client);
  await runPaletteCommand(page, 'Crosslink: Link Container Across Hosts…');
  // Other tests' containers crowd the shared testbed: filter the pickers so the entry is on screen.
  await filterQuickPick(page, link.target);
  await quickPickSelect(page, link.target);
  // The port is typed where it is asked for; Enter accepts it.
  await quickInputSubmit(page, String(link.port));
  await filterQuickPick(page, link.client);
  await quickPickSelect(page, link.client);
  await quickInputSubmit(page, link.alias);
  // Hosts that could form a Swarm are asked for the path first: these steps are about ambassadors.
  if (
    await quickInput(page)
      .locator('.quick-input-title', { hasText: /path between/ })
      .waitFor({ state: 'visible', timeout: 3_000 })
      .then(
        () => true,
        () => false,
      )
  ) {
    await quickPickSelect(page, 'Ambassadors');
  }
  await quickPickSelect(page, 'Network alias');
}

async function filterQuickPick(page: Page, text: string): Promise<void> {
  const input = quickInput(page).locator('.quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
}

/** Remove Link on the link row under its client, confirmed; waits until the row is gone. */
async function removeCrossLinkFromContextMenu(page: Page, clientHost: TestbedHost, client: string, label: string): Promise<void> {
  await resetUi(page);
  await openView(page);
  await expandRow(page, clientHost.name);
  await expandRow(page, client);
  await contextMenu(page, label);
  await runMenuItem(page, 'Remove Link');
  await dialogButton(page, 'Remove Link').click();
  await treeRow(page, label).waitFor({ state: 'hidden', timeout: 60_000 });
}

/** The number in the "N broken links" status-bar item; 0 while it is hidden. */
async function brokenLinkCount(page: Page): Promise<number> {
  const item = statusBarItem(page, /broken link/);
  return (await item.isVisible()) ? Number(/(\d+) broken link/.exec((await item.textContent()) ?? '')?.[1] ?? 0) : 0;
}

/** Waits until the row's description matches: the tree updates it from the live model. */
async function waitForDescription(row: Locator, pattern: RegExp, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const description = await rowDescription(row).catch(() => '');
    if (pattern.test(description)) return;
    if (Date.now() > deadline) throw new Error(`row description "${description}" never matched ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const uiSteps: UiStep[] = [
  {
    name: 'open-crosslink-view',
    async run({ page }) {
      await openView(page);
      await viewlet(page).locator('.monaco-list[role="tree"]').first().waitFor({ state: 'visible' });
    },
  },
  {
    name: 'containers-of-both-hosts',
    async run({ page, alpha, beta, web, db }) {
      await openView(page);
      await expandRow(page, alpha.name);
      await expandRow(page, beta.name);
      for (const name of [web, db]) {
        const row = await waitForRow(page, name);
        const description = await rowDescription(row);
        assert.match(description, /crosslink\/fixture/, `row ${name} description: "${description}"`);
      }
      // hosts at the top level, containers one level below
      const level = async (label: string) => treeRow(page, label).getAttribute('aria-level');
      assert.strictEqual(await level(alpha.name), '1');
      assert.strictEqual(await level(web), '2');
      assert.strictEqual(await level(db), '2');
    },
  },
  {
    name: 'expand-collapse-host',
    async run({ page, alpha, web }) {
      await openView(page);
      await expandRow(page, alpha.name);
      await waitForRow(page, web);
      await collapseRow(page, alpha.name);
      await treeRow(page, web).waitFor({ state: 'hidden' });
      await expandRow(page, alpha.name);
      await waitForRow(page, web);
    },
  },
  {
    name: 'container-context-menu',
    async run({ page, alpha, web }) {
      await openView(page);
      await expandRow(page, alpha.name);
      await contextMenu(page, web);
      await menuItem(page, 'Inspect').waitFor({ state: 'visible' });
      await menuItem(page, 'Copy Reference (host/name)').waitFor({ state: 'visible' });
      // screenshot is taken with the menu open; run.ts resets the UI before the next step
    },
  },
  {
    // The view title's "+" hands the focused host node to the command: it must prompt, not fail as a scripted call.
    name: 'add-host-button-prompts',
    async run({ page, alpha }) {
      await resetUi(page);
      await openView(page);
      await treeRow(page, alpha.name).click();
      await page.locator('.part.sidebar .action-label[aria-label="Add Docker Host…"]').first().click();
      const title = quickInput(page).locator('.quick-input-title');
      await title.waitFor({ state: 'visible' });
      assert.match((await title.textContent()) ?? '', /Add Docker Host/);
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'palette-refresh',
    async run(ctx) {
      const { page, beta } = ctx;
      await resetUi(page);
      await openView(page);
      const late = 'e2e-late';
      ctx.createContainer(beta, late);
      await runPaletteCommand(page, 'Crosslink: Refresh');
      await expandRow(page, beta.name);
      await waitForRow(page, late);
    },
  },
  {
    name: 'status-bar-item',
    async run({ page, testbed }) {
      await resetUi(page);
      const n = testbed.settings.length;
      const item = statusBarItem(page, `${n}/${n} hosts`);
      await item.waitFor({ state: 'visible' });
      // Clicking it focuses the Containers view, also when the side bar is hidden.
      await closeView(page);
      await item.click();
      await viewlet(page).waitFor({ state: 'visible' });
    },
  },
  {
    name: 'link-containers-from-context-menu',
    async run(ctx) {
      const { page, alpha } = ctx;
      const client = 'ui-link-web';
      const target = 'ui-link-db';
      ctx.createContainer(alpha, target);
      ctx.createContainer(alpha, client);
      await resetUi(page);
      await openView(page);
      await expandRow(page, alpha.name);
      await contextMenu(page, client);
      await runMenuItem(page, 'Link Containers…');
      await quickPickSelect(page, target);
      await quickInputSubmit(page, 'db');
      await dialogButton(page, 'Recreate and Link').click();
      await notification(page, `${client} now reaches ${target} as "db"`).waitFor({ state: 'visible', timeout: 60_000 });
      await expandRow(page, client);
      const link = await waitForRow(page, `→ ${target}`);
      assert.match(await rowDescription(link), /as db · legacy link/);
    },
  },
  {
    name: 'connect-containers-on-a-new-network',
    async run(ctx) {
      const { page, alpha } = ctx;
      const [api, cache] = ['ui-net-api', 'ui-net-cache'];
      ctx.removeNetwork(alpha, 'ui-net');
      ctx.createContainer(alpha, api);
      ctx.createContainer(alpha, cache);
      await resetUi(page);
      await openView(page);
      await expandRow(page, alpha.name);
      await contextMenu(page, api);
      await runMenuItem(page, 'Connect Containers on a Network…');
      await quickPickCheck(page, [api, cache]);
      await quickPickSelect(page, 'Create a New Network on alpha…');
      await quickInputSubmit(page, 'ui-net');
      await quickInputSubmit(page, '');
      await quickInputSubmit(page, 'kv');
      await notification(page, `${api}, ${cache} can now reach each other by name on ui-net`).waitFor({ state: 'visible', timeout: 30_000 });
      await expandRow(page, cache);
      assert.match(await rowDescription(await waitForRow(page, 'kv')), /alias on ui-net/);
    },
  },
  {
    name: 'link-across-hosts-from-palette',
    async run(ctx) {
      const { page, alpha, beta } = ctx;
      const target = 'ui-oracle';
      const client = 'ui-bw';
      ctx.createContainer(alpha, target, replyServer(1521, 'oracle-data'));
      ctx.createContainer(beta, client);
      await linkAcrossHostsFromPalette(ctx, { target, port: 1521, client, alias: 'oracle' });
      await notification(page, /ui-bw reaches alpha\/ui-oracle as oracle:1521 — verified/).waitFor({ state: 'visible', timeout: 60_000 });
      await expandRow(page, client);
      const link = await waitForRow(page, `→ ${target} on ${alpha.name}:1521`);
      assert.match(await rowDescription(link), /as oracle · network alias · verified/);
    },
  },
  {
    name: 'remove-cross-host-link-from-context-menu',
    async run({ page, alpha, beta }) {
      await removeCrossLinkFromContextMenu(page, beta, 'ui-bw', `→ ui-oracle on ${alpha.name}:1521`);
      await treeRow(page, 'crosslink-cli-ui-bw-oracle').waitFor({ state: 'hidden', timeout: 30_000 });
    },
  },
  {
    name: 'repair-broken-link-inline',
    async run(ctx) {
      const { page, alpha, beta } = ctx;
      const target = 'ui-rep-oracle';
      const client = 'ui-rep-bw';
      const label = `→ ${target} on ${alpha.name}:1541`;
      ctx.createContainer(alpha, target, replyServer(1541, 'oracle-data'));
      ctx.createContainer(beta, client);
      await linkAcrossHostsFromPalette(ctx, { target, port: 1541, client, alias: 'rep' });
      await notification(page, new RegExp(`${client} reaches alpha/${target} as rep:1541 — verified`)).waitFor({ state: 'visible', timeout: 60_000 });
      await expandRow(page, client);
      const row = await waitForRow(page, label);
      // Other tests' links on the shared testbed may be broken too, and change meanwhile.
      const brokenBefore = await brokenLinkCount(page);
      let failure: unknown;
      try {
        // The Docker event alone turns the link broken: nobody runs Verify.
        docker(alpha, ['stop', '-t', '1', `crosslink-srv-${target}-1541`]);
        await waitForDescription(row, /broken: server-side ambassador/);
        await statusBarItem(page, /\d+ broken links?/).waitFor({ state: 'visible' });
        await page.screenshot({ path: path.join(repoRoot, 'test-results', 'repair-broken-link-inline-broken.png') });
        await clickInlineAction(page, label, 'Repair Link');
        await notification(page, /Repaired \(/).waitFor({ state: 'visible', timeout: 60_000 });
        await waitForDescription(row, /as rep · network alias · verified/);
        if (brokenBefore === 0) {
          await statusBarItem(page, /broken link/).waitFor({ state: 'hidden' });
        }
      } catch (error) {
        failure = error;
      }
      // Remove the link from the palette: a row's context menu can lose its element to a tree
      // refresh on a busy testbed. A failure above is the one to report.
      try {
        await resetUi(page);
        await runPaletteCommand(page, 'Crosslink: Remove Link');
        await quickPickSelect(page, `${client} → rep`);
        await dialogButton(page, 'Remove Link').click();
        await treeRow(page, label).waitFor({ state: 'hidden', timeout: 60_000 });
      } catch (error) {
        failure ??= error;
      }
      if (failure) {
        throw failure;
      }
    },
  },
  {
    name: 'forward-port-from-context-menu',
    async run(ctx) {
      const { page, beta } = ctx;
      const web = 'ui-http';
      ctx.createContainer(beta, web, httpServer(8080, 'hello-from-beta'));
      await resetUi(page);
      await openView(page);
      await expandRow(page, beta.name);
      await runRowMenuItem(page, web, 'Forward Port to Localhost…', /^Container whose port/);
      await quickInputSubmit(page, '8080');
      await quickInputSubmit(page, '18480');
      await notification(page, /18480\/?\S* → beta\/ui-http:8080/).waitFor({ state: 'visible', timeout: 30_000 });
      await expandRow(page, 'Tunnels');
      const row = await waitForRow(page, '127.0.0.1:18480');
      assert.match(await rowDescription(row), /→ beta\/ui-http:8080/);
      const response = await fetch('http://127.0.0.1:18480/');
      assert.strictEqual((await response.text()).trim(), 'hello-from-beta');
    },
  },
  {
    name: 'tunnels-status-bar-pauses-and-resumes',
    async run({ page }) {
      await resetUi(page);
      const active = statusBarItem(page, /^\s*1 tunnel\s*$/);
      await active.waitFor({ state: 'visible' });
      await active.click();
      const paused = statusBarItem(page, /1 tunnel paused/);
      await paused.waitFor({ state: 'visible' });
      await assert.rejects(fetch('http://127.0.0.1:18480/'), 'paused: the listener is closed');
      await paused.click();
      await active.waitFor({ state: 'visible' });
      assert.strictEqual((await (await fetch('http://127.0.0.1:18480/')).text()).trim(), 'hello-from-beta');
    },
  },
  {
    name: 'tunnels-restored-after-window-reload',
    async run({ page }) {
      await runPaletteCommand(page, 'Developer: Reload Window');
      await waitForWorkbench(page);
      await openView(page);
      await expandRow(page, 'Tunnels');
      await waitForRow(page, '127.0.0.1:18480');
      assert.strictEqual((await (await fetch('http://127.0.0.1:18480/')).text()).trim(), 'hello-from-beta');
    },
  },
  {
    name: 'stop-tunnel-from-context-menu',
    async run({ page }) {
      await resetUi(page);
      await openView(page);
      await runRowMenuItem(page, '127.0.0.1:18480', 'Stop Tunnel', /^Stop a Tunnel/);
      await treeRow(page, '127.0.0.1:18480').waitFor({ state: 'hidden' });
      await statusBarItem(page, /tunnel/).waitFor({ state: 'hidden' });
    },
  },
  {
    name: 'container-logs-shell-and-remove-from-context-menu',
    async run(ctx) {
      const { page, beta } = ctx;
      const name = 'ui-ticker';
      const ref = `${beta.name}/${name}`;
      ctx.createContainer(beta, name, ['sh', '-c', 'trap "exit 0" TERM; i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.5; done']);
      await resetUi(page);
      await openView(page);
      await expandRow(page, beta.name);
      // The terminal draws on a canvas: the logs show in the screenshot, keystrokes are checked in the container.
      const panel = page.locator('.part.panel');
      const runOnRow = (title: string) => runRowMenuItem(page, name, title);
      await runOnRow('Show Container Logs');
      await panel.getByText(`Logs: ${ref}`).first().waitFor({ state: 'visible' });
      await runOnRow('Open Shell in Container');
      await panel.getByText(`Shell: ${ref}`).first().waitFor({ state: 'visible' });
      // The context menu hands focus back to the tree; a user clicks into the terminal to type.
      await panel.locator('.terminal-wrapper.active .xterm-screen').click();
      await page.keyboard.type('touch /tmp/typed-in-the-shell');
      await page.keyboard.press('Enter');
      const deadline = Date.now() + 15_000;
      while (docker(beta, ['exec', name, 'sh', '-c', 'ls /tmp']).indexOf('typed-in-the-shell') < 0) {
        assert.ok(Date.now() < deadline, 'the command typed into the shell terminal did not run in the container');
        await page.waitForTimeout(200);
      }
      await runOnRow('Remove Container…');
      await dialogButton(page, 'Remove').click();
      await notification(page, `Removed ${ref}.`).waitFor({ state: 'visible', timeout: 30_000 });
      await treeRow(page, name).waitFor({ state: 'hidden' });
      await panel.getByText(`Shell: ${ref}`).waitFor({ state: 'hidden', timeout: 15_000 });
      // Screenshot: the logs terminal says its stream ended; the shell's terminal closed with its container.
    },
  },
  {
    // Last, so the link and tunnel it makes (and removes) never meet the tunnel steps' counts.
    name: 'topology-view',
    async run(ctx) {
      const { page, alpha, beta, testbed } = ctx;
      const net = 'ui-topo-net';
      const db = 'ui-topo-db';
      const app = 'ui-topo-app';
      // Early in beta's sorted list: the tree on the shared testbed is long, and only rows on screen exist.
      const client = 'a-topo-bw';
      const localPort = 18532;
      // A run cut short leaves its ambassadors (still on the network); this run's link makes them anew.
      const ambassadors: Array<[TestbedHost, string]> = [
        [alpha, `crosslink-srv-${db}-5432`],
        [beta, `crosslink-cli-${client}-pgx`],
      ];
      ambassadors.forEach(([host, name]) => removeContainer(host, name));
      ctx.removeNetwork(beta, `crosslink-${client}`);
      // The scene: app --link db:pg, db on a network as "database", beta's bw reaches db through ambassadors, a tunnel to db.
      ctx.removeNetwork(alpha, net);
      docker(alpha, ['network', 'create', '--label', 'crosslink.e2e=true', net]);
      ctx.createContainer(alpha, db, replyServer(5432, 'pg-data'));
      docker(alpha, ['network', 'connect', '--alias', 'database', net, db]);
      // createContainer takes no run options: registered for cleanup by name, then made again with its --link.
      ctx.createContainer(alpha, app);
      docker(alpha, ['rm', '-f', app]);
      docker(alpha, [
        'run',
        '-d',
        '--pull',
        'never',
        '--stop-timeout',
        '1',
        '--name',
        app,
        '--label',
        'crosslink.e2e=true',
        '--link',
        `${db}:pg`,
        testbed.images.fixture,
        'sleep',
        '86400',
      ]);
      ctx.createContainer(beta, client);
      let failure: unknown;
      try {
        await openView(page);
        await collapseRow(page, alpha.name);
        await linkAcrossHostsFromPalette(ctx, { target: db, port: 5432, client, alias: 'pgx' });
        // The crowded shared testbed buries toasts: the link and the tunnel are waited for in the picture below.
        await runPaletteCommand(page, 'Crosslink: Forward Port to Localhost…');
        await filterQuickPick(page, db);
        await quickPickSelect(page, db);
        await quickInputSubmit(page, '5432');
        await quickInputSubmit(page, String(localPort));
        await runPaletteCommand(page, 'Crosslink: Show Topology');
        // A webview is an iframe holding the page's own iframe (code-server, like VS Code).
        const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
        const svg = view.locator('svg.topology');
        await svg.waitFor({ state: 'visible', timeout: 60_000 });
        const edge = (kind: string, from: string, to: string) => view.locator(`g.edge.kind-${kind}[data-from="${from}"][data-to="${to}"]`);
        const node = (ref: string) => view.locator(`g.node[data-ref="${ref}"]`);
        for (const ref of [`alpha/${db}`, `alpha/${app}`, `beta/${client}`, `alpha/${net}`, `beta/crosslink-cli-${client}-pgx`, `alpha/crosslink-srv-${db}-5432`]) {
          await node(ref).waitFor({ state: 'visible', timeout: 60_000 });
        }
        assert.match((await node(`alpha/${db}`).getAttribute('class')) ?? '', /kind-container state-running/);
        await view.locator(`g.group[data-ref="${alpha.name}"]`).waitFor({ state: 'visible' });
        await view.locator(`g.group[data-ref="${beta.name}"]`).waitFor({ state: 'visible' });
        await edge('legacyLink', `alpha/${app}`, `alpha/${db}`).waitFor({ state: 'visible' });
        await edge('alias', `alpha/${db}`, `alpha/${net}`).waitFor({ state: 'visible' });
        await edge('ambassador', `beta/${client}`, `beta/crosslink-cli-${client}-pgx`).waitFor({ state: 'visible' });
        await edge('crossLink', `beta/crosslink-cli-${client}-pgx`, `alpha/crosslink-srv-${db}-5432`).waitFor({ state: 'visible', timeout: 60_000 });
        await edge('ambassador', `alpha/crosslink-srv-${db}-5432`, `alpha/${db}`).waitFor({ state: 'visible' });
        await edge('tunnel', `127.0.0.1:${localPort}`, `alpha/${db}`).waitFor({ state: 'visible', timeout: 30_000 });
        assert.match((await edge('legacyLink', `alpha/${app}`, `alpha/${db}`).getAttribute('class')) ?? '', /health-ok/);
        assert.match((await edge('alias', `alpha/${db}`, `alpha/${net}`).textContent()) ?? '', /as database/);

        // Only linked containers: run.ts's plain fixture container goes, the scene stays.
        await node(`alpha/${ctx.web}`).waitFor({ state: 'visible' });
        await view.locator('#linkedOnly').check();
        await node(`alpha/${ctx.web}`).waitFor({ state: 'detached' });
        await node(`alpha/${db}`).waitFor({ state: 'visible' });
        // Other helpers' containers crowd the shared testbed's picture: the scene is scrolled into view.
        // The picture is redrawn whenever anything on the testbed changes, which can replace the node mid-scroll.
        for (let attempt = 0; ; attempt++) {
          try {
            await node(`alpha/${db}`).evaluate((element) => element.scrollIntoView({ block: 'center', inline: 'center' }));
            break;
          } catch (error) {
            if (attempt >= 4) throw error;
          }
        }
        await runPaletteCommand(page, 'Notifications: Clear All Notifications');
        await page.screenshot({ path: path.join(repoRoot, 'test-results', 'topology-view.png') });

        // A click reveals the row in the tree and offers the row's own menu.
        await node(`alpha/${db}`).click();
        await treeRow(page, db).and(page.locator('.monaco-list-row.selected')).waitFor({ state: 'visible' });
        const actions = quickInput(page);
        await actions.locator('.monaco-list-row', { hasText: 'Show Container Logs' }).waitFor({ state: 'visible' });
        await page.screenshot({ path: path.join(repoRoot, 'test-results', 'topology-view-actions.png') });
        await resetUi(page);

        // Live from Docker events, no reload: the stopped target breaks the legacy link.
        docker(alpha, ['stop', '-t', '1', db]);
        await view.locator(`g.edge.kind-legacyLink.health-broken[data-from="alpha/${app}"]`).waitFor({ state: 'visible', timeout: 30_000 });
        assert.match((await node(`alpha/${db}`).getAttribute('class')) ?? '', /state-exited/);
      } catch (error) {
        failure = error;
      }
      try {
        await resetUi(page);
        await openView(page);
        if (await treeRow(page, `127.0.0.1:${localPort}`).isVisible()) {
          await contextMenu(page, `127.0.0.1:${localPort}`);
          await runMenuItem(page, 'Stop Tunnel');
          await treeRow(page, `127.0.0.1:${localPort}`).waitFor({ state: 'hidden' });
        }
        await runPaletteCommand(page, 'Crosslink: Remove Link');
        await quickPickSelect(page, `${client} → pgx`);
        await dialogButton(page, 'Remove Link').click();
        const deadline = Date.now() + 60_000;
        while (ambassadors.some(([host, name]) => docker(host, ['ps', '-aq', '--filter', `name=^${name}$`]) !== '')) {
          if (Date.now() > deadline) throw new Error('Remove Link left an ambassador of the topology scene');
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      } catch (error) {
        failure ??= error;
        // What Remove Link could not undo (a host stopped answering) goes here, so run.ts can remove the network after it.
        for (const [host, name] of ambassadors) {
          try {
            removeContainer(host, name);
          } catch {
            // Its host does not answer: the next run removes it before it starts.
          }
        }
      }
      if (failure) {
        throw failure;
      }
    },
  },
];
