"""Every kind of record PyTorch's SummaryWriter logs, written and read with Google's
protobuf library over TensorBoard's protos (an implementation independent of ours).
Usage:
  tfevents_roundtrip.py PROTO_OUT write DIR   -> DIR/run1/events.out.tfevents.*: scalars (float and double),
                                                 histogram, image (PNG), text, PR curve, hparams, graph_def, audio
  tfevents_roundtrip.py PROTO_OUT dump FILE   -> one JSON line per record: kind, tag, step, wall time and payload
"""
import hashlib
import json
import os
import struct
import sys
import zlib

sys.path.insert(0, sys.argv[1])
from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, graph_pb2, node_def_pb2, attr_value_pb2  # noqa: E402
from tensorboard.compat.proto import histogram_pb2  # noqa: E402
import hparams_plugin_pb2 as hp  # noqa: E402
from tfevents_oracle import frame  # noqa: E402

DT_FLOAT, DT_DOUBLE, DT_STRING = 1, 2, 7


def png(width, height, seed):
    rows = b''.join(b'\x00' + bytes(((x * 37 + y * 11 + seed) % 256) for x in range(width)) for y in range(height))
    chunk = lambda kind, data: struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')


def plugin(name, content=b''):
    return summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=name, content=content))


def shape(*dims):
    return tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims])


def write(logdir):
    run = os.path.join(logdir, 'run1')
    os.makedirs(run, exist_ok=True)
    t0 = 1700000000.0
    events = [event_pb2.Event(wall_time=t0, file_version='brain.Event:2')]
    ev = lambda step, wall, *values: event_pb2.Event(wall_time=wall, step=step, summary=summary_pb2.Summary(value=list(values)))
    V = summary_pb2.Summary.Value
    for step in range(3):
        wall = t0 + 1 + step
        events.append(ev(step, wall, V(tag='loss/train', simple_value=2.0 / (step + 1))))
        # add_scalar(..., new_style=True, double_precision=True): a rank-0 DT_DOUBLE tensor
        events.append(ev(step, wall, V(tag='lr', metadata=plugin('scalars'), tensor=tensor_pb2.TensorProto(dtype=DT_DOUBLE, tensor_shape=shape(), double_val=[0.1 / 3 ** step]))))
        limits = [-1.0, -0.1, 0.0, 0.1, 1.0 + step, 1.7976931348623157e308]
        counts = [0.0, 3.0 + step, 5.0, 2.0, 1.0, 0.0]
        h = histogram_pb2.HistogramProto(min=-0.5, max=1.0 + step, num=sum(counts), sum=1.25 + step, sum_squares=3.5, bucket_limit=limits, bucket=counts)
        events.append(ev(step, wall, V(tag='weights/fc1', histo=h)))
        img = summary_pb2.Summary.Image(height=3, width=4, colorspace=1, encoded_image_string=png(4, 3, step))
        events.append(ev(step, wall, V(tag='inputs', image=img)))
    text = tensor_pb2.TensorProto(dtype=DT_STRING, tensor_shape=shape(1), string_val=['**Model** `Linear(4, 2)` <b>x</b>'.encode()])
    events.append(ev(0, t0 + 5, V(tag='config/text_summary', metadata=plugin('text'), tensor=text)))
    n = 5
    pr = [10, 8, 5, 2, 0, 20, 10, 4, 1, 0, 0, 10, 16, 19, 20, 0, 2, 5, 8, 10, 0.333, 0.444, 0.555, 0.666, 1.0, 1.0, 0.8, 0.5, 0.2, 0.0]
    pr_content = b'\x10' + bytes([n])  # PrCurvePluginData { version: 0, num_thresholds: 5 }
    events.append(ev(2, t0 + 6, V(tag='pr/class_3', metadata=plugin('pr_curves', pr_content), tensor=tensor_pb2.TensorProto(dtype=DT_FLOAT, tensor_shape=shape(6, n), float_val=pr))))
    audio = summary_pb2.Summary.Audio(sample_rate=8000.0, num_channels=1, length_frames=4, encoded_audio_string=b'RIFF....', content_type='audio/wav')
    events.append(ev(1, t0 + 7, V(tag='sound', audio=audio)))
    # add_hparams: experiment, session start, session end
    ssi = hp.SessionStartInfo()
    ssi.hparams['lr'].number_value = 0.1
    ssi.hparams['optimizer'].string_value = 'SGD'
    ssi.hparams['nesterov'].bool_value = True
    exp = hp.Experiment(hparam_infos=[hp.HParamInfo(name='lr', type=3), hp.HParamInfo(name='optimizer', type=1), hp.HParamInfo(name='nesterov', type=2)],
                        metric_infos=[hp.MetricInfo(name=hp.MetricName(tag='loss/train'))])
    for tag, data in (('_hparams_/experiment', hp.HParamsPluginData(experiment=exp, version=0)),
                      ('_hparams_/session_start_info', hp.HParamsPluginData(session_start_info=ssi, version=0)),
                      ('_hparams_/session_end_info', hp.HParamsPluginData(session_end_info=hp.SessionEndInfo(status=1), version=0))):
        events.append(ev(0, t0 + 8, V(tag=tag, metadata=plugin('hparams', data.SerializeToString()))))
    node = node_def_pb2.NodeDef(name='Net/Linear[fc1]/input.3', op='aten::linear', input=['input/x'],
                                attr={'_output_shapes': attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=[shape(8, 2)]))})
    io = node_def_pb2.NodeDef(name='input/x', op='IO Node', attr={'_output_shapes': attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=[shape(8, 4)]))})
    events.append(event_pb2.Event(wall_time=t0 + 0.5, graph_def=graph_pb2.GraphDef(node=[io, node]).SerializeToString()))
    with open(os.path.join(run, 'events.out.tfevents.1700000000.host'), 'wb') as f:
        for e in events:
            f.write(frame(e.SerializeToString()))


def read_records(path):
    raw = open(path, 'rb').read()
    pos = 0
    while pos < len(raw):
        (n,) = struct.unpack('<Q', raw[pos:pos + 8])
        yield event_pb2.Event.FromString(raw[pos + 12:pos + 12 + n])
        pos += 16 + n


def dump(path):
    for e in read_records(path):
        if e.HasField('graph_def') or e.graph_def:
            g = graph_pb2.GraphDef.FromString(e.graph_def)
            print(json.dumps({'kind': 'graph_def', 'nodes': [n.name for n in g.node], 'sha': hashlib.sha256(e.graph_def).hexdigest()}))
        for v in e.summary.value:
            rec = {'tag': v.tag, 'step': e.step, 'wall_time': e.wall_time, 'plugin': v.metadata.plugin_data.plugin_name}
            which = v.WhichOneof('value')
            if which == 'simple_value':
                rec.update(kind='scalar', dtype='float', value=v.simple_value)
            elif which == 'tensor' and rec['plugin'] == 'scalars':
                t = v.tensor
                rec.update(kind='scalar', dtype={DT_FLOAT: 'float', DT_DOUBLE: 'double'}[t.dtype], value=(list(t.double_val) or list(t.float_val))[0])
            elif which == 'histo':
                h = v.histo
                rec.update(kind='histogram', min=h.min, max=h.max, num=h.num, sum=h.sum, sum_squares=h.sum_squares, limits=list(h.bucket_limit), counts=list(h.bucket))
            elif which == 'image':
                rec.update(kind='image', size=[v.image.width, v.image.height, v.image.colorspace], png_sha=hashlib.sha256(v.image.encoded_image_string).hexdigest())
            elif rec['plugin'] == 'text':
                rec.update(kind='text', text=[s.decode() for s in v.tensor.string_val])
            elif rec['plugin'] == 'pr_curves':
                rec.update(kind='pr_curve', shape=[d.size for d in v.tensor.tensor_shape.dim], data=list(v.tensor.float_val), content=v.metadata.plugin_data.content.hex())
            elif rec['plugin'] == 'hparams':
                data = hp.HParamsPluginData.FromString(v.metadata.plugin_data.content)
                part = data.WhichOneof('data')
                detail = {'experiment': lambda: {'hparams': [i.name for i in data.experiment.hparam_infos], 'metrics': [m.name.tag for m in data.experiment.metric_infos]},
                          'session_start_info': lambda: {k: [x.WhichOneof('kind'), getattr(x, x.WhichOneof('kind'))] for k, x in sorted(data.session_start_info.hparams.items())},
                          'session_end_info': lambda: {'status': data.session_end_info.status}}[part]()
                rec.update(kind='hparams', part=part, detail=detail)
            else:
                rec.update(kind=which or 'other', bytes=v.SerializeToString(deterministic=True).hex())
            print(json.dumps(rec, sort_keys=True))


if __name__ == '__main__':
    {'write': write, 'dump': dump}[sys.argv[2]](sys.argv[3])
