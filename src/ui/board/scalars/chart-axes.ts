// The x and y scales of a scalar chart with their axes: steps, relative time (s/m/h
// ticks on whole units) or wall-clock time, and linear or log values.
import { axisBottom, axisLeft, format, scaleLinear, scaleLog, scaleTime, ticks as niceTicks, type Axis } from 'd3';
import { formatValue, type XAxis, type YScale } from './chart-math.ts';

export interface XScale {
  px(x: number): number;
  invert(px: number): number;
  axis(): Axis<number>;
  domain: [number, number];
}

const stepFormat = format('~s');

/** A nice domain around an extent, on the axis's own tick grid. */
export function niceX(axis: XAxis, extent: [number, number]): [number, number] {
  let [a, b] = extent;
  if (a === b) {
    a -= 1;
    b += 1;
  }
  if (axis === 'wall') {
    const s = scaleTime()
      .domain([new Date(a * 1000), new Date(b * 1000)])
      .nice();
    return s.domain().map((d) => +d / 1000) as [number, number];
  }
  const unit = axis === 'relative' ? timeUnit(b - a)[0] : 1;
  // Coarse bounds (about 5 ticks): live points stay inside them longer, so they are appended.
  const s = scaleLinear()
    .domain([a / unit, b / unit])
    .nice(5);
  return s.domain().map((d) => d * unit) as [number, number];
}

function timeUnit(span: number): [number, string] {
  if (span >= 3 * 3600) return [3600, 'h'];
  if (span >= 180) return [60, 'm'];
  return [1, 's'];
}

export function makeX(axis: XAxis, domain: [number, number], width: number, tickCount: number): XScale {
  if (axis === 'wall') {
    const s = scaleTime()
      .domain(domain.map((x) => new Date(x * 1000)))
      .range([0, width]);
    return {
      domain,
      px: (x) => s(x * 1000),
      invert: (p) => +s.invert(p) / 1000,
      axis: () => axisBottom(s).ticks(tickCount) as unknown as Axis<number>,
    };
  }
  const s = scaleLinear().domain(domain).range([0, width]);
  if (axis === 'step') {
    return {
      domain,
      px: s,
      invert: (p) => s.invert(p),
      axis: () =>
        axisBottom<number>(s)
          .ticks(tickCount)
          .tickFormat((v) => (Math.abs(v) >= 1e4 ? stepFormat(v) : String(v))),
    };
  }
  const [unit, suffix] = timeUnit(domain[1] - domain[0]);
  const values = niceTicks(domain[0] / unit, domain[1] / unit, tickCount).map((t) => t * unit);
  return {
    domain,
    px: s,
    invert: (p) => s.invert(p),
    axis: () =>
      axisBottom<number>(s)
        .tickValues(values)
        .tickFormat((v) => `${+(v / unit).toPrecision(6)}${suffix}`),
  };
}

export interface YScaleFn {
  (y: number): number;
  invert(p: number): number;
}

export function makeY(
  scale: YScale,
  domain: [number, number],
  height: number,
  tickCount: number,
  nice: boolean,
): { py: YScaleFn; axis: Axis<number>; domain: [number, number] } {
  if (scale === 'log') {
    const s = scaleLog().domain(domain).range([height, 0]).clamp(false);
    if (nice) s.nice();
    // d3-scale's log tickFormat takes a format function too (its typings say string only).
    const axis = axisLeft<number>(s)
      .ticks(tickCount)
      .tickFormat(s.tickFormat(tickCount, formatValue as unknown as string));
    return { py: s, axis, domain: s.domain() as [number, number] };
  }
  const s = scaleLinear().domain(domain).range([height, 0]);
  if (nice) s.nice(tickCount);
  return {
    py: s,
    axis: axisLeft<number>(s).ticks(tickCount).tickFormat(formatValue),
    domain: s.domain() as [number, number],
  };
}
