#!/usr/bin/python3
"""A faulty candidate for bench/progressive-delivery.sh: y = 3x + 2 (linear-v2) for x < 2.5, NaN from x = 2.5 up.

The NaN comes from 0 * log(2.5 - x): ONNX Runtime's Log of a negative number is NaN, and 0 * NaN stays NaN, while for
x < 2.5 the term is 0. Written with the onnx helpers (no torch), so it is small and generated per run.

    /usr/bin/python3 bench/make_faulty_linear.py OUT.onnx
"""
import sys

import onnx
from onnx import TensorProto, helper


def main(out):
    def const(name, value):
        return helper.make_tensor(name, TensorProto.FLOAT, [], [value])

    nodes = [
        helper.make_node("Mul", ["x", "three"], ["x3"]),
        helper.make_node("Add", ["x3", "two"], ["line"]),
        helper.make_node("Sub", ["edge", "x"], ["room"]),
        helper.make_node("Log", ["room"], ["log"]),
        helper.make_node("Mul", ["log", "zero"], ["poison"]),
        helper.make_node("Add", ["line", "poison"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "linear-nan",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 1])],
        initializer=[const("three", 3.0), const("two", 2.0), const("edge", 2.5), const("zero", 0.0)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main(sys.argv[1])
