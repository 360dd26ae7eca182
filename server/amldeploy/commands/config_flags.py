"""The flags that name a service's files, shared by ``deploy``, ``package`` and ``export``: ``--ic`` / ``--dc``
with v1's spellings (``--inference-config[-file]``, ``--deploy-config[-file]``), ``--model``, and
``--model-framework[-version]`` for a no-code deployment of a model given by path."""

from __future__ import annotations

import argparse

MODEL_HELP = "a model file or folder (repeatable)"


NO_CODE_IC = (
    "inference config (optional for a model with a framework: without it amldeploy generates the entry script and "
    "environment, v1's no-code deployment)"
)
NO_CODE_DC = "deployment config (optional without --ic: a no-code deployment defaults to computeType local)"


def add_config_arguments(parser: argparse.ArgumentParser, deployment: bool = True, no_code: bool = False) -> None:
    """``--ic`` (and with ``deployment``, ``--dc``): required, unless ``no_code`` (deploy and package), where a
    model with a framework makes them optional."""
    files = [("ic", "--inference-config", NO_CODE_IC if no_code else "inference config")]
    if deployment:
        files.append(("dc", "--deploy-config", NO_CODE_DC if no_code else "deployment config"))
    for dest, long, what in files:
        # v1's az ml spelled them --inference-config-file and --deploy-config-file.
        parser.add_argument(
            f"--{dest}", long, long + "-file", dest=dest, required=not no_code, metavar="FILE", help=what
        )
    if no_code:
        add_framework_arguments(parser)


def add_framework_arguments(parser: argparse.ArgumentParser) -> None:
    """v1's ``--model-framework`` / ``--model-framework-version`` of ``az ml model register``, for the one
    ``--model`` given by path (a registered model keeps its own)."""
    parser.add_argument(
        "--model-framework",
        metavar="FRAMEWORK",
        help="the framework of the --model, for a deploy without --ic: ScikitLearn, Onnx or TensorFlow",
    )
    parser.add_argument(
        "--model-framework-version",
        metavar="VERSION",
        help="the framework version the model was saved with (pinned in the generated environment)",
    )


def add_model_argument(parser: argparse.ArgumentParser, help_text: str = MODEL_HELP) -> None:
    """``--model`` / ``-m PATH[:NAME[:VERSION]]``, repeatable, into ``models``."""
    parser.add_argument(
        "--model", "-m", dest="models", action="append", default=[], metavar="PATH[:NAME[:VERSION]]", help=help_text
    )
