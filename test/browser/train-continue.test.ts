// "Continue training" in real headless Chromium resumes rather than restarts: the MLP
// template trains one epoch on the built-in MNIST, Continue training adds a second, and a
// fresh two-epoch run gives the very same second-epoch losses — the continued run took over
// Adam's moments and step, the data order and the global step counter, so its loss curve
// carries on where the first ended (no jump from moments that start over).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { loggedScalars, newFromTemplate, openApp, openTrain, storedRecord, typeField } from './train-helpers.ts';
import type { TrainState } from '../../src/core/run/train-state.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const firstRun = (page: Page) => page.locator('[data-testid="train-runs"] [data-run]').first();

/** Clicks `button` and waits for the new run to finish; returns its id. */
async function runToEnd(page: Page, button: string, before: string | null): Promise<string> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect.poll(() => firstRun(page).getAttribute('data-run'), { timeout: 60_000 }).not.toBe(before);
  const id = (await firstRun(page).getAttribute('data-run'))!;
  await expect
    .poll(() => firstRun(page).getAttribute('data-status'), { timeout: 900_000, interval: 500 })
    .toBe('finished');
  return id;
}

describe('continue training', () => {
  test('a continued epoch equals the second epoch of a two-epoch run: steps, losses, optimizer state', async () => {
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^MLP/);
    await openTrain(page);
    await page
      .getByTestId('dataset-facts')
      .filter({ hasText: '60,000 train · 10,000 test' })
      .waitFor({ timeout: 120_000 });

    const parent = await runToEnd(page, 'Start', null);
    const first = await loggedScalars(page, parent, 'loss/train');
    const perEpoch = first.length;
    expect(perEpoch).toBe(844); // 54,000 examples in batches of 64
    // the optimizer's state is kept with the weights, as torch's optimizer.state_dict()
    const saved = (await storedRecord<{ trainState: TrainState }>(page, 'runs', parent))!.trainState;
    expect(saved).toMatchObject({ step: perEpoch, epoch: 1, optimizer: { spec: { type: 'Adam', lr: 0.001 } } });
    expect(saved.optimizer.stateDict.state['0']).toMatchObject({ step: perEpoch, exp_avg: { shape: [128, 784] } });

    const child = await runToEnd(page, 'Continue training', parent);
    const continued = await loggedScalars(page, child, 'loss/train');
    expect(continued.map((p) => p.step)).toEqual(first.map((p) => p.step + perEpoch));

    await typeField(page, 'epochs', '2');
    const whole = await runToEnd(page, 'Start', child);
    const both = await loggedScalars(page, whole, 'loss/train');
    expect(both.slice(0, perEpoch).map((p) => p.value)).toEqual(first.map((p) => p.value));
    // the continued epoch is the two-epoch run's second epoch, loss for loss
    expect(continued.map((p) => [p.step, p.value])).toEqual(both.slice(perEpoch).map((p) => [p.step, p.value]));
    expect(errors).toEqual([]);
    await page.context().close();
  }, 1_500_000);
});
