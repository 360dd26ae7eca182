"""The instance-type table and the smallest fit of a v1 service's CPU and memory."""

from __future__ import annotations

import pytest

from amldeploy.ops.export.instances import INSTANCE_TYPES, smallest_fit


@pytest.mark.parametrize(
    ("cpu", "memory", "gpus", "expected"),
    [
        (0.1, 0.5, 0, "Standard_DS1_v2"),
        (1, 3.5, 0, "Standard_DS1_v2"),
        (1, 4, 0, "Standard_F2s_v2"),
        (2, 6, 0, "Standard_DS2_v2"),
        (1.5, 12, 0, "Standard_E2s_v3"),
        (4, 16, 0, "Standard_D4as_v4"),  # ACI's largest container
        (3, 20, 0, "Standard_E4s_v3"),
        (0.5, 1, 1, "Standard_NC4as_T4_v3"),
        (32, 256, 0, "Standard_E32s_v3"),
    ],
)
def test_smallest_fit(cpu: float, memory: float, gpus: int, expected: str) -> None:
    chosen = smallest_fit(cpu, memory, gpus)
    assert chosen is not None and chosen.name == expected


def test_nothing_fits_beyond_the_table() -> None:
    assert smallest_fit(128, 1) is None


def test_names_are_unique_and_cpu_types_have_no_gpu() -> None:
    names = [t.name for t in INSTANCE_TYPES]
    assert len(names) == len(set(names))
    assert all(t.gpus == 0 for t in INSTANCE_TYPES if not t.name.startswith("Standard_NC"))
