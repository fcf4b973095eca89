import { describe, expect, test } from 'vitest';
import { parsePythonModel } from '../../src/core/python/python-import.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { pythonSource } from '../../src/core/python/pytorch-export.ts';
import { chainLayers } from '../../src/core/model/chain.ts';

const ok = (src: string) => {
  const r = parsePythonModel(src);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
};

describe('Python source import (never executed)', () => {
  test("the seed's first nn.Sequential and its OrderedDict form", () => {
    const plain = ok(`import torch.nn as nn
model = nn.Sequential(
          nn.Conv2d(1,20,5),
          nn.ReLU(),
          nn.Conv2d(20,64,5),
          nn.ReLU()
        )`);
    expect(plain.layers).toEqual([
      { type: 'Conv2d', in_channels: 1, out_channels: 20, kernel_size: 5 }, { type: 'ReLU' },
      { type: 'Conv2d', in_channels: 20, out_channels: 64, kernel_size: 5 }, { type: 'ReLU' },
    ]);
    expect(plain.names).toBeNull();
    const named = ok(`from collections import OrderedDict
model = nn.Sequential(OrderedDict([
          ('conv1', nn.Conv2d(1,20,5)),
          ('relu1', nn.ReLU()),
          ('conv2', nn.Conv2d(20,64,5)),
          ('relu2', nn.ReLU())
        ]))
print(model)`);
    expect(named.names).toEqual(['conv1', 'relu1', 'conv2', 'relu2']);
    expect(named.layers).toEqual(plain.layers);
  });

  test("the seed's BS class with attributes called in forward(), arithmetic folded", () => {
    const r = ok(`class BS(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=3,
                               out_channels=32,
                               kernel_size=5,
                               stride=1,
                               padding=2) #stride and padding are calculated
        self.maxpool1 = nn.MaxPool2d(kernel_size=2)
        self.flatten = nn.Flatten() #becomes 63*4*4=1024
        self.linear1 = nn.Linear(in_features=32*16*16, out_features=64)

    def forward(self,x):
        x = self.conv1(x)
        x = self.maxpool1(x)
        x = self.flatten(x)
        x = self.linear1(x)
        return x
`);
    expect(r.className).toBe('BS');
    expect(r.names).toEqual(['conv1', 'maxpool1', 'flatten', 'linear1']);
    expect(r.layers[3]).toEqual({ type: 'Linear', in_features: 8192, out_features: 64 });
    expect(r.layers[0]).toEqual({ type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, stride: 1, padding: 2 });
  });

  test('our own exported source reads back to the same model, for every template', () => {
    for (const t of TEMPLATES.filter((x) => chainLayers(x.doc) && x.doc.modules.length > 0)) {
      const chain = chainLayers(t.doc)!;
      const r = ok(pythonSource(t.doc));
      expect(r.className).toBe(t.doc.className);
      expect(r.names).toEqual(chain.names);
      expect(r.layers.length).toBe(chain.layers.length);
      r.layers.forEach((l, i) => expect(l.type).toBe(chain.layers[i].type));
    }
  });

  test('tuples, floats, None, torch.nn paths and nested calls in forward', () => {
    const r = ok(`import torch
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = torch.nn.AvgPool2d((2, 3), stride=None, padding=(1, 1))
        self.act = torch.nn.LeakyReLU(0.2)
        self.bn = nn.BatchNorm2d(8, momentum=None, eps=1e-3)
    def forward(self, x):
        return self.act(self.bn(self.pool(x)))
`);
    expect(r.names).toEqual(['pool', 'bn', 'act']);
    expect(r.layers).toEqual([
      { type: 'AvgPool2d', kernel_size: [2, 3], stride: null, padding: [1, 1] },
      { type: 'BatchNorm2d', num_features: 8, momentum: null, eps: 0.001 },
      { type: 'LeakyReLU', negative_slope: 0.2 },
    ]);
  });

  test('what cannot be read is named with its line', () => {
    const bad = parsePythonModel(`model = nn.Sequential(
    nn.Conv3d(1, 2, 3),
    nn.Linear(10, 4, bias=maybe),
    nn.Conv2d(3, 6, 5, groups=4),
)`);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(bad.errors[0].message).toMatch(/^nn.Conv3d is not a layer Layerboard knows/);
    expect(bad.errors[1].message).toBe('Linear: maybe is not a constant value');
    expect(bad.errors[2].message).toMatch(/^Conv2d: groups: .*groups must divide in_channels/);
    const fn = parsePythonModel(`class N(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(4, 2)
    def forward(self, x):
        x = torch.flatten(x, 1)
        return self.fc(x)`);
    expect(fn.ok).toBe(false);
    if (!fn.ok) expect(fn.errors[0]).toMatchObject({ line: 5, message: expect.stringContaining('forward() calls torch.flatten, which is not a layer attribute') });
    const none = parsePythonModel('x = 1\nprint(x)');
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.errors[0].message).toMatch(/^no model found/);
    const unterminated = parsePythonModel("model = nn.Sequential(nn.ReLU(), 'oops)");
    expect(unterminated.ok).toBe(false);
    if (!unterminated.ok) expect(unterminated.errors[0]).toEqual({ line: 1, message: 'unterminated string' });
  });

  test('nothing in the source runs: a hostile file is just text', () => {
    const r = parsePythonModel(`import os
os.system('rm -rf /')
__import__('os').system('echo pwned')
model = nn.Sequential(nn.ReLU())`);
    expect(r.ok).toBe(true);
  });
});
