"""Settings of the scoring host: Azure's environment variables, then the command line over them.

Azure's names keep Azure's meanings (``AZUREML_ENTRY_SCRIPT``, ``AML_APP_ROOT``, ``SERVER_PORT``, ...). The
front-end settings come from a deployment config where its compute type has them (AKS: all four; ACI:
``authEnabled``), else from ``AMLDEPLOY_*`` variables, else the defaults: no auth, one run() at a time, no queue
or front-end time limit. Keys come only from the environment or a keys file, never from the command line.

The configs themselves are read by ``amldeploy serve`` (with every v1 rule, which needs the language core):
it hands the values here as :class:`FromConfigs`, so that this module needs only the standard library.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy import __version__
from amldeploy.runtime.gateway import GatewaySettings
from amldeploy.runtime.model_specs import ModelSpec, ModelSpecError, parse_model_specs

DEFAULT_PORT = 5001
DEFAULT_SCORING_TIMEOUT_MS = 3_600_000
HTTP_CHOICES = ("auto", "httptools", "h11")
LOOP_CHOICES = ("auto", "uvloop", "asyncio")


@dataclass(slots=True)
class Limits:
    """What one request and one connection may take, each answered with its own status when exceeded."""

    max_body_bytes: int = 100 * 1024 * 1024  # 413
    max_header_bytes: int = 64 * 1024  # request line and headers: 431
    max_headers: int = 100  # 431 (gunicorn's limit_request_fields, which Azure's server ran with)
    read_timeout_s: float = 60.0  # a request in full from its first byte: 408
    keep_alive_s: float = 75.0  # an idle connection is closed
    graceful_timeout_s: float = 30.0  # SIGTERM: in-flight requests get this long to finish


# (RuntimeConfig attribute of Limits, environment variable, command-line option, lowest value)
LIMIT_SETTINGS = (
    ("max_body_bytes", "AMLDEPLOY_MAX_BODY_BYTES", "max_body_bytes", 1),
    ("max_header_bytes", "AMLDEPLOY_MAX_HEADER_BYTES", "max_header_bytes", 1024),
    ("max_headers", "AMLDEPLOY_MAX_HEADERS", "max_headers", 1),
    ("read_timeout_s", "AMLDEPLOY_READ_TIMEOUT_S", "read_timeout", 0.1),
    ("keep_alive_s", "AMLDEPLOY_KEEP_ALIVE_S", "keep_alive", 0.1),
    ("graceful_timeout_s", "AMLDEPLOY_GRACEFUL_TIMEOUT_S", "graceful_timeout", 0),
)


class ConfigProblem(Exception):
    """The server cannot start with these settings; the message says which one to change."""


@dataclass(slots=True)
class RuntimeConfig:
    entry_script: Path | None = None  # None: ``import main`` from the app root, as Azure's server does
    source_dir: Path | None = None
    app_root: Path | None = None  # None: a fresh temporary folder, removed at exit
    models: list[ModelSpec] = field(default_factory=list)
    model_dir: str | None = None
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 1
    scoring_timeout_ms: int = DEFAULT_SCORING_TIMEOUT_MS
    cors_origins: str | None = None
    service_name: str = "ML service"
    service_version: str = "1.0"
    service_path_prefix: str = ""
    server_version: str | None = None
    log_level: str = "INFO"
    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    limits: Limits = field(default_factory=Limits)
    http: str = "auto"
    loop: str = "auto"
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _int(env: Mapping[str, str], name: str, minimum: int = 1) -> int | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ConfigProblem(f"{name} must be an integer, not {text!r}") from None
    if value < minimum:
        raise ConfigProblem(f"{name} must be at least {minimum}, not {value}")
    return value


def _number(value: Any, name: str, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigProblem(f"{name} must be a number, not {value!r}") from None
    if not minimum <= number < 1e15:
        raise ConfigProblem(f"{name} must be at least {minimum} (and below 10^15), not {value}")
    return number


def _limits(env: Mapping[str, str], get: Any) -> Limits:
    limits = Limits()
    for attribute, variable, option, minimum in LIMIT_SETTINGS:
        given, where = get(option), "--" + option.replace("_", "-")
        if given is None and env.get(variable, "").strip():
            given, where = env[variable].strip(), variable
        if given is not None:
            value = _number(given, where, minimum)
            setattr(limits, attribute, int(value) if isinstance(getattr(limits, attribute), int) else value)
    return limits


def _choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    value = value.strip().lower() or "auto"
    if value not in choices:
        raise ConfigProblem(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    if value != "auto":
        import importlib.util

        module = "httptools" if value == "httptools" else value
        if module in ("httptools", "uvloop", "h11") and importlib.util.find_spec(module) is None:
            raise ConfigProblem(f"{name} is {value}, but {module} is not installed: pip install {module}, or use auto")
    return value


def _tls(env: Mapping[str, str], get: Any) -> tuple[str | None, str | None]:
    """The certificate and key files, checked by loading them (a bad pair stops the start, exit status 2)."""
    cert = get("ssl_certfile") or env.get("AMLDEPLOY_SSL_CERTFILE", "").strip() or None
    key = get("ssl_keyfile") or env.get("AMLDEPLOY_SSL_KEYFILE", "").strip() or None
    if cert is None and key is None:
        return None, None
    if cert is None or key is None:
        missing = "--ssl-certfile (AMLDEPLOY_SSL_CERTFILE)" if cert is None else "--ssl-keyfile (AMLDEPLOY_SSL_KEYFILE)"
        raise ConfigProblem(f"HTTPS needs a certificate and its key: {missing} is missing")
    import ssl

    for path in (cert, key):
        if not Path(path).is_file():
            raise ConfigProblem(f"HTTPS: {path} is not a readable file")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (OSError, ssl.SSLError, ValueError) as e:
        raise ConfigProblem(
            f"HTTPS: the certificate {cert} and key {key} cannot be used together ({e}); both must be PEM files, "
            "the key unencrypted and matching the certificate"
        ) from None
    return str(Path(cert).resolve()), str(Path(key).resolve())


def _bool(env: Mapping[str, str], name: str) -> bool | None:
    text = env.get(name, "").strip().lower()
    if not text:
        return None
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigProblem(f"{name} must be true or false, not {env[name]!r}")


def read_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    """The service keys from ``AMLDEPLOY_PRIMARY_KEY``/``AMLDEPLOY_SECONDARY_KEY`` or ``AMLDEPLOY_KEYS_FILE``."""
    primary, secondary = env.get("AMLDEPLOY_PRIMARY_KEY", ""), env.get("AMLDEPLOY_SECONDARY_KEY", "")
    keys_file = env.get("AMLDEPLOY_KEYS_FILE", "")
    if keys_file:
        try:
            data = json.loads(Path(keys_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigProblem(f"AMLDEPLOY_KEYS_FILE {keys_file} cannot be read as JSON: {e}") from None
        if not isinstance(data, dict):
            raise ConfigProblem(f'AMLDEPLOY_KEYS_FILE {keys_file} must hold {{"primaryKey": ..., "secondaryKey": ...}}')
        primary = primary or str(data.get("primaryKey") or "")
        secondary = secondary or str(data.get("secondaryKey") or "")
    return tuple(k for k in (primary, secondary) if k)


@dataclass(slots=True)
class FromConfigs:
    """What ``--ic``/``--dc`` say, read and checked by the caller: the script, its folder and environment
    variables (``entry_script`` None: no inference config), the deployment config's front-end values (its
    compute type's defaults included, plus its local ``port``), and the configs' warnings."""

    entry_script: Path | None = None
    source_dir: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)
    front_end: dict[str, Any] = field(default_factory=dict)
    deployment_config: str = ""  # its name, for the log's notes on where a setting came from
    warnings: list[str] = field(default_factory=list)


def _gateway(env: Mapping[str, str], from_dc: dict[str, Any], dc_name: str, threads: int | None) -> GatewaySettings:
    env_values: dict[str, Any] = {
        "auth_enabled": _bool(env, "AMLDEPLOY_AUTH_ENABLED"),
        "max_concurrent": _int(env, "AMLDEPLOY_MAX_CONCURRENT_REQUESTS"),
        "max_queue_wait_ms": _int(env, "AMLDEPLOY_MAX_QUEUE_WAIT_MS"),
        "scoring_timeout_ms": _int(env, "AMLDEPLOY_SCORING_TIMEOUT_MS"),
    }
    g = GatewaySettings()
    notes = []
    for key, env_value in env_values.items():
        if key in from_dc:
            setattr(g, key, from_dc[key])
            notes.append(f"{key} from {dc_name}")
        elif env_value is not None:
            setattr(g, key, env_value)
            notes.append(f"{key} from the environment")
    if threads is not None:
        g.max_concurrent = threads
        notes.append("max_concurrent from --threads")
    g.notes = notes
    if g.auth_enabled:
        g.keys = read_keys(env)
        if not g.keys:
            where = dc_name if "auth_enabled" in from_dc else "AMLDEPLOY_AUTH_ENABLED"
            raise ConfigProblem(
                f"authEnabled is true ({where}) but no key is set: put the keys in AMLDEPLOY_PRIMARY_KEY and "
                'AMLDEPLOY_SECONDARY_KEY, or in a JSON file {"primaryKey": ..., "secondaryKey": ...} named by '
                "AMLDEPLOY_KEYS_FILE"
            )
    return g


def load_config(args: Any, env: Mapping[str, str], cwd: Path, configs: FromConfigs | None = None) -> RuntimeConfig:
    """Settings from ``env`` with the parsed ``serve`` arguments (or None: image entrypoint) and the values
    of the configs over them."""

    def get(name: str) -> Any:
        return getattr(args, name, None) if args is not None else None

    configs = configs or FromConfigs()
    cfg = RuntimeConfig()
    cfg.warnings += configs.warnings
    app_root = env.get("AML_APP_ROOT", "").strip()
    cfg.app_root = (cwd / app_root).resolve() if app_root else None
    base = cfg.app_root or cwd
    source = env.get("AZUREML_SOURCE_DIRECTORY", "").strip()
    env_source = (base / source) if source else None
    if configs.entry_script is not None:
        cfg.entry_script, cfg.source_dir = configs.entry_script, configs.source_dir
        cfg.environment.update(configs.environment)
    elif get("entry_script"):
        script = (cwd / get("entry_script")).resolve()
        if not script.is_file():
            raise ConfigProblem(f"--entry-script {get('entry_script')}: no such file")
        cfg.entry_script, cfg.source_dir = script, env_source or script.parent
    else:
        entry = env.get("AZUREML_ENTRY_SCRIPT", "").strip()
        cfg.entry_script = (base / entry) if entry else None
        cfg.source_dir = env_source
    if get("source_dir"):
        cfg.source_dir = (cwd / get("source_dir")).resolve()
        if not cfg.source_dir.is_dir():
            raise ConfigProblem(f"--source-dir {get('source_dir')}: no such folder")
    try:
        cfg.models = parse_model_specs(get("model") or [], cwd)
    except ModelSpecError as e:
        raise ConfigProblem(str(e)) from None
    cfg.model_dir = env.get("AZUREML_MODEL_DIR") or None
    from_dc = configs.front_end
    cfg.gateway = _gateway(env, from_dc, configs.deployment_config, get("threads"))
    port = get("port")
    if port is None:
        port = from_dc.get("port")
    if port is None:
        port = _int(env, "SERVER_PORT", 0)
    cfg.port = DEFAULT_PORT if port is None else port
    cfg.host = get("host") or env.get("AMLDEPLOY_HOST", "").strip() or "127.0.0.1"
    cfg.workers = _int(env, "WORKER_COUNT") or 1
    cfg.limits = _limits(env, get)
    cfg.http = _choice(get("http") or env.get("AMLDEPLOY_HTTP", ""), "--http (AMLDEPLOY_HTTP)", HTTP_CHOICES)
    cfg.loop = _choice(get("loop") or env.get("AMLDEPLOY_LOOP", ""), "--loop (AMLDEPLOY_LOOP)", LOOP_CHOICES)
    cfg.ssl_certfile, cfg.ssl_keyfile = _tls(env, get)
    cfg.scoring_timeout_ms = _int(env, "SCORING_TIMEOUT_MS") or DEFAULT_SCORING_TIMEOUT_MS
    cfg.cors_origins = env.get("AML_CORS_ORIGINS") or None
    cfg.service_name = env.get("SERVICE_NAME") or cfg.service_name
    cfg.service_version = env.get("SERVICE_VERSION") or cfg.service_version
    cfg.service_path_prefix = env.get("SERVICE_PATH_PREFIX", "")
    cfg.log_level = (env.get("AZUREML_LOG_LEVEL") or "INFO").upper()
    enabled = env.get("SERVER_VERSION_LOG_RESPONSE_ENABLED")
    default_version = f"amldeploy/{__version__}" if enabled is None or enabled.lower() == "true" else None
    cfg.server_version = env.get("HTTP_X_MS_SERVER_VERSION") or default_version
    return cfg


def config_from_environ(args: Any = None, configs: FromConfigs | None = None) -> RuntimeConfig:
    return load_config(args, os.environ, Path.cwd(), configs)
