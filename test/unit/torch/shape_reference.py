"""Random nn.Sequential stacks run by real PyTorch, layer by layer on zeros in train mode
(as the conformance `shape` cases are): the output shape after each layer, or the index
of the first layer that PyTorch refuses to construct or to run.

usage: python3 shape_reference.py < {"seed": 1, "count": 500}   -> JSON list of cases
Also writes test/unit/fixtures/shape-cases.json when run with --fixture.
"""
import json, random, sys, warnings
import torch, torch.nn as nn

warnings.simplefilter('ignore')


def build(spec):
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items() if k != 'type'}
    return getattr(nn, spec['type'])(**kw)


def expect(layers, shape):
    x = torch.zeros(shape)
    shapes = []
    for i, spec in enumerate(layers):
        try:
            m = build(spec)
            m.train()
            x = m(x)
            shapes.append(list(x.shape))
        except Exception:
            return {'error_at': i}
    return {'shapes': shapes}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def ri(self, a, b):
        return self.r.randint(a, b)

    def pair(self, a, b):
        return self.ri(a, b) if self.r.random() < 0.6 else [self.ri(a, b), self.ri(a, b)]

    def maybe(self, d, key, p, value):
        if self.r.random() < p:
            d[key] = value

    def conv(self, shape, good):
        c = shape[-3] if len(shape) >= 3 else 3
        d = {'type': 'Conv2d', 'in_channels': c if good else self.ri(1, 8),
             'out_channels': self.r.choice([2, 4, 8]), 'kernel_size': self.pair(1, 5)}
        self.maybe(d, 'stride', 0.5, self.pair(1, 3))
        self.maybe(d, 'padding', 0.5, self.r.choice([self.pair(0, 3), 'same', 'valid']))
        self.maybe(d, 'dilation', 0.3, self.pair(1, 3))
        self.maybe(d, 'groups', 0.3, self.r.choice([2, 4]))
        self.maybe(d, 'padding_mode', 0.3, self.r.choice(['zeros', 'reflect', 'replicate', 'circular']))
        self.maybe(d, 'bias', 0.2, False)
        return d

    def pool(self, t):
        d = {'type': t, 'kernel_size': self.pair(1, 4)}
        self.maybe(d, 'stride', 0.5, self.r.choice([None, self.pair(1, 3)]))
        self.maybe(d, 'padding', 0.5, self.pair(0, 2))
        self.maybe(d, 'ceil_mode', 0.4, True)
        if t == 'MaxPool2d':
            self.maybe(d, 'dilation', 0.3, self.pair(1, 2))
        else:
            self.maybe(d, 'count_include_pad', 0.3, False)
        return d

    def layer(self, shape):
        t = self.r.choice(['Conv2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'Flatten', 'Linear', 'ReLU',
                           'BatchNorm1d', 'BatchNorm2d', 'Softmax', 'LogSoftmax', 'Dropout', 'GELU', 'ELU'])
        good = self.r.random() < 0.85
        if t == 'Conv2d':
            return self.conv(shape, good)
        if t in ('MaxPool2d', 'AvgPool2d'):
            return self.pool(t)
        if t == 'AdaptiveAvgPool2d':
            return {'type': t, 'output_size': self.r.choice(
                [self.ri(1, 4), [self.ri(1, 4), None], [None, self.ri(1, 3)], [self.ri(1, 5), self.ri(1, 5)], [1, 1]])}
        if t == 'Flatten':
            d = {'type': t}
            self.maybe(d, 'start_dim', 0.5, self.ri(-3, 3))
            self.maybe(d, 'end_dim', 0.5, self.ri(-3, 3))
            return d
        if t == 'Linear':
            return {'type': t, 'in_features': shape[-1] if good else self.ri(1, 20), 'out_features': self.ri(1, 12)}
        if t in ('BatchNorm1d', 'BatchNorm2d'):
            d = {'type': t, 'num_features': (shape[1] if len(shape) > 1 else 3) if good else self.ri(1, 8)}
            self.maybe(d, 'affine', 0.2, False)
            self.maybe(d, 'track_running_stats', 0.2, False)
            return d
        if t in ('Softmax', 'LogSoftmax'):
            return {'type': t, 'dim': self.r.choice([None, self.ri(-4, 3)])}
        if t == 'Dropout':
            return {'type': t, 'p': self.r.choice([0.0, 0.5, 1.0])}
        return {'type': t}

    def mutate(self, d):
        """A keyword PyTorch may refuse: zero, negative, over-large or mismatched values."""
        d = dict(d)
        opts = {
            'Conv2d': [('groups', [2, 3, 0]), ('stride', [0, 2]), ('padding', ['same', -1]), ('dilation', [0, 2]),
                       ('kernel_size', [0, [3, 0], 7]), ('padding_mode', ['reflect', 'circular'])],
            'MaxPool2d': [('padding', [1, 2, 3, [0, 2]]), ('kernel_size', [0, 1, 5]), ('stride', [0, 3]),
                          ('dilation', [0, 3]), ('return_indices', [True])],
            'AvgPool2d': [('padding', [1, 2, 3]), ('kernel_size', [0, 5]), ('divisor_override', [0, 3])],
            'AdaptiveAvgPool2d': [('output_size', [1, [1, 1], [None, 1], [None, None], 5])],
            'Flatten': [('start_dim', [-5, -1, 2, 4]), ('end_dim', [-5, 0, 1, 4])],
            'BatchNorm1d': [('num_features', [1, 2, 5])], 'BatchNorm2d': [('num_features', [1, 2, 5])],
            'Softmax': [('dim', [-3, 2, 3])], 'LogSoftmax': [('dim', [-3, 2, 3])], 'Dropout': [('p', [-0.1, 1.5])],
        }.get(d['type'])
        if opts:
            key, values = self.r.choice(opts)
            d[key] = self.r.choice(values)
        return d

    def input_shape(self):
        ri = self.ri
        return self.r.choice([[ri(1, 3), ri(1, 4), ri(1, 12), ri(1, 12)], [ri(1, 4), ri(1, 9), ri(1, 9)],
                              [ri(1, 3), ri(1, 20)], [ri(1, 20)], [1, 2, 1, 3, 3]])

    def case(self, i, prefix):
        shape = self.input_shape()
        layers, cur = [], list(shape)
        for _ in range(self.ri(1, 5)):
            spec = self.layer(cur)
            if self.r.random() < 0.3:
                spec = self.mutate(spec)
            layers.append(spec)
            e = expect(layers, shape)
            if 'error_at' in e:
                break
            cur = e['shapes'][-1]
        return {'id': f'{prefix}/{i}', 'layers': layers, 'input_shape': shape, 'expect': expect(layers, shape)}


def main():
    if '--fixture' in sys.argv:
        gen = Gen(2024)
        cases = [gen.case(i, 'fixture') for i in range(1200)]
        out = {'torch': torch.__version__, 'generator': 'test/unit/torch/shape_reference.py --fixture', 'cases': cases}
        with open(sys.argv[sys.argv.index('--fixture') + 1], 'w') as f:
            f.write('{"torch": %s, "generator": %s, "cases": [\n' % (json.dumps(out['torch']), json.dumps(out['generator'])))
            f.write(',\n'.join(json.dumps(c, separators=(',', ':')) for c in cases))
            f.write('\n]}\n')
        return
    req = json.load(sys.stdin)
    gen = Gen(req['seed'])
    print(json.dumps([gen.case(i, f"live{req['seed']}") for i in range(req['count'])]))


if __name__ == '__main__':
    main()
