"""Answers the import parity test (test/unit/pytorch-import-parity.test.ts) with real PyTorch.

Reads a JSON request on stdin, writes a JSON answer on stdout:
  {"source": path, "class": name[, "outputs": {...}]}    a class of one of the repository's
      own fixtures (the official tutorials' models), run here so that the test compares
      Layerboard's reading of it with what PyTorch builds
  {"torchvision": "resnet18"[, "outputs": {...}]}
Answer: {"params": n, "state": [[name, shape], ...], "repr": print(model)}.
With "outputs": {"input": [C, H, W], "dir": path, "seed": n}, the model's float state_dict
entries (state_dict order), a random batch of 2 and its eval-mode outputs are written to
DIR/weights.bin, x.bin, y.bin (float32, C order; too large for JSON) and the answer adds
"y_shape".
"""
import contextlib
import io
import json
import runpy
import sys

import torch


def build(req):
    if 'torchvision' in req:
        import torchvision
        return getattr(torchvision.models, req['torchvision'])()
    with contextlib.redirect_stdout(io.StringIO()):  # the fixtures print, as the tutorials do
        namespace = runpy.run_path(req['source'], run_name='fixture')
    return namespace[req['class']]()


def main():
    req = json.load(sys.stdin)
    out = req.get('outputs')
    if out:
        torch.manual_seed(out.get('seed', 0))
    model = build(req)
    answer = {
        'params': sum(p.numel() for p in model.parameters()),
        'state': [[k, list(v.shape)] for k, v in model.state_dict().items()],
        'repr': repr(model),
    }
    if out:
        model.eval()
        with open(f"{out['dir']}/weights.bin", 'wb') as f:
            for v in model.state_dict().values():
                if v.dtype.is_floating_point:
                    f.write(v.numpy().astype('<f4').tobytes())
        x = torch.randn(2, *out['input'])
        with torch.no_grad():
            y = model(x)
        x.numpy().astype('<f4').tofile(f"{out['dir']}/x.bin")
        y.numpy().astype('<f4').tofile(f"{out['dir']}/y.bin")
        answer['y_shape'] = list(y.shape)
    json.dump(answer, sys.stdout)


main()
