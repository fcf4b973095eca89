"""torchinfo 1.8.0's summary table for an nn.Sequential, computed over the real PyTorch
modules: the formulas of torchinfo/layer_info.py (calculate_macs: weight/bias numel ×
prod(out[:1] + out[2:]) for Conv, × out[0] otherwise), model_statistics.py (outputs of
layers with parameters ×2, 4-byte floats, MB = 1e6 bytes, mult-adds in M unless G/T) and
formatting.py (40-wide name column, 25-wide columns, '├─Type: 1-i' rows). torchinfo
itself is not installable here; this re-implementation takes parameter counts and output
shapes from PyTorch, so it checks ours independently of our shape and parameter code.

stdin: [{"layers": [...], "input": [N, C, H, W]}, ...]   stdout: a list of tables
"""
import json, math, sys
import torch, torch.nn as nn


def build(spec):
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items() if k != 'type'}
    return getattr(nn, spec['type'])(**kw)


def prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


def summary(layers, input_size):
    model = nn.Sequential(*[build(l) for l in layers]).eval()
    infos = []

    def hook(m, _inputs, out):
        size = list(out.size())
        macs = 0
        for name, p in m.named_parameters():
            if name in ('weight', 'bias'):
                macs += int(p.numel() * prod(size[:1] + size[2:])) if 'Conv' in type(m).__name__ else size[0] * p.numel()
        infos.append({'cls': type(m).__name__, 'out': size, 'params': sum(p.numel() for p in m.parameters()),
                      'macs': macs, 'out_bytes': out.element_size() * prod(size),
                      'param_bytes': sum(p.numel() * p.element_size() for p in m.parameters())})

    for m in model:
        m.register_forward_hook(hook)
    x = torch.zeros(input_size)
    with torch.no_grad():
        y = model(x)
    total = sum(i['params'] for i in infos)
    macs = sum(i['macs'] for i in infos)
    out_bytes = sum(i['out_bytes'] * 2 for i in infos if i['params'] > 0)
    param_bytes = sum(i['param_bytes'] for i in infos)
    in_bytes = x.element_size() * x.nelement()
    names = [f"{i['cls']}: 1-{k + 1}" for k, i in enumerate(infos)]
    longest = max([len('Sequential') + 1] + [len(n) + 6 for n in names])
    width = math.ceil(longest / 5) * 5 if longest >= 40 else 40
    div = '=' * (width + 3 * 25)

    def row(name, vals):
        return (f'{name:<{width}} ' + ''.join(f'{v:<25} ' for v in vals)).rstrip() + '\n'

    s = div + '\n' + row('Layer (type:depth-idx)', ['Output Shape', 'Param #', 'Mult-Adds']) + div + '\n'
    s += row('Sequential', [str(list(y.size())), '--', '--'])
    for n, i in zip(names, infos):
        s += row('├─' + n, [str(i['out']), f"{i['params']:,}" if i['params'] else '--', f"{i['macs']:,}" if i['macs'] > 0 else '--'])
    unit, value = ('T', macs / 1e12) if macs >= 1e12 else ('G', macs / 1e9) if macs >= 1e9 else ('M', macs / 1e6)
    shown = f'{int(value):,d}' if float(value).is_integer() else f'{value:,.2f}'
    s += (f'{div}\nTotal params: {total:,}\nTrainable params: {total:,}\nNon-trainable params: 0\n'
          f'Total mult-adds ({unit}): {shown}\n{div}\n'
          f'Input size (MB): {in_bytes / 1e6:0.2f}\nForward/backward pass size (MB): {out_bytes / 1e6:0.2f}\n'
          f'Params size (MB): {param_bytes / 1e6:0.2f}\nEstimated Total Size (MB): {(in_bytes + out_bytes + param_bytes) / 1e6:0.2f}\n{div}')
    return s


print(json.dumps([summary(m['layers'], m['input']) for m in json.load(sys.stdin)]))
