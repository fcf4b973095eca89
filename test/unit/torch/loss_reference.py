# Loss values and input gradients from real PyTorch for test/unit/losses-torch.test.ts.
# stdin: {"cases": [{"loss": {type, ...keywords}, "input": tensor, "target": tensor}]}
# stdout: {"results": [{"loss": tensor, "grad_input": tensor} | {"error": message}]}
import json, math, sys, warnings
import torch

warnings.simplefilter("ignore")

def dec(v):
    return float(v) if isinstance(v, str) else v

def from_json(t):
    dtype = torch.long if t.get("dtype") == "int64" else torch.float32
    return torch.tensor([dec(v) for v in t["data"]], dtype=dtype).reshape(t["shape"])

def enc(x):
    return x if math.isfinite(x) else ("NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity"))

def to_json(t):
    return {"shape": list(t.shape), "data": [enc(float(x)) for x in t.detach().reshape(-1).tolist()]}

def run(case):
    spec = dict(case["loss"])
    cls = getattr(torch.nn, spec.pop("type"))
    for k in ("weight", "pos_weight"):
        if isinstance(spec.get(k), dict):
            spec[k] = from_json(spec[k])
    x = from_json(case["input"]).requires_grad_()
    try:
        loss = cls(**spec)(x, from_json(case["target"]))
        loss.sum().backward()
    except Exception as e:  # PyTorch refuses: the engine must refuse too
        return {"error": str(e)}
    return {"loss": to_json(loss), "grad_input": to_json(x.grad)}

json.dump({"results": [run(c) for c in json.load(sys.stdin)["cases"]]}, sys.stdout)
