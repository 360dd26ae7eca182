"""Quick fixes of inference and deployment config problems, in JSON and YAML alike."""

from __future__ import annotations

import re
from collections.abc import Callable

from amldeploy.language.actions.edits import ConfigEditor, Edit, Fix, literal, member_with_key, node_with_range
from amldeploy.language.parse.nodes import Member, Node
from amldeploy.language.problems import Problem
from amldeploy.language.rules.deployment import AUTOSCALE_KEYS

_KEY_CODES = frozenset({"IC006", "IC007", "DC006", "DC007"})
_TYPE_CODES = frozenset({"IC002", "DC002"})
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")  # no exponent: YAML 1.1 reads `1e3` as a string


def config_fixes(problem: Problem, root: Node, editor: ConfigEditor) -> list[Fix]:
    if problem.code in _KEY_CODES:
        return _unknown_key(problem, root, editor)
    if problem.code in _TYPE_CODES:
        return _retype(problem, root, editor)
    handler = _HANDLERS.get(problem.code)
    return handler(problem, root, editor) if handler is not None else []


def _same_key(obj: Node, key: str) -> list[Member]:
    return [m for m in obj.members if m.key == key]


def _fix(title: str, edits: list[Edit] | None, preferred: bool = False) -> list[Fix]:
    return [Fix(title, edits, preferred)] if edits else []


def _unknown_key(problem: Problem, root: Node, editor: ConfigEditor) -> list[Fix]:
    member = member_with_key(root, problem.start, problem.end)
    if member is None:
        return []
    fixes: list[Fix] = []
    replacement = (problem.data or {}).get("replacement")
    if isinstance(replacement, str) and replacement and replacement != member.key:
        # Renaming onto a key that exists would only make a duplicate: offer it, but not as the fix.
        clash = member.parent.has(replacement)
        edit = editor.rename_key(member, replacement)
        fixes.append(Fix(f"Rename '{member.key}' to '{replacement}'", [edit], not clash))
    fixes += _fix(f"Remove '{member.key}' (ignored by v1)", editor.remove_members(member.parent, [member]))
    return fixes


def _retype(problem: Problem, root: Node, editor: ConfigEditor) -> list[Fix]:
    node = node_with_range(root, problem.start, problem.end)
    expected = (problem.data or {}).get("expected") or []
    if node is None or not isinstance(expected, list):
        return []
    key = node.parent_member.key if node.parent_member is not None else None
    source = editor.text[node.start : node.end].strip()
    if "string" in expected and (
        node.kind in ("number", "boolean") or (node.kind == "string" and not isinstance(node.value, str))
    ):
        if key == "cudaVersion" and node.kind == "number":
            version = f"{node.value}.0" if isinstance(node.value, int) else source
            return _fix(f'Quote cudaVersion: "{version}"', [editor.replace_value(node, literal(version))], True)
        return _fix(f"Quote the value: {literal(source)}", [editor.replace_value(node, literal(source))])
    if node.kind != "string" or not isinstance(node.value, str):
        return []
    content = node.value.strip()
    bare: str | None = None
    if "integer" in expected and _INTEGER.fullmatch(content):
        bare = str(int(content))
    elif "number" in expected and _DECIMAL.fullmatch(content):
        bare = content
    elif "boolean" in expected and content.lower() in ("true", "false"):
        bare = content.lower()
    if bare is None:
        return []
    return _fix(f"Remove the quotes: {bare}", [editor.replace_value(node, bare)])


def _gpu(problem: Problem, root: Node, editor: ConfigEditor) -> list[Fix]:
    member = member_with_key(root, problem.start, problem.end)
    if member is None:
        return []
    removal = editor.remove_members(member.parent, [member])
    if not removal:
        return []
    if not (problem.data or {}).get("move"):
        return _fix("Remove containerResourceRequirements.gpu (ACI has no GPU setting)", removal, True)
    value = member.value
    if root.has("gpuCores") or value is None or not value.is_integer:
        return _fix("Remove containerResourceRequirements.gpu", removal, True)
    insert = editor.insert_member(root, "gpuCores", editor.text[value.start : value.end])
    return _fix("Move gpu to the top-level gpuCores", [*removal, insert] if insert else None, True)


def _autoscale(problem: Problem, root: Node, editor: ConfigEditor) -> list[Fix]:
    kind = (problem.data or {}).get("fix")
    scaler = root.get("autoScaler")
    fixes: list[Fix] = []
    if kind == "autoscale-and-replicas":
        fixes += _fix("Remove numReplicas", editor.remove_members(root, _same_key(root, "numReplicas")))
        if scaler is not None and scaler.kind == "object":
            # Autoscale settings without autoscale are refused too: they go with it.
            settings = [m for m in scaler.members if m.key in AUTOSCALE_KEYS]
            removal = editor.remove_members(scaler, settings)
            switch = editor.set_member(scaler, "autoscaleEnabled", "false")
            if removal is not None and switch is not None:
                fixes += _fix("Disable autoscale (autoScaler.autoscaleEnabled: false)", [switch, *removal])
    elif kind == "replicas-missing":
        fixes += _fix("Add numReplicas: 1", _one(editor.insert_member(root, "numReplicas", "1")))
        node = node_with_range(root, problem.start, problem.end)
        if node is not None:
            fixes += _fix("Enable autoscale", [editor.replace_value(node, "true")])
    elif kind == "enable-autoscale" and scaler is not None and scaler.kind == "object":
        switch = editor.set_member(scaler, "autoscaleEnabled", "true")
        replicas = [m for m in _same_key(root, "numReplicas") if m.value is not None and m.value.kind != "null"]
        removal = editor.remove_members(root, _same_key(root, "numReplicas") if replicas else [])
        if switch is not None and removal is not None:
            title = "Enable autoscale" + (" and remove numReplicas" if replicas else "")
            fixes += _fix(title, [switch, *removal])
        member = member_with_key(root, problem.start, problem.end)
        if member is not None:
            fixes += _fix(f"Remove autoScaler.{member.key}", editor.remove_members(scaler, [member]))
    return fixes


def _one(edit: Edit | None) -> list[Edit] | None:
    return [edit] if edit is not None else None


def _token_auth(problem: Problem, root: Node, editor: ConfigEditor) -> list[Fix]:
    member = member_with_key(root, problem.start, problem.end)
    if member is None or member.value is None:
        return []
    return _fix("Disable tokenAuthEnabled", [editor.replace_value(member.value, "false")])


def _remove_key(title: str) -> Callable[[Problem, Node, ConfigEditor], list[Fix]]:
    def fix(problem: Problem, root: Node, editor: ConfigEditor) -> list[Fix]:
        member = member_with_key(root, problem.start, problem.end)
        if member is None:
            return []
        return _fix(title.format(key=member.key), editor.remove_members(member.parent, [member]))

    return fix


_HANDLERS: dict[str, Callable[[Problem, Node, ConfigEditor], list[Fix]]] = {
    "DC014": _gpu,
    "DC015": _autoscale,
    "DC018": _token_auth,
    "IC016": _remove_key("Remove {key}"),
    "JS005": _remove_key("Remove the earlier duplicate '{key}'"),
}
