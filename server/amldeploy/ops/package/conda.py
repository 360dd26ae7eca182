"""Conda dependencies as pip requirements, for images that install with pip into a venv.

v1 built every environment with conda. Most conda packages are Python packages with the same name on PyPI, so
the translation is mostly ``name=1.2.3`` → ``name==1.2.3``; the tables below hold the rest, and every entry of
the environment comes back as a :class:`Translation` so that the user sees what became of it.

Version specs follow conda's meaning: ``name=1.2`` is the fuzzy ``1.2.*`` (so is ``name=1.2.*``), while
``name=1.2.3`` and ``name==1.2.3`` are exact. A build string (``numpy=1.21.2=py38h...``) has no pip form and is
dropped. A channel prefix (``conda-forge::numpy``) only says where conda looks and is dropped too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Conda names whose PyPI distribution is called differently.
RENAMES: dict[str, str] = {
    "pytorch": "torch",
    "pytorch-cpu": "torch",
    "pytorch-gpu": "torch",
    "py-xgboost": "xgboost",
    "py-xgboost-cpu": "xgboost",
    "py-xgboost-gpu": "xgboost",
    "py-lightgbm": "lightgbm",
    "py-catboost": "catboost",
    # The tensorflow-gpu distribution stopped at 2.11 and now refuses to install; the tensorflow wheel has run on
    # GPUs since 2.1.
    "tensorflow-gpu": "tensorflow",
    "tensorflow-mkl": "tensorflow",
    "tensorflow-base": "tensorflow",
    "keras-gpu": "keras",
    "msgpack-python": "msgpack",
    "matplotlib-base": "matplotlib",
    "pytables": "tables",
    "python-graphviz": "graphviz",
    "py-opencv": "opencv-python-headless",
    "opencv": "opencv-python-headless",
    "libopencv": "opencv-python-headless",
    "ruamel_yaml": "ruamel.yaml",
    "pyqt": "PyQt5",
    "tbb4py": "tbb",
    "onnxruntime-gpu": "onnxruntime-gpu",
}

# Entries that never become pip requirements: the interpreter, the installer, compilers and the C/C++ runtime
# conda ships (manylinux wheels use the image's own), BLAS selectors (numpy and scipy wheels bundle OpenBLAS).
DROPPED: dict[str, str] = {
    "python": "the image's Python runs the service",
    "pip": "the venv brings its own pip",
    "wheel": "a build tool: the venv's pip installs wheels without it",
    "conda": "conda itself: a venv has no use for it",
    "gcc": "a compiler: PyPI wheels are prebuilt",
    "gxx": "a compiler: PyPI wheels are prebuilt",
    "gcc_linux-64": "a compiler: PyPI wheels are prebuilt",
    "gxx_linux-64": "a compiler: PyPI wheels are prebuilt",
    "gfortran": "a compiler: PyPI wheels are prebuilt",
    "make": "a build tool: PyPI wheels are prebuilt",
    "cmake": "a build tool: PyPI wheels are prebuilt",
    "binutils": "a build tool: PyPI wheels are prebuilt",
    "pkg-config": "a build tool: PyPI wheels are prebuilt",
    "libgcc": "conda's C runtime: manylinux wheels use the image's",
    "libgcc-ng": "conda's C runtime: manylinux wheels use the image's",
    "libstdcxx-ng": "conda's C++ runtime: manylinux wheels use the image's",
    "libgomp": "conda's OpenMP runtime: wheels that need it bundle it",
    "_libgcc_mutex": "a conda build detail",
    "_openmp_mutex": "a conda build detail",
    "ld_impl_linux-64": "a conda build detail",
    "ca-certificates": "the image's certificates (and certifi's) are used",
    "openssl": "the image's Python has its own",
    "cpuonly": "a conda selector of CPU builds: PyPI's torch on Linux is picked by its index, not a package",
    "nomkl": "a conda BLAS selector: numpy and scipy wheels bundle OpenBLAS",
    "blas": "a conda BLAS selector: numpy and scipy wheels bundle OpenBLAS",
    "libblas": "a BLAS library: numpy and scipy wheels bundle OpenBLAS",
    "libcblas": "a BLAS library: numpy and scipy wheels bundle OpenBLAS",
    "liblapack": "a LAPACK library: numpy and scipy wheels bundle OpenBLAS",
    "openblas": "a BLAS library: numpy and scipy wheels bundle OpenBLAS",
    "libopenblas": "a BLAS library: numpy and scipy wheels bundle OpenBLAS",
    "mkl": "Intel's BLAS for conda's numpy: numpy and scipy wheels bundle OpenBLAS",
    "mkl-service": "Intel's BLAS for conda's numpy: numpy and scipy wheels bundle OpenBLAS",
    "mkl_fft": "Intel's BLAS for conda's numpy: numpy and scipy wheels bundle OpenBLAS",
    "mkl_random": "Intel's BLAS for conda's numpy: numpy and scipy wheels bundle OpenBLAS",
    "intel-openmp": "Intel's OpenMP for conda's MKL: numpy and scipy wheels bundle OpenBLAS",
}

# Native packages with no PyPI equivalent: only conda (or a base image that has them) can provide them.
CONDA_ONLY: dict[str, str] = {
    "cudatoolkit": "the CUDA runtime: use a CUDA base image (torch and tensorflow wheels bundle theirs)",
    "cuda-toolkit": "the CUDA runtime: use a CUDA base image (torch and tensorflow wheels bundle theirs)",
    "cuda-runtime": "the CUDA runtime: use a CUDA base image (torch and tensorflow wheels bundle theirs)",
    "cuda-nvcc": "the CUDA compiler: use a CUDA base image",
    "pytorch-cuda": "conda's CUDA selector for pytorch: torch wheels bundle CUDA",
    "cudnn": "NVIDIA cuDNN: use a CUDA base image (torch and tensorflow wheels bundle theirs)",
    "nccl": "NVIDIA NCCL: use a CUDA base image",
    "magma": "a GPU linear algebra library",
    "libxgboost": "xgboost's native part, only conda splits it out (pip's xgboost holds it)",
    "ffmpeg": "a native program",
    "graphviz": "the native Graphviz programs (the Python binding is python-graphviz)",
    "hdf5": "a native library",
    "libprotobuf": "a native library",
    "nodejs": "a native program",
    "r-base": "R",
    "unixodbc": "a native library",
    "libjpeg-turbo": "a native library",
    "libpng": "a native library",
}

_CHANNEL = re.compile(r"^[^:\s]+::")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True, slots=True)
class Translation:
    conda: str  # the entry as written
    pip: str | None  # its requirement, None when it was dropped or has no PyPI equivalent
    reason: str

    def to_json(self) -> dict[str, str | None]:
        return {"conda": self.conda, "pip": self.pip, "reason": self.reason}


@dataclass(slots=True)
class PipPlan:
    """What a conda environment becomes: ``requirements`` (translated conda entries, then its pip section)."""

    requirements: list[str] = field(default_factory=list)
    translations: list[Translation] = field(default_factory=list)
    conda_only: list[str] = field(default_factory=list)  # the entries only conda can install
    python: str | None = None  # the version of a ``python`` entry, as written
    warnings: list[str] = field(default_factory=list)


def translate(conda: list[str], pip: list[str], image_python: str | None = None) -> PipPlan:
    """Translate conda ``dependencies`` (strings) plus the entries of its ``pip`` section.

    ``image_python`` is the base image's ``X.Y`` when known; a ``python`` pin that differs gets a warning."""
    plan = PipPlan()
    for entry in conda:
        translation = translate_one(entry)
        plan.translations.append(translation)
        name = conda_name(entry)
        if name == "python":
            plan.python = _version_text(entry)
        if translation.pip is not None:
            plan.requirements.append(translation.pip)
        elif name in CONDA_ONLY or name.startswith("r-"):
            plan.conda_only.append(entry)
    plan.requirements.extend(p.strip() for p in pip if p.strip())
    if plan.python:
        plan.warnings.extend(_python_warnings(plan.python, image_python))
    return plan


def conda_name(entry: str) -> str:
    """The lowercased package name of a conda spec, without its channel."""
    match = _NAME.match(_CHANNEL.sub("", entry.strip()))
    return match.group(1).lower() if match else entry.strip().lower()


def translate_one(entry: str) -> Translation:
    text = _CHANNEL.sub("", entry.strip())
    match = _NAME.match(text)
    if match is None:
        return Translation(entry, None, "not a conda package spec: left out")
    raw_name = match.group(1)
    name = raw_name.lower()
    if name in DROPPED:
        return Translation(entry, None, f"dropped: {DROPPED[name]}")
    if name in CONDA_ONLY or name.startswith("r-"):
        reason = CONDA_ONLY.get(name, "an R package")
        return Translation(entry, None, f"no PyPI equivalent ({reason})")
    pip_name = RENAMES.get(name, raw_name)
    version, notes = _version(text[match.end() :])
    if version is None:
        return Translation(entry, None, f"cannot read the version of '{entry}': left out")
    reasons = [f"renamed: conda's {raw_name} is {pip_name} on PyPI"] if name in RENAMES else []
    if name == "setuptools" and version:
        version, notes = "", [*notes, "unpinned: old setuptools pins do not install on Python 3.10+"]
    reasons += notes
    if not reasons:
        reasons = ["same name on PyPI"]
    return Translation(entry, f"{pip_name}{version}", "; ".join(reasons))


def _version(spec: str) -> tuple[str | None, list[str]]:
    """The pip form of a conda version spec (``""`` when unpinned) and notes; None when it cannot be read."""
    spec = spec.strip()
    if not spec:
        return "", []
    notes: list[str] = []
    if spec[0] not in "=<>!~":
        spec = "=" + re.sub(r"\s+", "=", spec)  # "numpy 1.21.2 py38_0", as `conda list` writes it
    if "|" in spec:
        return "", ["unpinned: conda's '|' (either version) has no pip form"]
    if spec.startswith("=") and not spec.startswith("=="):
        parts = spec[1:].split("=")
        version = parts[0]
        if len(parts) > 1 and parts[1]:
            notes.append(f"build string '{parts[1]}' dropped")
        if not re.fullmatch(r"[0-9A-Za-z.*+!_-]+", version):
            return None, notes
        if version.endswith(".*") or version == "*":
            return ("" if version == "*" else f"=={version}"), notes
        if version.count(".") < 2:
            # conda's name=1.2 matches 1.2, 1.2.x, ...
            notes.append(f"conda's ={version} matches {version}.*")
            return f"=={version}.*", notes
        return f"=={version}", notes
    if spec.startswith("=="):
        head, _, build = spec[2:].partition("=")
        if build:
            notes.append(f"build string '{build}' dropped")
        return f"=={head}", notes
    if not re.fullmatch(r"[0-9A-Za-z.*+!_,<>=~ -]+", spec):
        return None, notes
    return spec.replace(" ", ""), notes


def _version_text(entry: str) -> str | None:
    text = _CHANNEL.sub("", entry.strip())[len("python") :].strip()
    return text.lstrip("=<>!~ ").split("=")[0].strip() or None


def python_tuple(version: str) -> tuple[int, ...] | None:
    parts = re.findall(r"\d+", version)[:2]
    return tuple(int(p) for p in parts) if parts else None


def _python_warnings(pinned: str, image_python: str | None) -> list[str]:
    pin = python_tuple(pinned)
    if pin is None:
        return []
    shown = ".".join(str(p) for p in pin)
    if image_python is not None and python_tuple(image_python) not in (pin, None) and len(pin) >= 2:
        return [
            f"the environment pins python={pinned} but the base image runs Python {image_python}: its packages are "
            f"installed for {image_python} (pinned versions without wheels for it may fail to install)"
        ]
    if image_python is None and pin < (3, 10):
        return [
            f"the environment pins python={pinned}, but amldeploy's images run Python 3.10 or later: its packages "
            f"are installed for the image's Python, not {shown} (pinned versions without wheels for it may fail)"
        ]
    return []
