// createLoss: PyTorch's loss classes by name, keywords checked with PyTorch's defaults.
import {
  boolean,
  number,
  oneOf,
  optionalTensor,
  parseKeywords,
  throwFirst,
  type FieldError,
  type Rules,
} from '../keywords.ts';
import { BCELoss } from './bce.ts';
import { BCEWithLogitsLoss } from './bce-with-logits.ts';
import { KLDivLoss, type KlReduction } from './kl-div.ts';
import type { Loss, LossSpec, Reduction } from './common.ts';
import { ClassLoss } from './cross-entropy.ts';
import { huber, l1, mse, PointwiseLoss, smoothL1 } from './pointwise.ts';

export type { Loss, LossSpec, Reduction } from './common.ts';

const reduction = oneOf<Reduction>(['mean', 'sum', 'none'], 'mean');

/** Each loss's keywords, PyTorch's names and defaults. */
export const LOSS_KEYWORDS = {
  L1Loss: { reduction },
  MSELoss: { reduction },
  CrossEntropyLoss: {
    weight: optionalTensor(),
    ignore_index: number({ int: true }, -100),
    reduction,
    label_smoothing: number({ min: 0, max: 1 }, 0),
  },
  NLLLoss: { weight: optionalTensor(), ignore_index: number({ int: true }, -100), reduction },
  BCEWithLogitsLoss: { weight: optionalTensor(), reduction, pos_weight: optionalTensor() },
  BCELoss: { weight: optionalTensor(), reduction },
  KLDivLoss: { reduction: oneOf<KlReduction>(['mean', 'sum', 'none', 'batchmean'], 'mean'), log_target: boolean() },
  SmoothL1Loss: { reduction, beta: number({ min: 0 }, 1) },
  HuberLoss: { reduction, delta: number({ above: 0 }, 1) },
} satisfies Record<string, Rules>;

export type LossType = keyof typeof LOSS_KEYWORDS;
export const LOSS_TYPES = Object.keys(LOSS_KEYWORDS) as LossType[];

const isLossType = (t: unknown): t is LossType => typeof t === 'string' && t in LOSS_KEYWORDS;

/** Every problem with a loss spec, each naming its keyword. */
export function validateLossSpec(spec: LossSpec): FieldError[] {
  if (!isLossType(spec.type))
    return [{ field: 'type', message: `unknown loss '${String(spec.type)}' (known: ${LOSS_TYPES.join(', ')})` }];
  const errors = parseKeywords(spec, LOSS_KEYWORDS[spec.type]).errors;
  if (spec.type === 'CrossEntropyLoss' || spec.type === 'NLLLoss') {
    const w = parseKeywords(spec, LOSS_KEYWORDS[spec.type]).values.weight;
    if (w && w.shape.length !== 1)
      errors.push({
        field: 'weight',
        message: `must be a 1-D tensor with one value per class, got shape [${w.shape.join(', ')}]`,
      });
  }
  return errors;
}

/** Builds the loss; throws `Type.keyword: problem` for a bad spec. */
export function createLoss(spec: LossSpec): Loss {
  const errors = validateLossSpec(spec);
  throwFirst(typeof spec.type === 'string' ? spec.type : 'loss', errors);
  const type = spec.type as LossType;
  switch (type) {
    case 'L1Loss':
      return new PointwiseLoss(type, parseKeywords(spec, LOSS_KEYWORDS.L1Loss).values.reduction, l1);
    case 'MSELoss':
      return new PointwiseLoss(type, parseKeywords(spec, LOSS_KEYWORDS.MSELoss).values.reduction, mse);
    case 'SmoothL1Loss': {
      const v = parseKeywords(spec, LOSS_KEYWORDS.SmoothL1Loss).values;
      return new PointwiseLoss(type, v.reduction, smoothL1(v.beta));
    }
    case 'HuberLoss': {
      const v = parseKeywords(spec, LOSS_KEYWORDS.HuberLoss).values;
      return new PointwiseLoss(type, v.reduction, huber(v.delta));
    }
    case 'CrossEntropyLoss':
      return new ClassLoss(type, parseKeywords(spec, LOSS_KEYWORDS.CrossEntropyLoss).values);
    case 'NLLLoss':
      return new ClassLoss(type, { ...parseKeywords(spec, LOSS_KEYWORDS.NLLLoss).values, label_smoothing: 0 });
    case 'BCEWithLogitsLoss':
      return new BCEWithLogitsLoss(parseKeywords(spec, LOSS_KEYWORDS.BCEWithLogitsLoss).values);
    case 'BCELoss': {
      const v = parseKeywords(spec, LOSS_KEYWORDS.BCELoss).values;
      return new BCELoss(v.reduction, v.weight);
    }
    case 'KLDivLoss': {
      const v = parseKeywords(spec, LOSS_KEYWORDS.KLDivLoss).values;
      return new KLDivLoss(v.reduction, v.log_target);
    }
    default:
      return type satisfies never;
  }
}
