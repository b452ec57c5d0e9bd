#!/usr/bin/python3
"""Writes an MLP classifier of a size met in tabular serving, for the evaluation benchmark (bench/evaluation.sh).

    /usr/bin/python3 bench/make_mlp_onnx.py OUT.onnx [HIDDEN=256]

The model has classifier-strong.onnx's signature, so the same CSV and the same evaluation request fit it: input "x"
FP32 [batch, 4], output "probabilities" FP32 [batch, 3]; x -> Gemm 4xH -> Relu -> Gemm HxH -> Relu -> Gemm Hx3 ->
Softmax (opset 13). With H = 256 that is ~67,000 multiply-adds a row (~0.27 MB of weights), against ~110 for
classifier-strong: the model's cost per row is then larger than the server's own work per row, as for a model of
the size tabular serving meets. The two hidden layers are random (He initialisation, fixed seed); the output layer is
fitted (softmax regression, full-batch gradient descent) on 10,000 rows drawn from the bench's three blobs, so the
evaluation's figures mean something (accuracy ~0.84 on the bench's CSV; classifier-strong: 0.83). numpy only:
python3-onnx is not needed, the file is written in protobuf wire format directly (field numbers from onnx.proto),
as bench/make_large_onnx.py writes its weights. Deterministic for a given numpy and BLAS; evaluation.sh prints the
file's sha256.
"""
import sys

import numpy as np


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


def tag(number, wire_type):
    return varint((number << 3) | wire_type)


def int_field(number, value):
    return tag(number, 0) + varint(value)


def bytes_field(number, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return tag(number, 2) + varint(len(payload)) + payload


FLOAT = 1  # TensorProto.DataType.FLOAT


def tensor(name, array):
    """TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian)."""
    array = np.ascontiguousarray(array, dtype="<f4")
    return (b"".join(int_field(1, d) for d in array.shape) + int_field(2, FLOAT) + bytes_field(8, name)
            + bytes_field(9, array.tobytes()))


def value_info(name, dims):
    """ValueInfoProto name (1), type (2) = TypeProto.tensor_type (1) {elem_type (1), shape (2) {dim (1)}}; a str
    dimension is a dim_param (2), an int a dim_value (1)."""
    shape = b"".join(bytes_field(1, bytes_field(2, d) if isinstance(d, str) else int_field(1, d)) for d in dims)
    return bytes_field(1, name) + bytes_field(2, bytes_field(1, int_field(1, FLOAT) + bytes_field(2, shape)))


def node(op, inputs, outputs, name):
    """NodeProto: input (1), output (2), name (3), op_type (4); every op here runs on its defaults (Gemm alpha = beta
    = 1, no transposes; Softmax axis -1)."""
    return (b"".join(bytes_field(1, i) for i in inputs) + b"".join(bytes_field(2, o) for o in outputs)
            + bytes_field(3, name) + bytes_field(4, op))


def model_bytes(layers):
    nodes, initializers, current = [], [], "x"
    for index, (weights, bias) in enumerate(layers):
        w, b, out = f"w{index}", f"b{index}", f"h{index}"
        initializers += [tensor(w, weights), tensor(b, bias)]
        nodes.append(node("Gemm", [current, w, b], [out], f"gemm{index}"))
        current = out
        if index < len(layers) - 1:
            nodes.append(node("Relu", [current], [out + "_relu"], f"relu{index}"))
            current = out + "_relu"
    nodes.append(node("Softmax", [current], ["probabilities"], "softmax"))
    graph = (b"".join(bytes_field(1, n) for n in nodes) + bytes_field(2, "bench_mlp")
             + b"".join(bytes_field(5, t) for t in initializers)
             + bytes_field(11, value_info("x", ["batch", 4])) + bytes_field(12, value_info("probabilities", ["batch", 3])))
    # ModelProto: ir_version (1) first (Turnout recognises ONNX by its first byte, 0x08), producer_name (2),
    # graph (7), opset_import (8) {domain (1) "", version (2)}.
    return int_field(1, 8) + bytes_field(2, "turnout-bench") + bytes_field(7, graph) + bytes_field(8, int_field(2, 13))


def blobs(rng, n):
    """The rows bench/evaluation.sh writes (the same centres and spread, another seed)."""
    centers = np.array([[0.0, 0.0, 0.0, 0.0], [1.5, 1.0, -1.0, 0.5], [-1.0, 1.5, 1.0, -1.0]])
    labels = rng.integers(0, 3, n)
    return np.round(centers[labels] + rng.normal(0.0, 0.9, (n, 4)), 4).astype(np.float32), labels


def build(hidden):
    rng = np.random.default_rng(20261206)
    w0 = (rng.normal(0.0, np.sqrt(2.0 / 4), (4, hidden))).astype(np.float32)
    b0 = np.zeros(hidden, np.float32)
    w1 = (rng.normal(0.0, np.sqrt(2.0 / hidden), (hidden, hidden))).astype(np.float32)
    b1 = np.zeros(hidden, np.float32)
    x, labels = blobs(rng, 10000)
    h = np.maximum(np.maximum(x @ w0 + b0, 0) @ w1 + b1, 0).astype(np.float64)
    mean, scale = h.mean(axis=0), h.std(axis=0) + 1e-6
    z = (h - mean) / scale  # standardised features: gradient descent converges in a few hundred steps
    onehot = np.eye(3)[labels]
    w2, b2 = np.zeros((hidden, 3)), np.zeros(3)
    for _ in range(300):
        logits = z @ w2 + b2
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - onehot) / len(z)
        w2 -= 0.5 * (z.T @ grad)
        b2 -= 0.5 * grad.sum(axis=0)
    # Fold the standardisation into the last Gemm: (h - mean) / scale @ w2 + b2 = h @ (w2 / scale) + (b2 - ...).
    w2_folded = (w2 / scale[:, None]).astype(np.float32)
    b2_folded = (b2 - (mean / scale) @ w2).astype(np.float32)
    accuracy = float(np.mean(np.argmax(h @ w2_folded + b2_folded, axis=1) == labels))
    return model_bytes([(w0, b0), (w1, b1), (w2_folded, b2_folded)]), accuracy


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    hidden = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    data, accuracy = build(hidden)
    with open(sys.argv[1], "wb") as out:
        out.write(data)
    macs = 4 * hidden + hidden * hidden + hidden * 3
    print(f"wrote {sys.argv[1]}: MLP 4 -> {hidden} -> {hidden} -> 3, {len(data)} bytes, {macs} multiply-adds a row, "
          f"training accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
