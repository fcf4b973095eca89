// The worker's side of the LR range test: one sweep at a time, on the training split in the
// model's input shape with the configuration's transforms, from fresh seeded weights (or
// the given ones); its points are posted as they come, a stop request ends it early.
import { lrRangeTest } from '../engine/lr-finder.ts';
import { buildModel, checkTrainingConfig } from '../engine/prepare-run.ts';
import { splitSource, transformsOf } from '../engine/dataset-source.ts';
import { Rng } from '../engine/rng.ts';
import type { ImageDataset } from '../core/formats/lbds.ts';
import type { LrFindEvent, LrFindReplies, LrFindRequestBody } from './protocol.ts';
import { decodeWeights } from './weights.ts';

export class LrFindJobs {
  private current: { findId: string; stop: boolean } | null = null;

  constructor(private readonly emit: (e: LrFindEvent) => void) {}

  get busy(): string | null {
    return this.current?.findId ?? null;
  }

  async run(
    r: LrFindRequestBody,
    dataset: (input: number[]) => Promise<ImageDataset>,
  ): Promise<LrFindReplies['lrFind']> {
    if (this.current) throw new Error(`the lr range test '${this.current.findId}' is still running: stop it first`);
    const job = { findId: r.findId, stop: false };
    this.current = job;
    try {
      checkTrainingConfig(r.config);
      const ds = await dataset(r.model.input);
      const model = buildModel(r.model, r.config.seed, r.weights && decodeWeights(r.weights));
      const rng = new Rng(r.config.seed);
      const source = splitSource(ds, 'train', r.model.input, transformsOf(r.config), rng);
      try {
        const result = await lrRangeTest(model, source, r.config, {
          startLr: r.startLr,
          endLr: r.endLr,
          steps: r.steps,
          seed: r.config.seed,
          shouldStop: () => job.stop,
          onPoints: (points) => this.emit({ type: 'lrFindProgress', findId: r.findId, points }),
        });
        return { findId: r.findId, ...result };
      } finally {
        model.release();
      }
    } finally {
      this.current = null;
    }
  }

  stop(findId: string): LrFindReplies['lrFindStop'] {
    if (this.current?.findId !== findId) throw new Error(`no lr range test '${findId}' is running`);
    this.current.stop = true;
    return { findId };
  }
}
