"""Light entry script of bench/runtime.py (``--workload linear``, the default): a linear model in pure Python.

The same init()/run() contract as examples/sklearn/score.py and the same request bodies ({"data": [[10 numbers],
...]}), but run() costs a few microseconds per row instead of sklearn's ~56 µs per call, so that a benchmark of
the scoring servers measures the servers' overhead rather than the model's. Standard library only: it runs
unchanged in Azure's server's venv and in amldeploy's.
"""

import json
import os
from operator import mul

weights = None
bias = 0.0


def init():
    # bench/runtime.py writes linear.json ({"weights": [10 numbers], "bias": number}) into the model folder.
    global weights, bias
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR", "model"), "linear.json")
    with open(path, encoding="utf-8") as f:
        model = json.load(f)
    weights = [float(w) for w in model["weights"]]
    bias = float(model["bias"])
    print(f"linear model loaded from {path} ({len(weights)} weights)")


def run(raw_data):
    # One prediction per row: bias + the dot product of the row with the weights.
    rows = json.loads(raw_data)["data"]
    size = len(weights)
    predictions = []
    for row in rows:
        if len(row) != size:
            raise ValueError(f"each row needs {size} numbers, got {len(row)}")
        predictions.append(bias + sum(map(mul, weights, row)))
    return predictions
