// The static body of the exported train.py. pytorch-project.ts puts the model class and
// the configuration in front of it. Plain PyTorch only: torchvision and tensorboard
// are used when installed and skipped with a one-line notice when not.
import { FALLBACK_EVENT_WRITER } from './fallback-event-writer.ts';
import { TRAIN_BOARD_LOGS } from './train-board-logs.ts';

export const TRAIN_SCRIPT_BODY = String.raw`
def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=None, help='a Layerboard dataset file (.lbds.gz), a torchvision root folder (mnist/cifar10), or an ImageFolder root')
    p.add_argument('--epochs', type=int, default=CONFIG['epochs'], help='0: only evaluate (--init weights) on the test split')
    p.add_argument('--batch-size', type=int, default=CONFIG['batchSize'])
    p.add_argument('--lr', type=float, default=None, help='override the optimizer lr')
    p.add_argument('--seed', type=int, default=CONFIG['seed'])
    p.add_argument('--init', default=None, help='start from these weights (.safetensors exported by Layerboard)')
    p.add_argument('--save', default='weights.safetensors', help='write the trained weights here (safetensors)')
    p.add_argument('--logdir', default='runs', help='TensorBoard log folder')
    p.add_argument('--max-steps', type=int, default=None, help='stop after this many steps (smoke tests)')
    p.add_argument('--device', default=None, help="'cpu' or 'cuda' (default: cuda when available)")
    return p.parse_args()


# ---- safetensors, read and written with the standard library (no extra package)
_DTYPES = {'F32': (torch.float32, 4), 'F64': (torch.float64, 8), 'I64': (torch.int64, 8), 'F16': (torch.float16, 2)}


def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        dtype, _ = _DTYPES[info['dtype']]
        begin, end = info['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(info['shape']).clone()
    return out


def save_safetensors(tensors, path):
    names = sorted(tensors)
    header, offset, blobs = {}, 0, []
    codes = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64', torch.float16: 'F16'}
    for name in names:
        t = tensors[name].detach().cpu().contiguous()
        blob = t.numpy().tobytes() if t.dim() else t.reshape(1).numpy().tobytes()
        header[name] = {'dtype': codes[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(',', ':'))
    text += ' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text.encode())
        for blob in blobs:
            f.write(blob)


# ---- data
class ImageTensors(torch.utils.data.Dataset):
    """uint8 images [N, C, H, W] + labels, transformed as Layerboard does (ToTensor, Normalize, flip, crop)."""

    def __init__(self, images, labels, train):
        self.images, self.labels, self.train = images, labels, train
        t = CONFIG['transforms']
        norm = t.get('normalize')
        c = images.shape[1]
        self.mean = torch.tensor(norm['mean']).view(c, 1, 1) if norm else None
        self.std = torch.tensor(norm['std']).view(c, 1, 1) if norm else None
        self.flip, self.pad = bool(t.get('horizontalFlip')), int(t.get('cropPadding') or 0)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = self.images[i].float() / 255.0
        if self.train and self.pad:
            h, w = x.shape[1:]
            padded = nn.functional.pad(x, (self.pad,) * 4)
            dy, dx = torch.randint(0, 2 * self.pad + 1, (2,)).tolist()
            x = padded[:, dy:dy + h, dx:dx + w]
        if self.train and self.flip and torch.rand(()) < 0.5:
            x = x.flip(-1)
        if self.mean is not None:
            x = (x - self.mean) / self.std
        return x, int(self.labels[i])


def load_lbds(path):
    """A Layerboard dataset file: 'LBDS', version, header length, JSON header, pixels, labels (gzipped)."""
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    if raw[:4] != b'LBDS':
        sys.exit(f'{path}: not a Layerboard dataset file')
    n = struct.unpack('<I', raw[8:12])[0]
    h = json.loads(raw[12:12 + n])
    count = h['train'] + h['test']
    if h.get('table'):
        return table_sets(raw[12 + n:], h, count)
    size = count * h['channels'] * h['height'] * h['width']
    pixels = torch.frombuffer(bytearray(raw[12 + n:12 + n + size]), dtype=torch.uint8).reshape(count, h['channels'], h['height'], h['width'])
    labels = torch.frombuffer(bytearray(raw[12 + n + size:]), dtype=torch.uint8).long()
    train_set = ImageTensors(pixels[:h['train']], labels[:h['train']], True)
    test_set = ImageTensors(pixels[h['train']:], labels[h['train']:], False)
    train_set.classes = test_set.classes = h.get('classes')
    return train_set, test_set


def table_sets(body, h, count):
    """A table (LBDS version 2): labels, then float32 features (already standardized), then regression targets."""
    if h['table']['task'] != 'classification':
        sys.exit('this script trains classifiers; a regression table needs its own loop (MSELoss on float targets)')
    labels = torch.frombuffer(bytearray(body[:count]), dtype=torch.uint8).long()
    x = torch.frombuffer(bytearray(body[count:count + 4 * count * h['channels']]), dtype=torch.float32).reshape(count, h['channels'])
    train_set = torch.utils.data.TensorDataset(x[:h['train']], labels[:h['train']])
    test_set = torch.utils.data.TensorDataset(x[h['train']:], labels[h['train']:])
    train_set.classes = test_set.classes = h.get('classes')
    return train_set, test_set


def torchvision_sets(root):
    try:
        import torchvision
        from torchvision import transforms as T
    except ImportError:
        sys.exit('this dataset needs torchvision (pip install torchvision), or pass --data FILE.lbds.gz exported from Layerboard')
    t = CONFIG['transforms']
    train_tf, test_tf = [], []
    ds = CONFIG['dataset']
    if ds['id'] == 'imagefolder':
        size = ds.get('imageSize') or 32
        train_tf += [T.Resize((size, size))]
        test_tf += [T.Resize((size, size))]
        if ds.get('channels') == 1:
            train_tf += [T.Grayscale()]
            test_tf += [T.Grayscale()]
    if t.get('cropPadding'):
        train_tf.append(T.RandomCrop(INPUT_SHAPE[-1], padding=t['cropPadding']))
    if t.get('horizontalFlip'):
        train_tf.append(T.RandomHorizontalFlip())
    tail = [T.ToTensor()] + ([T.Normalize(t['normalize']['mean'], t['normalize']['std'])] if t.get('normalize') else [])
    train_tf, test_tf = T.Compose(train_tf + tail), T.Compose(test_tf + tail)
    if ds['id'] == 'mnist':
        return (torchvision.datasets.MNIST(root, train=True, transform=train_tf, download=True),
                torchvision.datasets.MNIST(root, train=False, transform=test_tf, download=True))
    if ds['id'] == 'fashion-mnist':  # torchvision's official split; Layerboard's file has its own seeded one
        return (torchvision.datasets.FashionMNIST(root, train=True, transform=train_tf, download=True),
                torchvision.datasets.FashionMNIST(root, train=False, transform=test_tf, download=True))
    if ds['id'] == 'cifar10':
        return (torchvision.datasets.CIFAR10(root, train=True, transform=train_tf, download=True),
                torchvision.datasets.CIFAR10(root, train=False, transform=test_tf, download=True))
    full = torchvision.datasets.ImageFolder(root, transform=train_tf)
    n_test = max(1, int(len(full) * 0.2))
    return torch.utils.data.random_split(full, [len(full) - n_test, n_test], generator=torch.Generator().manual_seed(CONFIG['seed']))


def datasets(args):
    path = args.data or DEFAULT_DATA
    if path.endswith('.lbds.gz') or path.endswith('.lbds'):
        return load_lbds(path)
    return torchvision_sets(path)


# ---- training objects, with the keywords set in Layerboard
def tensor_keywords(kw):
    return {k: torch.tensor(v) if isinstance(v, list) and k in ('weight', 'pos_weight') else tuple(v) if isinstance(v, list) else v for k, v in kw.items()}


def make_loss(device):
    spec = dict(CONFIG['loss'])
    return getattr(nn, spec.pop('type'))(**tensor_keywords(spec)).to(device)


def make_optimizer(params, lr):
    spec = dict(CONFIG['optimizer'])
    if lr is not None:
        spec['lr'] = lr
    return getattr(torch.optim, spec.pop('type'))(params, **tensor_keywords(spec))


def make_scheduler(opt, epochs, steps_per_epoch):
    if not CONFIG['scheduler'] or epochs == 0:  # --epochs 0 evaluates only: no schedule to set up
        return None, False
    spec = dict(CONFIG['scheduler'])
    kind = spec.pop('type')
    if kind == 'OneCycleLR':
        spec.setdefault('total_steps', epochs * steps_per_epoch)
    return getattr(torch.optim.lr_scheduler, kind)(opt, **tensor_keywords(spec)), kind == 'OneCycleLR'


def clip_gradients(params):
    clip = CONFIG.get('gradClip')
    if not clip:
        return
    if clip['type'] == 'norm':
        torch.nn.utils.clip_grad_norm_(params, clip['max_norm'], clip.get('norm_type', 2.0))
    else:
        torch.nn.utils.clip_grad_value_(params, clip['clip_value'])


class EarlyStopping:
    """Layerboard's early stopping: stop after 'patience' epochs without an improvement larger than min_delta."""
    def __init__(self, spec):
        self.on = bool(spec)
        spec = spec or {}
        self.monitor, self.patience, self.min_delta = spec.get('monitor', 'val_loss'), spec.get('patience', 1), abs(spec.get('min_delta', 0))
        mode = spec.get('mode', 'auto')
        self.mode = ('max' if self.monitor == 'val_accuracy' else 'min') if mode == 'auto' else mode
        self.keep_best = spec.get('restore_best_weights', False)
        self.best, self.best_epoch, self.wait, self.best_state, self.last_epoch = None, 0, 0, None, 0

    def update(self, epoch, values, model):
        """True when training should stop after this epoch."""
        self.last_epoch = epoch
        value = values[self.monitor]
        if not self.on or value is None:
            return False
        better = self.best is None or (value < self.best - self.min_delta if self.mode == 'min' else value > self.best + self.min_delta)
        if better:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.keep_best:
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.wait += 1
        return self.wait >= self.patience

    def restore(self, model):
        if self.best_state is None or self.best_epoch == self.last_epoch:
            return False
        model.load_state_dict(self.best_state)
        return True


${FALLBACK_EVENT_WRITER}

${TRAIN_BOARD_LOGS}

def summary_writer(logdir, rank):
    if rank != 0:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        print(f'note: the tensorboard package is not installed; logs go to {logdir} through a built-in event writer')
        return EventFileWriter(logdir)
    return SummaryWriter(logdir)


ONE_HOT_LOSSES = ('MSELoss', 'L1Loss', 'SmoothL1Loss', 'HuberLoss', 'BCEWithLogitsLoss', 'BCELoss', 'KLDivLoss')


def targets(y, out):
    """Class indices, or one-hot rows for losses that compare with the output elementwise (as Layerboard does)."""
    if CONFIG['loss']['type'] in ONE_HOT_LOSSES:
        return nn.functional.one_hot(y, out.shape[1]).to(out.dtype)
    return y


def evaluate(model, loader, loss_fn, device):
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            out = model(x)
            loss_sum += loss_fn(out, targets(y, out)).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return loss_sum / max(total, 1), correct / max(total, 1)


def main():
    args = parse_args()
    distributed = int(os.environ.get('WORLD_SIZE', '1')) > 1
    rank = int(os.environ.get('RANK', '0'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    if distributed:
        torch.distributed.init_process_group('nccl' if device.type == 'cuda' else 'gloo')
        if device.type == 'cuda':
            device = torch.device('cuda', local_rank)
            torch.cuda.set_device(device)
    torch.manual_seed(args.seed)

    train_set, test_set = datasets(args)
    n_val = int(len(train_set) * CONFIG['valSplit'])
    train_set, val_set = torch.utils.data.random_split(train_set, [len(train_set) - n_val, n_val], generator=torch.Generator().manual_seed(args.seed))
    sampler = torch.utils.data.distributed.DistributedSampler(train_set, shuffle=CONFIG['shuffle'], seed=args.seed) if distributed else None
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=CONFIG['shuffle'] and sampler is None,
                                               sampler=sampler, drop_last=CONFIG['dropLast'])
    val_loader = torch.utils.data.DataLoader(val_set, batch_size=256) if n_val else None
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=256)

    model = MODEL_CLASS().to(device)
    if args.init:
        model.model.load_state_dict(load_safetensors(args.init))
        print(f'loaded weights from {args.init}')
    net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None) if distributed else model
    loss_fn = make_loss(device)
    opt = make_optimizer(net.parameters(), args.lr)
    sched, per_batch = make_scheduler(opt, args.epochs, len(train_loader))
    writer = summary_writer(args.logdir, rank)
    if writer is not None:
        try:
            writer.add_graph(model, torch.zeros(1, *INPUT_SHAPE, device=device))
        except Exception as e:  # tracing is best effort
            print(f'note: add_graph failed ({e})')

    early = EarlyStopping(CONFIG.get('earlyStopping'))
    step = 0
    total_steps = args.epochs * len(train_loader)
    if args.max_steps is not None:
        total_steps = min(total_steps, args.max_steps)
    every = histogram_every(total_steps)
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        started, seen, loss_sum = time.time(), 0, 0.0
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            out = net(x)
            loss = loss_fn(out, targets(y, out))
            opt.zero_grad()
            loss.backward()
            clip_gradients(net.parameters())
            opt.step()
            if sched is not None and per_batch:
                sched.step()
            if not math.isfinite(loss.item()):
                sys.exit(f'loss became {loss.item()} at step {step}: stopping')
            seen += len(y)
            loss_sum += loss.item() * len(y)
            if writer is not None:
                writer.add_scalar('loss/train', loss.item(), step)
                writer.add_scalar('lr', opt.param_groups[0]['lr'], step)
                if step == 0 and x.dim() == 4:
                    writer.add_image('images/inputs', image_grid(x[:64]), 0)
                if step % every == 0 or step == total_steps - 1:
                    log_histograms(writer, model, step)
            if rank == 0 and step % 50 == 0:
                print(f'epoch {epoch + 1} step {step} loss {loss.item():.4f}')
            step += 1
            if args.max_steps is not None and step >= args.max_steps:
                break
        val = evaluate(model, val_loader, loss_fn, device) if val_loader is not None else None
        if sched is not None and not per_batch:
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
                sched.step(val[0] if val is not None else loss_sum / max(seen, 1))  # the monitored loss, as Layerboard
            else:
                sched.step()
        if rank == 0:
            rate = seen / max(time.time() - started, 1e-9)
            line = f'epoch {epoch + 1}: {rate:.0f} images/s'
            if val is not None:
                val_loss, val_acc = val
                line += f', val loss {val_loss:.4f}, val accuracy {val_acc:.4f}'
                if writer is not None:
                    writer.add_scalar('loss/val', val_loss, epoch)
                    writer.add_scalar('accuracy/val', val_acc, epoch)
            if writer is not None:
                writer.add_scalar('throughput/images_per_sec', rate, epoch)
                log_filters(writer, model, step - 1)
            print(line)
        if args.max_steps is not None and step >= args.max_steps:
            break
        if early.update(epoch + 1, {'val_loss': val[0] if val else None, 'val_accuracy': val[1] if val else None, 'train_loss': loss_sum / max(seen, 1)}, model):
            print(f'stopped early after epoch {epoch + 1}: no improvement of {early.monitor} for {early.patience} epochs (best: epoch {early.best_epoch})')
            break
    if writer is not None and step > 0 and not ((step - 1) % every == 0 or step - 1 == total_steps - 1):
        log_histograms(writer, model, step - 1)  # a run that stopped early: its last step's weights
    if early.restore(model) and rank == 0:
        print(f'restored the weights of epoch {early.best_epoch}, the best by {early.monitor}')
    if rank == 0:
        test_loss, test_acc = evaluate(model, test_loader, loss_fn, device)
        print(f'test loss {test_loss:.4f}, test accuracy {test_acc:.4f}')
        if writer is not None:
            writer.add_scalar('accuracy/test', test_acc, args.epochs)
            writer.add_scalar('loss/test', test_loss, args.epochs)
            log_test_summaries(writer, model, test_loader, device, args.epochs)
            log_board_extras(writer, model, test_acc, test_loss)
            writer.close()
        if args.save:
            save_safetensors(model.model.state_dict(), args.save)
            print(f'saved weights to {args.save}')
    if distributed:
        torch.distributed.destroy_process_group()


if __name__ == '__main__':
    main()
`;
