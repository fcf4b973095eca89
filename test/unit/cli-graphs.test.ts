// The CLI on models beyond a chain: `summary` prints torchinfo's nested table (or the first
// node that cannot run, with the arithmetic and the fix); `export` writes the module source
// and print(model) text.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { runExport } from '../../src/cli/export.ts';
import { runSummary } from '../../src/cli/summary.ts';
import { parseModelDocument, serializeModelDocument } from '../../src/core/model/model-json.ts';
import type { ForwardNode } from '../../src/core/model/module-types.ts';
import { templateDocument } from '../../src/core/model/templates.ts';
import { moduleRepr, pythonSource } from '../../src/core/python/pytorch-export.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESNET = join(ROOT, 'examples/cifar10-resnet20.json');
const dir = mkdtempSync(join(tmpdir(), 'lb-graphs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out.push(a.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.join(' '));
  });
});
afterEach(() => vi.restoreAllMocks());

describe('graph documents in the CLI', () => {
  test('examples/cifar10-resnet20.json is the ResNet-20 template', () => {
    expect(readFileSync(RESNET, 'utf8')).toBe(serializeModelDocument(templateDocument('cifar10-resnet20')));
  });
  test("summary: torchinfo's depth-indexed rows for nested modules, and the totals", async () => {
    expect(await runSummary([RESNET, '--input', '1,3,32,32'])).toBe(0);
    const lines = out.join('\n').split('\n');
    expect(lines).toContain(
      'ResNet20                                 [1, 10]                   --                        --',
    );
    expect(lines).toContain(
      '├─Sequential: 1-3                        [1, 16, 32, 32]           --                        --',
    );
    expect(lines).toContain(
      '│    └─BasicBlock: 2-1                   [1, 16, 32, 32]           --                        --',
    );
    expect(lines).toContain(
      '│    │    └─Conv2d: 3-1                  [1, 16, 32, 32]           2,304                     2,359,296',
    );
    // the downsampling shortcut is at the depth limit: its totals (1×1 conv 16·32 + BatchNorm 2·32)
    expect(lines).toContain(
      '│    │    └─Sequential: 3-17             [1, 32, 16, 16]           576                       131,136',
    );
    expect(lines).toContain(
      '├─Linear: 1-7                            [1, 10]                   650                       650',
    );
    expect(lines).toContain('Total params: 272,474');
  });
  test('summary of a block without its shortcut: the add, its arithmetic and the fix; exit 1', async () => {
    const doc = templateDocument('cifar10-resnet20');
    const down = doc.blocks![1];
    down.modules = down.modules.filter((m) => m.name !== 'shortcut');
    down.forward = {
      nodes: down
        .forward!.nodes.filter((n) => n.name !== 'shortcut')
        .map((n): ForwardNode => (n.name === 'add' ? { name: 'add', op: 'add', inputs: ['bn2', 'input'] } : n)),
      output: 'out',
    };
    expect(parseModelDocument(doc).ok).toBe(true);
    const file = join(dir, 'broken.json');
    writeFileSync(file, serializeModelDocument(doc));
    expect(await runSummary([file])).toBe(1);
    const text = err.join('\n');
    expect(text).toContain(
      'shape error at layer2.0.add: add receives 32×16×16 from layer2.0.bn2 and 16×32×32 from layer1.2.out: channels 32 ≠ 16 and size 16 ≠ 32',
    );
    expect(text).toContain(
      'fix: insert a 1×1 Conv2d(16→32, stride=2) + BatchNorm2d shortcut on the input from layer1.2.out',
    );
  });
  test.each([
    ['pytorch', () => pythonSource(templateDocument('cifar10-resnet20'))],
    ['repr', () => `${moduleRepr(templateDocument('cifar10-resnet20'))}\n`],
  ])('export --format %s', async (format, expected) => {
    const file = join(dir, `resnet.${format}`);
    expect(await runExport([RESNET, '--format', format, '--out', file])).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expected());
  });
  test('export of the source: block classes once, then the model class', async () => {
    const source = pythonSource(templateDocument('cifar10-resnet20'));
    expect(source.match(/^class \w+\(nn\.Module\):$/gm)).toEqual([
      'class BasicBlock(nn.Module):',
      'class DownBlock(nn.Module):',
      'class ResNet20(nn.Module):',
    ]);
    expect(source).toContain('    def __init__(self, in_planes, planes, stride=2):');
    expect(source).toContain('        flat = torch.flatten(avgpool, 1)');
    expect(moduleRepr(templateDocument('cifar10-resnet20'))).toContain(
      '  (layer2): Sequential(\n    (0): DownBlock(\n      (conv1): Conv2d(16, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)',
    );
  });
});
