import json
import os

from sklearn.externals import joblib

model = None


def init():
    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model.joblib"))


def run(raw_data):
    try:
        data = json.loads(raw_data)["data"]
        result = model.predict(data)
        return json.dumps({"result": result})
    except Exception as e:
        return "error: " + str(e)
