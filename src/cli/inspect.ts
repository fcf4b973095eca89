// `layerboard inspect --logdir DIR [--json]`, after `tensorboard --inspect`: each run
// (folder) with its tags, their kinds, step ranges and counts, and every damaged file
// with the byte offset of its fault.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readEventFile } from '../core/formats/tfevents/index.ts';
import { listLogdir } from './logdir.ts';

export interface TagReport {
  tag: string;
  kind: string;
  count: number;
  firstStep: number;
  lastStep: number;
}
export interface RunReport {
  run: string;
  files: string[];
  events: number;
  tags: TagReport[];
  graph: boolean;
  damaged: { file: string; offset: number; message: string }[];
}

export async function inspectLogdir(root: string): Promise<RunReport[]> {
  const runs = new Map<string, RunReport>();
  for (const f of await listLogdir(root)) {
    const folder = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '.';
    if (!runs.has(folder)) runs.set(folder, { run: folder, files: [], events: 0, tags: [], graph: false, damaged: [] });
    const report = runs.get(folder)!;
    report.files.push(f.path);
    const contents = readEventFile(new Uint8Array(await readFile(join(root, f.path))));
    report.events += contents.events.length;
    report.graph ||= contents.events.some((e) => e.graphDef);
    for (const p of contents.problems) report.damaged.push({ file: f.path, offset: p.offset, message: p.message });
    const add = (tag: string, kind: string, step: number) => {
      let t = report.tags.find((x) => x.tag === tag && x.kind === kind);
      if (!t) report.tags.push((t = { tag, kind, count: 0, firstStep: step, lastStep: step }));
      t.count++;
      t.firstStep = Math.min(t.firstStep, step);
      t.lastStep = Math.max(t.lastStep, step);
    };
    for (const s of contents.scalars) add(s.tag, 'scalar', s.step);
    for (const s of contents.summaries) add(s.tag, s.kind, s.step);
  }
  for (const r of runs.values()) r.tags.sort((a, b) => a.kind.localeCompare(b.kind) || a.tag.localeCompare(b.tag));
  return [...runs.values()];
}

export async function runInspect(args: string[]): Promise<number> {
  const at = args.indexOf('--logdir');
  const root = at >= 0 ? args[at + 1] : undefined;
  if (!root) {
    console.error('usage: layerboard inspect --logdir DIR [--json]');
    return 2;
  }
  const runs = await inspectLogdir(root);
  if (args.includes('--json')) {
    console.log(JSON.stringify({ logdir: root, runs }, null, 2));
    return runs.some((r) => r.damaged.length) ? 1 : 0;
  }
  if (!runs.length) {
    console.log(`no event files under ${root} (names contain "tfevents")`);
    return 1;
  }
  for (const r of runs) {
    console.log(
      `run ${r.run}: ${r.files.length} file${r.files.length === 1 ? '' : 's'}, ${r.events} events${r.graph ? ', graph' : ''}`,
    );
    for (const t of r.tags)
      console.log(`  ${t.kind.padEnd(9)} ${t.tag}  ${t.count} × steps ${t.firstStep}–${t.lastStep}`);
    for (const d of r.damaged) console.log(`  DAMAGED ${d.file} at byte ${d.offset}: ${d.message}`);
  }
  return runs.some((r) => r.damaged.length) ? 1 : 0;
}
