from __future__ import annotations

import pytest

from amldeploy.ops.naming import model_name_problem, service_name_problem


@pytest.mark.parametrize("name", ["abc", "my-service-1", "a" * 32, "x1y"])
def test_valid_service_names(name: str) -> None:
    assert service_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("ab", "between 3 and 32"),
        ("a" * 33, "between 3 and 32"),
        ("My-svc", "lowercase"),
        ("1abc", "start"),
        ("abc-", "end"),
        ("a_bc", "dashes"),
    ],
)
def test_invalid_service_names(name: str, words: str) -> None:
    problem = service_name_problem(name)
    assert problem is not None and words in problem


def test_model_names() -> None:
    assert model_name_problem("sklearn_model.v2") is None
    assert model_name_problem("-bad") is not None
