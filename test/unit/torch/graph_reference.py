"""Random forward graphs run by real PyTorch: layers, add (broadcasting) and cat (any dim,
negative dims, the same value twice), with modules sometimes called twice (shared weights).

usage: python3 graph_reference.py < {"seed": 1, "shapes": 300, "values": 60}
  -> {"shapes": [...], "values": [...]}
shapes: conformance `shape` cases with `graph` (node by node on zeros, train mode): the
  output shape of every node, or the index of the first node PyTorch refuses.
values: `module` cases over the engine's flat graph (`flat`), random weights and input,
  train or eval mode: output, grad_input, grads, state_after.
"""
import json, math, random, sys, warnings
import torch, torch.nn as nn

warnings.simplefilter('ignore')


def build(spec):
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items() if k != 'type'}
    return getattr(nn, spec['type'])(**kw)


def enc(v):
    v = float(v)
    if math.isnan(v): return 'NaN'
    if math.isinf(v): return 'Infinity' if v > 0 else '-Infinity'
    return float('%.9g' % v)


def tj(t):
    if t.dtype == torch.int64:
        return {'shape': list(t.shape), 'dtype': 'int64', 'data': [int(x) for x in t.flatten().tolist()]}
    return {'shape': list(t.shape), 'data': [enc(x) for x in t.detach().flatten().tolist()]}


def run_op(node, ins):
    if node['op'] == 'add':
        y = ins[0]
        for t in ins[1:]: y = y + t
        return y
    return torch.cat(ins, node['dim'])


def reaching_last(nodes):
    """Ids of the nodes that feed the last one (directly or through others), itself included."""
    reach, stack = set(), [nodes[-1]['id']]
    by_id = {n['id']: n for n in nodes}
    while stack:
        k = stack.pop()
        if k in reach or k not in by_id: continue
        reach.add(k)
        stack.extend(by_id[k]['inputs'])
    return reach


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def ri(self, a, b): return self.r.randint(a, b)

    def layer(self, shape):
        """A layer for this input, usually one that fits."""
        good = self.r.random() < 0.85
        if len(shape) == 4:
            c = shape[1] if good else self.ri(1, 5)
            t = self.r.choice(['Conv2d', 'Conv2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'BatchNorm2d', 'ReLU', 'Tanh', 'Flatten'])
            if t == 'Conv2d':
                k = self.ri(1, 3)
                d = {'type': t, 'in_channels': c, 'out_channels': self.ri(1, 4), 'kernel_size': k}
                if self.r.random() < 0.6: d['padding'] = k // 2
                if self.r.random() < 0.3: d['stride'] = 2
                return d
            if t in ('MaxPool2d', 'AvgPool2d'):
                return {'type': t, 'kernel_size': 2, 'stride': self.r.choice([1, 2])}
            if t == 'AdaptiveAvgPool2d':
                return {'type': t, 'output_size': self.r.choice([1, [1, 1], [2, 1]])}
            if t == 'BatchNorm2d':
                return {'type': t, 'num_features': c}
            return {'type': t}
        f = shape[-1] if good else self.ri(1, 6)
        t = self.r.choice(['Linear', 'Linear', 'Tanh', 'Sigmoid', 'BatchNorm1d', 'GELU'])
        if t == 'Linear':
            return {'type': t, 'in_features': f, 'out_features': self.r.choice([f, self.ri(1, 6)]), 'bias': self.r.random() < 0.8}
        if t == 'BatchNorm1d':
            return {'type': t, 'num_features': shape[1] if len(shape) > 1 and good else self.ri(1, 6)}
        return {'type': t}

    def pick_inputs(self, shapes, count):
        """Values to join, preferring shapes that fit: equal, or the same but for one dim, or a size 1."""
        names = list(shapes)
        first = self.r.choice(names)
        if self.r.random() < 0.7:
            same_rank = [n for n in names if len(shapes[n]) == len(shapes[first])]
            return [first] + [self.r.choice(same_rank) for _ in range(count - 1)]
        return [self.r.choice(names) for _ in range(count)]

    def input_shape(self):
        ri = self.ri
        return self.r.choice([[ri(1, 3), ri(1, 3), ri(2, 6), ri(2, 6)], [ri(2, 4), ri(1, 6)], [ri(2, 3), 1, ri(3, 5), ri(3, 5)]])

    def graph(self, shared):
        """Nodes grown one at a time and run on zeros (train mode); stops at the first refusal."""
        shape = self.input_shape()
        values = {'input': torch.zeros(shape)}
        modules, nodes, built = [], [], {}
        error_at = None
        for i in range(self.ri(2, 7)):
            kind = self.r.choices(['layer', 'add', 'cat'], [0.55, 0.25, 0.2])[0]
            name = f'n{i}'
            if kind == 'layer':
                src = self.r.choice(list(values))
                if shared and modules and self.r.random() < 0.25:
                    path = self.r.choice(modules)['path']
                else:
                    path = name
                    spec = self.layer(list(values[src].shape))
                    modules.append({'path': path, 'layer': spec})
                node = {'id': name, 'module': path, 'inputs': [src]}
            else:
                ins = self.pick_inputs({k: list(v.shape) for k, v in values.items()}, self.ri(2, 3))
                node = {'id': name, 'op': kind, 'inputs': ins}
                if kind == 'cat':
                    rank = len(values[ins[0]].shape)
                    node['dim'] = self.r.choice(list(range(-rank, rank)) + [rank])
            nodes.append(node)
            try:
                if 'module' in node:
                    if node['module'] not in built:
                        built[node['module']] = build(next(m for m in modules if m['path'] == node['module'])['layer']).train()
                    y = built[node['module']](values[node['inputs'][0]])
                else:
                    y = run_op(node, [values[n] for n in node['inputs']])
            except Exception:
                error_at = i
                break
            values[name] = y
        return shape, modules, nodes, error_at, values

    def shape_case(self, i, prefix):
        shape, modules, nodes, error_at, values = self.graph(shared=False)
        # as in the conformance cases, every node lies on a path to the output (the last node,
        # or the one PyTorch refused): the others are dropped, which changes no kept shape
        keep = reaching_last(nodes)
        nodes = [n for n in nodes if n['id'] in keep]
        if error_at is not None: error_at = len(nodes) - 1
        spec = {m['path']: m['layer'] for m in modules}
        graph = {'class': 'Random', 'output': nodes[-1]['id'], 'nodes': [
            ({'name': n['id'], 'layer': spec[n['module']], 'inputs': n['inputs']} if 'module' in n else
             {'name': n['id'], **{k: v for k, v in n.items() if k != 'id'}}) for n in nodes]}
        expect = {'error_at': error_at} if error_at is not None else {'shapes': [list(values[n['id']].shape) for n in nodes]}
        return {'id': f'{prefix}/shape/{i}', 'kind': 'shape', 'graph': graph, 'input_shape': shape, 'expect': expect}

    def value_case(self, i, prefix):
        while True:
            shape, modules, nodes, error_at, _ = self.graph(shared=True)
            if error_at is None: break
        flat = {'modules': modules, 'nodes': nodes, 'output': nodes[-1]['id']}
        model = nn.Module()
        for m in modules: model.add_module(m['path'], build(m['layer']))
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.5, 0.5)
                    m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 1.5)
        mode = self.r.choice(['train', 'eval'])
        model.train(mode == 'train')
        state = {k: tj(v) for k, v in model.state_dict().items()}
        x = torch.randn(shape).requires_grad_(True)
        vals = {'input': x}
        for n in nodes:
            ins = [vals[k] for k in n['inputs']]
            vals[n['id']] = getattr(model, n['module'])(ins[0]) if 'module' in n else run_op(n, ins)
        y = vals[flat['output']]
        state_after = {k: tj(v) for k, v in model.state_dict().items()}
        gy = torch.randn(y.shape)
        (y * gy).sum().backward()
        grads = {k: tj(p.grad if p.grad is not None else torch.zeros_like(p)) for k, p in model.named_parameters()}
        return {'id': f'{prefix}/value/{i}', 'kind': 'module', 'flat': flat, 'state': state, 'mode': mode,
                'input': tj(x), 'grad_output': tj(gy),
                'expect': {'output': tj(y), 'grad_input': tj(x.grad if x.grad is not None else torch.zeros_like(x)), 'grads': grads, 'state_after': state_after}}


def main():
    req = json.load(sys.stdin)
    torch.manual_seed(req['seed'])
    gen = Gen(req['seed'])
    prefix = f"live{req['seed']}"
    print(json.dumps({'shapes': [gen.shape_case(i, prefix) for i in range(req['shapes'])],
                      'values': [gen.value_case(i, prefix) for i in range(req['values'])]}))


if __name__ == '__main__':
    main()
