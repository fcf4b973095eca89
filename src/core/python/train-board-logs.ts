// The exported train.py's Board logs, at the tags and 0-based global steps Layerboard's own
// training logs (core/run/summary-tags.ts, engine/run-summaries.ts): weights/ and grads/
// histograms every ceil(steps / 50) steps, the input grid, the first Conv2d's filters, per-class
// PR curves and the misclassified test images, print(model), the config and the hparams.
// Through torch.utils.tensorboard's SummaryWriter or the built-in fallback writer alike.
export const TRAIN_BOARD_LOGS = String.raw`
# ---- what Layerboard's own training logs, at the same tags and 0-based global steps
HISTOGRAM_STEPS_PER_RUN = 50


def histogram_every(total_steps):
    return max(1, -(-total_steps // HISTOGRAM_STEPS_PER_RUN))


def image_grid(x, nrow=8, padding=2, scale_each=False):
    """torchvision's make_grid(normalize=True) for [N, C, H, W]: min-max scaled to 0..1, black padding; C other than 1 or 3 averaged."""
    x = x.detach().float().cpu()
    if x.shape[1] not in (1, 3):
        x = x.mean(1, keepdim=True)
    def scaled(t):
        finite = t[torch.isfinite(t)]
        lo, hi = (finite.min(), finite.max()) if finite.numel() else (0.0, 1.0)
        return ((t - lo) / (hi - lo)).nan_to_num(0.0) if hi > lo else torch.zeros_like(t)
    x = torch.stack([scaled(t) for t in x]) if scale_each else scaled(x)
    n, c, h, w = x.shape
    cols = min(nrow, n)
    rows = -(-n // cols)
    grid = torch.zeros(c, rows * (h + padding) + padding, cols * (w + padding) + padding)
    for i in range(n):
        y0, x0 = (i // cols) * (h + padding) + padding, (i % cols) * (w + padding) + padding
        grid[:, y0:y0 + h, x0:x0 + w] = x[i]
    return grid


def log_histograms(writer, model, step):
    # weights/<name> and grads/<name>, named as the weights Layerboard exports (model.model's state_dict)
    for name, p in model.model.named_parameters():
        writer.add_histogram('weights/' + name, p.detach(), step)
        if p.grad is not None:
            writer.add_histogram('grads/' + name, p.grad.detach(), step)


def log_filters(writer, model, step):
    for name, p in model.model.named_parameters():
        if p.dim() == 4 and name.endswith('weight'):  # the first Conv2d
            writer.add_image('filters/' + name, image_grid(p.detach()[:64], padding=1, scale_each=True), step)
            return


def class_names(dataset, n):
    for d in (dataset, getattr(dataset, 'dataset', None)):
        names = getattr(d, 'classes', None)
        if names:
            return [str(c) for c in names]
    return [str(k) for k in range(n)]


def log_test_summaries(writer, model, loader, device, step):
    """add_pr_curve of each class and the misclassified test images (with their labels as text)."""
    model.eval()
    probs, labels, wrong, truth, predicted = [], [], [], [], []
    with torch.no_grad():
        for x, y in loader:
            out = model(x.to(device)).float().cpu()
            if out.dim() != 2:
                model.train()
                return
            p = out.softmax(1)
            probs.append(p)
            labels.append(y)
            miss = p.argmax(1) != y
            wrong.append(x[miss])
            truth += y[miss].tolist()
            predicted += p.argmax(1)[miss].tolist()
    model.train()
    probs, labels = torch.cat(probs), torch.cat(labels)
    names = class_names(loader.dataset, probs.shape[1])
    for k in range(probs.shape[1]):
        writer.add_pr_curve('pr_curve/' + (names[k] if k < len(names) else str(k)), labels == k, probs[:, k], step)
    wrong = torch.cat(wrong)[:64]
    if len(wrong) and wrong.dim() == 4:
        writer.add_image('images/misclassified', image_grid(wrong), step)
        rows = ['| tile | true | predicted |', '|---:|---|---|'] + [f'| {i + 1} | {names[t]} | {names[q]} |' for i, (t, q) in enumerate(zip(truth[:64], predicted[:64]))]
        writer.add_text('images/misclassified_labels', '\n'.join(rows), step)


def log_board_extras(writer, model, test_acc, test_loss):
    # print(model) and the config as text, and the hparams with the final metrics
    writer.add_text('model', '    ' + repr(model).replace('\n', '\n    '), 0)
    writer.add_text('config', '    ' + json.dumps(CONFIG, indent=2).replace('\n', '\n    '), 0)
    flat = {k: v for k, v in CONFIG.items() if isinstance(v, (int, float, str, bool))}
    opt = CONFIG.get('optimizer')
    if isinstance(opt, dict):
        flat.update({'optimizer.' + k: v for k, v in opt.items() if isinstance(v, (int, float, str, bool))})
    writer.add_hparams(flat, {'hparam/accuracy/test': test_acc, 'hparam/loss/test': test_loss})
`;
