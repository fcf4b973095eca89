// What `layerboard train --logdir DIR` leaves behind: a TensorBoard event file and a
// Layerboard run file (the app imports it on the Board), with the app's tags at the app's
// steps (core/run/run-log.ts: the same RunLog the browser logs with). The event file also
// holds the graph (GraphDef), print(model) and the config as text, the hparams, and the
// engine's summaries (engine/run-summaries.ts: histograms, images, PR curves), as the
// browser's run exports them. Written also when training fails, so a NaN run keeps its
// logs and says why it stopped.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModuleGraph, type ModuleGraph } from '../core/model/module-graph.ts';
import { SummaryShapeError } from '../core/model/summary.ts';
import {
  encodeHparamsValues,
  encodeTextValue,
  eventFileName,
  flattenHparams,
  writeEventFile,
  type RawSummary,
  type ScalarPoint,
} from '../core/formats/tfevents/index.ts';
import { moduleGraphToGraphDef } from '../core/formats/tfevents/modules-to-graph-def.ts';
import { moduleRepr } from '../core/python/pytorch-export.ts';
import { indentCode } from '../core/run/summary-tags.ts';
import type { ModelDocument } from '../core/model/types.ts';
import type { SummaryRecorder } from '../engine/run-summaries.ts';
import type { EndStatus } from '../core/run/records.ts';
import { flatHparams, RunLog, type FinalMetrics } from '../core/run/run-log.ts';
import type { TrainingConfig } from '../core/run/training-config.ts';
import {
  encodeFloat32,
  RUN_FORMAT,
  RUN_VERSION,
  runFileSummary,
  serializeRunFile,
  seriesOf,
  type RunFile,
} from '../db/run-file.ts';

export class TrainLog {
  readonly points: ScalarPoint[] = [];
  /** The engine's summaries (histograms, images, PR curves, text), at their logged steps. */
  readonly summaries: RawSummary[] = [];
  readonly started = Date.now();
  /** Feed it the trainer's records; its scalars land in `points`. */
  readonly log = new RunLog((tag, value, step, wallTime) => this.points.push({ tag, step, wallTime, value }));

  /** The run's summary recorder, once training starts. */
  recorder: SummaryRecorder | null = null;

  constructor(
    readonly name: string,
    readonly doc: ModelDocument,
    readonly config: TrainingConfig,
  ) {}

  /** The add_graph record (chain or graph model); none when the shapes fail, so the logs of that failure are still written. */
  private graph(batch: number): ModuleGraph | null {
    try {
      return buildModuleGraph(this.doc, [batch, ...this.doc.input]);
    } catch (e) {
      if (e instanceof SummaryShapeError) return null;
      throw e;
    }
  }

  /** Takes the recorder's summaries (waiting for its images); a failed encoding is reported, the rest kept. */
  async collect(): Promise<void> {
    if (!this.recorder) return;
    try {
      this.summaries.push(...(await this.recorder.drain()));
    } catch (e) {
      this.summaries.push(...this.recorder.take());
      console.error(`layerboard train: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** print(model) and the config, as the browser's run logs them with add_text (step 0). */
  private texts(): { tag: string; step: number; text: string }[] {
    return [
      { tag: 'model', step: 0, text: indentCode(moduleRepr(this.doc)) },
      { tag: 'config', step: 0, text: indentCode(JSON.stringify(this.config, null, 2)) },
    ];
  }

  /** Writes DIR/<name>/events.out.tfevents.* and DIR/<name>.layerboard-run.json; returns their paths. */
  write(
    dir: string,
    status: EndStatus,
    message: string | undefined,
    metrics: FinalMetrics,
    batch: number,
    weights?: Record<string, { shape: number[]; data: Float32Array | Int32Array }>,
  ): string[] {
    const runDir = join(dir, this.name);
    mkdirSync(runDir, { recursive: true });
    const events = join(runDir, eventFileName(this.started / 1000));
    const created = this.started / 1000,
      ended = Date.now() / 1000;
    const graph = this.graph(batch);
    const texts = this.texts();
    const summaries: RawSummary[] = [
      ...texts.map((t) => ({
        ...t,
        wallTime: created,
        kind: 'text' as const,
        value: encodeTextValue(t.tag, t.text),
      })),
      ...this.summaries,
      ...encodeHparamsValues(flattenHparams(flatHparams(this.config)), Object.keys(metrics)).map((value) => ({
        tag: '',
        step: 0,
        wallTime: ended,
        kind: 'hparams' as const,
        value,
      })),
    ];
    writeFileSync(
      events,
      writeEventFile(
        { scalars: this.points, summaries, ...(graph && { graphDef: moduleGraphToGraphDef(graph) }) },
        created,
      ),
    );
    const file: RunFile = {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      run: {
        id: `cli-${this.started}`,
        projectId: null,
        name: this.name,
        created: this.started,
        ended: Date.now(),
        status,
        ...(message ? { message } : {}),
        doc: this.doc,
        config: this.config,
        metrics,
        backend: 'cli',
      },
      scalars: seriesOf(this.points.map((p) => ({ runId: '', ...p }))),
      graph,
      hparams: { hparams: flatHparams(this.config), metrics },
      texts,
      summaries: this.summaries.map(runFileSummary),
      ...(weights
        ? {
            weights: Object.fromEntries(
              Object.entries(weights)
                .filter(([, w]) => w.data instanceof Float32Array)
                .map(([k, w]) => [
                  k,
                  { shape: w.shape, dtype: 'F32' as const, data: encodeFloat32(w.data as Float32Array) },
                ]),
            ),
          }
        : {}),
    };
    const runFile = join(dir, `${this.name}.layerboard-run.json`);
    writeFileSync(runFile, serializeRunFile(file));
    return [events, runFile];
  }
}
