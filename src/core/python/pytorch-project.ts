// The PyTorch project a user downloads: model.py (the module), train.py (the app's
// training configuration in plain PyTorch, torchrun-ready) and a README. Names are
// validated by pythonSource; the configuration goes in as a Python literal, never as code.
import { pyFloat, pyString } from './python-literals.ts';
import { pythonSource } from './pytorch-export.ts';
import { TRAIN_SCRIPT_BODY } from './pytorch-train-script.ts';
import type { TrainingConfig } from '../run/training-config.ts';
import type { ModelDocument } from '../model/types.ts';

export interface ProjectFile {
  path: string;
  content: string;
}

/** JSON data as a Python literal (dicts, lists, True/False/None), indented. */
export function pyLiteral(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === 'string') return pyString(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null))
      return `[${value.map((v) => pyLiteral(v)).join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${pyLiteral(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${pyString(k)}: ${pyLiteral(v, inner)},`).join('\n')}\n${indent}}`;
}

const DEFAULT_DATA: Record<string, string> = {
  mnist: 'mnist.lbds.gz',
  'fashion-mnist': 'fashion-mnist.lbds.gz',
  cifar10: 'data',
  imagefolder: 'images',
  synthetic: 'data.lbds.gz',
  table: 'table.lbds.gz',
};

export function trainScript(doc: ModelDocument, config: TrainingConfig): string {
  const className = doc.className ?? 'Model';
  const header = [
    '#!/usr/bin/env python3',
    `"""Train ${className} as configured in Layerboard.`,
    '',
    '    python train.py --data mnist.lbds.gz            # one process (GPU when available)',
    '    torchrun --nproc_per_node=4 train.py --data ...  # DistributedDataParallel over 4 processes',
    '    python train.py --init weights.safetensors      # continue from weights trained in Layerboard',
    '    python train.py --init weights.safetensors --epochs 0   # only evaluate them on the test split',
    '"""',
    'import argparse',
    'import gzip',
    'import json',
    'import math',
    'import os',
    'import struct',
    'import sys',
    'import time',
    'import zlib',
    '',
    'import torch',
    'import torch.nn as nn',
    '',
    `from model import ${className} as MODEL_CLASS`,
    '',
    `INPUT_SHAPE = (${doc.input.join(', ')}${doc.input.length === 1 ? ',' : ''})`,
    `DEFAULT_DATA = ${pyString(DEFAULT_DATA[config.dataset.id] ?? 'data')}`,
    `CONFIG = ${pyLiteral(config)}`,
    '',
  ];
  return `${header.join('\n')}${TRAIN_SCRIPT_BODY}`;
}

function readme(doc: ModelDocument, config: TrainingConfig): string {
  const className = doc.className ?? 'Model';
  return `# ${className}, exported from Layerboard

- \`model.py\`: the module (\`python model.py\` builds it and runs one forward pass).
- \`train.py\`: trains it with the configuration set in Layerboard — ${config.loss.type}, ${config.optimizer.type}${config.scheduler ? ` with ${config.scheduler.type}` : ''}, batch size ${config.batchSize}, ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}, seed ${config.seed}.

## Run

\`\`\`sh
python train.py --data ${DEFAULT_DATA[config.dataset.id] ?? 'data'}
torchrun --nproc_per_node=2 train.py --data ${DEFAULT_DATA[config.dataset.id] ?? 'data'}   # several GPUs (or CPU processes)
python train.py --init weights.safetensors                     # continue from Layerboard's weights
python train.py --init weights.safetensors --epochs 0          # only evaluate them on the test split
\`\`\`

\`--data\` takes a Layerboard dataset file (\`.lbds.gz\`, downloadable from the Train tab), or for
${dataHint(config.dataset.id)}.
Logs go to \`runs/\` for TensorBoard (\`tensorboard --logdir runs\`) when the \`tensorboard\` package
is installed; without it training runs and prints a one-line note. Weights are written to
\`weights.safetensors\` with the state_dict names Layerboard uses (\`0.weight\`, …).

Needs: Python 3.8+, PyTorch 1.13 or newer.
`;
}

/** What else `--data` takes for this dataset. */
function dataHint(id: string): string {
  if (id === 'table')
    return 'a table, only its own `.lbds.gz` (classification tables; this download does not include it yet)';
  if (id === 'imagefolder') return 'an ImageFolder root (class_name/*.png) (needs torchvision)';
  return `torchvision's ${id === 'cifar10' ? 'CIFAR10' : id === 'fashion-mnist' ? 'FashionMNIST' : 'MNIST'} a root folder (needs torchvision)`;
}

export function pytorchProject(doc: ModelDocument, config: TrainingConfig): ProjectFile[] {
  return [
    { path: 'model.py', content: pythonSource(doc) },
    { path: 'train.py', content: trainScript(doc, config) },
    { path: 'README.md', content: readme(doc, config) },
  ];
}
