// TensorBoard and PyTorch exchange in real headless Chromium: event files built here in
// Node go in through the file chooser (a logdir .zip), the folder picker and a real folder
// drop; runs leave as event files and a logdir .zip that Node reads back; the seed's
// nn.Sequential Python source pasted in Build mode becomes its graph.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { fixtureRunFile, type FixtureRun } from './board-fixtures.ts';
import { card, expectLines, importRuns, openBoard } from './board-helpers.ts';
import { chainTypes, edgeShapes, expectNoErrors, menu, openApp } from './editor-helpers.ts';
import { readEventFile, writeEventFile, type ScalarPoint } from '../../src/core/formats/tfevents/index.ts';
import { readZip, writeZip } from '../../src/core/formats/zip.ts';
import { fromJsonNumber } from '../../src/db/run-file.ts';
import { parseSeriesCsv } from '../../src/ui/board/scalars/export.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const WALL0 = 1767607200; // 2026-01-05 10:00 UTC, in seconds as event files hold it
/** A run as PyTorch's SummaryWriter logs it: `loss` every step, `accuracy` every 4th. */
function logged(lr: number, steps: number): ScalarPoint[] {
  const points: ScalarPoint[] = [];
  for (let s = 0; s < steps; s++) {
    points.push({ tag: 'loss', step: s, wallTime: WALL0 + s * 0.5, value: 2.3 * Math.exp(-lr * s) + 0.1 });
    if (s % 4 === 3)
      points.push({ tag: 'accuracy', step: s, wallTime: WALL0 + s * 0.5 + 0.1, value: 0.5 + (lr * s) / 10 });
  }
  return points;
}
/** What the board holds after the round trip: every value exactly (a double that is no float32 travels as a DT_DOUBLE tensor). */
const asLogged = (points: ScalarPoint[], tag: string) =>
  points.filter((p) => p.tag === tag).map((p) => ({ wallTime: p.wallTime, step: p.step, value: p.value }));

const ADAM = logged(0.2, 40),
  SGD = logged(0.05, 40);
const FILE = `events.out.tfevents.${WALL0}.trainer-host`;

const runRow = (page: Page, name: string) =>
  page.locator('li.run').filter({ has: page.locator('button.name').getByText(name, { exact: true }) });
const summary = (page: Page) => page.getByRole('status', { name: 'Import summary' });

async function runId(page: Page, name: string): Promise<string> {
  await runRow(page, name).waitFor();
  return (await runRow(page, name).getAttribute('data-run-id'))!;
}

/** The card's CSV download for one run, parsed. */
async function csvOf(page: Page, tag: string, run: string) {
  await card(page, tag)
    .getByRole('button', { name: `Download ${tag}` })
    .click();
  const row = card(page, tag)
    .locator('.dl-row')
    .filter({ has: page.getByText(run, { exact: true }) });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('menuitem', { name: 'CSV' }).click(),
  ]);
  return parseSeriesCsv(readFileSync(await download.path(), 'utf8'));
}

async function chooseFromTensorBoardMenu(
  page: Page,
  item: string,
  files: Parameters<import('playwright-core').FileChooser['setFiles']>[0],
) {
  await page.getByRole('button', { name: 'TensorBoard logs' }).click();
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('menuitem', { name: item }).click(),
  ]);
  await chooser.setFiles(files);
}

describe('exchange: TensorBoard logs on the board', () => {
  test('a logdir .zip of two runs imports through the file chooser next to the runs already there', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    const existing: FixtureRun = { id: 'run-a', name: 'sgd lr=0.1', lr: 0.1 };
    await importRuns(page, [existing]);
    const zip = await writeZip([
      { name: `logs/adam/${FILE}`, data: writeEventFile(ADAM, WALL0) },
      { name: `logs/sgd/${FILE}`, data: writeEventFile(SGD, WALL0) },
    ]);
    await chooseFromTensorBoardMenu(page, 'Import TensorBoard logs…', {
      name: 'logs.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zip),
    });

    await expect.poll(() => summary(page).textContent()).toMatch(/Imported 2 runs: (adam, sgd|sgd, adam)/);
    expect(await summary(page).getByRole('list', { name: 'Import problems' }).count()).toBe(0);
    const ids = { adam: await runId(page, 'adam'), sgd: await runId(page, 'sgd') };
    // nothing on the board was lost: the earlier run is still listed and drawn
    await runRow(page, 'sgd lr=0.1').waitFor();
    await expectLines(page, 'loss', [ids.adam, ids.sgd]);
    await expectLines(page, 'loss/train', ['run-a']);
    expect(await csvOf(page, 'loss', 'adam')).toEqual(asLogged(ADAM, 'loss'));
    expect(await csvOf(page, 'accuracy', 'sgd')).toEqual(asLogged(SGD, 'accuracy'));
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a picked log folder: each subfolder is a run; a truncated file keeps its good points and says where it broke', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'lb-tb-')), 'tb-logs');
    const whole = writeEventFile(SGD, WALL0);
    const truncated = whole.subarray(0, whole.length - 7);
    mkdirSync(join(root, 'adam'), { recursive: true });
    mkdirSync(join(root, 'sgd'), { recursive: true });
    writeFileSync(join(root, 'adam', FILE), writeEventFile(ADAM, WALL0));
    writeFileSync(join(root, 'sgd', FILE), truncated);
    // what the board must say, from the reader in Node: the file, the fault with its byte offset
    const back = readEventFile(truncated);
    expect(back.problems).toHaveLength(1);
    const expected = `tb-logs/sgd/${FILE}: ${back.problems[0].message}; its ${back.events.length} good events were kept`;

    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await chooseFromTensorBoardMenu(page, 'Import log folder…', root);
    await expect.poll(() => summary(page).textContent()).toMatch(/Imported 2 runs/);
    expect(
      await summary(page).getByRole('list', { name: 'Import problems' }).getByRole('listitem').allTextContents(),
    ).toEqual([expected]);
    expect(expected).toMatch(/byte \d+/);
    const sgd = await runId(page, 'sgd');
    await expectLines(page, 'loss', [await runId(page, 'adam'), sgd]);
    // the good points before the damaged record are all there: everything but the last event
    const kept = SGD.slice(0, back.events.length - 1);
    expect(kept.length).toBe(SGD.length - 1);
    expect(await csvOf(page, 'loss', 'sgd')).toEqual(asLogged(kept, 'loss'));
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a log folder dropped on the board (a real drag of a directory) imports one run per subfolder', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'lb-drop-')), 'dropped-logs');
    for (const [name, points] of [
      ['adam', ADAM],
      ['sgd', SGD],
    ] as const) {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, FILE), writeEventFile(points, WALL0));
    }
    writeFileSync(join(root, 'README.txt'), 'not a log');
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    const box = (await page.getByRole('region', { name: /^Board \(drop/ }).boundingBox())!;
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    // The browser's own drag of a file-system folder: the page walks it with webkitGetAsEntry.
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files: [root], dragOperationsMask: 1 };
    await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', ...at, data });
    await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', ...at, data });
    await cdp.send('Input.dispatchDragEvent', { type: 'drop', ...at, data });
    await expect.poll(() => summary(page).textContent()).toMatch(/Imported 2 runs: (adam, sgd|sgd, adam)/);
    await expectLines(page, 'loss', [await runId(page, 'adam'), await runId(page, 'sgd')]);
    expect(await csvOf(page, 'loss', 'sgd')).toEqual(asLogged(SGD, 'loss'));
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a run downloads as an event file with the logged values; the visible runs as a logdir .zip that imports back', async () => {
    const A: FixtureRun = { id: 'run-a', name: 'sgd lr=0.1', lr: 0.1 };
    const B: FixtureRun = { id: 'run-b', name: 'sgd lr=0.03', lr: 0.03, created: Date.UTC(2026, 0, 5, 11) };
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, B]);
    const row = page.locator('li[data-run-id="run-a"]');
    await row.hover();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download TensorBoard event file of sgd lr=0.1' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`events.out.tfevents.${Date.UTC(2026, 0, 5, 10) / 1000}.layerboard`);
    const file = readEventFile(new Uint8Array(readFileSync(await download.path())));
    expect(file.problems).toEqual([]);
    expect(file.events[0].fileVersion).toBe('brain.Event:2');
    const logged = fixtureRunFile(A).scalars;
    for (const tag of ['loss/train', 'accuracy/val']) {
      const want = logged[tag].step.map((step, i) => ({
        tag,
        step,
        wallTime: logged[tag].wallTime[i],
        value: fromJsonNumber(logged[tag].value[i])!,
      }));
      expect(file.scalars.filter((p) => p.tag === tag).sort((a, b) => a.step - b.step)).toEqual(want);
    }

    // only run-b visible: the logdir holds run-b alone, in a folder named after it
    await page.getByRole('checkbox', { name: 'Show sgd lr=0.1' }).click();
    await expectLines(page, 'loss/train', ['run-b']);
    const [zipDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Logdir .zip' }).click(),
    ]);
    expect(zipDownload.suggestedFilename()).toBe('layerboard-logdir.zip');
    const zipBytes = readFileSync(await zipDownload.path());
    const entries = await readZip(new Uint8Array(zipBytes));
    expect(entries.map((e) => e.name)).toEqual([
      `sgd lr=0.03/events.out.tfevents.${Date.UTC(2026, 0, 5, 11) / 1000}.layerboard`,
    ]);
    expect(readEventFile(entries[0].data).scalars.filter((p) => p.tag === 'loss/train')).toHaveLength(200);

    // and back in (next to the runs already there): the imported run has the same scalars as the one that left
    await chooseFromTensorBoardMenu(page, 'Import TensorBoard logs…', {
      name: 'board.zip',
      mimeType: 'application/zip',
      buffer: zipBytes,
    });
    await expect.poll(() => summary(page).textContent()).toMatch(/Imported 1 run: sgd lr=0\.03/);
    const imported = (
      await page.locator('li.run').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))
    ).find((id) => id !== 'run-a' && id !== 'run-b')!;
    await expectLines(page, 'loss/train', ['run-b', imported]);
    const rows = page.locator(`li[data-run-id="${imported}"]`);
    expect(await rows.locator('button.name').textContent()).toBe('sgd lr=0.03');
    const b = fixtureRunFile(B).scalars['loss/train'];
    // the two runs share a name: read the imported one's CSV by hiding the original
    await page.locator('li[data-run-id="run-b"]').getByRole('checkbox').click();
    await expectLines(page, 'loss/train', [imported]);
    expect(await csvOf(page, 'loss/train', 'sgd lr=0.03')).toEqual(
      b.step.map((step, i) => ({ wallTime: b.wallTime[i], step, value: fromJsonNumber(b.value[i])! })),
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('exchange: Python source pasted in Build mode', () => {
  const seed = readFileSync(
    fileURLToPath(new URL('../../../shared/seed/pytorch-sequential-tutorial.txt', import.meta.url)),
    'utf8',
  );
  /** The seed's first example: from `import torch.nn as nn` to the first Sequential's closing parenthesis. */
  function firstSequential(): string {
    const lines = seed.split('\n');
    const start = lines.findIndex((l) => l.startsWith('import torch.nn as nn'));
    const end = lines.findIndex((l, i) => i > start && /^\s*\)\s*$/.test(l));
    return lines.slice(start, end + 1).join('\n');
  }

  test("the seed's first nn.Sequential example becomes Conv2d → ReLU → Conv2d → ReLU; errors name their line", async () => {
    const { page, errors } = await openApp(browser);
    await menu(page, 'Paste print(model) or PyTorch code…');
    const dialog = page.getByRole('dialog', { name: 'Paste PyTorch model' });
    const box = dialog.getByRole('textbox', { name: 'print(model) text or Python code' });

    // a broken version first: the unknown layer and the non-constant keyword, each with its line
    await box.click();
    await page.keyboard.insertText(
      'model = nn.Sequential(\n    nn.Conv2d(1, 20, 5),\n    nn.Swish(),\n    nn.ReLU(inplace=flag),\n)',
    );
    const problems = dialog.getByRole('alert', { name: 'Problems in the pasted code' }).getByRole('listitem');
    await expect.poll(() => problems.count()).toBe(2);
    expect(await problems.nth(0).textContent()).toMatch(/^line 3 nn\.Swish is not a layer Layerboard knows/);
    expect(await problems.nth(1).textContent()).toMatch(/^line 4 ReLU: flag is not a constant value/);
    expect(await dialog.getByRole('button', { name: 'Create project' }).isDisabled()).toBe(true);

    await box.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(firstSequential());
    await dialog.getByText('Recognised 4 layers (Python code)').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Input shape' }).inputValue()).toBe('1, 28, 28');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await page
      .getByTestId('save-status')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await expect.poll(() => chainTypes(page)).toEqual(['Conv2d', 'ReLU', 'Conv2d', 'ReLU']);
    // Conv2d(1,20,5) on 28×28 gives 24×24, Conv2d(20,64,5) then 20×20
    await expect.poll(() => edgeShapes(page)).toEqual(['N×1×28×28', 'N×20×24×24', 'N×20×24×24', 'N×64×20×20']);
    expectNoErrors(errors);
  });

  test("the CIFAR-10 tutorial Net and the resnet18 printout: recognised with the import's notes (what was assumed, what was not read)", async () => {
    const { page, errors } = await openApp(browser);
    await menu(page, 'Paste print(model) or PyTorch code…');
    const dialog = page.getByRole('dialog', { name: 'Paste PyTorch model' });
    const box = dialog.getByRole('textbox', { name: 'print(model) text or Python code' });
    const notes = dialog.getByRole('list', { name: 'Notes on the import' }).getByRole('listitem');
    const fixture = (path: string) =>
      readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), 'utf8');

    await box.click();
    await page.keyboard.insertText(fixture('pytorch-source/cifar10-tutorial-net.py'));
    await dialog.getByText('Recognised 6 layers of Net (Python code)').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Input shape' }).inputValue()).toBe('3, 32, 32');
    expect(await notes.allTextContents()).toEqual([
      "line 28 outside the model's classes is not part of the model and was not read",
    ]);

    await box.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(fixture('pytorch-text/resnet18.txt'));
    await dialog.getByText('Recognised 52 layers of ResNet in 2 block classes (print(model) text)').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Input shape' }).inputValue()).toBe('3, 224, 224');
    const texts = await notes.allTextContents();
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(
      /^line 1ResNet: forward not shown by print\(model\): assumed to call conv1 → bn1 → relu → maxpool → layer1 → .* with torch\.flatten\(x, 1\) before fc/,
    );
    expect(texts[1]).toContain(
      "recognized by name and children as torchvision's BasicBlock: forward conv1→bn1→relu→conv2→bn2, + x, relu",
    );
    expect(texts[2]).toContain('+ downsample(x), relu');
    expectNoErrors(errors);
  });
});
