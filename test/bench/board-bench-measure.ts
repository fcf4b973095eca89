// What the board benchmark measures in the page: frame intervals (a requestAnimationFrame
// loop), the chart's own render time (performance.measure('scalar-chart:render')),
// Chromium's script and layout time per frame (CDP), and a CPU profile's top functions.
import type { Page } from 'playwright-core';

export type Stats = { count: number; median: number; p95: number; max: number };

export const stats = (xs: number[]): Stats => {
  if (xs.length === 0) return { count: 0, median: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { count: s.length, median: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1].toFixed(1) };
};

export interface FrameReport {
  interval: Stats;
  chartRenderMs: Stats;
  scriptMsPerFrame: number;
  layoutMsPerFrame: number;
}

/** Runs `action` while recording every animation frame and chart render. */
export async function frames(page: Page, action: () => Promise<unknown>): Promise<FrameReport> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  // A string: tsx's name-keeping helper does not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = []; window.__on = true;
    let last = performance.now();
    const loop = (t) => { window.__frames.push(t - last); last = t; if (window.__on) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  })()`);
  await page.evaluate(() => performance.clearMeasures());
  const m0 = await metric();
  await action();
  const m1 = await metric();
  const renders = await page.evaluate(() => performance.getEntriesByName('scalar-chart:render').map((e) => e.duration));
  const intervals = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __on: boolean };
    w.__on = false;
    return w.__frames.slice(1);
  });
  await cdp.detach();
  const n = Math.max(1, intervals.length);
  return {
    interval: stats(intervals),
    chartRenderMs: stats(renders),
    scriptMsPerFrame: +((1000 * (m1.ScriptDuration - m0.ScriptDuration)) / n).toFixed(2),
    layoutMsPerFrame: +(
      (1000 * (m1.LayoutDuration + m1.RecalcStyleDuration - m0.LayoutDuration - m0.RecalcStyleDuration)) /
      n
    ).toFixed(2),
  };
}

/** A real mouse drag in `steps` moves, one animation frame after each (shift: pan). */
export async function drag(
  page: Page,
  from: [number, number],
  to: [number, number],
  steps: number,
  shift: boolean,
): Promise<void> {
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.move(...from);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps);
    await page.evaluate(() => new Promise(requestAnimationFrame));
  }
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

/** Two animation frames: what was rendered has been painted. */
export const painted = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Top self-time functions of a CPU profile taken while `action` runs. */
export async function printProfile(page: Page, action: () => Promise<void>): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  await action();
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map<string, number>();
  const dt = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 20);
  console.error(top.map(([k, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${k}`).join('\n'));
}
