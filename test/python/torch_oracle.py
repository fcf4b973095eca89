"""Answers Layerboard's PyTorch parity tests with real PyTorch (run by test/unit/*.test.ts).

Reads a JSON request on stdin, writes a JSON answer on stdout:
  {"op": "reprs", "layers": [spec, ...]}  -> {"reprs": [repr(layer) or {"error": msg}, ...]}
  {"op": "names", "names": [str, ...]}    -> {"accepted": [bool, ...]}  (add_module on nn.Sequential)
  {"op": "floats", "values": [num, ...]}  -> {"reprs": [repr(float(v)), ...]}
  {"op": "sequential", "layers": [...], "names": [...] or null} -> {"text": print(nn.Sequential(...)) or {"error": msg}}
  {"op": "attributes"}                    -> {"names": dir(nn.Sequential()) + instance attributes}
  {"op": "run", "files": [path, ...]}     -> {"outputs": [stdout of running it as __main__, or {"error": msg}]}
Layer specs use the conformance form: a JSON pair is a tuple, float keywords are floats.
"""
import contextlib
import io
import json
import runpy
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


def run_main(path):
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(path, run_name='__main__')
        return buf.getvalue()
    except Exception as exc:
        return {'error': f'{type(exc).__name__}: {exc}', 'stdout': buf.getvalue()}


def main():
    req = json.load(sys.stdin)
    if req['op'] == 'reprs':
        out = {'reprs': [layer_repr(s) for s in req['layers']]}
    elif req['op'] == 'names':
        out = {'accepted': [accepted(n) for n in req['names']]}
    elif req['op'] == 'floats':
        out = {'reprs': [repr(float(v)) for v in req['values']]}
    elif req['op'] == 'sequential':
        try:
            mods = [build(s) for s in req['layers']]
            names = req['names']
            seq = nn.Sequential(OrderedDict(zip(names, mods))) if names is not None else nn.Sequential(*mods)
            out = {'text': repr(seq)}
        except Exception as exc:
            out = {'text': {'error': f'{type(exc).__name__}: {exc}'}}
    elif req['op'] == 'attributes':
        seq = nn.Sequential()
        out = {'names': sorted(set(dir(seq)) | set(vars(seq)))}
    elif req['op'] == 'run':
        out = {'outputs': [run_main(p) for p in req['files']]}
    else:
        raise SystemExit(f"unknown op {req['op']}")
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
