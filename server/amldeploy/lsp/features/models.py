"""``amldeploy/models/*``: the local model registry (``amldeploy.ops.registry``) for an editor's Models view.

The registry is the command line's (``amldeploy ml model …``): the same store, found the same way
(``AMLDEPLOY_MODEL_REGISTRY``, which the editor's ``amldeploy.models.registry`` setting sets in the server's
environment, else the user's data folder). Every request opens it afresh, so a changed setting, or another
process registering into a shared folder, is seen by the next request. Relative paths are relative to the
workspace root.

After the first ``amldeploy/models/list`` a watcher thread looks at the store every ``servicesPollMs`` (the
modification times of its name folders: a few ``stat`` calls, which work on a network folder where file events do
not arrive) and sends ``amldeploy/modelsChanged`` when a version came or went, or the setting moved the store.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amldeploy.lsp import protocol
from amldeploy.lsp.answers import answer_errors
from amldeploy.lsp.background import poll, run_blocking
from amldeploy.lsp.params import Params, request_failed
from amldeploy.lsp.server import AmlLanguageServer

if TYPE_CHECKING:
    from amldeploy.ops.registry import ModelRegistry

MAX_VERSION = 2**31 - 1  # v1's versions are 32-bit integers
WATCHER = "models-watcher"


def _registry() -> ModelRegistry:
    from amldeploy.ops.registry import ModelRegistry

    return ModelRegistry()


def _list(name: str | None) -> dict[str, Any]:
    registry = _registry()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for model in registry.list(name):  # the newest version of each name first
        grouped.setdefault(model.name, []).append(model.to_json())
    models = [{"name": key, "versions": grouped[key]} for key in sorted(grouped, key=str.lower)]
    return {"root": str(registry.root), "models": models, "problems": list(registry.problems)}


def store_signature(root: Path) -> tuple[Any, ...]:
    """What changes when a version is registered, updated or deleted, or the store moves: the root, and the
    modification times of ``models/`` and of each name's folder (versions are files in it)."""
    models = root / "models"
    try:
        names = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in models.iterdir() if p.is_dir()))
        return (str(root), models.stat().st_mtime_ns, names)
    except OSError:  # no store yet (or unreadable: the list says why)
        return (str(root), None, ())


class Watch:
    """What the client was last told about the store (``signature``), and whether a watcher runs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.signature: tuple[Any, ...] | None = None
        self.watching = False


def _snapshot(watch: Watch) -> dict[str, Any]:
    """A fresh list, remembered as what the client knows."""
    with watch.lock:
        signature = store_signature(_registry().root)
        snapshot = _list(None)
        watch.signature = signature
    return snapshot


def _watch(ls: AmlLanguageServer, watch: Watch, stop: threading.Event) -> None:
    def step() -> None:
        if store_signature(_registry().root) != watch.signature:
            ls.background.notify(protocol.MODELS_CHANGED, _snapshot(watch))

    poll(
        lambda: ls.settings.services_poll_ms / 1000,
        stop,
        lambda error: ls.background.failed("watching the model registry", error),
        step,
    )


def _start_watching(ls: AmlLanguageServer, watch: Watch) -> None:
    with watch.lock:
        if watch.watching or ls.background.stopped.is_set():
            return
        watch.watching = True
    stop = threading.Event()
    ls.background.on_stop(WATCHER, stop.set)
    threading.Thread(target=_watch, args=(ls, watch, stop), name="amldeploy-models-watcher", daemon=True).start()


def _register(root: Path, args: dict[str, Any]) -> dict[str, Any]:
    from amldeploy.ops.errors import EXIT_USAGE, OpsError
    from amldeploy.ops.model_specs import default_model_name

    asset = root / args["path"]
    if not asset.exists():
        raise OpsError(f"{asset} does not exist", "pick the model file or folder to register", EXIT_USAGE)
    model = _registry().register(
        args["name"] or default_model_name(asset),
        asset,
        tags=args["tags"],
        properties=args["properties"],
        description=args["description"],
        framework=args["framework"],
        framework_version=args["framework_version"],
    )
    result: dict[str, Any] = model.to_json()
    return result


def _download(root: Path, name: str, version: int, target_dir: str, overwrite: bool) -> dict[str, Any]:
    path = _registry().download(name, version, root / target_dir, overwrite=overwrite)
    return {"name": name, "version": version, "path": str(path)}


def _delete(name: str, version: int, force: bool) -> dict[str, Any]:
    from amldeploy.ops.errors import OpsError

    registry = _registry()
    try:
        model = registry.delete(name, version, force=force)
    except OpsError as exc:
        uses = [] if force else _uses(registry, name, version)
        if uses:  # refused because services use it: the editor offers to delete it anyway
            raise request_failed(exc.message, exc.hint, uses=uses) from None
        raise
    return {"name": model.name, "version": model.version, "id": model.id}


def _uses(registry: ModelRegistry, name: str, version: int) -> list[dict[str, str]]:
    from amldeploy.ops.errors import OpsError

    try:
        return [use.to_json() for use in registry.uses(registry.get(name, version))]
    except OpsError:  # absent or damaged: not a refusal for use
        return []


def _check_name(root: Path, name: str | None, path: str | None) -> dict[str, Any]:
    from amldeploy.runtime.model_specs import default_model_name, model_name_problem

    return {
        "problem": model_name_problem(name) if name is not None else None,
        "defaultName": default_model_name(root / path) if path is not None else None,
    }


def register(server: AmlLanguageServer) -> None:
    watch = Watch()

    @server.feature(protocol.MODELS_LIST)
    async def models_list(ls: AmlLanguageServer, params: Any) -> Any:
        name = Params(protocol.MODELS_LIST, params).optional_text("name")
        with answer_errors(ls, protocol.MODELS_LIST):
            answer = await run_blocking(ls, lambda: _list(name) if name else _snapshot(watch))
        _start_watching(ls, watch)
        return answer

    @server.feature(protocol.MODELS_REGISTER)
    async def models_register(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.MODELS_REGISTER, params)
        args = {
            "path": p.text("path"),
            "name": p.optional_text("name"),
            "tags": p.texts("tags"),
            "properties": p.texts("properties"),
            "description": p.optional_text("description"),
            "framework": p.optional_text("framework"),
            "framework_version": p.optional_text("frameworkVersion"),
        }
        root = ls.root()
        with answer_errors(ls, protocol.MODELS_REGISTER):
            return await run_blocking(ls, lambda: _register(root, args))

    @server.feature(protocol.MODELS_DOWNLOAD)
    async def models_download(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.MODELS_DOWNLOAD, params)
        name, version = p.text("name"), p.required_integer("version", 1, MAX_VERSION)
        target_dir, overwrite = p.text("targetDir"), p.flag("overwrite")
        root = ls.root()
        with answer_errors(ls, protocol.MODELS_DOWNLOAD):
            return await run_blocking(ls, lambda: _download(root, name, version, target_dir, overwrite))

    @server.feature(protocol.MODELS_DELETE)
    async def models_delete(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.MODELS_DELETE, params)
        name, version, force = p.text("name"), p.required_integer("version", 1, MAX_VERSION), p.flag("force")
        with answer_errors(ls, protocol.MODELS_DELETE):
            return await run_blocking(ls, lambda: _delete(name, version, force))

    @server.feature(protocol.MODELS_CHECK_NAME)
    def models_check_name(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.MODELS_CHECK_NAME, params)
        name = None if p.values.get("name") is None else p.body("name")  # may be empty: that is a problem too
        path = p.optional_text("path")
        with answer_errors(ls, protocol.MODELS_CHECK_NAME):
            return _check_name(ls.root(), name, path)
