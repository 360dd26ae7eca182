"""amldeploy's custom LSP methods (mirrored by ``extension/src/client/protocol.ts``; a test keeps them equal).

Requests run operations in the server; notifications stream their output. Long requests (deploy, package,
delete) report ``$/progress`` through the ``workDoneToken`` the client passes, and stop when the client sends
``window/workDoneProgress/cancel`` for that token or ``$/cancelRequest`` for the request.

Every payload is a JSON object with camelCase keys. Paths may be absolute or relative to the workspace root
(the first workspace folder). A request that cannot be carried out answers the error ``REQUEST_FAILED`` with
``data = {"message": ..., "hint": ..., ...}``: the cause and the fix, in words a user can act on, plus
``problems`` (a config that has errors), ``log`` (the last lines of a service that did not start) or
``service`` (what was left behind) when there are any. Parameters of the wrong type, or missing, answer
``InvalidParams`` (-32602) with ``data = {"message", "hint", "key"}`` naming the key.

Shapes (``?`` marks an optional key):

``amldeploy/services``  ``{}`` → ``ServicesSnapshot``
    ``ServicesSnapshot = {"root": str, "targets": [TargetView]}``
    ``TargetView = {"name": str, "label": str, "description": str, "available": bool, "reason"?: str,
    "canPackage": bool, "settings": [{"key": str, "label": str, "value": str | None}],
    "services": [ServiceView]}``
    ``ServiceView`` is ``Service.to_json()`` plus ``"rows": [{"label": str, "value": str}]``: the details
    a tree shows under the service (endpoint, replicas/containers, ...), already worded by the target. Keys are
    never in a snapshot. The services of a recorded compute target (``features/computetargets.py``) whose
    settings look elsewhere than the editor's (another context, namespace or resource group) are listed under
    their target with ``"computeTarget": NAME`` and a ``Compute target`` row; a record that cannot be listed or
    read is one more ``TargetView``, unavailable, named ``computeTarget:NAME``, with ``"computeTarget": NAME`` and
    (when readable) ``"target"``. Delete, score, keys, logs, swagger and profile look for a service on the
    recorded compute targets when the editor's settings do not find it.
``amldeploy/deploy``  ``{"name", "inferenceConfig", "deploymentConfig", "models"?: [str], "target"?: str,
    "port"?: int, "isolated"?: bool, "image"?: str, "registry"?: str, "computeTarget"?: str, "workDoneToken"?}``
    → ``{"service": ServiceView, "warnings": [str]}`` (``models`` are ``PATH[:NAME[:VERSION]]`` like the command
    line's ``--model``; ``image``/``registry`` as ``--image``/``--registry``; the editor's target settings apply,
    under those of ``computeTarget``, a recorded target as ``--ct NAME``: see ``features/computetargets.py``).
    Without ``inferenceConfig`` a model with a framework is deployed with a generated entry script (no-code;
    without ``deploymentConfig`` too, computeType local) and the answer adds ``"notes": [str]`` saying so
``amldeploy/package``  same parameters as deploy without ``port`` → ``{"target": str, ...}``; a target that
    cannot package answers ``REQUEST_FAILED`` saying which targets can.
``amldeploy/delete``  ``{"name", "target"?: str, "workDoneToken"?}`` → ``{"name": str, "target": str}``
``amldeploy/score``  ``{"name", "body": str, "contentType"?: str}`` → ``{"name", "status": int, "reason": str,
    "runTimeMs": float | None, "headers": {str: str}, "body": Any}`` (``body`` parsed as JSON when it is JSON)
``amldeploy/keys``  ``{"name"}`` → ``{"primaryKey": str, "secondaryKey": str}``
``amldeploy/logs/start``  ``{"name", "tail"?: int}`` → ``{"stream": str}``; the lines then arrive as
    ``amldeploy/log`` notifications ``{"stream": str, "name": str, "lines": [str], "ended"?: bool}``
    (``ended`` when the service stopped or the stream was stopped)
``amldeploy/logs/stop``  ``{"stream"}`` → ``None`` (the stream's last lines and ``ended`` follow; stopping a
    stream that already ended is no error)
``amldeploy/choices``  ``{"setting": str}`` (one of ``CHOICE_SETTINGS``) → ``{"choices": [{"value": str,
    "label": str, "description"?: str}], "source": str}``: the values a target setting can take on this
    machine (Azure subscriptions from the Azure CLI's profile, contexts from the kubeconfig).
``amldeploy/configs``  ``{}`` → ``{"root": str, "files": [ConfigView], "truncated": bool, "exclude": [str]}``:
    the workspace's inference and deployment configs (found as ``amldeploy validate FOLDER`` finds them, with
    the ``fileAssociations`` and ``detectByContent`` settings), then the entry scripts they name.
    ``ConfigView = {"path": str, "kind": "inference" | "deployment" | "entryScript", "errors": int,
    "warnings": int, "entryScript"?: str}`` (absolute paths; counts after ``severityOverrides`` and
    ``disabledRules``, syntax included; open documents are counted with their unsaved text). ``truncated``: more
    than 200 configs, the first are listed. ``exclude``: globs of the folders no search should look into.
``amldeploy/checkName``  ``{"name": str}`` → ``{"problem": str | None, "suggestion": str}``: why ``name`` is
    not a valid service name (v1's rule), and a valid name made from it.
``amldeploy/swagger``  ``{"name"}`` → ``{"name", "uri": str, "document": Any}``: the service's swagger
    document, fetched by the server (with the key when auth is on).
``amldeploy/profile``  ``{"name", "samples"?: [str], "body"?: str, "contentType"?: str, "concurrency"?: int,
    "durationS"?: int, "headroomPercent"?: int, "deploymentConfig"?: str, "workDoneToken"?}`` → what
    ``amldeploy profile --output json`` prints, plus ``"edit": {"uri", "range", "newText", "values"}`` when a
    ``deploymentConfig`` is named: the recommendation as an edit of it (of its open document, if open), not applied
``amldeploy/export/v2``  ``{"inferenceConfig", "deploymentConfig", "models"?: [str], "outputDir": str,
    "endpoint"?: str, "deployment"?: str, "compute"?: str}`` → ``Exported``: ``amldeploy export v2``; the
    folder must be new, empty or an earlier export.
    ``Exported = {"kind": "v2" | "iot-edge", "outputDir": str, "files": [str], "mapped": [Fate], "dropped":
    [Fate], "notes": [str], "warnings": [str], ...}`` (``files`` absolute, the main ones first; v2 adds
    ``endpoint``, ``deployment``, ``deploymentKind``; IoT Edge ``module``, ``image``, ``contentTag``)
    ``Fate = {"file": "inference" | "deployment", "key": str, "to": str | None, "note": str}``
``amldeploy/export/iotEdge``  ``{"inferenceConfig", "deploymentConfig", "models"?: [str], "outputDir": str,
    "name"?: str, "registry"?: str, "image"?: str, "port"?: int}`` → ``Exported``: ``amldeploy export iot-edge``.
``amldeploy/models/list``  ``{"name"?: str}`` → ``{"root": str, "models": [{"name": str, "versions":
    [RegisteredModel]}], "problems": [str]}``: the local model registry (``amldeploy ml model list``) at ``root``
    (the ``amldeploy.models.registry`` setting, else ``AMLDEPLOY_MODEL_REGISTRY``, else the user's data folder),
    names in alphabetical order, the latest version first; ``problems`` names the entries that could not be read.
    ``RegisteredModel`` is ``RegisteredModel.to_json()``: ``id`` (``NAME:VERSION``), ``name``, ``version``,
    ``description``, ``tags``, ``properties``, ``framework``, ``frameworkVersion``, ``resourceConfiguration``,
    ``createdTime``, ``digest``, ``assetName``, ``path``.
``amldeploy/models/register``  ``{"path": str, "name"?: str, "framework"?: str, "frameworkVersion"?: str,
    "tags"?: [str], "properties"?: [str], "description"?: str}`` → ``RegisteredModel``: ``amldeploy ml model
    register``; ``tags`` and ``properties`` are ``KEY=VALUE`` strings; ``name`` defaults to the file's stem.
``amldeploy/models/download``  ``{"name", "version": int, "targetDir": str, "overwrite"?: bool}`` → ``{"name",
    "version", "path": str}`` (the copy of the file or folder, in ``targetDir``).
``amldeploy/models/delete``  ``{"name", "version": int, "force"?: bool}`` → ``{"name", "version", "id"}``; refused
    while a known service uses that version: ``REQUEST_FAILED`` whose ``data`` adds ``uses``: ``[{"service",
    "folder", "target", "createdTime"}]``; ``force`` deletes it anyway.
``amldeploy/models/checkName``  ``{"name"?: str, "path"?: str}`` → ``{"problem": str | None, "defaultName": str |
    None}``: why ``name`` is not a model name v1 accepted, and the name ``path`` registers under when none is given
    (its stem), as the editor's name prompt needs them.
``amldeploy/servicesChanged`` (notification)  a ``ServicesSnapshot``, sent after every deploy and delete and
    whenever a watched service changes state.
``amldeploy/modelsChanged`` (notification)  what ``amldeploy/models/list`` answers with no ``name``, sent (after
    a first list) when the store changed: a version registered, updated or deleted by anyone, or the setting
    moved it. The server looks every ``servicesPollMs``.
"""

from __future__ import annotations

from typing import Final

# Requests (client → server)
DEPLOY: Final = "amldeploy/deploy"
PACKAGE: Final = "amldeploy/package"
SERVICES: Final = "amldeploy/services"
DELETE: Final = "amldeploy/delete"
SCORE: Final = "amldeploy/score"
KEYS: Final = "amldeploy/keys"
LOGS_START: Final = "amldeploy/logs/start"
LOGS_STOP: Final = "amldeploy/logs/stop"
CHOICES: Final = "amldeploy/choices"
CONFIGS: Final = "amldeploy/configs"
CHECK_NAME: Final = "amldeploy/checkName"
SWAGGER: Final = "amldeploy/swagger"
PROFILE: Final = "amldeploy/profile"
EXPORT_V2: Final = "amldeploy/export/v2"
EXPORT_IOT_EDGE: Final = "amldeploy/export/iotEdge"
COMPUTE_TARGETS: Final = "amldeploy/computeTargets"
MODELS_LIST: Final = "amldeploy/models/list"
MODELS_REGISTER: Final = "amldeploy/models/register"
MODELS_DOWNLOAD: Final = "amldeploy/models/download"
MODELS_DELETE: Final = "amldeploy/models/delete"
MODELS_CHECK_NAME: Final = "amldeploy/models/checkName"

# Notifications (server → client)
LOG: Final = "amldeploy/log"
SERVICES_CHANGED: Final = "amldeploy/servicesChanged"
MODELS_CHANGED: Final = "amldeploy/modelsChanged"

REQUESTS: Final = (
    DEPLOY,
    PACKAGE,
    SERVICES,
    DELETE,
    SCORE,
    KEYS,
    LOGS_START,
    LOGS_STOP,
    CHOICES,
    CONFIGS,
    CHECK_NAME,
    SWAGGER,
    PROFILE,
    EXPORT_V2,
    EXPORT_IOT_EDGE,
    COMPUTE_TARGETS,
    MODELS_LIST,
    MODELS_REGISTER,
    MODELS_DOWNLOAD,
    MODELS_DELETE,
    MODELS_CHECK_NAME,
)
NOTIFICATIONS: Final = (LOG, SERVICES_CHANGED, MODELS_CHANGED)

# The target settings ``amldeploy/choices`` answers for (VS Code keeps them as ``amldeploy.<setting>``).
CHOICE_SETTINGS: Final = ("aci.subscription", "kubernetes.context")

# The ``kind`` of a ConfigView.
CONFIG_KINDS: Final = ("inference", "deployment", "entryScript")

# LSP's "RequestFailed": the request was valid but the server could not carry it out.
REQUEST_FAILED: Final = -32803
