"""v1 rules of ``deploymentconfig.json`` beyond the schema: cross-key rules per compute type."""

from __future__ import annotations

from pathlib import Path

from amldeploy.language.codes import rule
from amldeploy.language.files import FileAccess, resolve
from amldeploy.language.parse.nodes import Member, Node
from amldeploy.language.problems import Problem, Severity

ACI_LIMIT = rule(
    "DC010",
    Severity.ERROR,
    "Above the ACI regional limit",
    "A container group gets at most the CPU and memory of its region (ACI region availability table; regions "
    "not in the table: 4 CPU / 16 GB). Azure refuses larger requests at deploy time.",
)
SSL_INCOMPLETE = rule(
    "DC011",
    Severity.ERROR,
    "TLS settings incomplete",
    "v1: *SSL is enabled, you must provide a SSL certificate, key, and cname.* `sslCertificate` and `sslKey` "
    "are paths to PEM files; the domain key is `cname` (not `sslCName`).",
)
PEM_INVALID = rule("DC012", Severity.ERROR, "Not a PEM file", "The TLS certificate and key must be PEM files.")
ALL_OR_NONE = rule(
    "DC013",
    Severity.ERROR,
    "Keys that go together",
    "`vaultBaseUrl`, `keyName` and `keyVersion` (customer-managed key) must all be set or none; so must "
    "`vnetName` and `subnetName`.",
)
GPU_IGNORED = rule(
    "DC014",
    Severity.WARNING,
    "containerResourceRequirements.gpu is ignored",
    "v1's parser never read `containerResourceRequirements.gpu`. On AKS the GPU count is the top-level "
    "`gpuCores`; on ACI v1 had no GPU setting at all.",
)
AUTOSCALE_CONFLICT = rule(
    "DC015",
    Severity.ERROR,
    "Autoscale and replica count conflict",
    "With `autoScaler.autoscaleEnabled: true` the replica count comes from the autoscaler, so `numReplicas` "
    "is refused; with autoscale explicitly off, `numReplicas` is required; `minReplicas`, `maxReplicas`, "
    "`refreshPeriodInSeconds` and `targetUtilization` need autoscale enabled.",
)
MIN_ABOVE_MAX = rule(
    "DC016",
    Severity.ERROR,
    "minReplicas above maxReplicas",
    "v1: *autoscale_min_replicas cannot be greater than autoscale_max_replicas.*",
)
LIMIT_BELOW_REQUEST = rule(
    "DC017",
    Severity.ERROR,
    "Limit below request",
    "`cpuLimit` must be ≥ `cpu` and `memoryInGBLimit` ≥ `memoryInGB` (a Kubernetes limit cannot be below its request).",
)
AUTH_BOTH = rule(
    "DC018",
    Severity.ERROR,
    "Key and token auth together",
    "v1: *auth_enabled and token_auth_enabled cannot both be true.* Choose key auth or token auth.",
)
CONCURRENCY_NOTE = rule(
    "DC019",
    Severity.INFORMATION,
    "Concurrent requests per container",
    "Calls to `run()` are serialised per worker (as in Azure's server), so more than one concurrent request "
    "per container waits in the queue unless the container runs several workers (`WORKER_COUNT`).",
)
KEYS_IN_FILE = rule(
    "DC020",
    Severity.INFORMATION,
    "Keys written in the config",
    "Scoring keys in a config file end up in version control. Leave them out: amldeploy generates keys and "
    "keeps them out of plain files (`amldeploy keys NAME`).",
)

ACI_DEFAULTS = {"cpu": 0.1, "memoryInGB": 0.5}
_LIMITS: dict[str, tuple[float, float]] = {}
for _regions, _limit in (
    (
        "canadacentral centralindia centralus eastasia eastus eastus2 northeurope southcentralus southeastasia westus",
        (4.0, 16.0),
    ),
    ("westeurope westus2", (4.0, 14.0)),
    ("australiaeast japaneast", (2.0, 8.0)),
    ("northcentralus southindia", (2.0, 3.5)),
):
    for _region in _regions.split():
        _LIMITS[_region] = _limit
DEFAULT_ACI_LIMIT = (4.0, 16.0)
AUTOSCALE_KEYS = ("minReplicas", "maxReplicas", "refreshPeriodInSeconds", "targetUtilization")
# Short names of the public Azure regions (the values `location` takes), offered by completion.
_REGION_NAMES = """
    australiaeast australiasoutheast brazilsouth canadacentral canadaeast centralindia centralus eastasia
    eastus eastus2 francecentral germanywestcentral italynorth japaneast japanwest koreacentral northcentralus
    northeurope norwayeast polandcentral qatarcentral southafricanorth southcentralus southeastasia southindia
    swedencentral switzerlandnorth uaenorth uksouth ukwest westcentralus westeurope westindia westus westus2
    westus3
"""
REGIONS: tuple[str, ...] = tuple(_REGION_NAMES.split())


def aci_limit(location: str | None) -> tuple[float, float, bool]:
    """(max CPU, max memory GB, region known) for an ACI region name such as ``"West Europe"``."""
    key = (location or "").replace(" ", "").replace("-", "").lower()
    if key in _LIMITS:
        return (*_LIMITS[key], True)
    return (*DEFAULT_ACI_LIMIT, False)


def compute_type(root: Node) -> str | None:
    node = root.get("computeType")
    if node is None or node.kind != "string":
        return None
    value = str(node.value).lower()
    return value if value in ("local", "aci", "aks", "aksendpoint") else None


def _number(node: Node | None) -> float | None:
    if node is None or node.kind != "number" or isinstance(node.value, bool):
        return None
    return float(node.value)


def _node_is(node: Node | None, value: object) -> bool:
    return node is not None and node.value is value


def _set(member: Member | None) -> bool:
    return member is not None and member.value is not None and member.value.kind != "null"


def check_deployment(root: Node, config_dir: Path, files: FileAccess) -> list[Problem]:
    out: list[Problem] = []
    kind = compute_type(root)
    if kind == "aci":
        _check_aci(root, config_dir, files, out)
    elif kind in ("aks", "aksendpoint"):
        _check_aks(root, out)
    if kind in ("aci", "aks", "aksendpoint"):
        _check_gpu(root, kind, out)
        keys = root.member("keys")
        if keys is not None and keys.value is not None and keys.value.kind == "object":
            for m in keys.value.members:
                if m.value is not None and m.value.kind == "string" and m.value.value:
                    out.append(
                        KEYS_IN_FILE.at(
                            m.key_start,
                            m.key_end,
                            f"'{m.key}' is a secret written in a plain file: leave it out and let amldeploy "
                            "generate and store the key.",
                        )
                    )
    return out


def _check_aci(root: Node, config_dir: Path, files: FileAccess, out: list[Problem]) -> None:
    resources = root.get("containerResourceRequirements")
    location = root.get("location")
    region = str(location.value) if location is not None and location.kind == "string" else None
    max_cpu, max_mem, known = aci_limit(region)
    where = f"region '{region}'" if known else ("unknown region '" + region + "'" if region else "ACI")
    if resources is not None and resources.kind == "object":
        for key, limit, unit in (("cpu", max_cpu, "CPU"), ("memoryInGB", max_mem, "GB")):
            node = resources.get(key)
            value = _number(node)
            if node is not None and value is not None and value > limit:
                out.append(
                    ACI_LIMIT.at(
                        node.start,
                        node.end,
                        f"{key} {node.value} is above the ACI limit of {limit:g} {unit} per container group "
                        f"for {where}.",
                        {"limit": limit},
                    )
                )
    ssl = root.get("sslEnabled")
    if ssl is not None and ssl.value is True:
        missing = [k for k in ("sslCertificate", "sslKey", "cname") if not _set(root.member(k))]
        if missing:
            member = root.member("sslEnabled")
            assert member is not None
            hint = " (the key is 'cname', not 'sslCName')" if "cname" in missing and root.has("sslCName") else ""
            out.append(
                SSL_INCOMPLETE.at(
                    member.key_start,
                    member.key_end,
                    "SSL is enabled, you must provide a SSL certificate, key, and cname: missing "
                    + ", ".join(missing)
                    + hint
                    + ".",
                    {"missing": missing},
                )
            )
        for key, marker in (("sslCertificate", "CERTIFICATE"), ("sslKey", "PRIVATE KEY")):
            node = root.get(key)
            if node is None or node.kind != "string" or not node.value:
                continue
            path = resolve(config_dir, str(node.value))
            text = files.read_text(path) if files.is_file(path) else None
            if text is None:
                out.append(
                    PEM_INVALID.at(
                        node.start,
                        node.end,
                        f"{key} '{node.value}' doesn't exist (relative to the config's folder).",
                    )
                )
            elif "-----BEGIN" not in text or marker not in text:
                out.append(
                    PEM_INVALID.at(
                        node.start,
                        node.end,
                        f"{key} '{node.value}' is not a PEM file with a {marker.lower()}.",
                    )
                )
    _all_or_none(root, ("vaultBaseUrl", "keyName", "keyVersion"), "customer managed key", out)
    _all_or_none(root, ("vnetName", "subnetName"), "virtual network", out)


def _all_or_none(root: Node, keys: tuple[str, ...], what: str, out: list[Problem]) -> None:
    present = [k for k in keys if _set(root.member(k))]
    if present and len(present) < len(keys):
        missing = [k for k in keys if k not in present]
        for key in present:
            member = root.member(key)
            assert member is not None
            out.append(
                ALL_OR_NONE.at(
                    member.key_start,
                    member.key_end,
                    f"The {what} settings {', '.join(keys)} must all have values or all be empty: "
                    f"missing {', '.join(missing)}.",
                    {"missing": missing},
                )
            )


def _check_gpu(root: Node, kind: str, out: list[Problem]) -> None:
    resources = root.get("containerResourceRequirements")
    if resources is None or resources.kind != "object":
        return
    gpu = resources.member("gpu")
    if gpu is None:
        return
    if kind == "aci":
        message = "containerResourceRequirements.gpu is ignored: v1 had no GPU setting for ACI."
        data: dict[str, object] = {"key": "gpu"}
    else:
        message = "containerResourceRequirements.gpu is ignored by v1: the GPU count is the top-level 'gpuCores'."
        data = {"key": "gpu", "replacement": "gpuCores", "move": True}
    out.append(GPU_IGNORED.at(gpu.key_start, gpu.key_end, message, data))


def _check_aks(root: Node, out: list[Problem]) -> None:
    scaler = root.get("autoScaler")
    enabled_member = scaler.member("autoscaleEnabled") if scaler is not None and scaler.kind == "object" else None
    enabled = enabled_member.value.value if enabled_member and enabled_member.value else None
    replicas = root.member("numReplicas")
    has_replicas = _set(replicas)
    if enabled is True and has_replicas and replicas is not None:
        out.append(
            AUTOSCALE_CONFLICT.at(
                replicas.key_start,
                replicas.key_end,
                "Autoscale is enabled and numReplicas is provided: remove numReplicas or set "
                "autoScaler.autoscaleEnabled to false.",
                {"fix": "autoscale-and-replicas"},
            )
        )
    if enabled is False and not has_replicas and enabled_member is not None and enabled_member.value is not None:
        out.append(
            AUTOSCALE_CONFLICT.at(
                enabled_member.value.start,
                enabled_member.value.end,
                "Autoscale is disabled but numReplicas is not provided: add numReplicas or enable autoscale.",
                {"fix": "replicas-missing"},
            )
        )
    if scaler is not None and scaler.kind == "object" and enabled is not True:
        for key in AUTOSCALE_KEYS:
            member = scaler.member(key)
            if _set(member) and member is not None:
                out.append(
                    AUTOSCALE_CONFLICT.at(
                        member.key_start,
                        member.key_end,
                        f"autoScaler.{key} is provided without enabling autoscaling: set "
                        "autoScaler.autoscaleEnabled to true or remove it.",
                        {"fix": "enable-autoscale"},
                    )
                )
    if scaler is not None and scaler.kind == "object":
        low, high = scaler.get("minReplicas"), scaler.get("maxReplicas")
        lo, hi = _number(low), _number(high)
        if low is not None and lo is not None and hi is not None and lo > hi:
            out.append(
                MIN_ABOVE_MAX.at(
                    low.start,
                    low.end,
                    f"minReplicas ({low.value}) cannot be greater than maxReplicas ({hi:g}).",
                )
            )
    resources = root.get("containerResourceRequirements")
    if resources is not None and resources.kind == "object":
        for request, limit in (("cpu", "cpuLimit"), ("memoryInGB", "memoryInGBLimit")):
            req, lim = resources.get(request), resources.get(limit)
            rv, lv = _number(req), _number(lim)
            if lim is not None and rv is not None and lv is not None and lv < rv:
                out.append(
                    LIMIT_BELOW_REQUEST.at(
                        lim.start,
                        lim.end,
                        f"{limit} ({lim.value}) must be greater than or equal to {request} ({rv:g}).",
                    )
                )
    auth, token = root.get("authEnabled"), root.member("tokenAuthEnabled")
    if auth is not None and auth.value is True and token is not None and _node_is(token.value, True):
        out.append(
            AUTH_BOTH.at(
                token.key_start,
                token.key_end,
                "authEnabled and tokenAuthEnabled cannot both be true: choose key auth or token auth.",
            )
        )
    concurrency = root.get("maxConcurrentRequestsPerContainer")
    value = _number(concurrency)
    if concurrency is not None and value is not None and value > 1:
        out.append(
            CONCURRENCY_NOTE.at(
                concurrency.start,
                concurrency.end,
                f"{concurrency.value} concurrent requests per container: run() calls are serialised per "
                "worker, so requests beyond the worker count wait in the queue (up to maxQueueWaitMs, "
                "then 503).",
            )
        )
