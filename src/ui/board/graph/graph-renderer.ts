// Draws a laid-out module graph with d3: group boxes with a header that expands or
// collapses them, module nodes with params and Mult-Adds, edges with their tensor
// shapes, pan and zoom. Keyed joins keep every node's element as groups open and
// close, so nodes glide to their new places instead of being redrawn.
import { select, zoom, zoomIdentity, interpolateYlOrRd, type Selection, type ZoomBehavior } from 'd3';
import type { ModuleNode } from '../../../core/model/module-graph.ts';
import { countText, graphShapeText } from '../../lib/format.ts';
import { kindColor } from '../../lib/kinds.ts';
import type { GraphLayout, LayoutBox, LayoutEdge, LayoutTerminal } from './graph-layout.ts';

export type ColorBy = 'kind' | 'params' | 'multAdds';
export interface GraphOptions {
  colorBy: ColorBy;
  matches: Set<string>;
  selected: string | null;
}
export interface GraphEvents {
  select(id: string | null): void;
  toggle(id: string): void;
}

type S<E extends Element> = Selection<E, unknown, null, undefined>;
const DURATION = 220;

/** Fill of a node coloured by its share of the model's params or cost (log scale). */
export function costColor(value: number, max: number): string {
  if (value <= 0 || max <= 0) return 'var(--panel)';
  return interpolateYlOrRd(0.08 + 0.62 * (Math.log1p(value) / Math.log1p(max)));
}

export class GraphRenderer {
  readonly #svg: S<SVGSVGElement>;
  readonly #view: S<SVGGElement>;
  readonly #zoom: ZoomBehavior<SVGSVGElement, unknown>;
  readonly #events: GraphEvents;
  #layout: GraphLayout | null = null;
  #options: GraphOptions = { colorBy: 'kind', matches: new Set(), selected: null };
  #fitted = false;

  constructor(host: HTMLElement, events: GraphEvents) {
    this.#events = events;
    this.#svg = select(host).append('svg').attr('class', 'module-graph').attr('width', '100%').attr('height', '100%');
    const defs = this.#svg.append('defs');
    defs
      .append('marker')
      .attr('id', 'graph-arrow')
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0L10,5L0,10z')
      .attr('class', 'arrow');
    this.#view = this.#svg.append('g').attr('class', 'viewport');
    for (const layer of ['groups', 'edges', 'heads', 'nodes', 'labels']) this.#view.append('g').attr('class', layer);
    this.#zoom = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.1, 4])
      .on('zoom', (e) => this.#view.attr('transform', e.transform.toString()));
    this.#svg.call(this.#zoom).on('dblclick.zoom', null);
    this.#svg.on('click', (e: MouseEvent) => {
      if (e.target === this.#svg.node()) this.#events.select(null);
    });
  }

  /** Draws a layout; `refit` (another run's graph) fits it into the view again. */
  setLayout(layout: GraphLayout, refit = false): void {
    this.#layout = layout;
    this.#draw();
    if (!this.#fitted || refit) {
      this.fit(false);
      this.#fitted = true;
    }
  }

  setOptions(options: GraphOptions): void {
    this.#options = options;
    this.#draw();
  }

  /** Scales and centres the whole graph into the view (at most 1:1). */
  fit(animate = true): void {
    const L = this.#layout,
      node = this.#svg.node();
    if (!L || !node) return;
    const { width, height } = node.getBoundingClientRect();
    if (!width || !height) return;
    const k = Math.min(1, (width - 40) / L.width, (height - 40) / L.height);
    const t = zoomIdentity.translate((width - L.width * k) / 2, Math.max(20, (height - L.height * k) / 2)).scale(k);
    (animate ? this.#svg.transition().duration(300) : this.#svg).call(this.#zoom.transform as never, t);
  }

  /** Pans so that a node is in the middle of the view. */
  focus(id: string): void {
    const box = this.#layout?.boxes.find((b) => b.id === id),
      node = this.#svg.node();
    if (!box || !node) return;
    const { width, height } = node.getBoundingClientRect();
    this.#svg
      .transition()
      .duration(300)
      .call(this.#zoom.translateTo as never, box.x + box.w / 2, box.y + Math.min(box.h, 60) / 2, [
        width / 2,
        height / 2,
      ]);
  }

  get svg(): SVGSVGElement {
    return this.#svg.node()!;
  }

  destroy(): void {
    this.#svg.remove();
  }

  #draw(): void {
    const L = this.#layout;
    if (!L) return;
    this.#drawGroups(L.boxes.filter((b) => b.kind === 'group'));
    this.#drawEdges(L.edges);
    this.#drawNodes(
      L.boxes.filter((b) => b.kind !== 'group'),
      L.terminals,
    );
  }

  #fill(n: ModuleNode): string {
    const o = this.#options,
      root = this.#layout!.boxes[0]?.node;
    if (o.colorBy === 'kind' || !root) return 'var(--panel)';
    const leaves = this.#layout!.boxes.filter((b) => b.kind !== 'group').map((b) => b.node);
    const max = Math.max(...leaves.map((l) => (o.colorBy === 'params' ? l.params : l.multAdds)), 0);
    return costColor(o.colorBy === 'params' ? n.params : n.multAdds, max);
  }

  /** Group frames under the edges; their headers (toggle, name, params) above them. */
  #drawGroups(groups: LayoutBox[]): void {
    const o = this.#options;
    const place = (b: LayoutBox) => `translate(${b.x},${b.y})`;
    this.#view
      .select('.groups')
      .selectAll<SVGRectElement, LayoutBox>('rect.frame')
      .data(groups, (b) => b.id)
      .join((enter) =>
        enter
          .append('rect')
          .attr('class', 'frame')
          .attr('rx', 8)
          .attr('transform', place)
          .style('opacity', 0)
          .on('click', (e: MouseEvent, b) => {
            e.stopPropagation();
            this.#events.select(b.id);
          }),
      )
      .attr('data-id', (b) => b.id)
      .classed('match', (b) => o.matches.has(b.id))
      .classed('selected', (b) => o.selected === b.id)
      .attr('width', (b) => b.w)
      .attr('height', (b) => b.h)
      .call((r) => r.transition().duration(DURATION).attr('transform', place).style('opacity', 1));
    this.#view
      .select('.heads')
      .selectAll<SVGGElement, LayoutBox>('g.group-head')
      .data(groups, (b) => b.id)
      .join((enter) => {
        const head = enter
          .append('g')
          .attr('class', 'group-head')
          .attr('role', 'button')
          .attr('tabindex', 0)
          .attr('transform', place)
          .on('click', (e: MouseEvent, b) => {
            e.stopPropagation();
            this.#events.toggle(b.id);
          })
          .on('keydown', (e: KeyboardEvent, b) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              this.#events.toggle(b.id);
            }
          });
        head.append('rect').attr('class', 'head-hit').attr('height', 24);
        head.append('text').attr('class', 'toggle').attr('x', 10).attr('y', 17).text('−');
        head.append('text').attr('class', 'title').attr('x', 26).attr('y', 17);
        head.append('text').attr('class', 'stats').attr('y', 17).attr('text-anchor', 'end');
        return head;
      })
      .attr('data-id', (b) => b.id)
      .attr('aria-label', (b) => `Collapse ${label(b.node)}`)
      .attr('aria-expanded', 'true')
      .call((g) => g.transition().duration(DURATION).attr('transform', place))
      .call((g) => {
        g.select('.head-hit').attr('width', (b) => b.w);
        g.select('.title').text((b) => label(b.node));
        g.select('.stats')
          .attr('x', (b) => b.w - 10)
          .text((b) => `${countText(b.node.params)} params`);
      });
  }

  #drawEdges(edges: LayoutEdge[]): void {
    const path = (e: LayoutEdge) => {
      const [[x1, y1], [x2, y2]] = e.points;
      const my = (y1 + y2) / 2;
      return x1 === x2 ? `M${x1},${y1}V${y2 - 1}` : `M${x1},${y1}C${x1},${my} ${x2},${my} ${x2},${y2 - 1}`;
    };
    this.#view
      .select('.edges')
      .selectAll<SVGPathElement, LayoutEdge>('path.edge')
      .data(edges, (e) => e.id)
      .join((enter) =>
        enter
          .append('path')
          .attr('class', 'edge')
          .attr('marker-end', 'url(#graph-arrow)')
          .attr('d', path)
          .style('opacity', 0),
      )
      .attr('data-from', (e) => e.from)
      .attr('data-to', (e) => e.to)
      .call((p) => p.transition().duration(DURATION).attr('d', path).style('opacity', 1));
    // Just below the source: in the gap before any group header the edge crosses.
    const at = (e: LayoutEdge) => `translate(${(e.points[0][0] + e.points[1][0]) / 2 + 8},${e.points[0][1] + 21})`;
    this.#view
      .select('.labels')
      .selectAll<SVGTextElement, LayoutEdge>('text.shape')
      .data(edges, (e) => e.id)
      .join((enter) => enter.append('text').attr('class', 'shape').attr('transform', at))
      .attr('data-from', (e) => e.from)
      .attr('data-to', (e) => e.to)
      .text((e) => graphShapeText(e.shape))
      .call((t) => t.transition().duration(DURATION).attr('transform', at));
  }

  #drawNodes(boxes: LayoutBox[], terminals: LayoutTerminal[]): void {
    const o = this.#options;
    this.#view
      .select('.nodes')
      .selectAll<SVGGElement, LayoutBox>('g.node')
      .data(boxes, (b) => b.id)
      .join((enter) => {
        const g = enter
          .append('g')
          .attr('class', 'node')
          .attr('transform', (b) => `translate(${b.x},${b.y})`)
          .style('opacity', 0)
          .attr('role', 'button')
          .attr('tabindex', 0);
        g.append('rect').attr('class', 'body').attr('rx', 6);
        g.append('rect').attr('class', 'stripe').attr('width', 5).attr('rx', 2);
        const title = g.append('text').attr('class', 'title').attr('x', 14).attr('y', 18);
        title.append('tspan').attr('class', 'type');
        title.append('tspan').attr('class', 'name');
        g.append('text').attr('class', 'sub').attr('x', 14).attr('y', 34);
        g.append('text').attr('class', 'expand').attr('text-anchor', 'end').attr('y', 20);
        g.on('click', (e: MouseEvent, b) => {
          e.stopPropagation();
          if (b.kind === 'collapsed' && (e.target as Element).classList.contains('expand')) this.#events.toggle(b.id);
          else this.#events.select(b.id);
        })
          .on('dblclick', (e: MouseEvent, b) => {
            e.stopPropagation();
            if (b.kind === 'collapsed') this.#events.toggle(b.id);
          })
          .on('keydown', (e: KeyboardEvent, b) => {
            if (e.key === 'Enter') this.#events.select(b.id);
            if (e.key === '+' && b.kind === 'collapsed') this.#events.toggle(b.id);
          });
        return g;
      })
      .attr('data-id', (b) => b.id)
      .attr('data-kind', (b) => b.kind)
      .attr('aria-label', (b) => label(b.node))
      .classed('match', (b) => o.matches.has(b.id))
      .classed('dim', (b) => o.matches.size > 0 && !o.matches.has(b.id))
      .classed('selected', (b) => o.selected === b.id)
      .classed('costed', (b) => o.colorBy !== 'kind' && (o.colorBy === 'params' ? b.node.params : b.node.multAdds) > 0)
      .style('--kind', (b) => (b.kind === 'collapsed' ? 'var(--kind-input)' : kindColor(b.node.type)))
      .call((g) =>
        g
          .transition()
          .duration(DURATION)
          .attr('transform', (b) => `translate(${b.x},${b.y})`)
          .style('opacity', 1),
      )
      .call((g) => {
        g.select('.body')
          .attr('width', (b) => b.w)
          .attr('height', (b) => b.h)
          .style('fill', (b) => this.#fill(b.node));
        g.select('.stripe').attr('height', (b) => b.h);
        // Text nodes only: types and names come from imported files.
        g.select('.title .type').text((b) => b.node.type);
        g.select('.title .name').text((b) => ` [${b.node.name}]`);
        g.select('.sub').text(
          (b) =>
            `${countText(b.node.params)} params · ${countText(b.node.multAdds)} MACs${b.kind === 'collapsed' ? ` · ${b.node.children.length} modules` : ''}`,
        );
        g.select('.expand')
          .attr('x', (b) => b.w - 10)
          .text((b) => (b.kind === 'collapsed' ? '+ expand' : ''));
      });
    this.#view
      .select('.nodes')
      .selectAll<SVGGElement, LayoutTerminal>('g.terminal')
      .data(terminals, (t) => t.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'terminal');
        g.append('rect').attr('rx', 15);
        g.append('text').attr('text-anchor', 'middle').attr('y', 19);
        return g;
      })
      .attr('data-id', (t) => t.id)
      .call((g) =>
        g
          .transition()
          .duration(DURATION)
          .attr('transform', (t) => `translate(${t.x},${t.y})`),
      )
      .call((g) => {
        g.select('rect')
          .attr('width', (t) => t.w)
          .attr('height', (t) => t.h);
        g.select('text')
          .attr('x', (t) => t.w / 2)
          .text((t) => t.id);
      });
  }
}

/** 'Sequential[model]', 'Conv2d[0]', the root by its class name ('BS'). */
export function label(n: ModuleNode): string {
  return n.name ? `${n.type}[${n.name}]` : n.type;
}
