// Everything the pointer does on a scalar chart: the crosshair (linked across cards
// through ChartEvents.hover), the tooltip with every run's value at its nearest step,
// drag to zoom, shift-drag to pan, ctrl/alt-wheel to zoom, double-click to reset.
import { select, type Selection } from 'd3';
import type { XScale, YScaleFn } from './chart-axes.ts';
import { drawable, formatDuration, formatValue, xColumn } from './chart-math.ts';
import type { ChartEvents, ChartLine, ChartSettings } from './scalar-chart.ts';
import { nearestIndex } from './series-data.ts';

export interface PointerSource {
  x(): XScale | null;
  y(): YScaleFn | null;
  size(): [number, number];
  lines(): ChartLine[];
  settings(): ChartSettings;
}

interface Row {
  line: ChartLine;
  i: number;
  value: number;
  smoothed: number;
  px: number;
  py: number;
}

type Drag = { kind: 'zoom'; from: number; to: number } | { kind: 'pan'; fromPx: number; domain: [number, number] };

export class ChartPointer {
  readonly #events: ChartEvents;
  readonly #src: PointerSource;
  readonly #cross: Selection<SVGGElement, unknown, null, undefined>;
  readonly #brush: Selection<SVGRectElement, unknown, null, undefined>;
  readonly #overlay: Selection<SVGRectElement, unknown, null, undefined>;
  readonly #tip: Selection<HTMLDivElement, unknown, null, undefined>;
  #inside: [number, number] | null = null;
  #drag: Drag | null = null;

  constructor(
    host: HTMLElement,
    plot: Selection<SVGGElement, unknown, null, undefined>,
    events: ChartEvents,
    src: PointerSource,
  ) {
    this.#events = events;
    this.#src = src;
    this.#cross = plot.append('g').attr('class', 'crosshair').style('display', 'none');
    this.#cross.append('line').attr('class', 'cross-line');
    this.#brush = plot.append('rect').attr('class', 'brush').style('display', 'none');
    this.#overlay = plot.append('rect').attr('class', 'overlay').attr('fill', 'transparent');
    this.#tip = select(host).append('div').attr('class', 'chart-tooltip').style('display', 'none');
    const o = this.#overlay.node()!;
    o.addEventListener('pointerdown', this.#down);
    o.addEventListener('pointermove', this.#move);
    o.addEventListener('pointerup', this.#up);
    o.addEventListener('pointerleave', this.#leave);
    o.addEventListener('dblclick', this.#reset);
    o.addEventListener('wheel', this.#wheel, { passive: false });
  }

  destroy(): void {
    this.#tip.remove();
  }

  #local(e: PointerEvent | WheelEvent): [number, number] {
    const r = this.#overlay.node()!.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  #down = (e: PointerEvent): void => {
    const x = this.#src.x();
    if (e.button !== 0 || !x) return;
    (e.target as Element).setPointerCapture(e.pointerId);
    const [px] = this.#local(e);
    this.#drag = e.shiftKey ? { kind: 'pan', fromPx: px, domain: [...x.domain] } : { kind: 'zoom', from: px, to: px };
  };

  #move = (e: PointerEvent): void => {
    const x = this.#src.x();
    if (!x) return;
    const [px, py] = this.#local(e);
    const d = this.#drag;
    if (d?.kind === 'zoom') {
      d.to = Math.max(0, Math.min(this.#src.size()[0], px));
      this.#brush
        .style('display', '')
        .attr('x', Math.min(d.from, d.to))
        .attr('width', Math.abs(d.to - d.from))
        .attr('y', 0)
        .attr('height', this.#src.size()[1]);
    } else if (d?.kind === 'pan') {
      const span = d.domain[1] - d.domain[0];
      const shift = ((px - d.fromPx) / this.#src.size()[0]) * span;
      this.#events.zoom([d.domain[0] - shift, d.domain[1] - shift]);
    }
    this.#inside = [px, py];
    this.#events.hover(x.invert(px));
  };

  #up = (e: PointerEvent): void => {
    const d = this.#drag;
    this.#drag = null;
    this.#brush.style('display', 'none');
    const x = this.#src.x();
    if (d?.kind !== 'zoom' || !x || Math.abs(d.to - d.from) < 5) return;
    const a = x.invert(Math.min(d.from, d.to)),
      b = x.invert(Math.max(d.from, d.to));
    this.#events.zoom([a, b]);
    e.preventDefault();
  };

  #leave = (): void => {
    if (this.#drag) return;
    this.#inside = null;
    this.#events.hover(null);
  };

  #reset = (): void => {
    this.#events.zoom(null);
  };

  #wheel = (e: WheelEvent): void => {
    const x = this.#src.x();
    if (!x || !(e.ctrlKey || e.altKey || e.metaKey)) return;
    e.preventDefault();
    const [px] = this.#local(e);
    const at = x.invert(px);
    const k = Math.exp(Math.max(-0.5, Math.min(0.5, e.deltaY * 0.002)));
    this.#events.zoom([at - (at - x.domain[0]) * k, at + (x.domain[1] - at) * k]);
  };

  /** Rows of the tooltip: each line's nearest point to x. */
  rowsAt(xValue: number): Row[] {
    const x = this.#src.x(),
      y = this.#src.y();
    const st = this.#src.settings();
    if (!x || !y) return [];
    const rows: Row[] = [];
    for (const line of this.#src.lines()) {
      const s = line.series;
      const { xs, offset } = xColumn(s, st.xAxis);
      const i = nearestIndex(xs, s.length, xValue + offset);
      if (i < 0) continue;
      const smoothed = st.smoothing > 0 ? s.smoothed(st.smoothing)[i] : s.values[i];
      rows.push({
        line,
        i,
        value: s.values[i],
        smoothed,
        px: x.px(xs[i] - offset),
        py: drawable(smoothed, st.yScale) ? y(smoothed) : NaN,
      });
    }
    return rows;
  }

  /** Draws the crosshair at x (any card's hover), and the tooltip on the card under the pointer. */
  showCrosshair(xValue: number | null): void {
    const x = this.#src.x();
    const [w, h] = this.#src.size();
    this.#overlay.attr('width', w).attr('height', h);
    if (xValue === null || !x) {
      this.#cross.style('display', 'none');
      this.#tip.style('display', 'none');
      return;
    }
    const rows = this.rowsAt(xValue);
    const px = x.px(xValue);
    this.#cross.style('display', px >= 0 && px <= w ? '' : 'none');
    this.#cross.select('line').attr('x1', px).attr('x2', px).attr('y1', 0).attr('y2', h);
    this.#cross
      .selectAll<SVGCircleElement, Row>('circle')
      .data(
        rows.filter((r) => dotInside(r, w, h)),
        (r) => r.line.runId,
      )
      .join('circle')
      .attr('r', 3.5)
      .attr('cx', (r) => r.px)
      .attr('cy', (r) => r.py)
      .style('fill', (r) => r.line.color);
    this.#tooltip(rows);
  }

  #tooltip(rows: Row[]): void {
    const at = this.#inside;
    // No tooltip while dragging: it would only hide the lines being zoomed or panned.
    if (!at || rows.length === 0 || this.#drag) {
      this.#tip.style('display', 'none');
      return;
    }
    const st = this.#src.settings();
    const sorted =
      st.tooltipSort === 'value'
        ? [...rows].sort((a, b) => order(b.smoothed) - order(a.smoothed))
        : [...rows].sort((a, b) => dist(a.py, at[1]) - dist(b.py, at[1]));
    const head =
      st.smoothing > 0 ? ['Run', 'Smoothed', 'Value', 'Step', 'Relative'] : ['Run', 'Value', 'Raw', 'Step', 'Relative'];
    // Built as DOM text nodes, never as HTML: run names come from imported files.
    const table = this.#tip
      .style('display', '')
      .selectAll('table')
      .data([null])
      .join((enter) => {
        const t = enter.append('table');
        t.append('thead').append('tr');
        t.append('tbody');
        return t;
      });
    table
      .select('thead tr')
      .selectAll('th')
      .data(head)
      .join('th')
      .text((h) => h);
    const tr = table
      .select('tbody')
      .selectAll<HTMLTableRowElement, Row>('tr')
      .data(sorted)
      .join((enter) => {
        const row = enter.append('tr');
        row.append('td').call((td) => {
          td.append('i');
          td.append('span');
        });
        for (let k = 0; k < 4; k++) row.append('td');
        return row;
      });
    tr.select('td i').style('background', (r) => r.line.color);
    tr.select('td span').text((r) => r.line.name);
    tr.selectAll<HTMLTableCellElement, string>('td:not(:first-child)')
      .data((r) => {
        const s = r.line.series;
        return [
          formatValue(r.smoothed),
          formatValue(r.value),
          String(s.steps[r.i]),
          formatDuration(s.walls[r.i] - s.walls[0]),
        ];
      })
      .text((v) => v);
    // Beside the cursor, on the side with more room; placed without measuring the tooltip
    // (reading its size would force a layout on every pointer move).
    // A tooltip wider than the room on its side is shifted back inside the card (by CSS:
    // translate percentages are the tooltip's own width) instead of being cut off; its
    // left edge never leaves the card.
    const [w] = this.#src.size();
    const right = at[0] < w / 2;
    const left = at[0] + 54 + (right ? 16 : -16);
    const edge = w + 54; // the plot's right edge in the card
    this.#tip
      .style('left', `${left}px`)
      .style('top', `${Math.max(0, at[1] - 10)}px`)
      .style(
        'transform',
        right
          ? `translateX(max(${-left}px, min(0px, calc(${edge - left}px - 100%))))`
          : `translateX(max(-100%, ${-left}px))`,
      );
  }
}

/** A run's crosshair dot only where its nearest point lies inside the plot (a zoomed-in
 * card's nearest point may be far off to the side, over the neighbouring card). */
export const dotInside = (r: { px: number; py: number }, w: number, h: number): boolean =>
  Number.isFinite(r.py) && r.px >= 0 && r.px <= w && r.py >= 0 && r.py <= h;

const dist = (py: number, y: number) => (Number.isFinite(py) ? Math.abs(py - y) : Infinity);
const order = (v: number) => (Number.isNaN(v) ? -Infinity : v);
