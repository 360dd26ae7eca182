"""Run by ensure.sh in its TensorFlow venv: a tiny SavedModel with a ``serving_default`` signature and the
model's own predictions of a few rows (what a no-code deployment must answer).

    make_model.py OUT_DIR    writes OUT_DIR/savedmodel/ and OUT_DIR/expected.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import tensorflow as tf

FEATURES = 3
ROWS = [[1.0, 2.0, 3.0], [0.5, -1.0, 4.0], [0.0, 0.0, 0.0]]


class Tiny(tf.Module):
    """scores = x @ W + b, then a softmax: two outputs, three features."""

    def __init__(self) -> None:
        super().__init__()
        self.w = tf.Variable([[0.5, -1.0], [0.25, 0.75], [-0.5, 1.5]], dtype=tf.float32)
        self.b = tf.Variable([0.1, -0.2], dtype=tf.float32)

    @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="features")])
    def serve(self, features: tf.Tensor) -> dict[str, tf.Tensor]:
        scores = tf.matmul(features, self.w) + self.b
        return {"scores": scores, "probabilities": tf.nn.softmax(scores)}


def main(out: Path) -> None:
    model = Tiny()
    folder = out / "savedmodel"
    tf.saved_model.save(model, str(folder), signatures={"serving_default": model.serve})
    signature = tf.saved_model.load(str(folder)).signatures["serving_default"]
    result = signature(features=tf.constant(ROWS, dtype=tf.float32))
    expected = {
        "tensorflow": tf.__version__,
        "rows": ROWS,
        "input": "features",
        "features": FEATURES,
        # The generated script answers the first output by name: probabilities.
        "outputs": {name: value.numpy().tolist() for name, value in result.items()},
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
