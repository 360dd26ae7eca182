"""Conda dependencies as pip requirements: what a user with a v1 environment gets in the image."""

from __future__ import annotations

import pytest

from amldeploy.ops.package.conda import translate, translate_one


@pytest.mark.parametrize(
    ("conda", "pip"),
    [
        ("numpy", "numpy"),
        ("numpy=1.21.2", "numpy==1.21.2"),
        ("numpy==1.21.2", "numpy==1.21.2"),
        ("scikit-learn=0.24", "scikit-learn==0.24.*"),
        ("pandas=1.3.*", "pandas==1.3.*"),
        ("pandas>=1.3,<2", "pandas>=1.3,<2"),
        ("numpy=1.21.2=py38h20f2e39_0", "numpy==1.21.2"),
        ("numpy 1.21.2 py38_0", "numpy==1.21.2"),
        ("conda-forge::numpy=1.21.2", "numpy==1.21.2"),
        ("pytorch=1.13.1", "torch==1.13.1"),
        ("pytorch::pytorch", "torch"),
        ("py-xgboost=1.5.0", "xgboost==1.5.0"),
        ("tensorflow-gpu=2.4.1", "tensorflow==2.4.1"),
        ("pyyaml=6.0", "pyyaml==6.0.*"),
        ("python-dateutil", "python-dateutil"),
        ("setuptools=41.0.0", "setuptools"),
        ("cython=0.29.30", "cython==0.29.30"),
    ],
)
def test_translations(conda: str, pip: str) -> None:
    assert translate_one(conda).pip == pip


@pytest.mark.parametrize("conda", ["python=3.8", "pip=21.0", "wheel", "gcc", "make", "cmake", "libgcc-ng", "mkl"])
def test_tools_and_runtimes_are_dropped_with_a_reason(conda: str) -> None:
    translation = translate_one(conda)
    assert translation.pip is None
    assert translation.reason.startswith("dropped: ")


def test_every_entry_is_reported_and_pip_entries_follow() -> None:
    plan = translate(["python=3.11", "pytorch=2.1.0", "numpy"], ["azureml-defaults", "joblib>=1.3"], "3.11")
    assert [t.conda for t in plan.translations] == ["python=3.11", "pytorch=2.1.0", "numpy"]
    assert plan.requirements == ["torch==2.1.0", "numpy", "azureml-defaults", "joblib>=1.3"]
    assert "renamed" in plan.translations[1].reason
    assert plan.warnings == []  # the pin matches the image


def test_packages_only_conda_has_are_collected() -> None:
    plan = translate(["cudatoolkit=11.3", "numpy", "r-base"], [])
    assert plan.conda_only == ["cudatoolkit=11.3", "r-base"]
    assert plan.requirements == ["numpy"]
    assert "no PyPI equivalent" in plan.translations[0].reason


def test_a_python_pin_that_differs_from_the_image_warns() -> None:
    plan = translate(["python=3.8"], [], image_python="3.12")
    assert plan.python == "3.8"
    assert len(plan.warnings) == 1 and "python=3.8" in plan.warnings[0] and "3.12" in plan.warnings[0]


def test_an_old_python_pin_warns_even_when_the_image_python_is_unknown() -> None:
    assert translate(["python=3.7"], []).warnings
    assert not translate(["python=3.11"], []).warnings
