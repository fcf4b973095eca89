"""TensorBoard's own protos (compiled with protoc) as an independent oracle for our
event files. Usage:
  tfevents_oracle.py PROTO_OUT read FILE        -> JSON lines of the scalars in FILE
  tfevents_oracle.py PROTO_OUT write FILE       -> writes an event file the way PyTorch's SummaryWriter does
"""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])
from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, graph_pb2, node_def_pb2, attr_value_pb2  # noqa: E402


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _crc32c_table()


def masked_crc(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data):
    length = struct.pack('<Q', len(data))
    return length + struct.pack('<I', masked_crc(length)) + data + struct.pack('<I', masked_crc(data))


def read(path):
    raw = open(path, 'rb').read()
    pos = 0
    while pos < len(raw):
        (n,) = struct.unpack('<Q', raw[pos:pos + 8])
        assert struct.unpack('<I', raw[pos + 8:pos + 12])[0] == masked_crc(raw[pos:pos + 8]), 'length crc'
        data = raw[pos + 12:pos + 12 + n]
        assert struct.unpack('<I', raw[pos + 12 + n:pos + 16 + n])[0] == masked_crc(data), 'data crc'
        pos += 16 + n
        e = event_pb2.Event.FromString(data)
        if e.HasField('file_version'):
            print(json.dumps({'file_version': e.file_version, 'wall_time': e.wall_time}))
        for v in e.summary.value:
            print(json.dumps({'tag': v.tag, 'step': e.step, 'wall_time': e.wall_time, 'value': v.simple_value}))


def write(path):
    events = [event_pb2.Event(wall_time=1700000000.0, file_version='brain.Event:2')]
    # old style: simple_value
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag='loss/train', simple_value=0.75)])
    events.append(event_pb2.Event(wall_time=1700000001.5, step=3, summary=s))
    # new style: rank-0 DT_FLOAT tensor with the scalars plugin
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name='scalars'))
    t = tensor_pb2.TensorProto(dtype=1, tensor_shape=tensor_shape_pb2.TensorShapeProto(), float_val=[0.5])
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag='accuracy/val', metadata=meta, tensor=t)])
    events.append(event_pb2.Event(wall_time=1700000002.25, step=4, summary=s))
    # a graph_def as add_graph writes it
    shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in (64, 1024)])
    node = node_def_pb2.NodeDef(name='BS/Sequential[model]/Flatten[6]/input.13', op='aten::flatten', input=['BS/Sequential[model]/MaxPool2d[5]/input.11'],
                                attr={'_output_shapes': attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=[shape]))})
    events.append(event_pb2.Event(wall_time=1700000003.0, graph_def=graph_pb2.GraphDef(node=[node]).SerializeToString()))
    with open(path, 'wb') as f:
        for e in events:
            f.write(frame(e.SerializeToString()))


if __name__ == '__main__':
    {'read': read, 'write': write}[sys.argv[2]](sys.argv[3])
