"""``ml model deploy``, ``ml service update`` and ``ml service regen-key``: one deploy through
:func:`amldeploy.commands.deploy.run_deploy`, from the ``--ic``/``--dc`` files with v1's flags over them.

The merged configs are written under ``.amldeploy/ml/NAME/`` (see :mod:`.configs`) and the ml state of the service
records what it was deployed from, so that ``service update`` and ``regen-key`` deploy it again the same way."""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path
from typing import Any

from amldeploy.commands.ml import configs
from amldeploy.commands.ml.common import Captured, emit, key_values, note, refuse
from amldeploy.commands.ml.flags import DEPLOY_KEYS, INFERENCE_KEYS
from amldeploy.commands.ml.models import model_id_from_metadata
from amldeploy.ops.errors import EXIT_USAGE, DeployFailed, OpsError, ServiceNotFound


def _present(args: argparse.Namespace, dest: str) -> bool:
    return getattr(args, dest, None) not in (None, [], False)


def _overrides(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The deployment-config and inference-config keys the flags set (dotted keys)."""
    cwd = Path.cwd()
    deployment: dict[str, Any] = {}
    for dest, (key, kind) in DEPLOY_KEYS.items():
        value = getattr(args, dest, None)
        if value is not None:
            deployment[key] = configs.coerce(value, kind, "--" + dest.replace("_", "-"), cwd)
    inference: dict[str, Any] = {}
    for dest, (key, kind) in INFERENCE_KEYS.items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        if kind == "path" and dest != "source_directory":
            inference[key] = value  # relative to the source directory, as in v1
        else:
            inference[key] = configs.coerce(value, kind, "--" + dest.replace("_", "-"), cwd)
    if getattr(args, "profile_input", None):
        deployment.update(_profile_input(args.profile_input))
    return deployment, inference


def _profile_input(path: str) -> dict[str, Any]:
    """``--pi FILE``: the cpu and memoryInGB of a profile result (``ml model profile -t``)."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OpsError(f"--pi {path}: cannot read the profile result ({exc})", None, EXIT_USAGE) from None
    found = data.get("recommendation", data) if isinstance(data, dict) else {}
    found = found.get("containerResourceRequirements", found) if isinstance(found, dict) else {}
    values = {}
    for key in ("cpu", "memoryInGB"):
        if isinstance(found.get(key), (int, float)):
            values[f"containerResourceRequirements.{key}"] = found[key]
    if not values:
        raise OpsError(f"--pi {path}: no cpu or memoryInGB in it", "give the -t file of 'ml model profile'", EXIT_USAGE)
    return values


def _environment(args: argparse.Namespace, base_ic: Path | None) -> dict[str, Any] | None:
    """``-e/--ev``: accepted when they name the inference config's own environment; ``--ed``: a scaffold."""
    if _present(args, "environment_directory"):
        return configs.scaffolded_environment(args.environment_directory)
    name, version = getattr(args, "environment_name", None), getattr(args, "environment_version", None)
    if name is None and version is None:
        return None
    own: dict[str, Any] = {}
    if base_ic is not None:
        environment = configs.load_raw(base_ic, "--ic").get("environment")
        own = environment if isinstance(environment, dict) else {}
    if name is None or name != own.get("name") or (version is not None and str(version) != str(own.get("version"))):
        shown = " ".join(x for x in (f"-e {name}" if name else "", f"--ev {version}" if version else "") if x)
        raise refuse(
            shown,
            "it names a workspace environment, and amldeploy has no workspace to read it from",
            "put the environment into the inference config (environment section), or give the folder of "
            "'az ml environment scaffold' with --ed",
        )
    return None  # the inference config's own environment: nothing to change


def _record_compute_type(name: str) -> str:
    """v1's default computeType for a deploy to compute target ``name`` without ``--dc`` (AKS for a cluster)."""
    from amldeploy.ops.computetargets import V1_COMPUTE_TYPE, ComputeTargets

    return V1_COMPUTE_TYPE.get(ComputeTargets().get(name).type, "local").replace("Local", "local")


def _nocode_supported() -> bool:
    from amldeploy.ops.prepare import prepare_deploy

    annotation = inspect.signature(prepare_deploy).parameters["inference_config"].annotation
    return "None" in str(annotation)


def _local_target() -> str:
    from amldeploy.ops.targets.base import choose_target

    return choose_target("local")


def _exists(name: str, compute_target: str | None) -> Any:
    """The service ``name`` (target, service) where it would be deployed to, or None."""
    from amldeploy.commands.ml.where import where, where_record
    from amldeploy.ops.targets.base import find_service

    settings = where_record(compute_target, name, strict=True) if compute_target else where(name)
    try:
        return find_service(name, Path.cwd(), settings)
    except ServiceNotFound:
        return None


def deploy(args: argparse.Namespace, argv: list[str], mode: str = "deploy", keys: tuple[str, str] | None = None) -> int:
    """``mode``: deploy (``ml model deploy``), update (``ml service update``) or regen (``regen-key``)."""
    root, err = Path.cwd(), sys.stderr
    name = args.name
    if getattr(args, "token_auth_enabled", None) is not None and configs.as_bool(
        args.token_auth_enabled, "--token-auth-enabled"
    ):
        raise refuse(
            f"--token-auth-enabled {args.token_auth_enabled}",
            "amldeploy's services take keys, not Azure AD tokens: the service would answer without the auth asked for",
            "use key auth: --ae true (keys: ml service get-keys)",
        )
    state = configs.read_state(root, name) or {}
    existing = _exists(name, getattr(args, "compute_target", None))
    if mode == "deploy" and existing is not None and not args.overwrite:
        raise OpsError(
            f"there is already a service named '{name}'",
            "add --overwrite to replace it (v1 asked for it too), or use 'ml service update'",
            1,
        )
    if mode != "deploy":
        if existing is None:
            raise ServiceNotFound(name, "this folder")
        if not state and not (_present(args, "ic") or _present(args, "dc")):
            raise OpsError(
                f"'{name}' was not deployed with 'amldeploy ml model deploy', so its configs are not recorded",
                "give --ic and --dc (the files it was deployed from)",
                EXIT_USAGE,
            )
    dc_over, ic_over = _overrides(args)
    if mode == "update":
        dc_over = {**state.get("deploymentOverrides", {}), **dc_over}
        ic_over = {**state.get("inferenceOverrides", {}), **ic_over}
    elif mode == "regen":
        dc_over, ic_over = dict(state.get("deploymentOverrides", {})), dict(state.get("inferenceOverrides", {}))
    redeploys = ("model", "model_metadata_file", "ic", "dc", "environment_name", "environment_directory", "port")
    if mode == "update" and not any(_present(args, d) for d in redeploys) and not _changes_flags(args):
        return _update_meta(args, state, existing)

    base_ic = Path(args.ic).resolve() if _present(args, "ic") else _path(state.get("ic"))
    base_dc = Path(args.dc).resolve() if _present(args, "dc") else _path(state.get("dc"))
    environment = _environment(args, base_ic)
    target: str | None = getattr(args, "target", None) or state.get("target")
    settings: dict[str, str] = dict(state.get("settings", {}))
    compute_target = getattr(args, "compute_target", None) or state.get("computeTarget")
    if base_dc is None and compute_target:
        dc_over = {"computeType": _record_compute_type(compute_target), **dc_over}
    elif base_dc is None and not state.get("dc"):
        if target is None:
            target = _local_target()
        if mode == "deploy" and getattr(args, "ml_command", None) == "deploy":
            note(
                err,
                f"no --dc: v1 deployed to ACI; amldeploy runs that ACI config here, on the {target} target "
                "(give --dc with computeType AKS or ACI, or --ct, to deploy elsewhere)",
            )
    dc_path = base_dc
    if dc_over or base_dc is None:
        dc_path = configs.write_generated(root, name, "deploymentconfig.json", configs.deployment_doc(base_dc, dc_over))
    ic_path = base_ic
    if ic_over or environment is not None:
        if base_ic is None and "entryScript" not in ic_over:
            raise OpsError(
                "inference flags without an entry script",
                "give --ic FILE or --es/--entry-script (with --sd, --cf, --rt as needed)",
                EXIT_USAGE,
            )
        doc = configs.inference_doc(base_ic, ic_over, environment)
        ic_path = configs.write_generated(root, name, "inferenceconfig.json", doc)
    if ic_path is None and not _nocode_supported():
        raise OpsError(
            "no --ic: no-code deployment (a model registered with --model-framework, no entry script) is not "
            "available in this version",
            "give --ic inferenceconfig.json",
            EXIT_USAGE,
        )
    models = _models(args) if (_present(args, "model") or _present(args, "model_metadata_file")) else None
    if models is None:
        models = list(state.get("models", []))
    port = getattr(args, "port", None)
    if port is None:
        port = state.get("port")
    unknown = mode == "update" and _keys_unknown(existing)
    keys_file = base_dc if base_dc is not None and dc_path != base_dc else None  # a copy without its keys
    where = (target, compute_target)
    deployed = _run(name, ic_path, dc_path, models, where, port, settings, args, keys, unknown, keys_file)
    new_state = {
        "name": name,
        "ic": str(base_ic) if base_ic else None,
        "dc": str(base_dc) if base_dc else None,
        "deploymentOverrides": dc_over,
        "inferenceOverrides": ic_over,
        "models": models,
        "target": target,
        "computeTarget": compute_target,
        "settings": settings,
        "port": port,
        "description": state.get("description"),
        "tags": dict(state.get("tags", {})),
        "properties": dict(state.get("properties", {})),
    }
    _apply_meta(args, new_state)
    configs.write_state(root, name, new_state)
    if mode == "regen":
        return 0
    emit(args, with_meta(deployed, new_state))
    return 0


def _keys_unknown(existing: Any) -> bool:
    """Whether ``existing`` (target, service) is an ACI service with auth whose keys cannot be read here."""
    if existing is None:
        return False
    target, service = existing
    if target.name != "aci" or not service.auth_enabled:
        return False
    try:
        target.keys(service.name)
    except OpsError:
        return True
    return False


def _changes_flags(args: argparse.Namespace) -> bool:
    return any(_present(args, d) for d in (*DEPLOY_KEYS, *INFERENCE_KEYS, "primary_key", "secondary_key"))


def _path(text: Any) -> Path | None:
    return Path(text) if isinstance(text, str) and text else None


def _models(args: argparse.Namespace) -> list[str]:
    models = list(getattr(args, "model", None) or [])
    models += [model_id_from_metadata(path) for path in getattr(args, "model_metadata_file", None) or []]
    return models


def _run(
    name: str,
    ic: Path | None,
    dc: Path | None,
    models: list[str],
    where: tuple[str | None, str | None],
    port: Any,
    settings: dict[str, str],
    args: argparse.Namespace,
    keys: tuple[str, str] | None,
    keys_unknown: bool = False,
    keys_file: Path | None = None,
) -> dict[str, Any]:
    """``keys_unknown``: the service runs on ACI with keys nobody here can read (generated by another process).
    ``keys_file``: the user's deployment config when ``dc`` is a generated copy (which holds no keys): its keys
    are put into the loaded config in memory, and it is where a target reads them again."""
    from amldeploy.commands.deploy import report_failure, run_deploy
    from amldeploy.commands.target_flags import apply_compute_target

    target, compute_target = where

    primary = keys[0] if keys else getattr(args, "primary_key", None)
    secondary = keys[1] if keys else getattr(args, "secondary_key", None)

    def adjust(prepared: Any) -> None:
        config = prepared.request.deployment.config
        if keys_file is not None and "keys" in type(config).model_fields:
            from amldeploy.config.load import load_deployment_config

            config.keys = getattr(load_deployment_config(keys_file).config, "keys", None)
            prepared.request.keys_config = keys_file
        if keys_unknown and prepared.target == "aci" and getattr(config, "auth_enabled", False):
            configured = getattr(config, "keys", None)
            if not (configured and configured.primary_key and configured.secondary_key):
                raise OpsError(
                    f"the update would give '{name}' new keys: its keys are not known here (Azure never returns "
                    "them, they are not those of its deployment config, and amldeploy keeps none in a file)",
                    "put the keys its deploy printed into the deployment config (keys.primaryKey, keys.secondaryKey) "
                    f"and run: amldeploy ml service update -n {name} --dc FILE (to give it new keys instead: "
                    "ml model deploy ... --overwrite)",
                    EXIT_USAGE,
                )
        if not primary and not secondary:
            return
        from amldeploy.config.models import ServiceKeys

        if "keys" not in type(config).model_fields:
            raise refuse(
                "--kp/--ks",
                f"a computeType {config.compute_type} service has no keys (v1's local services had no auth)",
                "deploy an ACI or AKS config (--cp ACI) to have keys",
            )
        old = config.keys
        new = ServiceKeys(
            primaryKey=primary or (old.primary_key if old else None),
            secondaryKey=secondary or (old.secondary_key if old else None),
        )
        if prepared.target == "aci" and new != old:
            raise unreadable_aci_keys("--kp/--ks" if not keys else "regen-key", name)
        config.keys = new

    ns = argparse.Namespace(
        name=name,
        ic=str(ic) if ic is not None else None,
        dc=str(dc),
        models=models,
        target=target,
        port=int(port) if port is not None else None,
        isolated=False,
        dry_run=False,
        image=None,
        registry=None,
        registry_username=None,
        context=settings.get("kubernetes.context"),
        kubeconfig=settings.get("kubernetes.kubeconfig"),
        namespace=settings.get("kubernetes.namespace"),
        service_type=settings.get("kubernetes.serviceType"),
        subscription=settings.get("aci.subscription"),
        resource_group=settings.get("aci.resourceGroup"),
        arm_endpoint=settings.get("aci.armEndpoint"),
        compute_target=compute_target,
    )
    apply_compute_target(ns)  # --ct NAME: the recorded target and its settings (checked against computeType)
    output = Captured(f"ml {args.ml_group} {args.ml_command}")
    try:
        status = run_deploy(ns, output, adjust)
    except DeployFailed as exc:
        output.json = False
        raise SystemExit(report_failure(exc, output)) from None
    if status != 0:
        raise SystemExit(status)
    document = output.result() or {}
    for text in document.get("notes", []):  # what a no-code deploy generated, and where
        note(sys.stderr, text)
    service: dict[str, Any] = dict(document.get("service", {}))
    if document.get("keys"):
        service["keys"] = document["keys"]  # generated, shown this once (as 'amldeploy deploy' shows them)
    return service


def unreadable_aci_keys(shown: str, name: str) -> OpsError:
    """Keys that would reach an ACI service only from the command line: nobody could read them back."""
    return refuse(
        shown,
        "on ACI, keys given only on the command line could not be read back: Azure never returns a container "
        "group's keys and amldeploy writes none to a file, so 'ml service get-keys' could not show them and a later "
        "'ml service update' could not keep them",
        "put the keys into the deployment config (keys.primaryKey and keys.secondaryKey, with authEnabled true) "
        f"and deploy from it: ml service update -n {name} --dc FILE (or ml model deploy ... --dc FILE --overwrite)",
    )


def _apply_meta(args: argparse.Namespace, state: dict[str, Any]) -> None:
    if getattr(args, "description", None) is not None:
        state["description"] = args.description
    tags, properties = state.setdefault("tags", {}), state.setdefault("properties", {})
    tags.update(key_values(getattr(args, "tag", None), "--tag"))
    tags.update(key_values(getattr(args, "add_tag", None), "--add-tag"))
    for key in getattr(args, "remove_tag", None) or []:
        tags.pop(key, None)
    properties.update(key_values(getattr(args, "property", None), "--property"))
    properties.update(key_values(getattr(args, "add_property", None), "--add-property"))


def _update_meta(args: argparse.Namespace, state: dict[str, Any], existing: Any) -> int:
    """A service update of its description, tags or properties only: its state changes, nothing is deployed."""
    state = dict(state) or {"name": args.name}
    _apply_meta(args, state)
    configs.write_state(Path.cwd(), args.name, state)
    _, service = existing
    emit(args, with_meta(service.to_json(), state))
    return 0


def with_meta(service: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    """A service's JSON with what ml keeps of it (description, tags, properties), as v1's Webservice had them."""
    data = dict(service)
    state = state or {}
    data["description"] = state.get("description")
    data["tags"] = dict(state.get("tags", {}))
    data["properties"] = dict(state.get("properties", {}))
    return data


def regen_key(args: argparse.Namespace, argv: list[str]) -> int:
    from amldeploy.commands.ml.where import where
    from amldeploy.ops.keys import generate_key
    from amldeploy.ops.targets.base import find_service

    which = str(args.key).lower()
    if which not in ("primary", "secondary"):
        raise OpsError(f"-k {args.key}: expected Primary or Secondary", None, EXIT_USAGE)
    target, service = find_service(args.name, Path.cwd(), where(args.name))
    if not service.auth_enabled:
        raise OpsError(
            f"'{args.name}' has auth disabled: it has no keys to regenerate",
            "deploy it with --ae true (or authEnabled in the deployment config)",
            EXIT_USAGE,
        )
    if target.name == "aci":
        raise unreadable_aci_keys(f"ml service regen-key -k {args.key}", args.name)
    current = target.keys(args.name)
    new = args.set_key or generate_key()
    keys = (new, current.secondary) if which == "primary" else (current.primary, new)
    note(
        sys.stderr,
        f"the {target.name} target cannot change a key in place: '{args.name}' is deployed again with the new "
        f"{which} key (the other key is kept)",
    )
    args.overwrite = True
    deploy(args, argv, mode="regen", keys=keys)
    emit(args, {"primaryKey": keys[0], "secondaryKey": keys[1]})
    return 0
