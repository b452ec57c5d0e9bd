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
Evaluation (src/test/resources/evaluation, made by evaluation_fixtures(); run it alone with
`/usr/bin/python3 -c 'import importlib.util as u; s=u.spec_from_file_location("f","scripts/make-fixtures.py");
m=u.module_from_spec(s); s.loader.exec_module(m); m.evaluation_fixtures()'`): classifier-{weak,fair,strong}.onnx,
MLPs 4 -> 16 (ReLU) -> 3 -> softmax ("x" FP32 [-1, 4] -> "probabilities" FP32 [-1, 3]) trained 2, 20 and 400
steps on golden.csv (features f1..f4, label species 0..2; also as golden.jsonl, and golden-dirty.csv with three
malformed rows); binary.onnx, a logistic regression 4 -> 1 -> sigmoid ("x" -> "score" FP32 [-1, 1]) with
binary.csv (label "clicked" 0/1); regression.csv (column "x1", label "target" = 2 x1 + 1 + noise) for linear-v1
and linear-v2. reference.json holds every figure the server must reproduce, computed here with numpy.
Faulty canary candidates, each with linear-v1's signature ("x" FP32 [-1, 1] -> "y" FP32 [-1, 1]), so a rollout's
input-compatibility guard accepts them: canary-nonfinite.onnx (y = log x: NaN for x < 0, -Infinity for 0),
canary-gather-fails.onnx (y = [0, 1, ..., 9][x]: an x outside -10..9 fails inside ONNX Runtime, as an index out of
range) and canary-slow.onnx (y = x, after 24 input-dependent 256 x 256 matrix products: tens of milliseconds).
Weights the upload proof moves out of its header: wide-weights.onnx and weights-mismatch.onnx (see
wide_weights_models(); run it alone as evaluation_fixtures() above).
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

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


def initializer_input_model():
    """initializer-input.onnx: y = x * w + 1 with w an initializer also listed as a graph input (IR 3 style), and a
    dimension named by dim_param; ONNX Runtime lists only x as an input, and so must Turnout's signature walk."""
    w = helper.make_tensor("w", TensorProto.FLOAT, [1], [2.0])
    one = helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])
    save_onnx(helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "one"], ["y"])],
        "initializer-input",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 1])], [w, one]), "initializer-input.onnx")
def wide_weights_models():
    """wide-weights.onnx: y = relu(x W1 + b) W2, "x" FP32 [-1, 16] -> "y" FP32 [-1, 8], W1 [16, 64] and W2 [64, 8]
    large enough (4 KiB, 2 KiB) for the upload proof to point at them from its header, b [64] small enough to stay
    inline (between them in the initializer list). weights-mismatch.onnx: the same, but W2's raw_data holds 64 x 8
    floats while its dims say [64, 9]: well-formed protobuf that ONNX Runtime refuses to load."""
    rng = np.random.default_rng(12)
    w1 = rng.standard_normal((16, 64)).astype(np.float32)
    b = rng.standard_normal(64).astype(np.float32)
    w2 = rng.standard_normal((64, 8)).astype(np.float32)

    def graph(w2_dims):
        tensors = [numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(b, "b"),
                   onnx.TensorProto(name="W2", data_type=TensorProto.FLOAT, dims=w2_dims, raw_data=w2.tobytes())]
        return helper.make_graph(
            [helper.make_node("MatMul", ["x", "W1"], ["h"]), helper.make_node("Add", ["h", "b"], ["hb"]),
             helper.make_node("Relu", ["hb"], ["r"]), helper.make_node("MatMul", ["r", "W2"], ["y"])],
            "wide-weights", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])], tensors)

    save_onnx(graph([64, 8]), "wide-weights.onnx")
    model = helper.make_model(graph([64, 9]), opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(OUT, "weights-mismatch.onnx"), "wb") as f:
        f.write(model.SerializeToString())


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
    initializer_input_model()
    canary_models()
    wide_weights_models()
    torch.jit.save(torch.jit.script(SmallTypes()), os.path.join(OUT, "small-types.pt"))
    torch.jit.save(torch.jit.script(ReadsAFile()), os.path.join(OUT, "reads-a-file.pt"))
    evaluation_fixtures()


EVAL_OUT = os.path.join(OUT, "..", "evaluation")


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


class Logistic(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.lin(x))


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def classification_figures(labels, probs):
    """Figures as the server defines them (README, Evaluations): macro averages over classes 0..k-1."""
    labels = np.asarray(labels, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    binary = probs.shape[1] == 1
    if binary:
        probs = np.concatenate([1.0 - probs, probs], axis=1)
        predicted = (probs[:, 1] >= 0.5).astype(np.int64)
    else:
        predicted = np.argmax(probs, axis=1)
    k = probs.shape[1]
    confusion = np.zeros((k, k), dtype=np.int64)
    for actual, guess in zip(labels, predicted):
        confusion[actual, guess] += 1
    per_class = {}
    for c in range(k):
        tp = confusion[c, c]
        fp = confusion[:, c].sum() - tp
        fn = confusion[c, :].sum() - tp
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        recall = tp / (tp + fn) if tp + fn > 0 else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        per_class[str(c)] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                             "support": int(confusion[c, :].sum())}
    chosen = np.clip(probs[np.arange(len(labels)), labels], 1e-15, 1 - 1e-15)
    figures = {
        "accuracy": float(np.mean(predicted == labels)),
        "precision": float(np.mean([v["precision"] for v in per_class.values()])),
        "recall": float(np.mean([v["recall"] for v in per_class.values()])),
        "f1": float(np.mean([v["f1"] for v in per_class.values()])),
        "log_loss": float(np.mean(-np.log(chosen))),
    }
    if binary:
        pos = probs[labels == 1, 1]
        neg = probs[labels == 0, 1]
        wins = sum(float(np.sum(neg < s)) + 0.5 * float(np.sum(neg == s)) for s in pos)
        figures["roc_auc"] = wins / (len(pos) * len(neg))
    return {"metrics": figures, "per_class": per_class, "confusion_matrix": confusion.tolist(),
            "predicted": predicted.tolist()}


def regression_figures(labels, predicted):
    labels = np.asarray(labels, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    errors = labels - predicted
    return {"metrics": {
        "rmse": float(np.sqrt(np.mean(errors ** 2))),
        "mae": float(np.mean(np.abs(errors))),
        "r2": float(1.0 - np.sum(errors ** 2) / np.sum((labels - labels.mean()) ** 2)),
        "max_abs_error": float(np.max(np.abs(errors))),
    }}


def export_eval(module, name, output):
    module.eval()
    torch.onnx.export(module, torch.zeros(2, 4), os.path.join(EVAL_OUT, name + ".onnx"),
                      input_names=["x"], output_names=[output],
                      dynamic_axes={"x": {0: "batch"}, output: {0: "batch"}}, opset_version=13)


def evaluation_fixtures():
    os.makedirs(EVAL_OUT, exist_ok=True)
    rng = np.random.default_rng(11)
    # Three overlapping blobs: a well-trained MLP gets most rows right, not all.
    centers = np.array([[0.0, 0.0, 0.0, 0.0], [1.5, 1.0, -1.0, 0.5], [-1.0, 1.5, 1.0, -1.0]])
    labels = rng.integers(0, 3, 240)
    features = np.round(centers[labels] + rng.normal(0.0, 0.9, (240, 4)), 4).astype(np.float32)
    x = torch.tensor(features)
    rows = [[repr(float(v)) for v in f] + [str(int(l))] for f, l in zip(features, labels)]
    write_csv(os.path.join(EVAL_OUT, "golden.csv"), ["f1", "f2", "f3", "f4", "species"], rows)
    with open(os.path.join(EVAL_OUT, "golden.jsonl"), "w") as f:
        for feat, label in zip(features, labels):  # numbers as JSON numbers, the label as a string: both read
            f.write(json.dumps({"f1": float(feat[0]), "f2": float(feat[1]), "f3": float(feat[2]),
                                "f4": float(feat[3]), "species": str(int(label))}) + "\n")
    dirty = list(rows)
    dirty.insert(5, ["1.0", "2.0", "3.0"])                  # too few fields
    dirty.insert(50, ["1.0", "abc", "0.5", "0.5", "1"])     # a feature that is not a number
    dirty.insert(100, ["1.0", "2.0", "0.5", "0.5", ""])     # no label
    write_csv(os.path.join(EVAL_OUT, "golden-dirty.csv"), ["f1", "f2", "f3", "f4", "species"], dirty)

    reference = {}
    for name, steps in (("classifier-weak", 2), ("classifier-fair", 20), ("classifier-strong", 400)):
        torch.manual_seed(3)
        model = Classifier()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        target = torch.tensor(labels)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = torch.nn.functional.nll_loss(torch.log(model(x)), target)
            loss.backward()
            optimizer.step()
        export_eval(model, name, "probabilities")
        with torch.no_grad():
            probs = model(x).numpy()
        reference[name] = classification_figures(labels, probs)

    binary_labels = (features[:, 0] + 0.5 * features[:, 1] + rng.normal(0, 0.8, 240) > 0.3).astype(np.int64)
    torch.manual_seed(5)
    logistic = Logistic()
    optimizer = torch.optim.Adam(logistic.parameters(), lr=0.05)
    for _ in range(100):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy(logistic(x)[:, 0], torch.tensor(binary_labels, dtype=torch.float32))
        loss.backward()
        optimizer.step()
    export_eval(logistic, "binary", "score")
    with torch.no_grad():
        scores = logistic(x).numpy()
    write_csv(os.path.join(EVAL_OUT, "binary.csv"), ["f1", "f2", "f3", "f4", "clicked"],
              [[repr(float(v)) for v in f] + [str(int(l))] for f, l in zip(features, binary_labels)])
    reference["binary"] = classification_figures(binary_labels, scores)

    x1 = np.round(rng.uniform(-3, 3, 150), 3).astype(np.float32)
    target = np.round(2.0 * x1.astype(np.float64) + 1.0 + rng.normal(0, 0.3, 150), 4)
    write_csv(os.path.join(EVAL_OUT, "regression.csv"), ["x1", "target"],
              [[repr(float(a)), repr(float(t))] for a, t in zip(x1, target)])
    for name, slope, intercept in (("linear-v1", 2.0, 1.0), ("linear-v2", 3.0, 2.0)):
        with torch.no_grad():
            predicted = Linear(slope, intercept)(torch.tensor(x1).reshape(-1, 1)).numpy()[:, 0]
        reference[name] = regression_figures(target, predicted)
    with open(os.path.join(EVAL_OUT, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
