"""Answers the import parity test (test/unit/pytorch-import-parity.test.ts) with real PyTorch.

Reads a JSON request on stdin, writes a JSON answer on stdout:
  {"source": path, "class": name, "input": [C, H, W], "seed": n, "weights": bool}
  {"torchvision": "resnet18"[, "outputs": {"input": [C, H, W], "dir": path, "seed": n}]}
The source is one of the repository's own fixtures (the official tutorials' models), run
here so that the test compares Layerboard's reading of it with what PyTorch builds.
With "outputs", the model's float state_dict entries (state_dict order), a random batch of 2
and eval-mode outputs are written to DIR/weights.bin, x.bin, y.bin (float32, C order) and
the answer adds "y_shape": too large for JSON.
Answer: {"params": n, "state": [[name, shape], ...], "repr": print(model),
         "weights": {name: [values]}, "x": [values], "y": [values], "y_shape": [...]}.
"""
import contextlib
import io
import json
import runpy
import sys

import torch


def describe(model):
    return {
        'params': sum(p.numel() for p in model.parameters()),
        'state': [[k, list(v.shape)] for k, v in model.state_dict().items()],
        'repr': repr(model),
    }


def main():
    req = json.load(sys.stdin)
    if 'torchvision' in req:
        import torchvision
        model = getattr(torchvision.models, req['torchvision'])()
        answer = describe(model)
        if 'outputs' in req:
            out = req['outputs']
            torch.manual_seed(out.get('seed', 0))
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
        return
    with contextlib.redirect_stdout(io.StringIO()):  # the fixtures print, as the tutorials do
        namespace = runpy.run_path(req['source'], run_name='fixture')
    torch.manual_seed(req.get('seed', 0))
    model = namespace[req['class']]()
    model.eval()
    answer = describe(model)
    if req.get('weights'):
        answer['weights'] = {k: v.flatten().tolist() for k, v in model.state_dict().items() if v.dtype.is_floating_point}
        x = torch.randn(2, *req['input'])
        with torch.no_grad():
            y = model(x)
        answer['x'] = x.flatten().tolist()
        answer['y'] = y.flatten().tolist()
        answer['y_shape'] = list(y.shape)
    json.dump(answer, sys.stdout)


main()
