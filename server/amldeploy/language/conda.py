"""Reading a conda environment file the way amldeploy needs it: Python version, conda and pip packages."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml


@dataclass(slots=True)
class CondaSpec:
    name: str | None = None
    python: str | None = None
    conda: list[str] = field(default_factory=list)
    pip: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    error: str | None = None

    def has_pip_package(self, name: str) -> bool:
        wanted = name.lower().replace("_", "-")
        for spec in self.pip:
            head = spec.split(";")[0].strip().lower().replace("_", "-")
            for sep in ("[", "=", "<", ">", "!", "~", " "):
                head = head.split(sep)[0]
            if head == wanted:
                return True
        return False


def read_conda(text: str) -> CondaSpec:
    """Parse a conda file; problems come back in ``error`` (never raised)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        return CondaSpec(error=f"it is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}")
    if data is None:
        return CondaSpec(error="it is empty")
    if not isinstance(data, dict):
        return CondaSpec(error="it must be a mapping with 'dependencies' (and optionally 'name', 'channels')")
    spec = CondaSpec(name=str(data["name"]) if data.get("name") is not None else None)
    channels = data.get("channels") or []
    spec.channels = [str(c) for c in channels] if isinstance(channels, list) else []
    deps = data.get("dependencies") or []
    if not isinstance(deps, list):
        spec.error = "'dependencies' must be a list"
        return spec
    for dep in deps:
        if isinstance(dep, dict) and "pip" in dep:
            pip = dep.get("pip") or []
            if not isinstance(pip, list):
                spec.error = "the 'pip' entry must be a list of requirements"
                continue
            spec.pip.extend(str(p) for p in pip)
        elif isinstance(dep, (str, int, float)):
            text_dep = str(dep)
            spec.conda.append(text_dep)
            head = text_dep.split("=")[0].split("<")[0].split(">")[0].strip().lower()
            if head == "python":
                spec.python = text_dep[len("python") :].lstrip("=<>! ") or None
    return spec
