#!/usr/bin/python3
"""Makes the small test models under src/test/resources/models (committed; re-run to regenerate).

Run with Debian's python3 (apt-get install python3-torch python3-onnx):
    /usr/bin/python3 scripts/make-fixtures.py [out-dir]

Models, each as ONNX (opset 13) and TorchScript, input "x" FP32 [-1, n], output "y" FP32 [-1, m]:
  linear-v1   y = 2x + 1          (n = m = 1)
  linear-v2   y = 3x + 2          (n = m = 1)
  mlp         4 -> 8 (ReLU) -> 3  fixed seed; reference outputs in mlp-reference.json
Plus refusal fixtures: external-data.onnx (an ONNX model whose weights point at a file outside it) and
external-data-subgraph.onnx (the same, hidden in an If node's then-branch); large-output.onnx (about a hundred bytes
whose output "y" FP32 [-1, 20000000] has 20 million elements per input row); and reads-a-file.pt (TorchScript whose
forward reads the first byte of /etc/passwd with torch.from_file and returns it: PyTorch loads and runs it as is).
Datatypes: small-types.onnx takes "x" UINT8 [-1, 4] and returns "plus_one" UINT8 (x + 1, wrapping at 255),
"as_int8" INT8 (x cast: 255 becomes -1) and "as_fp16" FP16 (x halved); small-types-in.onnx takes
"a" INT8 [-1, 2] and "h" FP16 [-1, 2] and returns "a_neg" INT8 (-a) and "h_double" FP16 (h * 2); small-types.pt is
the TorchScript twin of small-types.onnx (outputs in the same order, unnamed); identity-string.onnx and
identity-uint16.onnx return their input "x" [-1] as "y", in types that are not served.
Several inputs and outputs: two-inputs.onnx takes "a" and "b", both FP32 [-1, 2], and returns "sum" (a + b) and
"product" (a * b), both FP32 [-1, 2]: requests that mix binary and JSON inputs and outputs.
Faulty canary candidates, each with linear-v1's signature ("x" FP32 [-1, 1] -> "y" FP32 [-1, 1]), so a rollout's
input-compatibility guard accepts them: canary-nonfinite.onnx (y = log x: NaN for x < 0, -Infinity for 0),
canary-gather-fails.onnx (y = [0, 1, ..., 9][x]: an x outside -10..9 fails inside ONNX Runtime, as an index out of
range) and canary-slow.onnx (y = x, after 24 input-dependent 256 x 256 matrix products: tens of milliseconds).
"""
import json
import os
import sys

import onnx
import torch
from onnx import TensorProto, helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "src", "test", "resources", "models")


class Linear(torch.nn.Module):
    def __init__(self, slope, intercept):
        super().__init__()
        self.lin = torch.nn.Linear(1, 1)
        with torch.no_grad():
            self.lin.weight.fill_(slope)
            self.lin.bias.fill_(intercept)

    def forward(self, x):
        return self.lin(x)


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(7)
        self.net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))

    def forward(self, x):
        return self.net(x)


def export(module, name, features):
    module.eval()
    example = torch.zeros(2, features)
    torch.onnx.export(module, example, os.path.join(OUT, name + ".onnx"),
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13)
    torch.jit.save(torch.jit.trace(module, example), os.path.join(OUT, name + ".pt"))


def external_data_model():
    """y = x + w where w lives in 'weights.bin' beside the model: must be refused at upload."""
    w = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
    w.data_location = TensorProto.EXTERNAL
    del w.float_data[:]
    for key, value in (("location", "../../../../etc/passwd"), ("offset", "0"), ("length", "4")):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"])], "external",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(OUT, "external-data.onnx"), "wb") as f:
        f.write(model.SerializeToString())


def external_data_subgraph_model():
    """y = If(true) then x + w else x, where w is an initializer of the then-branch subgraph living in an absolute
    path outside the model: the check must look inside node attributes (AttributeProto.g), not only at the top graph."""
    w = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
    w.data_location = TensorProto.EXTERNAL
    del w.float_data[:]
    for key, value in (("location", "/etc/hostname"), ("offset", "0"), ("length", "4")):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    then_branch = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y_then"])], "then", [],
        [helper.make_tensor_value_info("y_then", TensorProto.FLOAT, [None, 1])], [w])
    else_branch = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y_else"])], "else", [],
        [helper.make_tensor_value_info("y_else", TensorProto.FLOAT, [None, 1])])
    cond = helper.make_tensor("cond_value", TensorProto.BOOL, [], [True])
    graph = helper.make_graph(
        [helper.make_node("Constant", [], ["cond"], value=cond),
         helper.make_node("If", ["cond"], ["y"], then_branch=then_branch, else_branch=else_branch)],
        "external-subgraph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(OUT, "external-data-subgraph.onnx"), "wb") as f:
        f.write(model.SerializeToString())


LARGE_OUTPUT_COLUMNS = 20_000_000


def large_output_model():
    """y = Expand(x, [1, 20000000]): each row of x [-1, 1] becomes 20 million floats (80 MB), from a file of a few
    hundred bytes. Proves that uploads and warm-ups check outputs without copying them, and that predictions refuse an
    output over turnout.serving.max-output-elements before copying it."""
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [1, LARGE_OUTPUT_COLUMNS])
    graph = helper.make_graph(
        [helper.make_node("Expand", ["x", "shape"], ["y"])], "large-output",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, LARGE_OUTPUT_COLUMNS])], [shape])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    with open(os.path.join(OUT, "large-output.onnx"), "wb") as f:
        f.write(model.SerializeToString())


def save_onnx(graph, name):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(model.SerializeToString())


def small_types_models():
    """The datatypes that images and quantised models use, in and out, through ONNX Runtime. The arithmetic runs in
    INT32 and FP32 (ONNX Runtime's CPU kernels for Add and Mul take neither UINT8 nor FP16); the casts move the
    values across the types, so every type crosses the engine's boundary both ways."""
    one = helper.make_tensor("one", TensorProto.INT32, [], [1])
    half = helper.make_tensor("half", TensorProto.FLOAT, [], [0.5])
    save_onnx(helper.make_graph(
        [helper.make_node("Cast", ["x"], ["x32"], to=TensorProto.INT32),
         helper.make_node("Add", ["x32", "one"], ["sum"]),
         helper.make_node("Cast", ["sum"], ["plus_one"], to=TensorProto.UINT8),
         helper.make_node("Cast", ["x"], ["as_int8"], to=TensorProto.INT8),
         helper.make_node("Cast", ["x"], ["xf"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["xf", "half"], ["halved"]),
         helper.make_node("Cast", ["halved"], ["as_fp16"], to=TensorProto.FLOAT16)], "small-types",
        [helper.make_tensor_value_info("x", TensorProto.UINT8, [None, 4])],
        [helper.make_tensor_value_info("plus_one", TensorProto.UINT8, [None, 4]),
         helper.make_tensor_value_info("as_int8", TensorProto.INT8, [None, 4]),
         helper.make_tensor_value_info("as_fp16", TensorProto.FLOAT16, [None, 4])], [one, half]), "small-types.onnx")
    two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
    save_onnx(helper.make_graph(
        [helper.make_node("Neg", ["a"], ["a_neg"]),
         helper.make_node("Cast", ["h"], ["hf"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["hf", "two"], ["doubled"]),
         helper.make_node("Cast", ["doubled"], ["h_double"], to=TensorProto.FLOAT16)], "small-types-in",
        [helper.make_tensor_value_info("a", TensorProto.INT8, [None, 2]),
         helper.make_tensor_value_info("h", TensorProto.FLOAT16, [None, 2])],
        [helper.make_tensor_value_info("a_neg", TensorProto.INT8, [None, 2]),
         helper.make_tensor_value_info("h_double", TensorProto.FLOAT16, [None, 2])], [two]), "small-types-in.onnx")
    for name, elem in (("string", TensorProto.STRING), ("uint16", TensorProto.UINT16)):
        save_onnx(helper.make_graph(
            [helper.make_node("Identity", ["x"], ["y"])], "identity-" + name,
            [helper.make_tensor_value_info("x", elem, [None])],
            [helper.make_tensor_value_info("y", elem, [None])]), "identity-" + name + ".onnx")


def two_inputs_model():
    save_onnx(helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["sum"]),
         helper.make_node("Mul", ["a", "b"], ["product"])], "two-inputs",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, 2]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("sum", TensorProto.FLOAT, [None, 2]),
         helper.make_tensor_value_info("product", TensorProto.FLOAT, [None, 2])]), "two-inputs.onnx")


def canary_models():
    one_col = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])]
    out = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])]
    save_onnx(helper.make_graph([helper.make_node("Log", ["x"], ["y"])], "canary-nonfinite", one_col, out),
              "canary-nonfinite.onnx")
    table = helper.make_tensor("table", TensorProto.FLOAT, [10], [float(i) for i in range(10)])
    save_onnx(helper.make_graph(
        [helper.make_node("Cast", ["x"], ["index"], to=TensorProto.INT64),
         helper.make_node("Gather", ["table", "index"], ["y"], axis=0)], "canary-gather-fails", one_col, out,
        [table]), "canary-gather-fails.onnx")
    size = 256
    identity = helper.make_tensor("w", TensorProto.FLOAT, [size, size],
                                  [1.0 if i == j else 0.0 for i in range(size) for j in range(size)])
    zero = helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])
    nodes = [helper.make_node("ReduceSum", ["x"], ["total"], keepdims=0),
             helper.make_node("Mul", ["w", "total"], ["h0"])]  # depends on the input: nothing to fold at load time
    for i in range(24):
        nodes.append(helper.make_node("MatMul", ["h%d" % i, "w"], ["h%d" % (i + 1)]))
    nodes += [helper.make_node("ReduceMean", ["h24"], ["mean"], keepdims=0),
              helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
              helper.make_node("Add", ["x", "nothing"], ["y"])]
    save_onnx(helper.make_graph(nodes, "canary-slow", one_col, out, [identity, zero]), "canary-slow.onnx")


class SmallTypes(torch.nn.Module):
    """small-types.onnx as TorchScript: x + 1 wraps at 255 in PyTorch too."""

    def forward(self, x):
        return x + 1, x.to(torch.int8), (x.to(torch.float32) * 0.5).to(torch.float16)


class ReadsAFile(torch.nn.Module):
    """y = the first byte of /etc/passwd, for every row of x: TorchScript is code, and this code reads a server file."""

    def forward(self, x):
        leaked = torch.from_file("/etc/passwd", False, 1, dtype=torch.uint8)
        return x * 0.0 + leaked[0].to(torch.float32)


def main():
    os.makedirs(OUT, exist_ok=True)
    export(Linear(2.0, 1.0), "linear-v1", 1)
    export(Linear(3.0, 2.0), "linear-v2", 1)
    mlp = Mlp()
    export(mlp, "mlp", 4)
    inputs = [[0.0, 0.0, 0.0, 0.0], [1.0, -2.0, 3.0, 0.5], [-1.5, 2.5, 0.25, -3.0]]
    with torch.no_grad():
        outputs = mlp(torch.tensor(inputs)).tolist()
    with open(os.path.join(OUT, "mlp-reference.json"), "w") as f:
        json.dump({"inputs": inputs, "outputs": outputs}, f, indent=2)
        f.write("\n")
    external_data_model()
    external_data_subgraph_model()
    large_output_model()
    small_types_models()
    two_inputs_model()
    canary_models()
    torch.jit.save(torch.jit.script(SmallTypes()), os.path.join(OUT, "small-types.pt"))
    torch.jit.save(torch.jit.script(ReadsAFile()), os.path.join(OUT, "reads-a-file.pt"))


if __name__ == "__main__":
    main()
