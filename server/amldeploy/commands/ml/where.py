"""Where a service of ``ml model deploy --ct NAME`` is: the settings of the compute target its ml state recorded,
so that ``ml service run|get-logs|get-keys|show|delete|update|regen-key -n NAME`` (which take no ``--ct`` in v1)
find it on that cluster or resource group, as v1 found a service through the workspace whatever its compute."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amldeploy.commands.ml import configs
from amldeploy.commands.ml.common import note
from amldeploy.ops.errors import OpsError

Settings = dict[str, str | None]


def where(name: str) -> Settings | None:
    """The target settings of the compute target (``--ct``) the service ``name`` was deployed to with
    ``ml model deploy``, as its ml state recorded it; None when there is none. v1 found a service through the
    workspace whatever its compute: the service commands find it through its compute target's record (a
    cluster's context and namespace, a subscription and resource group), not only through the defaults."""
    record_name = (configs.read_state(Path.cwd(), name) or {}).get("computeTarget")
    if not isinstance(record_name, str) or not record_name:
        return None
    return where_record(record_name, name)


def where_record(record_name: str, service: str, strict: bool = False) -> Settings | None:
    """The settings of compute target ``record_name``; when it cannot be read: the error (``strict``), else a
    note and None (the default places)."""
    from amldeploy.commands.target_flags import apply_compute_target, settings_from

    ns = argparse.Namespace(compute_target=record_name)
    try:
        apply_compute_target(ns)  # the record's settings (and a docker record's DOCKER_HOST)
    except OpsError as exc:
        if strict:
            raise
        note(
            sys.stderr,
            f"'{service}' was deployed to compute target '{record_name}', which cannot be read now ({exc.message}); "
            "looking in the default places",
        )
        return None
    return settings_from(ns)
