// The built app as `npm run preview` serves it: the Content-Security-Policy header beside
// COOP/COEP, no inline script in the page, nothing the app does is refused by the policy
// (Build, Train with the engine worker, Board), and script injected into the page is.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { newFromTemplate, openTrain } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

declare global {
  interface Window {
    __violations?: string[];
    __inline?: number;
  }
}

describe('security: Content-Security-Policy', () => {
  test('the preview server sends the strict policy with cross-origin isolation; the page has no inline script', async () => {
    const response = await fetch(inject('baseUrl'));
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v.join(' ')]),
    );
    expect(directives['script-src']).toBe("'self' 'wasm-unsafe-eval'");
    expect(directives['object-src']).toBe("'none'");
    expect(directives['worker-src']).toMatch(/^'self'/);
    expect(directives['default-src']).toBe("'self'");
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1].replace(/&#39;/g, "'");
    expect(meta).toContain("script-src 'self' 'wasm-unsafe-eval'");
  });

  test('the app runs with nothing refused, trains in its worker, and injected script is blocked', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text());
    });
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__violations!.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    await page.goto(inject('baseUrl'));
    await page.locator('[data-testid="layer-node"]').first().waitFor();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    // Training: the engine worker, its WASM and the thread helpers all start under the policy.
    await newFromTemplate(page, /^MNIST ConvNet/);
    await openTrain(page);
    await page.getByTestId('dataset-shape').filter({ hasText: '1×28×28' }).waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor();
    await expect
      .poll(
        async () =>
          Number(((await page.getByTestId('run-step').textContent()) ?? '0').split('/')[0].replace(/[^\d]/g, '')),
        { timeout: 60_000 },
      )
      .toBeGreaterThanOrEqual(5);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('tab', { name: 'Board' }).click();
    await page.getByRole('tab', { name: 'Scalars' }).waitFor();
    expect(await page.evaluate(() => window.__violations)).toEqual([]);

    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
    });
    // Refused by the header's policy and again by the page's meta copy of it.
    await expect.poll(() => page.evaluate(() => window.__violations!.length)).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate(() => window.__inline)).toBeUndefined();
    for (const v of (await page.evaluate(() => window.__violations))!) expect(v).toMatch(/^script-src(-elem)? inline$/);
    expect(errors.filter((e) => !/inline script/.test(e))).toEqual([]);
    await page.close();
  });
});
