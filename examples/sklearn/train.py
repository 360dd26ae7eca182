"""Train the tiny example model: a ridge regression on scikit-learn's bundled diabetes data (no download).

python examples/sklearn/train.py            # writes examples/sklearn/model/model.joblib
"""

from __future__ import annotations

import sys
from pathlib import Path

import joblib
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge


def main(out: Path) -> None:
    features, target = load_diabetes(return_X_y=True)
    model = Ridge(alpha=0.5).fit(features, target)
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out)
    print(f"trained Ridge on {len(features)} rows, R^2 = {model.score(features, target):.3f} -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "model" / "model.joblib")
