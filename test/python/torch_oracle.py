"""Answers Layerboard's PyTorch parity tests with real PyTorch (run by test/unit/*.test.ts).

Reads a JSON request on stdin, writes a JSON answer on stdout:
  {"op": "reprs", "layers": [spec, ...]}  -> {"reprs": [repr(layer) or {"error": msg}, ...]}
  {"op": "names", "names": [str, ...]}    -> {"accepted": [bool, ...]}  (add_module on nn.Sequential)
  {"op": "floats", "values": [num, ...]}  -> {"reprs": [repr(float(v)), ...]}
Layer specs use the conformance form: a JSON pair is a tuple, float keywords are floats.
"""
import json
import sys
from collections import OrderedDict

import torch.nn as nn

FLOAT_KEYWORDS = {'eps', 'momentum', 'negative_slope', 'alpha', 'p'}


def build(spec):
    kwargs = {}
    for key, value in spec.items():
        if key == 'type':
            continue
        if isinstance(value, list):
            value = tuple(value)
        elif key in FLOAT_KEYWORDS and value is not None:
            value = float(value)
        kwargs[key] = value
    return getattr(nn, spec['type'])(**kwargs)


def layer_repr(spec):
    try:
        return repr(build(spec))
    except Exception as exc:  # reported, not raised: the test shows which spec failed
        return {'error': f'{type(exc).__name__}: {exc}'}


def accepted(name):
    try:
        nn.Sequential(OrderedDict([(name, nn.ReLU())]))
        return True
    except KeyError:
        return False


def main():
    req = json.load(sys.stdin)
    if req['op'] == 'reprs':
        out = {'reprs': [layer_repr(s) for s in req['layers']]}
    elif req['op'] == 'names':
        out = {'accepted': [accepted(n) for n in req['names']]}
    elif req['op'] == 'floats':
        out = {'reprs': [repr(float(v)) for v in req['values']]}
    else:
        raise SystemExit(f"unknown op {req['op']}")
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
