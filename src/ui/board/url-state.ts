// The board's view in the URL hash (`#board?runs=…&smooth=0.8&x=wall&y=log`), so a
// reload or a shared link opens the same view. Runs are named in the hash by their
// names (a run's id is local to one browser's IndexedDB); see resolveRunRefs. Only non-default settings are written;
// the hash path and any parameter the board does not know are kept as they are.
import type { XAxis, YScale } from './scalars/chart-math.ts';

export const BOARD_TABS = [
  'scalars',
  'images',
  'text',
  'histograms',
  'distributions',
  'pr',
  'hparams',
  'graph',
  'compare',
] as const;
export type BoardTab = (typeof BOARD_TABS)[number];
export type TooltipSort = 'nearness' | 'value';

export interface BoardView {
  tab: BoardTab;
  /** Visible runs; null: every run. */
  runs: string[] | null;
  runFilter: string;
  tagFilter: string;
  smoothing: number;
  xAxis: XAxis;
  yScale: YScale;
  ignoreOutliers: boolean;
  yMin: number | null;
  yMax: number | null;
  tooltipSort: TooltipSort;
  /** Run whose graph is shown. */
  graphRun: string | null;
  /** Runs picked for Compare. */
  compare: string[];
}

export const DEFAULT_VIEW: BoardView = {
  tab: 'scalars',
  runs: null,
  runFilter: '',
  tagFilter: '',
  smoothing: 0.6,
  xAxis: 'step',
  yScale: 'linear',
  ignoreOutliers: false,
  yMin: null,
  yMax: null,
  tooltipSort: 'nearness',
  graphRun: null,
  compare: [],
};

const KEYS = ['tab', 'runs', 'run', 'tags', 'smooth', 'x', 'y', 'outliers', 'ymin', 'ymax', 'sort', 'graph', 'compare'];

function oneOf<T extends string>(v: string | null, options: readonly T[], fallback: T): T {
  return options.includes(v as T) ? (v as T) : fallback;
}

function num(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Splits '#path?query' into its path and parameters. */
export function splitHash(hash: string): { path: string; params: URLSearchParams } {
  const h = hash.replace(/^#/, '');
  const q = h.indexOf('?');
  return q < 0
    ? { path: h, params: new URLSearchParams() }
    : { path: h.slice(0, q), params: new URLSearchParams(h.slice(q + 1)) };
}

/** The board view a hash describes; anything missing or malformed takes its default. */
export function readView(hash: string): BoardView {
  const p = splitHash(hash).params;
  const smoothing = num(p.get('smooth'));
  return {
    tab: oneOf(p.get('tab'), BOARD_TABS, DEFAULT_VIEW.tab),
    runs: p.has('runs') ? p.getAll('runs').filter(Boolean) : null,
    runFilter: p.get('run') ?? '',
    tagFilter: p.get('tags') ?? '',
    smoothing: smoothing === null ? DEFAULT_VIEW.smoothing : Math.min(0.999, Math.max(0, smoothing)),
    xAxis: oneOf(p.get('x'), ['step', 'relative', 'wall'], DEFAULT_VIEW.xAxis),
    yScale: oneOf(p.get('y'), ['linear', 'log'], DEFAULT_VIEW.yScale),
    ignoreOutliers: p.get('outliers') === '1',
    yMin: num(p.get('ymin')),
    yMax: num(p.get('ymax')),
    tooltipSort: oneOf(p.get('sort'), ['nearness', 'value'], DEFAULT_VIEW.tooltipSort),
    graphRun: p.get('graph') || null,
    compare: p.getAll('compare').filter(Boolean),
  };
}

/**
 * A view whose run references (ids, or names from a shared link) are resolved against the
 * runs at hand: an id stays, a name becomes the ids of every run so named, the rest drop.
 */
export function resolveRunRefs(view: BoardView, runs: readonly { id: string; name: string }[]): BoardView {
  const ids = new Set(runs.map((r) => r.id));
  const resolve = (ref: string): string[] =>
    ids.has(ref) ? [ref] : runs.filter((r) => r.name === ref).map((r) => r.id);
  const list = (refs: string[]) => [...new Set(refs.flatMap(resolve))];
  return {
    ...view,
    runs: view.runs && (view.runs.length ? list(view.runs) : []),
    graphRun: view.graphRun === null ? null : (resolve(view.graphRun)[0] ?? null),
    compare: list(view.compare),
  };
}

/** The view with its run ids replaced by the runs' names, for a link that opens elsewhere. */
export function withRunNames(view: BoardView, nameOf: (id: string) => string | undefined): BoardView {
  const name = (id: string) => nameOf(id) ?? id;
  return {
    ...view,
    runs: view.runs && view.runs.map(name),
    graphRun: view.graphRun && name(view.graphRun),
    compare: view.compare.map(name),
  };
}

/** The hash for a view: board parameters replaced, other parameters kept; the path is `path` or the current one. */
export function writeView(view: BoardView, currentHash: string, path?: string): string {
  const { path: oldPath, params: old } = splitHash(currentHash);
  const p = new URLSearchParams();
  const set = (key: string, value: string, isDefault: boolean) => {
    if (!isDefault) p.set(key, value);
  };
  set('tab', view.tab, view.tab === DEFAULT_VIEW.tab);
  if (view.runs) {
    if (view.runs.length === 0) p.set('runs', '');
    for (const id of view.runs) p.append('runs', id);
  }
  set('run', view.runFilter, view.runFilter === '');
  set('tags', view.tagFilter, view.tagFilter === '');
  set('smooth', String(view.smoothing), view.smoothing === DEFAULT_VIEW.smoothing);
  set('x', view.xAxis, view.xAxis === DEFAULT_VIEW.xAxis);
  set('y', view.yScale, view.yScale === DEFAULT_VIEW.yScale);
  set('outliers', '1', !view.ignoreOutliers);
  set('ymin', String(view.yMin), view.yMin === null);
  set('ymax', String(view.yMax), view.yMax === null);
  set('sort', view.tooltipSort, view.tooltipSort === DEFAULT_VIEW.tooltipSort);
  set('graph', view.graphRun ?? '', view.graphRun === null);
  for (const id of view.compare) p.append('compare', id);
  for (const [key, value] of old) if (!KEYS.includes(key)) p.append(key, value);
  const query = p.toString();
  return `#${path ?? oldPath}${query ? `?${query}` : ''}`;
}
