// Hostile strings from imported files stay text: a run file whose run name, tags, graph
// node types and names, hparams, texts and class name carry script payloads is imported
// and shown in every Board view and the editor; a probe on window never fires, no element
// the payload describes exists, and the exported graph SVG holds no active content.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { openBoard } from './board-helpers.ts';
import { fixtureRunFile } from './board-fixtures.ts';
import type { ModuleNode } from '../../src/core/model/module-graph.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=2</script>';
const SVG = '<svg onload="window.__pwned=3"/>';

function hostileRunFile(id: string, name: string) {
  const file = fixtureRunFile({ id, name, lr: 0.1 });
  file.run.doc.className = 'BS';
  const loss = file.scalars['loss/train'];
  file.scalars = { [`loss/${SCRIPT}`]: loss, [SVG]: file.scalars['accuracy/val'] };
  const graph = file.graph as { root: ModuleNode };
  graph.root.type = `Root${SVG}`;
  const seq = graph.root.children[0];
  seq.children[0].type = IMG;
  seq.children[1].name = SCRIPT;
  file.hparams = { hparams: { [IMG]: SCRIPT, lr: 0.1 }, metrics: { [SVG]: 1 } };
  file.texts = [{ tag: IMG, step: 0, text: SCRIPT }];
  return file;
}

describe('security: data never becomes markup', () => {
  test('script payloads in names, tags, graph types, hparams and texts never run; the SVG export is inert', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await page.addInitScript(() => {
      (window as unknown as { __pwned?: number }).__pwned = 0;
    });
    await page.evaluate(() => {
      (window as unknown as { __pwned?: number }).__pwned = 0;
    });
    const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);

    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import' }).click(),
    ]);
    await chooser.setFiles(
      [
        ['run-x', `run ${IMG}`],
        ['run-y', SCRIPT],
      ].map(([id, name]) => ({
        name: `${id}.run.json`,
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(hostileRunFile(id, name))),
      })),
    );
    const row = page.locator('li[data-run-id="run-x"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(IMG);
    await page.locator('li[data-run-id="run-y"]').waitFor();

    // Scalars: the card titles are the tags as text; the tooltip names the run as text.
    const card = page.locator('article.card, article[data-tag]').first();
    await card.waitFor();
    expect(
      await page.locator('article[data-tag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')).sort()),
    ).toEqual([`loss/${SCRIPT}`, SVG].sort());
    const plot = page.locator('article[data-tag] rect.overlay').first();
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.chart-tooltip').first().waitFor({ state: 'visible' });
    expect(await page.locator('.chart-tooltip').first().textContent()).toContain(IMG);

    // Graph: node types and names as text.
    await page.getByRole('tab', { name: 'Graph' }).click();
    await page.locator('.module-graph g.node').first().waitFor();
    const titles = await page.locator('.module-graph g.node .title').allTextContents();
    expect(titles).toContain(`${IMG} [0]`);
    expect(titles).toContain(`MaxPool2d [${SCRIPT}]`);
    expect(await page.locator('.module-graph g.group-head .title').first().textContent()).toBe(`Root${SVG}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'SVG', exact: true }).click(),
    ]);
    const svg = readFileSync(await download.path(), 'utf8');
    expect(svg).toContain('&lt;img src=x onerror="window.__pwned=1"&gt;');
    // Parsed as the SVG file it is: no scriptable element or attribute anywhere in it.
    const active = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      if (doc.querySelector('parsererror')) return ['not well-formed SVG'];
      const found: string[] = [];
      for (const el of doc.querySelectorAll('*')) {
        if (/^(script|img|foreignObject|iframe|object|embed|a|image)$/i.test(el.localName)) found.push(el.localName);
        for (const a of el.attributes)
          if (/^on/i.test(a.name) || /href$/i.test(a.name)) found.push(`${el.localName}@${a.name}`);
      }
      return found;
    }, svg);
    expect(active).toEqual([]);

    // Compare: hparams keys and values as text.
    await page.getByRole('tab', { name: 'Compare' }).click();
    await page.getByRole('button', { name: 'Compare the 2 visible runs' }).click();
    await page.locator('table.hp').waitFor();
    expect(await page.locator('table.hp').textContent()).toContain(SCRIPT);

    // Nothing the payloads describe was ever created, and the probe never fired.
    expect(await page.locator('body img, body script:not([src]), body svg[onload], body [onerror]').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await pwned()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
