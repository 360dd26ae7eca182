"""No-code deployment: an entry script and environment generated for a model registered with a framework
(ScikitLearn, Onnx, TensorFlow), when a deploy or a package is given no inference config."""

from amldeploy.ops.nocode.generate import (
    SUPPORTED,
    Generated,
    cache_root,
    canonical_framework,
    choose_model,
    generate,
    requirements,
    service_name_for,
)

__all__ = [
    "SUPPORTED",
    "Generated",
    "cache_root",
    "canonical_framework",
    "choose_model",
    "generate",
    "requirements",
    "service_name_for",
]
