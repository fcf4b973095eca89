// The training panel's form (core's option catalogues) and the engine's keyword checks
// describe the same PyTorch signatures twice; this keeps them from drifting apart.
import { describe, expect, test } from 'vitest';
import { LOSSES, OPTIMIZERS, SCHEDULERS, type OptionTypeDef } from '../../src/core/run/training-catalogue.ts';
import { LOSS_KEYWORDS } from '../../src/engine/losses/index.ts';
import { OPTIMIZER_KEYWORDS, SCHEDULER_KEYWORDS } from '../../src/engine/optim/index.ts';
import type { Rules } from '../../src/engine/keywords.ts';

function agree(kind: string, form: OptionTypeDef[], engine: Record<string, Rules>) {
  test(`${kind}: same types, every form keyword known to the engine with the same default`, () => {
    expect(form.map((d) => d.type).sort()).toEqual(Object.keys(engine).sort());
    for (const def of form) {
      const rules = engine[def.type];
      for (const o of def.options) {
        expect(Object.keys(rules), `${def.type}.${o.name}`).toContain(o.name);
        const dflt = rules[o.name].default;
        // A required keyword (PyTorch has no default) shows a suggested value in the form.
        if (o.required || (typeof dflt === 'number' && Number.isNaN(dflt))) continue;
        expect(o.default, `${def.type}.${o.name} default`).toEqual(dflt);
      }
    }
  });
}

describe('form catalogues and engine keywords agree', () => {
  agree('losses', LOSSES, LOSS_KEYWORDS);
  agree('optimizers', OPTIMIZERS, OPTIMIZER_KEYWORDS);
  agree('schedulers', SCHEDULERS, SCHEDULER_KEYWORDS);
});
