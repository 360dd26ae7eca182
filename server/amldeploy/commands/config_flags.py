"""The flags that name a service's files, shared by ``deploy``, ``package`` and ``export``: ``--ic`` / ``--dc``
with v1's spellings (``--inference-config[-file]``, ``--deploy-config[-file]``), and ``--model``."""

from __future__ import annotations

import argparse

MODEL_HELP = "a model file or folder (repeatable)"


def add_config_arguments(parser: argparse.ArgumentParser, deployment: bool = True) -> None:
    """``--ic`` (and with ``deployment``, ``--dc``), both required."""
    files = [("ic", "--inference-config", "inference config")]
    if deployment:
        files.append(("dc", "--deploy-config", "deployment config"))
    for dest, long, what in files:
        # v1's az ml spelled them --inference-config-file and --deploy-config-file.
        parser.add_argument(f"--{dest}", long, long + "-file", dest=dest, required=True, metavar="FILE", help=what)


def add_model_argument(parser: argparse.ArgumentParser, help_text: str = MODEL_HELP) -> None:
    """``--model`` / ``-m PATH[:NAME[:VERSION]]``, repeatable, into ``models``."""
    parser.add_argument(
        "--model", "-m", dest="models", action="append", default=[], metavar="PATH[:NAME[:VERSION]]", help=help_text
    )
