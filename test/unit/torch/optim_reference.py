# Reference trajectories from real PyTorch for test/unit/optim-torch.test.ts.
# stdin: {"optimizers": [{spec, steps, skip?: [[step, name], ...], zero_grad?}], "schedulers": [{optimizer, scheduler, steps, metrics?}]}
# stdout: {"torch": version, "optimizers": [{params, grads, after: [...]}], "schedulers": [{lrs, momenta}]}
import json, sys
import torch

def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(x) for x in t.detach().reshape(-1).tolist()]}

def make_optimizer(spec, params):
    spec = dict(spec)
    cls = getattr(torch.optim, spec.pop("type"))
    if "betas" in spec:
        spec["betas"] = tuple(spec["betas"])
    return cls(params, **spec)

def run_optimizer(case, seed):
    g = torch.Generator().manual_seed(seed)
    shapes = {"weight": (3, 4), "bias": (4,), "conv": (5, 3, 3)}
    params = {n: torch.randn(*s, generator=g).requires_grad_() for n, s in shapes.items()}
    start = {n: tensor_json(p) for n, p in params.items()}
    opt = make_optimizer(case["spec"], list(params.values()))
    skip = {(s, n) for s, n in case.get("skip", [])}
    grads, after = [], []
    for step in range(case["steps"]):
        gs = {}
        for n, p in params.items():
            if (step, n) in skip:
                p.grad = None
                continue
            # gradients of varied scale, some tiny, some large
            p.grad = torch.randn(*shapes[n], generator=g) * (10.0 ** (step % 5 - 2))
            gs[n] = tensor_json(p.grad)
        grads.append(gs)
        opt.step()
        after.append({n: tensor_json(p) for n, p in params.items()})
    return {"params": start, "grads": grads, "after": after}

def run_scheduler(case):
    p = torch.zeros(1, requires_grad=True)
    opt = make_optimizer(case["optimizer"], [p])
    spec = dict(case["scheduler"])
    cls = getattr(torch.optim.lr_scheduler, spec.pop("type"))
    sched = cls(opt, **spec)
    def momentum():
        grp = opt.param_groups[0]
        return grp["betas"][0] if "betas" in grp else grp.get("momentum")
    lrs, momenta = [opt.param_groups[0]["lr"]], [momentum()]
    metrics = case.get("metrics")
    for i in range(case["steps"]):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(momentum())
    return {"lrs": lrs, "momenta": momenta}

def main():
    req = json.load(sys.stdin)
    out = {"torch": torch.__version__,
           "optimizers": [run_optimizer(c, 1000 + i) for i, c in enumerate(req.get("optimizers", []))],
           "schedulers": [run_scheduler(c) for c in req.get("schedulers", [])]}
    json.dump(out, sys.stdout)

main()
