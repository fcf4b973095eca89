// A self-contained d3 line chart for one tag (after tensorflow/playground's
// linechart.ts): handed its DOM node, it draws every visible run's raw line faintly
// behind the smoothed one, decimated per pixel column, with min/max markers and a
// crosshair. New points are appended to the existing paths when the scales hold still.
import { select, symbol, symbolTriangle, type Selection } from 'd3';
import type { TooltipSort } from '../url-state.ts';
import { makeX, makeY, niceX, type XScale, type YScaleFn } from './chart-axes.ts';
import {
  affineOf,
  drawable,
  pathData,
  visibleIndices,
  xColumn,
  xExtent,
  yDomain,
  type Affine,
  type XAxis,
  type YScale,
} from './chart-math.ts';
import { ChartPointer } from './chart-pointer.ts';
import type { Series } from './series-data.ts';

export interface ChartLine {
  runId: string;
  name: string;
  color: string;
  series: Series;
}
export interface ChartSettings {
  smoothing: number;
  xAxis: XAxis;
  yScale: YScale;
  ignoreOutliers: boolean;
  yMin: number | null;
  yMax: number | null;
  tooltipSort: TooltipSort;
}
export interface ChartEvents {
  hover(x: number | null): void;
  zoom(domain: [number, number] | null): void;
}

const M = { top: 10, right: 14, bottom: 24, left: 54 };
type G = Selection<SVGGElement, unknown, null, undefined>;

interface Drawn {
  raw: number[];
  smooth: number[];
  rawD: string;
  smoothD: string;
  version: number;
}

export class ScalarChart {
  readonly #host: HTMLElement;
  readonly #svg: Selection<SVGSVGElement, unknown, null, undefined>;
  readonly #plot: G;
  readonly #lines: G;
  readonly #markers: G;
  readonly #pointer: ChartPointer;
  readonly #resize: ResizeObserver;
  #lineData: ChartLine[] = [];
  #settings: ChartSettings = {
    smoothing: 0.6,
    xAxis: 'step',
    yScale: 'linear',
    ignoreOutliers: false,
    yMin: null,
    yMax: null,
    tooltipSort: 'nearness',
  };
  #zoom: [number, number] | null = null;
  #hoverX: number | null = null;
  #width = 0;
  #height = 0;
  #frame = 0;
  #full = true;
  #appended = new Set<string>();
  #drawn = new Map<string, Drawn>();
  #x: XScale | null = null;
  #y: { py: YScaleFn; domain: [number, number] } | null = null;
  #affine: Affine | null = null;
  /** Frames drawn (the benchmark reads it). */
  frames = 0;

  constructor(host: HTMLElement, events: ChartEvents) {
    this.#host = host;
    this.#svg = select(host).append('svg').attr('class', 'scalar-chart');
    const clip = `clip-${Math.random().toString(36).slice(2)}`;
    this.#svg.append('defs').append('clipPath').attr('id', clip).append('rect');
    this.#plot = this.#svg.append('g').attr('transform', `translate(${M.left},${M.top})`);
    this.#plot.append('g').attr('class', 'grid');
    this.#plot.append('g').attr('class', 'axis x');
    this.#plot.append('g').attr('class', 'axis y');
    this.#lines = this.#plot.append('g').attr('class', 'lines').attr('clip-path', `url(#${clip})`);
    this.#markers = this.#plot.append('g').attr('class', 'markers').attr('clip-path', `url(#${clip})`);
    this.#pointer = new ChartPointer(host, this.#plot, events, {
      x: () => this.#x,
      y: () => this.#y?.py ?? null,
      size: () => [this.#plotW, this.#plotH],
      lines: () => this.#lineData,
      settings: () => this.#settings,
    });
    this.#resize = new ResizeObserver(() => this.#measure());
    this.#resize.observe(host);
    this.#measure();
  }

  get #plotW(): number {
    return Math.max(10, this.#width - M.left - M.right);
  }
  get #plotH(): number {
    return Math.max(10, this.#height - M.top - M.bottom);
  }

  /** The runs drawn; a changed list redraws everything. */
  setLines(lines: ChartLine[]): void {
    const same =
      lines.length === this.#lineData.length &&
      lines.every((l, i) => {
        const o = this.#lineData[i];
        return l.runId === o.runId && l.series === o.series && l.color === o.color && l.name === o.name;
      });
    if (same) return;
    this.#lineData = lines;
    const keep = new Set(lines.map((l) => l.runId));
    for (const id of [...this.#drawn.keys()]) if (!keep.has(id)) this.#drawn.delete(id);
    this.#invalidate();
  }

  setSettings(settings: ChartSettings): void {
    const o = this.#settings;
    if ((Object.keys(settings) as (keyof ChartSettings)[]).every((k) => settings[k] === o[k])) return;
    this.#settings = { ...settings };
    this.#invalidate();
  }

  /** Linked zoom: the x-domain of every card, or null for the whole range. */
  setZoom(domain: [number, number] | null): void {
    if (domain === this.#zoom || (domain && this.#zoom && domain[0] === this.#zoom[0] && domain[1] === this.#zoom[1]))
      return;
    this.#zoom = domain;
    this.#invalidate();
  }

  /** Linked crosshair at x (the chosen axis's units), or none. */
  setHover(x: number | null): void {
    this.#hoverX = x;
    this.#pointer.showCrosshair(x);
  }

  /** Points were appended to a run's series. */
  dataChanged(runId: string): void {
    this.#appended.add(runId);
    this.#schedule();
  }

  /** Draws now (tests and the benchmark; normally frames are coalesced). */
  flush(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#render();
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    this.#resize.disconnect();
    this.#pointer.destroy();
    this.#svg.remove();
  }

  #measure(): void {
    const { clientWidth: w, clientHeight: h } = this.#host;
    if (w === this.#width && h === this.#height) return;
    this.#width = w;
    this.#height = h;
    this.#svg.attr('width', w).attr('height', h);
    this.#svg
      .select('clipPath rect')
      .attr('width', this.#plotW)
      .attr('height', this.#plotH + 1)
      .attr('y', -1);
    this.#invalidate();
  }

  #invalidate(): void {
    this.#full = true;
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#frame)
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#render();
      });
  }

  #xDomain(): [number, number] {
    if (this.#zoom) return this.#zoom;
    const extent = xExtent(
      this.#lineData.map((l) => l.series),
      this.#settings.xAxis,
    );
    return extent ? niceX(this.#settings.xAxis, extent) : [0, 1];
  }

  #indices(line: ChartLine, domain: [number, number]): { raw: number[]; smooth: number[] } {
    // Many runs in one card overlap into a band: coarser columns (up to 4 px from 76 runs
    // on) draw the same envelope with a fraction of the path data to build on every frame.
    const columnPx = Math.min(4, Math.max(1, Math.ceil(this.#lineData.length / 25)));
    const s = line.series,
      axis = this.#settings.xAxis,
      cols = this.#plotW / columnPx;
    const raw = visibleIndices(s, axis, s.values, domain[0], domain[1], cols);
    // The smoothed line, drawn in front, at 2-pixel columns (its extremes still kept): half the points.
    const smooth =
      this.#settings.smoothing > 0
        ? visibleIndices(s, axis, s.smoothed(this.#settings.smoothing), domain[0], domain[1], cols / 2)
        : raw;
    return { raw, smooth };
  }

  #render(): void {
    if (!this.#width) return;
    const start = performance.now();
    this.#draw();
    // Visible in the browser's performance timeline (the benchmark reads it).
    performance.measure('scalar-chart:render', { start });
  }

  #draw(): void {
    this.frames++;
    const xd = this.#xDomain();
    // Indices depend on the x-domain only: a moved x-domain means every line is picked again.
    const full = this.#full || !this.#x || !sameDomain(this.#x.domain, xd);
    const appended = this.#appended;
    this.#full = false;
    this.#appended = new Set();
    const picked = new Map(
      this.#lineData.map((l) => [
        l.runId,
        full || appended.has(l.runId) || !this.#drawn.has(l.runId) ? this.#indices(l, xd) : this.#drawn.get(l.runId)!,
      ]),
    );
    const st = this.#settings;
    const drawn = this.#lineData.flatMap((l) => {
      const p = picked.get(l.runId)!;
      return st.smoothing > 0
        ? [
            { ys: l.series.values, idx: p.raw },
            { ys: l.series.smoothed(st.smoothing), idx: p.smooth },
          ]
        : [{ ys: l.series.values, idx: p.raw }];
    });
    const auto = st.yMin === null && st.yMax === null;
    const yd = yDomain(
      drawn,
      this.#lineData.map((l) => l.series),
      { scale: st.yScale, ignoreOutliers: st.ignoreOutliers, min: st.yMin, max: st.yMax },
    );
    const y = makeY(st.yScale, yd, this.#plotH, Math.max(2, Math.round(this.#plotH / 45)), auto);
    const sameScales =
      !full &&
      this.#x !== null &&
      this.#y !== null &&
      sameDomain(this.#x.domain, xd) &&
      sameDomain(this.#y.domain, y.domain);
    if (!sameScales) {
      this.#x = makeX(st.xAxis, xd, this.#plotW, Math.max(2, Math.round(this.#plotW / 90)));
      this.#y = y;
      this.#affine = affineOf(this.#x.px, xd, y.py, y.domain, st.yScale);
      this.#drawAxes(y.axis);
    }
    this.#drawLines(picked, sameScales ? appended : null);
    this.#drawMarkers();
    this.#pointer.showCrosshair(this.#hoverX);
  }

  #drawAxes(yAxis: ReturnType<typeof makeY>['axis']): void {
    const x = this.#x!;
    this.#plot
      .select<SVGGElement>('.axis.x')
      .attr('transform', `translate(0,${this.#plotH})`)
      .call(x.axis().tickSizeOuter(0));
    this.#plot.select<SVGGElement>('.axis.y').call(yAxis.tickSizeOuter(0));
    this.#plot
      .select<SVGGElement>('.grid')
      .call(yAxis.tickSize(-this.#plotW).tickFormat(() => ''))
      .call((g) => g.select('.domain').remove());
  }

  /** Sets each line's path data; lines in `appendOnly` extend their paths when their points only grew. */
  #drawLines(picked: Map<string, { raw: number[]; smooth: number[] }>, appendOnly: Set<string> | null): void {
    const st = this.#settings;
    const groups = this.#lines
      .selectAll<SVGGElement, ChartLine>('g.line')
      .data(this.#lineData, (l) => l.runId)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'line');
        g.append('path').attr('class', 'raw');
        g.append('path').attr('class', 'smooth');
        return g;
      });
    // Path data is in tenths of a pixel (see pathData); strokes keep their screen width.
    groups
      .attr('data-run', (l) => l.runId)
      .attr('transform', 'scale(0.1)')
      .style('--run', (l) => l.color);
    groups.each((line, i, nodes) => {
      const p = picked.get(line.runId)!;
      const prev = this.#drawn.get(line.runId);
      const grown = appendOnly?.has(line.runId) && prev && prev.version !== line.series.version;
      const untouched = appendOnly && !appendOnly.has(line.runId) && prev;
      let drawn: Drawn;
      if (untouched) drawn = prev;
      else if (grown && extends_(prev.raw, p.raw) && extends_(prev.smooth, p.smooth))
        drawn = this.#extend(line, prev, p);
      else
        drawn = {
          ...p,
          rawD: this.#path(line, p.raw, false),
          smoothD: st.smoothing > 0 ? this.#path(line, p.smooth, true) : '',
          version: line.series.version,
        };
      this.#drawn.set(line.runId, drawn);
      const g = select(nodes[i]);
      g.select('path.raw')
        .attr('d', drawn.rawD)
        .classed('faint', st.smoothing > 0);
      g.select('path.smooth').attr('d', drawn.smoothD);
    });
  }

  #path(line: ChartLine, idx: number[], smoothed: boolean, startPen = false): string {
    const s = line.series,
      st = this.#settings;
    const { xs, offset } = xColumn(s, st.xAxis);
    const ys = smoothed ? s.smoothed(st.smoothing) : s.values;
    const d = pathData(xs, offset, ys, idx, this.#affine!, st.yScale);
    return startPen && d.startsWith('M') ? `L${d.slice(1)}` : d;
  }

  /** Appends the new tail of a line's points to its path strings. */
  #extend(line: ChartLine, prev: Drawn, p: { raw: number[]; smooth: number[] }): Drawn {
    const st = this.#settings;
    const tail = (old: number[], now: number[], smoothed: boolean, d: string) => {
      const ys = smoothed ? line.series.smoothed(st.smoothing) : line.series.values;
      const last = old.at(-1);
      const pen = last !== undefined && drawable(ys[last], st.yScale);
      return d + this.#path(line, now.slice(old.length), smoothed, pen && d.length > 0);
    };
    return {
      ...p,
      version: line.series.version,
      rawD: tail(prev.raw, p.raw, false, prev.rawD),
      smoothD: st.smoothing > 0 ? tail(prev.smooth, p.smooth, true, prev.smoothD) : '',
    };
  }

  #drawMarkers(): void {
    const x = this.#x!,
      y = this.#y!,
      st = this.#settings;
    const marks = this.#lineData.flatMap((l) => {
      const s = l.series;
      const { xs, offset } = xColumn(s, st.xAxis);
      return (['min', 'max'] as const)
        .map((kind) => ({ l, kind, i: kind === 'min' ? s.minIndex : s.maxIndex }))
        .filter((m) => m.i >= 0 && drawable(s.values[m.i], st.yScale))
        .map((m) => ({
          ...m,
          px: x.px(xs[m.i] - offset),
          py: y.py(s.values[m.i]),
          value: s.values[m.i],
          step: s.steps[m.i],
        }));
    });
    const tri = symbol(symbolTriangle, 38)() ?? '';
    this.#markers
      .selectAll<SVGPathElement, (typeof marks)[number]>('path.marker')
      .data(marks, (m) => `${m.l.runId}:${m.kind}`)
      .join((enter) =>
        enter
          .append('path')
          .attr('class', 'marker')
          .attr('d', tri)
          .call((p) => p.append('title')),
      )
      .attr(
        'transform',
        (m) => `translate(${m.px},${m.kind === 'max' ? m.py - 6 : m.py + 6}) rotate(${m.kind === 'max' ? 0 : 180})`,
      )
      .attr('data-kind', (m) => m.kind)
      .style('fill', (m) => m.l.color)
      .select('title')
      .text((m) => `${m.l.name}: ${m.kind} ${m.value} at step ${m.step}`);
  }
}

function sameDomain(a: [number, number], b: [number, number]): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** `now` is `old` with points added at its end (no decimation changed the earlier ones). */
function extends_(old: number[], now: number[]): boolean {
  if (now.length < old.length || old.length === 0) return false;
  const contiguous = (a: number[]) => a.length === 0 || a.at(-1)! - a[0] === a.length - 1;
  return contiguous(old) && contiguous(now) && now[0] === old[0] && now[old.length - 1] === old.at(-1);
}
