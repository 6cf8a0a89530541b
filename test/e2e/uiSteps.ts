// UI steps run in order by test/e2e/run.ts against one workbench page. Each step prints
// PASS/FAIL and leaves a screenshot test-results/NN-<name>.png. A step should not rely on a
// previous step having passed: use the idempotent helpers (openView, expandRow, ...).
// To add a step, append `{ name: 'kebab-case-name', run: async (ctx) => { ... } }`.
import * as assert from 'assert';
import type { Page } from 'playwright-core';
import type { Testbed, TestbedHost } from './testbed';
import {
  closeView,
  collapseRow,
  contextMenu,
  dialogButton,
  expandRow,
  menuItem,
  notification,
  openView,
  quickInputSubmit,
  quickPickSelect,
  resetUi,
  rowDescription,
  runMenuItem,
  runPaletteCommand,
  statusBarItem,
  treeRow,
  viewlet,
  waitForRow,
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
  /** Creates a fixture container on `host` that run.ts removes at the end. */
  createContainer(host: TestbedHost, name: string): void;
}

export interface UiStep {
  name: string;
  run(ctx: UiContext): Promise<void>;
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
];
