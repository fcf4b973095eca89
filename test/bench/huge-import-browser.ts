// Benchmark (not a test): a 100,000-layer model JSON imported through the app in headless
// Chromium, from a built app folder: the time until its ranges are drawn, until it is
// saved, and until a reload draws it again; a CPU profile of the import is written to
// /tmp/huge-import.cpuprofile.
//
//   npx vite build --outDir /tmp/dist && npx tsx test/bench/huge-import-browser.ts /tmp/dist [100000]
import { writeFileSync } from 'node:fs';
import { preview } from 'vite';
import { launchChromium } from '../browser/chromium.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import { serializeModelDocument } from '../../src/core/model/model-serialize.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';

const dist = process.argv[2];
const N = Number(process.argv[3] ?? 100000);
const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, build: { outDir: dist }, logLevel: 'warn' });
const url = server.resolvedUrls!.local[0];
const browser = await launchChromium();
const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page
  .getByTestId('save-status')
  .filter({ hasText: /^Saved$/ })
  .waitFor({ timeout: 120000 });
const layers: LayerSpec[] = Array.from({ length: N }, (_, i) =>
  i % 2 === 0 ? { type: 'Linear', in_features: 16, out_features: 16 } : { type: 'ReLU' },
);
const text = serializeModelDocument({ ...newModelDocument([16], layers), metadata: { name: 'Huge chain' } });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
await cdp.send('Profiler.start');
const t0 = Date.now();
await page
  .getByTestId('import-input')
  .setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.from(text) });
// The imported project is open (its name shows) and its first blocks or ranges are drawn.
const drawn = () =>
  page.waitForFunction(
    () =>
      (document.querySelector('[aria-label="Project name"]') as HTMLInputElement | null)?.value === 'Huge chain' &&
      document.querySelector('[data-testid="range-node"], [data-testid="layer-node"]') !== null,
    null,
    { timeout: 600000, polling: 200 },
  );
page.on('crash', () => console.log('the page crashed', Date.now() - t0, 'ms after the import'));
await drawn();
console.log('first render ms', Date.now() - t0);
await page
  .getByTestId('save-status')
  .filter({ hasText: /^Saved$/ })
  .waitFor({ timeout: 600000 });
console.log('saved ms', Date.now() - t0);
const { profile } = await cdp.send('Profiler.stop');
writeFileSync('/tmp/huge-import.cpuprofile', JSON.stringify(profile));
const t1 = Date.now();
await page.reload();
await drawn();
console.log('reload to first render ms', Date.now() - t1);
await browser.close();
await server.close();
