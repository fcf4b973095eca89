// Hostile model files and training configurations: the templates, then values past every
// limit (kernel_size 1e300, channels 1e21 or 2**31, batchSize 1e300, string means, nested
// `training`), then random mutations of the JSON and of its text.
import { CATALOGUE, isLayerType, MODEL_LIMITS } from '../../src/core/model/catalogue.ts';
import { flattenModel } from '../../src/core/model/flat-graph.ts';
import { inferModelShapes } from '../../src/core/model/graph-shapes.ts';
import { parseModelDocument } from '../../src/core/model/model-json.ts';
import { serializeModelDocument } from '../../src/core/model/model-serialize.ts';
import type { ModelDocument } from '../../src/core/model/module-types.ts';
import { TEMPLATES, templateDocument } from '../../src/core/model/templates.ts';
import { graphPythonSource } from '../../src/core/python/module-export.ts';
import { parseTrainingConfig } from '../../src/core/run/config-parse.ts';
import {
  defaultTrainingConfig,
  LIMITS,
  validateTrainingConfig,
  type DatasetId,
  type TrainingConfig,
} from '../../src/core/run/training-config.ts';
import type { Case, EntryPoint, Outcome } from './judge.ts';
import { getAt, HUGE_NUMBERS, mutateJson, mutateText, paths, Rng, setAt } from './mutate.ts';

/** A JSON path as the app writes it: `modules[3].layer.kernel_size`, `metadata["odd key"]`. */
export const JSON_PATH =
  /(?:[A-Za-z_]\w*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])(?:\.[A-Za-z_]\w*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*/;

/** Every template, as the JSON a user would save. */
export const MODEL_BASES: ModelDocument[] = TEMPLATES.map((t) => templateDocument(t.id));

/** Why an accepted document breaks a promise (a keyword past its limit, no round trip, an export that throws), or null. */
export function acceptedModelProblem(doc: ModelDocument): string | null {
  for (const m of flattenModel(doc).modules) {
    if (!isLayerType(m.layer.type)) return `${m.path}: unknown type ${m.layer.type} accepted`;
    for (const p of CATALOGUE[m.layer.type].params) {
      const v = m.layer[p.name];
      for (const x of Array.isArray(v) ? v : [v]) {
        if ((p.kind === 'int' || p.kind === 'pair') && typeof x === 'number') {
          if (!Number.isSafeInteger(x)) return `${m.path}.${p.name} = ${x} accepted: not a safe integer`;
          if (p.max !== undefined && x > p.max) return `${m.path}.${p.name} = ${x} accepted: past the limit ${p.max}`;
        }
      }
    }
  }
  if (doc.input.reduce((a, b) => a * b, 1) > MODEL_LIMITS.elements)
    return `input ${doc.input} accepted: too many values`;
  const again = parseModelDocument(serializeModelDocument(doc));
  if (!again.ok) return `no round trip: ${again.errors[0].path}: ${again.errors[0].message}`;
  graphPythonSource(doc);
  inferModelShapes(doc);
  return null;
}

function modelOutcome(input: string | unknown): Outcome {
  const r = parseModelDocument(input);
  if (!r.ok) return { kind: 'error', messages: r.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)) };
  return { kind: 'accept', problem: acceptedModelProblem(r.doc) };
}

/** Paths of size keywords (min 1) of concrete layers: set past a limit, each must be refused. */
function sizeKeywordPaths(doc: ModelDocument): (string | number)[][] {
  return paths(doc).filter((p) => {
    const key = p[p.length - 1];
    const layer = getAt(doc, p.slice(0, -1)) as Record<string, unknown> | undefined;
    if (!layer || typeof layer.type !== 'string' || !isLayerType(layer.type) || p[p.length - 2] === 'apply')
      return false;
    const spec = CATALOGUE[layer.type].params.find((q) => q.name === key);
    return spec !== undefined && (spec.kind === 'int' || spec.kind === 'pair') && spec.min === 1;
  });
}

const REFUSED_SIZES: unknown[] = [1e300, 1e21, 2 ** 31, 2 ** 53, 1.5, -1, 0, '3', true, [3, 1e300]];

/** Documents broken by construction: each must be refused. */
export function brokenModel(rng: Rng): { value: unknown; what: string } {
  const base = rng.pick(MODEL_BASES.filter((d) => sizeKeywordPaths(d).length > 0));
  const targets = sizeKeywordPaths(base);
  const config = defaultTrainingConfig('cifar10');
  switch (rng.int(4)) {
    case 0:
    case 1: {
      const path = rng.pick(targets);
      const value = rng.pick(REFUSED_SIZES);
      return { value: setAt(base, path, value), what: `${path.join('.')} = ${JSON.stringify(value)}` };
    }
    case 2: {
      const bad = rng.pick<[string, unknown]>([
        ['batchSize', 1e300],
        ['epochs', 1e21],
        ['seed', 1e300],
        ['transforms', { ...config.transforms, normalize: { mean: ['0.5', 0.5, 0.5], std: [0.2, 0.2, 0.2] } }],
        ['training', config],
        ['batch_size', 64],
        ['optimizer', { type: 'SGD', lr: '0.1' }],
        ['optimizer', { type: 'SGD', lr: 0.1, momentum: { nested: 0.9 } }],
      ]);
      return {
        value: { ...base, training: { ...config, [bad[0]]: bad[1] } },
        what: `training.${bad[0]} = ${JSON.stringify(bad[1]).slice(0, 60)}`,
      };
    }
    default: {
      const input = rng.pick([[3, 1_000_000, 1_000_000], [1e21], [3, 32, 2 ** 31], [3, 32.5, 32], [-3]]);
      return { value: { ...base, input }, what: `input = ${JSON.stringify(input)}` };
    }
  }
}

export const modelJson: EntryPoint = {
  id: 'model JSON',
  place: new RegExp(`^(${JSON_PATH.source}: |not valid JSON: line \\d+, column \\d+|not a Layerboard model file)`),
  generate(seed, count) {
    const rng = new Rng(seed);
    const cases: Case[] = MODEL_BASES.map((doc, i) => ({
      name: `template ${TEMPLATES[i].id}`,
      expect: 'accept' as const,
      run: () => modelOutcome(serializeModelDocument(doc)),
    }));
    while (cases.length < count) {
      const kind = rng.int(3);
      if (kind === 0) {
        const { value, what } = brokenModel(rng);
        cases.push({ name: `broken: ${what}`, expect: 'refuse', run: () => modelOutcome(JSON.stringify(value)) });
      } else if (kind === 1) {
        const { value, what } = mutateJson(rng, rng.pick(MODEL_BASES));
        cases.push({ name: `json: ${what}`, expect: 'either', run: () => modelOutcome(JSON.stringify(value) ?? '') });
      } else {
        const { text, what } = mutateText(rng, serializeModelDocument(rng.pick(MODEL_BASES)));
        cases.push({ name: `text: ${what}`, expect: 'either', run: () => modelOutcome(text) });
      }
    }
    return cases.slice(0, count);
  },
};

// ---- training configuration ---------------------------------------------------------------

const DATASETS: DatasetId[] = ['mnist', 'fashion-mnist', 'cifar10', 'imagefolder', 'synthetic'];

function configBases(): TrainingConfig[] {
  return DATASETS.map((d, i) => {
    const c = defaultTrainingConfig(d);
    if (i === 1) c.gradClip = { type: 'norm', max_norm: 1 };
    if (i === 2)
      c.earlyStopping = { monitor: 'val_loss', patience: 3, min_delta: 0, mode: 'min', restore_best_weights: true };
    if (i === 3) c.scheduler = { type: 'StepLR', step_size: 10 };
    return c;
  });
}

function configOutcome(value: unknown): Outcome {
  const r = parseTrainingConfig(value, 'training');
  if (!r.ok) return { kind: 'error', messages: r.errors.map((e) => `${e.path}: ${e.message}`) };
  const c = r.config;
  const problems = validateTrainingConfig(c);
  if (problems.length) return { kind: 'accept', problem: `accepted but invalid: ${problems[0]}` };
  if (!Number.isSafeInteger(c.batchSize) || c.batchSize > LIMITS.batchSize)
    return { kind: 'accept', problem: `batchSize ${c.batchSize} accepted` };
  if (!Number.isSafeInteger(c.epochs) || c.epochs > LIMITS.epochs)
    return { kind: 'accept', problem: `epochs ${c.epochs} accepted` };
  for (const x of [...(c.transforms.normalize?.mean ?? []), ...(c.transforms.normalize?.std ?? [])])
    if (typeof x !== 'number') return { kind: 'accept', problem: `normalize value ${JSON.stringify(x)} accepted` };
  const again = parseTrainingConfig(JSON.parse(JSON.stringify(c)), 'training');
  return { kind: 'accept', problem: again.ok ? null : 'no JSON round trip' };
}

const BROKEN_CONFIG: [string, unknown][] = [
  ['batchSize', 1e300],
  ['batchSize', 1e21],
  ['batchSize', '64'],
  ['batchSize', 2.5],
  ['batchSize', 0],
  ['epochs', 1e21],
  ['epochs', -1],
  ['seed', 1e300],
  ['valSplit', 1],
  ['transforms.normalize', { mean: ['0.5'], std: [0.5] }],
  ['transforms.normalize', { mean: [0.5], std: ['0.5'] }],
  ['transforms.cropPadding', 1e21],
  ['dataset', { id: 'synthetic', trainSize: 1e300 }],
  ['training', {}],
  ['batch_size', 64],
  ['optimizer.lr', '0.1'],
  ['optimizer.lr', 1e309],
  ['loss', { type: 'CrossEntropyLoss', nested: { deep: { deeper: 1 } } }],
];

export const trainingConfig: EntryPoint = {
  id: 'training config',
  place: new RegExp(`^(?=training)${JSON_PATH.source}: `),
  generate(seed, count) {
    const rng = new Rng(seed);
    const bases = configBases();
    const cases: Case[] = bases.map((c, i) => ({
      name: `default ${DATASETS[i]}`,
      expect: 'accept' as const,
      run: () => configOutcome(c),
    }));
    for (const [path, value] of BROKEN_CONFIG) {
      const base = rng.pick(bases);
      cases.push({
        name: `broken: ${path} = ${JSON.stringify(value)}`,
        expect: 'refuse',
        run: () => configOutcome(setAt(base, path.split('.'), value)),
      });
    }
    while (cases.length < count) {
      const { value, what } = mutateJson(rng, rng.pick(bases));
      cases.push({ name: `json: ${what}`, expect: 'either', run: () => configOutcome(value) });
    }
    return cases.slice(0, count);
  },
};

export { HUGE_NUMBERS };
