#!/usr/bin/python3
"""Writes a large but valid ONNX model, for the large-upload benchmark (bench/upload-large.sh).

Run with Debian's python3 (apt-get install python3-onnx python3-numpy):
    /usr/bin/python3 bench/make_large_onnx.py OUT.onnx [SIZE_MIB] [--check]

The model: input "x" FP32 [-1, 1], output "y" FP32 [-1, 1], y = x + w[0:1], where "w" is one FP32 initializer
of about SIZE_MIB MiB (default 1100) filled with pseudo-random values. Only one element of w is used, so ONNX
Runtime loads and runs it cheaply; the file is still a genuine >= 1 GiB model it has to parse.

The weights are never held in memory whole: the small part of the model (graph, nodes, inputs, outputs, the
initializer's name/type/dims) is serialized by onnx, and the initializer's raw_data field is written around it
in protobuf wire format, streamed in 64 MiB chunks. The result is an ordinary single-file ONNX model (no external
data) and stays below protobuf's 2 GiB limit. --check re-reads it with onnx and runs onnx.checker (needs about
three times SIZE_MIB of memory).
"""
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper

MIB = 1 << 20
CHUNK_ELEMENTS = 16 * MIB  # 64 MiB of FP32 per write
PROTOBUF_LIMIT = 2 * 1024 * MIB - 1


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload_length):
    """Tag and length of a length-delimited (wire type 2) protobuf field."""
    return varint((number << 3) | 2) + varint(payload_length)


# Field numbers from onnx.proto
MODEL_GRAPH = 7
GRAPH_INITIALIZER = 5
TENSOR_RAW_DATA = 9


def build(path, size_mib):
    # The small part: y = x + Slice(w, [0], [1]) (shape [1], broadcast over x [-1, 1]).
    constants = [
        helper.make_tensor("starts", TensorProto.INT64, [1], [0]),
        helper.make_tensor("ends", TensorProto.INT64, [1], [1]),
    ]
    nodes = [
        helper.make_node("Slice", ["w", "starts", "ends"], ["w0"], name="first_weight"),
        helper.make_node("Add", ["x", "w0"], ["y"], name="add"),
    ]
    graph = helper.make_graph(
        nodes, "large_upload_bench",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 1])],
        constants)
    model = helper.make_model(graph, producer_name="turnout-bench",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8

    graph_bytes = model.graph.SerializeToString()
    model.ClearField("graph")
    model_bytes = model.SerializeToString()  # ir_version (field 1) first: Turnout recognises ONNX by byte 0x08

    # Size the weights so the whole file comes to at least size_mib MiB (and at most a few bytes more).
    def layout(elements):
        weights = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[elements]).SerializeToString()
        raw_length = elements * 4
        tensor_length = len(weights) + len(field(TENSOR_RAW_DATA, raw_length)) + raw_length
        initializer = field(GRAPH_INITIALIZER, tensor_length)
        graph_length = len(graph_bytes) + len(initializer) + tensor_length
        total = len(model_bytes) + len(field(MODEL_GRAPH, graph_length)) + graph_length
        return weights, raw_length, initializer, graph_length, total

    target = size_mib * MIB
    elements = max(1, (target - len(model_bytes) - len(graph_bytes)) // 4 - 16)
    while layout(elements)[4] < target:
        elements += 1
    weights, raw_length, initializer, graph_length, total = layout(elements)
    if total > PROTOBUF_LIMIT:
        sys.exit(f"{total} bytes would exceed protobuf's 2 GiB limit; ask for less than 2047 MiB")

    rng = np.random.default_rng(20240601)
    with open(path, "wb") as out:
        out.write(model_bytes)
        out.write(field(MODEL_GRAPH, graph_length))
        out.write(graph_bytes)
        out.write(initializer)
        out.write(weights)
        out.write(field(TENSOR_RAW_DATA, raw_length))
        left = elements
        while left:
            n = min(left, CHUNK_ELEMENTS)
            out.write(rng.random(n, dtype=np.float32).astype("<f4", copy=False).tobytes())
            left -= n
    actual = os.path.getsize(path)
    if actual != total:
        sys.exit(f"wrote {actual} bytes, expected {total}")
    return total, elements


def check(path):
    model = onnx.load(path, load_external_data=False)
    onnx.checker.check_model(model)
    [w] = [t for t in model.graph.initializer if t.name == "w"]
    print(f"check: onnx.checker accepts it; w has {w.dims[0]} FP32 elements "
          f"({len(w.raw_data)} bytes), first = {np.frombuffer(w.raw_data[:4], '<f4')[0]!r}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args or len(args) > 2 or any(a not in ("--check",) for a in sys.argv[1:] if a.startswith("--")):
        sys.exit(__doc__)
    path = args[0]
    size_mib = int(args[1]) if len(args) > 1 else 1100
    started = time.monotonic()
    total, elements = build(path, size_mib)
    print(f"wrote {path}: {total} bytes ({total / MIB:.1f} MiB), initializer w = {elements} FP32 elements, "
          f"{time.monotonic() - started:.1f} s")
    if "--check" in sys.argv[1:]:
        check(path)


if __name__ == "__main__":
    main()
