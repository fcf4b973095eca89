# Reference results of torch.nn.utils.clip_grad_norm_ / clip_grad_value_ for test/unit/clip-torch.test.ts.
# stdin: {"cases": [{"kind": "norm", "max_norm", "norm_type"} | {"kind": "value", "clip_value"}, "scale", "none"?: [names]]}
# stdout: {"cases": [{"grads": {name: tensor}, "clipped": {name: tensor}, "total": float|null}]}
import json, math, sys
import torch

def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}

def run(case, seed):
    g = torch.Generator().manual_seed(seed)
    shapes = {"weight": (6, 5), "bias": (6,), "conv": (4, 3, 3, 3)}
    params = {n: torch.zeros(*s, requires_grad=True) for n, s in shapes.items()}
    grads = {}
    for n, p in params.items():
        if n in case.get("none", []):
            continue
        p.grad = torch.randn(*shapes[n], generator=g) * case["scale"]
        grads[n] = tensor_json(p.grad)
    total = None
    if case["kind"] == "norm":
        norm_type = float("inf") if case["norm_type"] == "inf" else case["norm_type"]
        total = float(torch.nn.utils.clip_grad_norm_(params.values(), case["max_norm"], norm_type))
    else:
        torch.nn.utils.clip_grad_value_(params.values(), case["clip_value"])
    clipped = {n: tensor_json(p.grad) for n, p in params.items() if p.grad is not None}
    return {"grads": grads, "clipped": clipped, "total": total}

req = json.load(sys.stdin)
json.dump({"cases": [run(c, 300 + i) for i, c in enumerate(req["cases"])]}, sys.stdout)
