"""Fixtures of the differential suite: Azure's real server (cached venv) and ``amldeploy serve``, side by side.

The first run builds .cache/azmlinfsrv-1.5.1/ (about a minute); a failed build fails the suite with pip's message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra import azure_server
from tests.infra.amldeploy_server import serve_available
from tests.python.runtime_diff.pool import Servers

# Development aid only: compare nothing, check Azure's server against the table (never set in `make test`).
AZURE_ONLY = os.environ.get("RUNTIME_DIFF_AZURE_ONLY") == "1"


@pytest.fixture(scope="session")
def azure_venv(pytestconfig: pytest.Config) -> Path:
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not azure_server.is_ready():
        reporter.write_line(f"runtime_diff: building {azure_server.VENV.name} (first run only, about a minute)")
    try:
        return azure_server.ensure()
    except azure_server.SetupError as exc:
        pytest.fail(f"could not build Azure's inference server venv:\n{exc}", pytrace=False)


@pytest.fixture(scope="session")
def with_ours() -> bool:
    if AZURE_ONLY:
        return False
    if not serve_available():
        pytest.fail("`python -m amldeploy serve --help` failed: the runtime to compare with is missing", pytrace=False)
    return True


@pytest.fixture(scope="session")
def servers(azure_venv: Path, with_ours: bool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    pool = Servers(tmp_path_factory.mktemp("runtime_diff"), with_ours)
    try:
        yield pool
    finally:
        pool.close()
