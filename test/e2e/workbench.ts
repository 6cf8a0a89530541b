// Helpers that drive the VS Code workbench (code-server in Chromium) the way a person does.
// Every helper waits for a condition with a timeout; none sleeps for a fixed time.
import type { Locator, Page } from 'playwright-core';

export const VIEW_CONTAINER_TITLE = 'Crosslink';
/** The viewlet (side bar composite) of the `crosslink` view container. */
export const VIEWLET = '[id="workbench.view.extension.crosslink"]';

const TIMEOUT = Number(process.env.CROSSLINK_E2E_STEP_TIMEOUT_MS) || 30_000;

function exact(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/**
 * Waits until the workbench has restored and the extension's hosts status-bar item is shown. The
 * extension connects to its hosts only once its view is shown (or a command runs), so this opens it.
 */
export async function waitForWorkbench(page: Page, timeout = 90_000): Promise<void> {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout });
  await activityBarItem(page).waitFor({ state: 'visible', timeout });
  await openView(page);
  await page.locator('.part.statusbar .statusbar-item[id$=".crosslink.hosts"]').waitFor({ state: 'visible', timeout });
}

/** The activity-bar entry of the Crosslink view container. */
export function activityBarItem(page: Page): Locator {
  return page.locator(`.part.activitybar li.action-item:has(a.action-label[aria-label^="${VIEW_CONTAINER_TITLE}"])`);
}

export function viewlet(page: Page): Locator {
  return page.locator(`.part.sidebar ${VIEWLET}`);
}

/**
 * Opens the Crosslink view from the activity bar (no-op when it is already shown). The entry toggles:
 * right after a reload the workbench may still be restoring this very view, and a click then closes
 * it, so the entry is clicked only while it is not the active one, and again if the view stays away.
 */
export async function openView(page: Page): Promise<Locator> {
  const view = viewlet(page);
  const entry = activityBarItem(page);
  const deadline = Date.now() + TIMEOUT;
  let waitsWhileActive = 0;
  while (!(await view.isVisible())) {
    if (Date.now() > deadline) throw new Error(`the ${VIEW_CONTAINER_TITLE} view did not open within ${TIMEOUT} ms`);
    const active = await entry.evaluate((item) => item.classList.contains('checked')).catch(() => false);
    if (!active || waitsWhileActive >= 2) {
      await entry.click();
      waitsWhileActive = 0;
    } else {
      waitsWhileActive += 1;
    }
    await view.waitFor({ state: 'visible', timeout: 2_000 }).catch(() => undefined);
  }
  return view;
}

/** Hides the side bar by clicking the (active) Crosslink activity-bar entry again. */
export async function closeView(page: Page): Promise<void> {
  const view = viewlet(page);
  if (await view.isVisible()) await activityBarItem(page).click();
  await view.waitFor({ state: 'hidden', timeout: TIMEOUT });
}

/** The tree row whose label is exactly `label` in the Crosslink view. */
export function treeRow(page: Page, label: string): Locator {
  return page.locator(`${VIEWLET} .monaco-list-row[role="treeitem"]`, {
    has: page.locator('.label-name', { hasText: exact(label) }),
  });
}

/** Waits for the row and returns it. */
export async function waitForRow(page: Page, label: string, timeout = TIMEOUT): Promise<Locator> {
  const row = treeRow(page, label);
  await row.waitFor({ state: 'visible', timeout });
  return row;
}

/** The row's description (text after the label), e.g. "crosslink/fixture:latest · running". */
export async function rowDescription(row: Locator): Promise<string> {
  return ((await row.locator('.label-description').first().textContent()) ?? '').trim();
}

/**
 * Clicks the row's twistie until it shows the wanted state: a tree refresh (a Docker event) can
 * re-render the row between the click and its effect, which loses that one click.
 */
async function setExpanded(page: Page, label: string, expanded: boolean): Promise<Locator> {
  const want = String(expanded);
  const wanted = page.locator(`${VIEWLET} .monaco-list-row[aria-expanded="${want}"]`, { has: page.locator('.label-name', { hasText: exact(label) }) });
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const row = await waitForRow(page, label);
    const state = await row.getAttribute('aria-expanded');
    if (state === null) {
      // A container row gets its arrow once the model shows its links or aliases; wait for that.
      if (Date.now() > deadline) throw new Error(`row ${label} is not collapsible`);
      await page.waitForTimeout(200);
      continue;
    }
    if (state === want) return row;
    await row.locator('.monaco-tl-twistie').click();
    try {
      await wanted.waitFor({ state: 'visible', timeout: 2_000 });
      return row;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

export const expandRow = (page: Page, label: string) => setExpanded(page, label, true);
export const collapseRow = (page: Page, label: string) => setExpanded(page, label, false);

/**
 * Right-clicks the row `label` and returns the context menu once it is shown. The tree reuses row
 * elements, so a refresh (a Docker event) between finding the row and clicking can land the click
 * on another container: the menu is accepted only when the focused row is the one asked for.
 */
export async function contextMenu(page: Page, label: string): Promise<Locator> {
  const menu = page.locator('.context-view .monaco-menu').first();
  const focused = page.locator(`${VIEWLET} .monaco-list-row.focused`, { has: page.locator('.label-name', { hasText: exact(label) }) });
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const row = await waitForRow(page, label);
    await row.click({ button: 'right' });
    await menu.waitFor({ state: 'visible', timeout: TIMEOUT });
    if (await focused.isVisible()) {
      return menu;
    }
    await closeMenus(page);
    if (Date.now() > deadline) {
      throw new Error(`the context menu kept opening on another row than ${label}`);
    }
  }
}

/** A menu item of an open (context) menu, by its title. */
export function menuItem(page: Page, title: string): Locator {
  return page.locator('.context-view .monaco-menu .action-item .action-label', { hasText: exact(title) });
}

/** Clicks an inline action (icon button) of the row `label`: they show while the pointer is on the row. */
export async function clickInlineAction(page: Page, label: string, title: string): Promise<void> {
  const row = await waitForRow(page, label);
  await row.hover();
  const button = row.locator(`.actions .action-label[aria-label="${title}"]`);
  await button.waitFor({ state: 'visible', timeout: TIMEOUT });
  await button.click();
}

/** Runs an entry of the open context menu as a person would: point at it, then press Enter. */
export async function runMenuItem(page: Page, title: string): Promise<void> {
  const label = menuItem(page, title);
  await label.waitFor({ state: 'visible', timeout: TIMEOUT });
  await label.hover();
  await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: exact(title) }).waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.context-view .monaco-menu').first().waitFor({ state: 'hidden', timeout: TIMEOUT });
}

export async function closeMenus(page: Page): Promise<void> {
  const menu = page.locator('.context-view .monaco-menu');
  if (await menu.count()) {
    await page.keyboard.press('Escape');
    await menu.first().waitFor({ state: 'hidden', timeout: TIMEOUT });
  }
}

export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/** Closes whatever quick input, menu or notification toast is open, so a step starts clean. */
export async function resetUi(page: Page): Promise<void> {
  await closeMenus(page);
  if (await quickInput(page).isVisible()) {
    await page.keyboard.press('Escape');
    await quickInput(page).waitFor({ state: 'hidden', timeout: TIMEOUT });
  }
}

/**
 * Runs a row's context-menu entry. A host redraw between opening the menu and choosing the entry
 * drops the row's argument (VS Code looks the element up again, and a refresh is replacing it), and
 * the command then asks for the container: answered as a user would, by the row's name.
 * `containerPrompt` tells that question from the command's own next prompt.
 */
export async function runRowMenuItem(page: Page, rowLabel: string, title: string, containerPrompt: RegExp = /./): Promise<void> {
  await contextMenu(page, rowLabel);
  await runMenuItem(page, title);
  const asked = quickInput(page).locator('.quick-input-title', { hasText: containerPrompt });
  if (
    await asked.waitFor({ state: 'visible', timeout: 1_000 }).then(
      () => true,
      () => false,
    )
  ) {
    await page.keyboard.type(rowLabel);
    await quickPickSelect(page, rowLabel);
  }
}

/** F1, type the command's title (e.g. "Crosslink: Refresh"), wait until it is the selected entry, Enter. */
export async function runPaletteCommand(page: Page, title: string): Promise<void> {
  const widget = quickInput(page);
  const input = widget.locator('.quick-input-box input');
  // Once in CI the palette closed right after it opened (focus moved away; what took it was not found): it is opened
  // again as a user would, a few times before giving up.
  for (let attempt = 1; ; attempt++) {
    await resetUi(page);
    await page.keyboard.press('F1');
    await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
    const filled = await input.fill(`>${title}`, { timeout: 5_000 }).then(
      () => true,
      (error: unknown) => (attempt < 3 ? false : Promise.reject(error)),
    );
    if (filled) {
      break;
    }
  }
  const focused = widget.locator('.quick-input-list .monaco-list-row.focused', {
    has: page.locator('.label-name', { hasText: exact(title) }),
  });
  await focused.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.press('Enter');
  // The palette closes, or the command reuses the widget for its own first prompt at once.
  const deadline = Date.now() + TIMEOUT;
  while ((await widget.isVisible()) && (await input.inputValue().catch(() => '')) === `>${title}`) {
    if (Date.now() > deadline) throw new Error(`the command palette still shows "${title}" after Enter`);
    await page.waitForTimeout(50);
  }
}

/** In an open quick pick, selects the entry whose label contains `text`, and waits until the prompt moves on. */
export async function quickPickSelect(page: Page, text: string | RegExp): Promise<void> {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
  const row = widget.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: text }) }).first();
  await row.waitFor({ state: 'visible', timeout: TIMEOUT });
  const title = await promptTitle(page);
  await row.click();
  await promptMovedOn(page, title);
}

/**
 * A multi-step command shows its next prompt in the same widget a moment later; typing before
 * it is there would go to the previous prompt. Waits until the title changed or the widget closed.
 */
async function promptMovedOn(page: Page, previousTitle: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT;
  while ((await quickInput(page).isVisible()) && (await promptTitle(page)) === previousTitle) {
    if (Date.now() > deadline) throw new Error(`the prompt "${previousTitle}" did not move on`);
    await page.waitForTimeout(50);
  }
}

async function promptTitle(page: Page): Promise<string> {
  const title = quickInput(page).locator('.quick-input-title');
  return (await title.isVisible()) ? ((await title.textContent()) ?? '') : '';
}

/** In an open multi-select quick pick: ticks the entries whose labels contain each text, then accepts. */
export async function quickPickCheck(page: Page, texts: Array<string | RegExp>): Promise<void> {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
  for (const text of texts) {
    const row = widget.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: text }) }).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    if ((await row.getAttribute('aria-checked')) !== 'true') {
      await row.click();
    }
    await widget
      .locator('.quick-input-list .monaco-list-row[aria-checked="true"]', { has: page.locator('.label-name', { hasText: text }) })
      .first()
      .waitFor({ state: 'visible', timeout: TIMEOUT });
  }
  const title = await promptTitle(page);
  await widget.locator('.quick-input-box input').press('Enter');
  await promptMovedOn(page, title);
}

/** Types into an open quick input (input box) and accepts it with Enter. */
export async function quickInputSubmit(page: Page, value: string): Promise<void> {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
  const input = widget.locator('.quick-input-box input');
  const title = await promptTitle(page);
  await input.fill(value);
  await input.press('Enter');
  await promptMovedOn(page, title);
}

/** A status-bar item by (part of) its text; the Crosslink item by default. */
export function statusBarItem(page: Page, text: string | RegExp = /\d+\/\d+ hosts/): Locator {
  return page.locator('.part.statusbar .statusbar-item', { hasText: text });
}

/** Notification toasts whose message contains `text`. */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** A button of the open modal dialog (e.g. a confirmation), by its label. */
export function dialogButton(page: Page, label: string): Locator {
  return page.locator('.monaco-dialog-box .dialog-buttons .monaco-button', { hasText: exact(label) });
}
