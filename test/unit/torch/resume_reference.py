# Reference for test/unit/resume-torch.test.ts: train k steps, save optimizer.state_dict() and
# scheduler.state_dict(), load both into freshly built ones over a copy of the parameters and
# train m more steps — against k + m steps at once, in real PyTorch.
# stdin: {"cases": [{optimizer, scheduler?, k, m, metrics?}]}
# stdout: {"torch": version, "cases": [{params, grads, saved: {optimizer, scheduler}, continuous, resumed, lrs}]}
import copy, json, sys
import torch

def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(x) for x in t.detach().reshape(-1).tolist()]}

def plain(v):
    if isinstance(v, torch.Tensor):
        return float(v) if v.dim() == 0 else tensor_json(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    return v

def build(case, params):
    spec = dict(case["optimizer"])
    cls = getattr(torch.optim, spec.pop("type"))
    if "betas" in spec:
        spec["betas"] = tuple(spec["betas"])
    opt = cls(params, **spec)
    sched = None
    if case.get("scheduler"):
        s = dict(case["scheduler"])
        sched = getattr(torch.optim.lr_scheduler, s.pop("type"))(opt, **s)
    return opt, sched

def steps(case, params, opt, sched, grads, start, stop, lrs=None):
    metrics = case.get("metrics")
    for i in range(start, stop):
        for n, p in params.items():
            p.grad = grads[i][n].clone()
        opt.step()
        if sched is not None:
            sched.step(metrics[i]) if metrics else sched.step()
        if lrs is not None:
            lrs.append(opt.param_groups[0]["lr"])

def run(case, seed):
    g = torch.Generator().manual_seed(seed)
    shapes = {"weight": (3, 4), "bias": (4,), "conv": (2, 3, 3)}
    start = {n: torch.randn(*s, generator=g) for n, s in shapes.items()}
    k, m = case["k"], case["m"]
    grads = [{n: torch.randn(*s, generator=g) * (10.0 ** (i % 3 - 1)) for n, s in shapes.items()} for i in range(k + m)]
    # k + m steps at once
    params = {n: t.clone().requires_grad_() for n, t in start.items()}
    opt, sched = build(case, list(params.values()))
    lrs = []
    steps(case, params, opt, sched, grads, 0, k + m, lrs)
    continuous = {n: tensor_json(p) for n, p in params.items()}
    # k steps, save, rebuild, load, m steps
    params = {n: t.clone().requires_grad_() for n, t in start.items()}
    opt, sched = build(case, list(params.values()))
    steps(case, params, opt, sched, grads, 0, k)
    saved = {"optimizer": copy.deepcopy(opt.state_dict()), "scheduler": copy.deepcopy(sched.state_dict()) if sched else None}
    at_k = {n: t.detach().clone() for n, t in params.items()}
    params = {n: t.clone().requires_grad_() for n, t in at_k.items()}
    opt, sched = build(case, list(params.values()))
    opt.load_state_dict(saved["optimizer"])
    if sched is not None:
        sched.load_state_dict(saved["scheduler"])
    steps(case, params, opt, sched, grads, k, k + m)
    resumed = {n: tensor_json(p) for n, p in params.items()}
    return {
        "params": {n: tensor_json(t) for n, t in start.items()},
        "grads": [{n: tensor_json(t) for n, t in gs.items()} for gs in grads],
        "saved": plain(saved),
        "continuous": continuous,
        "resumed": resumed,
        "lrs": lrs,
    }

req = json.load(sys.stdin)
json.dump({"torch": torch.__version__, "cases": [run(c, 2000 + i) for i, c in enumerate(req["cases"])]}, sys.stdout)
