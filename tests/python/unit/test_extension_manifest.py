"""The VS Code extension and the server share definitions: the custom protocol, settings and their defaults,
command ids and the snippets the templates use. These tests keep the two sides from drifting apart."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from amldeploy.lsp import protocol
from amldeploy.lsp.settings import Settings, parse_settings

ROOT = Path(__file__).resolve().parents[3]
MANIFEST: dict[str, Any] = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
PROTOCOL_TS = (ROOT / "extension" / "src" / "client" / "protocol.ts").read_text(encoding="utf-8")
PROPERTIES: dict[str, Any] = MANIFEST["contributes"]["configuration"]["properties"]


def ts_constants() -> dict[str, str | int]:
    found: dict[str, str | int] = {}
    for name, value in re.findall(r"^export const ([A-Z][A-Z0-9_]*) = ([^;]+);", PROTOCOL_TS, re.M):
        value = value.strip()
        if value.startswith("'"):
            found[name] = value.strip("'")
        elif re.fullmatch(r"-?\d+", value):
            found[name] = int(value)
    return found


def ts_list(name: str) -> list[str]:
    match = re.search(rf"^export const {name} = \[([^\]]*)\]", PROTOCOL_TS, re.M)
    assert match, f"{name} is missing from protocol.ts"
    return [item.strip() for item in match.group(1).split(",") if item.strip()]


def test_protocol_ts_mirrors_protocol_py() -> None:
    py = {name: getattr(protocol, name) for name in dir(protocol) if name.isupper()}
    ts = ts_constants()
    methods_py = {k: v for k, v in py.items() if isinstance(v, str)}
    methods_ts = {k: v for k, v in ts.items() if isinstance(v, str)}
    assert methods_ts == methods_py
    assert ts["REQUEST_FAILED"] == protocol.REQUEST_FAILED
    assert [ts[n] for n in ts_list("REQUESTS")] == list(protocol.REQUESTS)
    assert [ts[n] for n in ts_list("NOTIFICATIONS")] == list(protocol.NOTIFICATIONS)
    assert [s.strip("'") for s in ts_list("CHOICE_SETTINGS")] == list(protocol.CHOICE_SETTINGS)
    assert [s.strip("'") for s in ts_list("CONFIG_KINDS")] == list(protocol.CONFIG_KINDS)


def manifest_defaults() -> dict[str, Any]:
    """The ``amldeploy`` section as VS Code sends it with nothing set: package.json's defaults, nested."""
    section: dict[str, Any] = {}
    for key, prop in PROPERTIES.items():
        parts = key.split(".")[1:]
        if parts[0] == "server":
            continue  # how the extension launches the server, not server settings
        node = section
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = prop.get("default")
    return section


def test_package_json_defaults_are_the_server_defaults() -> None:
    parsed, warnings = parse_settings(manifest_defaults())
    assert warnings == []
    assert parsed == Settings()


def test_file_patterns_default_to_the_servers() -> None:
    defaults = PROPERTIES["amldeploy.fileAssociations"]["default"]
    base = Settings()
    assert tuple(defaults["inference"]) == base.inference_patterns
    assert tuple(defaults["deployment"]) == base.deployment_patterns
    assert tuple(defaults["entryScript"]) == base.entry_script_patterns


def test_activation_covers_every_config_pattern() -> None:
    events = MANIFEST["activationEvents"]
    stems = {re.sub(r"\.\{json,yml,yaml\}$", "", e.removeprefix("workspaceContains:**/")) for e in events}
    for pattern in Settings().inference_patterns + Settings().deployment_patterns:
        assert pattern.rsplit(".", 1)[0] in stems, f"no activation event for {pattern}"


def registered_commands() -> set[str]:
    source = (ROOT / "extension" / "src" / "commands" / "register.ts").read_text(encoding="utf-8")
    return {f"amldeploy.{name}" for name in re.findall(r"command\('([A-Za-z][A-Za-z0-9]*)'", source)}


def test_every_contributed_command_is_registered_and_categorised() -> None:
    contributed = {c["command"] for c in MANIFEST["contributes"]["commands"]}
    assert contributed == registered_commands()
    assert all(c["category"] == "amldeploy" for c in MANIFEST["contributes"]["commands"])


@pytest.mark.parametrize("where", ["view/title", "view/item/context", "commandPalette"])
def test_menus_name_only_contributed_commands(where: str) -> None:
    contributed = {c["command"] for c in MANIFEST["contributes"]["commands"]}
    for item in MANIFEST["contributes"]["menus"][where]:
        assert item["command"] in contributed


def test_templates_use_snippets_that_exist() -> None:
    source = (ROOT / "extension" / "src" / "commands" / "workspace.ts").read_text(encoding="utf-8")
    prefixes = set(re.findall(r"'(amldeploy-[a-z-]+)'", source))
    prefixes |= {f"amldeploy-deploymentconfig-{t}" for t in ("local", "aci", "aks")}
    available = set()
    for file in (ROOT / "snippets").glob("*.code-snippets"):
        available |= {s["prefix"] for s in json.loads(file.read_text(encoding="utf-8")).values()}
    assert prefixes - {"amldeploy-deploymentconfig-"} <= available


def test_walkthrough_media_exist() -> None:
    for walkthrough in MANIFEST["contributes"]["walkthroughs"]:
        for step in walkthrough["steps"]:
            assert (ROOT / step["media"]["markdown"]).is_file()
