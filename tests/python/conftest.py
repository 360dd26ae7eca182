"""Every test runs with its own amldeploy data folder (model registry, compute targets, az shim): the user's own
store is never read or written, even by a command a test starts with a trimmed environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _own_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("xdg-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(folder))
        patch.setenv("AMLDEPLOY_DATA_DIR", str(folder / "amldeploy"))
        yield folder
