"""Entry script of the example service: the init()/run() contract of Azure ML v1."""

import json
import os

import joblib
import numpy as np

model = None


def init():
    # AZUREML_MODEL_DIR is the folder holding the registered model (azureml-models/<name>/<version>).
    global model
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR", "model"), "model.joblib")
    model = joblib.load(model_path)
    print(f"model loaded from {model_path}")


def run(raw_data):
    # The request body arrives as a string: {"data": [[10 numbers], ...]}
    data = np.array(json.loads(raw_data)["data"])
    predictions = model.predict(data)
    return predictions.tolist()
