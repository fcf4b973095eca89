// Choosing a CSV table in the Train tab: the Input becomes [features], the dataset config
// records the label, task and standardization, image transforms go, and the loss follows
// the task (MSELoss for regression, CrossEntropyLoss for classes).
import { expect, test } from 'vitest';
import { datasetInfo } from '../../core/formats/lbds.ts';
import { tabularFromCsv } from '../../core/formats/tabular.ts';
import { defaultTrainingConfig } from '../../core/run/training-config.ts';
import { newModelDocument } from '../../core/model/model-json.ts';
import { configFor, exampleShape, inputFor, startBlocker } from './train-rules.ts';

const csv = `a,b,c,y\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${-i},${i % 2 ? 'yes' : 'no'}`).join('\n')}`;
const classes = datasetInfo(tabularFromCsv(csv, { label: 'y', task: 'classification', standardize: true }));
const numbers = datasetInfo(
  tabularFromCsv(csv.replace(/,yes$/gm, ',1.5').replace(/,no$/gm, ',-1'), {
    label: 'y',
    task: 'regression',
    standardize: false,
  }),
);
const choice = { kind: 'table', id: 't' } as const;

test('a table gives the model an Input of [features]', () => {
  expect(exampleShape(classes)).toEqual([3]);
  expect(inputFor([1, 28, 28], classes)).toEqual([3]);
  expect(inputFor([3], classes)).toBeNull();
});

test('the config records the table, drops image transforms and fits the loss to the task', () => {
  const mnist = {
    ...defaultTrainingConfig('mnist'),
    transforms: { normalize: { mean: [0.1], std: [0.3] }, horizontalFlip: true, cropPadding: 4 },
  };
  const c = configFor(mnist, choice, classes);
  expect(c.dataset).toEqual({ id: 'table', label: 'y', task: 'classification', standardize: true });
  expect(c.transforms).toEqual({ normalize: null, horizontalFlip: false, cropPadding: 0 });
  expect(c.loss).toEqual({ type: 'CrossEntropyLoss' });
  const r = configFor(c, choice, numbers);
  expect(r.dataset).toEqual({ id: 'table', label: 'y', task: 'regression', standardize: false });
  expect(r.loss).toEqual({ type: 'MSELoss' });
  // back to classes: MSELoss cannot score class indices
  expect(configFor(r, choice, classes).loss).toEqual({ type: 'CrossEntropyLoss' });
  // a loss the user chose that fits the task stays
  expect(configFor({ ...r, loss: { type: 'L1Loss' } }, choice, numbers).loss).toEqual({ type: 'L1Loss' });
});

test('Start is not blocked for a matching [features] model and config', () => {
  const config = configFor(defaultTrainingConfig('mnist'), choice, classes);
  const doc = newModelDocument([3], [{ type: 'Linear', in_features: 3, out_features: 2 }]);
  const blocker = startBlocker({
    analysis: { problems: [], report: null, doc },
    datasets: { info: classes, loading: false, loadError: null, importing: null, choice },
    errors: new Map(),
    config,
    running: false,
  });
  expect(blocker).toBeNull();
});
