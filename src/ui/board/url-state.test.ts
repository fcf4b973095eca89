import { describe, expect, test } from 'vitest';
import { DEFAULT_VIEW, readView, resolveRunRefs, withRunNames, writeView, type BoardView } from './url-state.ts';

describe('board view in the URL hash', () => {
  test('defaults write nothing and read back as defaults', () => {
    expect(writeView(DEFAULT_VIEW, '', 'board')).toBe('#board');
    expect(readView('#board')).toEqual(DEFAULT_VIEW);
    expect(readView('')).toEqual(DEFAULT_VIEW);
  });

  test('every setting round-trips, odd run ids and regexes included', () => {
    const view: BoardView = {
      tab: 'compare',
      runs: ['a,b', 'run 2&x=1'],
      runFilter: 'lr=0\\.1|adam',
      tagFilter: '^loss/',
      smoothing: 0.85,
      xAxis: 'wall',
      yScale: 'log',
      ignoreOutliers: true,
      yMin: -0.5,
      yMax: 3,
      tooltipSort: 'value',
      graphRun: 'a,b',
      compare: ['a,b', 'c'],
    };
    const hash = writeView(view, '#board', 'board');
    expect(hash.startsWith('#board?')).toBe(true);
    expect(readView(hash)).toEqual(view);
  });

  test('an empty run selection (all hidden) survives, unknown parameters and the path are kept', () => {
    const hash = writeView({ ...DEFAULT_VIEW, runs: [] }, '#board?theme=dark&smooth=0.2');
    expect(hash).toBe('#board?runs=&theme=dark');
    expect(readView(hash).runs).toEqual([]);
  });

  test('malformed values fall back to defaults; smoothing is clamped', () => {
    const v = readView('#board?smooth=abc&x=time&y=sqrt&ymin=&ymax=1e400&tab=zzz');
    expect(v).toEqual(DEFAULT_VIEW);
    expect(readView('#board?smooth=5').smoothing).toBe(0.999);
    expect(readView('#board?smooth=-1').smoothing).toBe(0);
  });

  test('a shared link names runs by name, and opens the same runs in another browser (other ids)', () => {
    const here = [
      { id: 'uuid-1', name: 'sgd lr=0.1' },
      { id: 'uuid-2', name: 'adam' },
      { id: 'uuid-3', name: 'rmsprop' },
    ];
    const view: BoardView = {
      ...DEFAULT_VIEW,
      runs: ['uuid-1', 'uuid-2'],
      graphRun: 'uuid-2',
      compare: ['uuid-1', 'uuid-3'],
    };
    const hash = writeView(
      withRunNames(view, (id) => here.find((r) => r.id === id)?.name),
      '',
      'board',
    );
    expect(hash).not.toContain('uuid');
    expect(hash).toContain('runs=sgd+lr%3D0.1');
    const there = [
      { id: 'x', name: 'adam' },
      { id: 'y', name: 'sgd lr=0.1' },
      { id: 'z', name: 'rmsprop' },
    ];
    const opened = resolveRunRefs(readView(hash), there);
    expect(opened.runs).toEqual(['y', 'x']);
    expect(opened.graphRun).toBe('x');
    expect(opened.compare).toEqual(['y', 'z']);
    // ids still resolve (older links), unknown references drop, an empty selection stays empty
    expect(resolveRunRefs({ ...DEFAULT_VIEW, runs: ['x', 'gone'], graphRun: 'gone' }, there)).toMatchObject({
      runs: ['x'],
      graphRun: null,
    });
    expect(resolveRunRefs({ ...DEFAULT_VIEW, runs: [] }, there).runs).toEqual([]);
  });
});
