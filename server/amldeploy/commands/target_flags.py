"""The flags that say where a target's services are and how its image gets there, shared by the service
commands: ``--context``, ``--kubeconfig``, ``--namespace`` (a cluster's), and for ``deploy`` ``--image``,
``--registry``, ``--registry-username``, ``--service-type`` and ``--dry-run``. They become target settings
(the keys an editor keeps as ``amldeploy.<target>.<key>``) and fields of the deploy request, so no command
knows any target."""

from __future__ import annotations

import argparse
from typing import Any

SERVICE_TYPES = ("ClusterIP", "LoadBalancer", "NodePort")


# --- compute targets by name (ops/computetargets.py) ---------------------------------------------------------
COMPUTE_TARGET_FLAGS = ("--ct", "--compute-target")
_RECORD_SETTINGS = "compute_target_settings"  # what the named record supplies, below the flags


def add_compute_target_argument(parser: argparse.ArgumentParser, v1_spellings: bool = False) -> None:
    """``--ct`` / ``--compute-target NAME`` (with ``v1_spellings``, v1 docs' ``-ct`` too): a recorded target
    (``amldeploy target add``) supplies the target and its settings; flags given as well win over the record.
    ``apply_compute_target(args)`` resolves it before the command runs."""
    parser.add_argument(
        *COMPUTE_TARGET_FLAGS,
        *(("-ct",) if v1_spellings else ()),
        dest="compute_target",
        metavar="NAME",
        help="a compute target recorded with 'amldeploy target add' (v1's --ct): it supplies the target and its "
        "settings (context, namespace, subscription, ...); flags given as well win",
    )


def apply_compute_target(args: argparse.Namespace) -> None:
    """Resolve ``--ct NAME`` into ``args``: the target (for ``deploy``, when ``--target`` is not given) and the
    record's settings, which ``settings_from`` puts below the flags. A deploy checks the record's type against
    the deployment config's computeType first. ``OpsError`` for an unknown name or a contradiction."""
    name = getattr(args, "compute_target", None)
    if not name:
        return
    import os

    from amldeploy.ops.computetargets import DOCKER_HOST_SETTING, ComputeTargets, check_compute_type

    record = ComputeTargets().get(name)
    if hasattr(args, "target") or hasattr(args, "dc"):  # a deploy (amldeploy's, or amldeploy ml's)
        forced = getattr(args, "target", None)
        compute_type = _compute_type(getattr(args, "dc", None))
        if compute_type is not None or forced is not None:
            check_compute_type(record, compute_type or "", forced)
        args.target = record.target
    setattr(args, _RECORD_SETTINGS, dict(record.settings))
    if record.settings.get(DOCKER_HOST_SETTING):  # the Docker SDK reads the engine's address from the environment
        os.environ["DOCKER_HOST"] = record.settings[DOCKER_HOST_SETTING]


def _compute_type(path: str | None) -> str | None:
    """The deployment config's computeType, or None when it cannot be read (the deploy reports that itself)."""
    if not path:
        return None
    from pathlib import Path

    from amldeploy.config.load import ConfigError, load_deployment_config

    try:
        return load_deployment_config(Path(path)).config.compute_type
    except (ConfigError, ValueError, OSError):
        return None


# --- end of compute targets by name ------------------------------------------------------------------------


def add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    add_compute_target_argument(parser)
    group = parser.add_argument_group("cluster (Kubernetes target)")
    group.add_argument(
        "--context",
        metavar="NAME",
        help="the kubeconfig context (default: setting, AMLDEPLOY_KUBERNETES_CONTEXT, else the current context)",
    )
    group.add_argument("--kubeconfig", metavar="FILE", help="the kubeconfig (default: KUBECONFIG, else ~/.kube/config)")
    group.add_argument(
        "--namespace",
        metavar="NAME",
        help="the namespace when the deployment config names none (default: AMLDEPLOY_KUBERNETES_NAMESPACE, the "
        "context's, else default)",
    )


def add_azure_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Azure (ACI target)")
    group.add_argument(
        "--subscription", metavar="ID", help="the Azure subscription (default: setting, AZURE_SUBSCRIPTION_ID)"
    )
    group.add_argument(
        "--resource-group",
        metavar="NAME",
        help="the resource group of the container groups (default: setting, AMLDEPLOY_ACI_RESOURCE_GROUP)",
    )
    group.add_argument(
        "--arm-endpoint",
        metavar="URL",
        help="the Azure Resource Manager endpoint, for a sovereign cloud (default: AMLDEPLOY_ARM_ENDPOINT, else "
        "https://management.azure.com)",
    )


def add_deploy_arguments(parser: argparse.ArgumentParser) -> None:
    add_cluster_arguments(parser)
    add_azure_arguments(parser)
    group = parser.add_argument_group("image (Kubernetes and ACI targets)")
    source = group.add_mutually_exclusive_group()
    source.add_argument("--image", metavar="REF", help="deploy this image, already pushed, as is (nothing is built)")
    source.add_argument(
        "--registry",
        metavar="HOST[/NAMESPACE]",
        help="build the service image and push it as HOST[/NAMESPACE]/NAME:<content hash> (default: "
        "AMLDEPLOY_REGISTRY; without one, the image stays on the local Docker engine)",
    )
    group.add_argument(
        "--registry-username",
        metavar="USER",
        help="push (and let the cluster pull) as USER; the password is read from AMLDEPLOY_REGISTRY_PASSWORD, "
        "else from stdin",
    )
    group.add_argument(
        "--service-type",
        choices=SERVICE_TYPES,
        help="how the service is exposed (default ClusterIP: reached through a port-forward; LoadBalancer gets an "
        "external address, as AKS gave)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print what the deploy would create (Kubernetes objects as YAML, secret values as ***) and stop; "
        "contacts nothing",
    )


def settings_from(args: argparse.Namespace) -> dict[str, str | None]:
    """The target settings the flags give (only those given), over those of ``--ct NAME``'s record."""
    given = {
        "kubernetes.context": getattr(args, "context", None),
        "kubernetes.kubeconfig": getattr(args, "kubeconfig", None),
        "kubernetes.namespace": getattr(args, "namespace", None),
        "kubernetes.serviceType": getattr(args, "service_type", None),
        "aci.subscription": getattr(args, "subscription", None),
        "aci.resourceGroup": getattr(args, "resource_group", None),
        "aci.armEndpoint": getattr(args, "arm_endpoint", None),
    }
    flags = {key: value for key, value in given.items() if value}
    return {**getattr(args, _RECORD_SETTINGS, {}), **flags}


def deploy_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The deploy request's image fields from the flags."""
    return {
        "image": getattr(args, "image", None),
        "registry": getattr(args, "registry", None),
        "registry_username": getattr(args, "registry_username", None),
    }
