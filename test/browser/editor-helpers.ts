// Shared steps for the editor's browser tests: a fresh page (fresh IndexedDB) at a size,
// real mouse drags from the palette, and small readers of what the canvas shows.
import { expect, inject } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';

export async function openApp(
  browser: Browser,
  size = { width: 1440, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: size, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(inject('baseUrl'));
  await page.locator('[data-testid="layer-node"]').first().waitFor();
  // The project is open once its save status shows and its canvas has settled.
  await page
    .getByTestId('save-status')
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  await settle(page);
  return { page, errors };
}

/**
 * Web fonts re-measure the nodes when they arrive, and the canvas redraws after a project
 * opens: wait for the fonts, then for 300 ms without a change on the canvas (at most 5 s).
 * `changing`: a change is on its way (another project opens), so the first quiet spell may
 * last up to 2 s before it counts.
 */
export async function settle(page: Page, changing = false): Promise<void> {
  await page.evaluate(
    async (firstQuiet) => {
      await document.fonts.ready;
      const canvas = document.querySelector('.svelte-flow') ?? document.body;
      await new Promise<void>((resolve) => {
        let quiet = setTimeout(done, firstQuiet);
        const stop = setTimeout(done, 5000);
        const observer = new MutationObserver(() => {
          clearTimeout(quiet);
          quiet = setTimeout(done, 300);
        });
        function done(): void {
          observer.disconnect();
          clearTimeout(quiet);
          clearTimeout(stop);
          resolve();
        }
        observer.observe(canvas, { subtree: true, childList: true, attributes: true });
      });
    },
    changing ? 2000 : 300,
  );
}

export const nodes = (page: Page): Locator => page.locator('[data-testid="layer-node"]');
export const nodeOf = (page: Page, type: string, nth = 0): Locator =>
  page.locator(`[data-testid="layer-node"][data-type="${type}"]`).nth(nth);

/** The project menu's item with this name. */
export async function menu(page: Page, item: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: 'Project menu' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

export async function newFromTemplate(page: Page, title: string | RegExp): Promise<void> {
  await menu(page, title);
  await page.getByTestId('save-status').filter({ hasText: 'Saved' }).waitFor();
  await settle(page, true);
}

/** Presses the mouse on a palette item and drags it with real mouse moves to (x, y). */
export async function dragFromPalette(page: Page, type: string, to: { x: number; y: number }): Promise<void> {
  const box = (await page.getByTestId(`palette-${type}`).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 20, box.y + box.height / 2 + 5, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

/** The point just below a node's bottom edge (where an appended block goes). */
export async function below(locator: Locator, dy = 60): Promise<{ x: number; y: number }> {
  const box = (await locator.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height + dy };
}

/** Types into an inspector field like a user: focus, select all, type, leave. */
export async function setParam(page: Page, name: string, value: string): Promise<void> {
  const field = page.locator(`[data-param="${name}"]`);
  await field.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
  await page.keyboard.press('Tab');
}

/** Types of the layer nodes from top to bottom of the canvas. */
export async function chainTypes(page: Page): Promise<string[]> {
  return nodes(page).evaluateAll((els) =>
    els
      .map((el) => ({ type: el.getAttribute('data-type') ?? '', y: el.getBoundingClientRect().y }))
      .sort((a, b) => a.y - b.y)
      .map((n) => n.type),
  );
}

export async function edgeShapes(page: Page): Promise<string[]> {
  return page
    .getByTestId('edge-shape')
    .allTextContents()
    .then((t) => t.map((s) => s.trim()));
}

export function expectNoErrors(errors: string[]): void {
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
}
