// The exported train.py's own TensorBoard writer, for when the tensorboard package is not
// installed (Debian's PyTorch has none): standard library only — TFRecord framing with
// CRC-32C (zlib's crc32 is another polynomial) and the few protobuf fields event files
// need — so a run's logs always reach the Board or `tensorboard --logdir`. It writes what
// train.py logs: scalars, histograms (TensorFlow's bucket edges), images (PNG through
// zlib), text, PR curves and hparams, as PyTorch's SummaryWriter does.
export const FALLBACK_EVENT_WRITER = String.raw`
# ---- TensorBoard event files with the standard library (used when tensorboard is missing)
def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def _masked_crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _pb_bytes(field, data):
    data = data.encode() if isinstance(data, str) else data
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def _pb_int(field, n):
    return _varint(field << 3) + _varint(int(n))


def _pb_double(field, x):
    return _varint(field << 3 | 1) + struct.pack('<d', float(x))


def _pb_doubles(field, xs):
    return _pb_bytes(field, struct.pack('<%dd' % len(xs), *xs))


def _plugin(name, content=b''):
    return _pb_bytes(9, _pb_bytes(1, _pb_bytes(1, name) + (_pb_bytes(2, content) if content else b'')))


def _tf_bucket_limits():
    v, pos = 1e-12, []
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return torch.tensor([-x for x in reversed(pos)] + [0.0] + pos + [sys.float_info.max], dtype=torch.float64)


class EventFileWriter:
    """What train.py uses of torch.utils.tensorboard.SummaryWriter, in the same encoding."""

    def __init__(self, logdir):
        import os, socket, time
        os.makedirs(logdir, exist_ok=True)
        self._file = open(os.path.join(logdir, 'events.out.tfevents.%d.%s' % (int(time.time()), socket.gethostname())), 'ab')
        self._event(_pb_double(1, time.time()) + _pb_bytes(3, 'brain.Event:2'))

    def _event(self, event):
        header = struct.pack('<Q', len(event))
        self._file.write(header + struct.pack('<I', _masked_crc32c(header)) + event + struct.pack('<I', _masked_crc32c(event)))
        self._file.flush()

    def _summary(self, step, value):
        import time
        self._event(_pb_double(1, time.time()) + _pb_int(2, step) + _pb_bytes(5, _pb_bytes(1, value)))

    def add_scalar(self, tag, value, step):
        self._summary(step, _pb_bytes(1, tag) + _varint(2 << 3 | 5) + struct.pack('<f', float(value)))

    def add_histogram(self, tag, values, step):
        # bins='tensorflow': edges ±1e-12·1.1^k and 0, each bucket (left, right]; runs of empty buckets merged
        v = values.detach().flatten().double().cpu()
        v = v[torch.isfinite(v)]
        if v.numel() == 0:
            return
        limits = _tf_bucket_limits()
        counts = torch.bincount(torch.bucketize(v, limits), minlength=len(limits)).tolist()
        used = [i for i, c in enumerate(counts) if c]
        lo, hi = max(0, used[0] - 1), used[-1]
        edges, kept = [], []
        for i in range(lo, hi + 1):
            if counts[i] == 0 and i < hi and counts[i + 1] == 0:
                continue
            edges.append(limits[i].item())
            kept.append(float(counts[i]))
        histo = (_pb_double(1, v.min().item()) + _pb_double(2, v.max().item()) + _pb_double(3, v.numel()) + _pb_double(4, v.sum().item())
                 + _pb_double(5, (v * v).sum().item()) + _pb_doubles(6, edges) + _pb_doubles(7, kept))
        self._summary(step, _pb_bytes(1, tag) + _pb_bytes(5, histo))

    def add_image(self, tag, img, step):
        """img: [C, H, W] floats in 0..1 (C 1 or 3), as SummaryWriter.add_image takes it; written as PNG."""
        c, h, w = img.shape
        pixels = (img.detach().float().cpu() * 255).clamp(0, 255).to(torch.uint8).permute(1, 2, 0).contiguous()
        rows = pixels.numpy().tobytes()
        stride = w * c
        raw = b''.join(b'\x00' + rows[y * stride:(y + 1) * stride] for y in range(h))
        def chunk(kind, body):
            return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xFFFFFFFF)
        png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0 if c == 1 else 2, 0, 0, 0))
               + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
        image = _pb_int(1, h) + _pb_int(2, w) + _pb_int(3, c) + _pb_bytes(4, png)
        self._summary(step, _pb_bytes(1, tag) + _pb_bytes(4, image))

    def add_pr_curve(self, tag, labels, predictions, step, num_thresholds=127):
        # PyTorch's compute_curve: counts at or above each threshold i/(n-1); a [6, n] DT_FLOAT tensor
        labels, predictions = labels.detach().double().cpu().flatten(), predictions.detach().double().cpu().flatten()
        idx = (predictions * (num_thresholds - 1)).floor().long().clamp(0, num_thresholds - 1)
        tp = torch.bincount(idx, weights=labels, minlength=num_thresholds).flip(0).cumsum(0).flip(0)
        fp = torch.bincount(idx, weights=1 - labels, minlength=num_thresholds).flip(0).cumsum(0).flip(0)
        tn, fn = fp[0] - fp, tp[0] - tp
        precision, recall = tp / (tp + fp).clamp(min=1e-7), tp / (tp + fn).clamp(min=1e-7)
        data = torch.cat([tp, fp, tn, fn, precision, recall]).tolist()
        shape = _pb_bytes(2, _pb_int(1, 6)) + _pb_bytes(2, _pb_int(1, num_thresholds))
        tensor = _pb_int(1, 1) + _pb_bytes(2, shape) + _pb_bytes(5, struct.pack('<%df' % len(data), *data))
        content = _pb_int(1, 0) + _pb_int(2, num_thresholds)
        self._summary(step, _pb_bytes(1, tag) + _plugin('pr_curves', content) + _pb_bytes(8, tensor))

    def add_text(self, tag, text, step=0):
        tensor = _pb_int(1, 7) + _pb_bytes(2, _pb_bytes(2, _pb_int(1, 1))) + _pb_bytes(8, text)
        self._summary(step, _pb_bytes(1, tag + '/text_summary') + _plugin('text') + _pb_bytes(8, tensor))

    def add_hparams(self, hparam_dict, metric_dict):
        def value(v):
            if isinstance(v, bool):
                return _pb_int(4, v)
            if isinstance(v, (int, float)):
                return _pb_double(2, v)
            return _pb_bytes(3, str(v))
        kinds = {bool: 2, str: 1}
        exp = b''.join(_pb_bytes(4, _pb_bytes(1, k) + _pb_int(4, kinds.get(type(v), 3))) for k, v in hparam_dict.items())
        exp += b''.join(_pb_bytes(5, _pb_bytes(1, _pb_bytes(2, k))) for k in metric_dict)
        start = b''.join(_pb_bytes(1, _pb_bytes(1, k) + _pb_bytes(2, value(v))) for k, v in hparam_dict.items())
        for tag, data in (('_hparams_/experiment', _pb_bytes(2, exp)), ('_hparams_/session_start_info', _pb_bytes(3, start)),
                          ('_hparams_/session_end_info', _pb_bytes(4, _pb_int(1, 1)))):
            self._summary(0, _pb_bytes(1, tag) + _plugin('hparams', _pb_int(1, 0) + data))
        for k, v in metric_dict.items():
            self.add_scalar(k, v, 0)

    def add_graph(self, model, example):
        print('note: add_graph needs the tensorboard package; this run is logged without its graph')

    def close(self):
        self._file.close()
`;
