#!/usr/bin/python3
"""ResNet-18 for bench/heavy-payloads.sh, made at bench time (never committed): the torchvision architecture written
out here (torchvision is not packaged for Debian's python3-torch), random weights from a fixed seed, exported as ONNX
(opset 13) with input "x" FP32 [-1, 3, 224, 224] and output "y" FP32 [-1, 1000].

    /usr/bin/python3 bench/resnet18.py OUT_DIR

Writes to OUT_DIR: resnet18.onnx; input.bin (one image, [1, 3, 224, 224] FP32 little-endian, seeded); body.json (the
OIP JSON request for it, flat data); body.bin and body.bin.header (the OIP binary request: JSON header, then the
tensor bytes; .header holds the JSON's length for Inference-Header-Content-Length, and the output is asked as
binary); expected.json (PyTorch's output for the image: argmax and the first 5 values).
"""
import json
import os
import sys

import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, inplanes = [], 64
        for planes, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers.append(nn.Sequential(BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes)))
            inplanes = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(18)
    model = ResNet18().eval()
    # pixel values with 3 decimals, as an image scaled to [0, 1] is usually sent: a 0.9 MB JSON body
    image = torch.round(torch.rand(1, 3, 224, 224) * 1000) / 1000
    torch.onnx.export(model, image, os.path.join(out, "resnet18.onnx"), input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13)
    raw = image.numpy().astype("<f4").tobytes()
    with open(os.path.join(out, "input.bin"), "wb") as f:
        f.write(raw)
    values = [round(v, 3) for v in image.flatten().tolist()]
    with open(os.path.join(out, "body.json"), "w") as f:
        json.dump({"inputs": [{"name": "x", "shape": [1, 3, 224, 224], "datatype": "FP32", "data": values}]}, f, separators=(",", ":"))
    header = json.dumps({"inputs": [{"name": "x", "shape": [1, 3, 224, 224], "datatype": "FP32",
                                     "parameters": {"binary_data_size": len(raw)}}],
                         "outputs": [{"name": "y", "parameters": {"binary_data": True}}]}).encode()
    with open(os.path.join(out, "body.bin"), "wb") as f:
        f.write(header + raw)
    with open(os.path.join(out, "body.bin.header"), "w") as f:
        f.write(str(len(header)))
    with torch.no_grad():
        y = model(image)[0]
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"argmax": int(y.argmax()), "first": y[:5].tolist()}, f)


if __name__ == "__main__":
    main()
