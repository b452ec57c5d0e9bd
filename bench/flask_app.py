"""The ORIGINAL serving design, as a baseline for bench/serving.sh.

A plain Flask app that loads one model at start-up and serves POST /predict:
{"example": [[3.0]]} -> {"prediction": [[7.0]]}. PyTorch (Debian's python3-torch) stands in for TensorFlow:
the model is the TorchScript twin of linear-v1 (y = 2x + 1), loaded with torch.jit.load. It runs the way such an
app usually runs: Flask's built-in server with app.run(threaded=True), one thread per request.

    /usr/bin/python3 bench/flask_app.py MODEL.pt [PORT=18091]

Needs Debian's python3-flask and python3-torch, so run it with /usr/bin/python3.
"""
import sys

import torch
from flask import Flask, jsonify, request

MODEL_PATH = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/linear-v1.pt"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 18091

model = torch.jit.load(MODEL_PATH)
model.eval()

app = Flask(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    example = request.get_json(force=True)["example"]
    with torch.no_grad():
        prediction = model(torch.tensor(example, dtype=torch.float32))
    return jsonify({"prediction": prediction.tolist()})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT, threaded=True)
