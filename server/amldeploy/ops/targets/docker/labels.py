"""What a container says about the service it runs, in labels: the engine is the only record of a Docker service,
so ``list``/``show`` after an editor or CLI restart read everything from here. Never a key: labels are readable
by anyone who can ``docker inspect``, and pushed with nothing but still visible in ``docker ps``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from amldeploy import __version__
from amldeploy.ops.model_specs import ModelSpec

PREFIX = "amldeploy."
SERVICE = "amldeploy.service"
CONFIG_HASH = "amldeploy.config-hash"
VERSION = "amldeploy.version"
COMPUTE_TYPE = "amldeploy.compute-type"
CREATED = "amldeploy.created"
MODELS = "amldeploy.models"
FRONT_END = "amldeploy.front-end"  # authEnabled, queue and timeout: no key
FOLDER = "amldeploy.folder"  # where it was deployed from (the configs' folder), for show
IMAGE_DIGEST = "amldeploy.image-digest"  # the content hash of the build context (the tag's long form)


@dataclass(slots=True)
class ServiceLabels:
    service: str
    compute_type: str
    created: str
    image_digest: str
    front_end: dict[str, Any] = field(default_factory=dict)
    models: list[ModelSpec] = field(default_factory=list)
    folder: str = ""
    port: int | None = None  # fixed port, or None for one the engine picks (part of the config hash only)
    resources: dict[str, Any] = field(default_factory=dict)

    def config_hash(self) -> str:
        """What makes two deploys the same: the image content, the front end, the port and the limits."""
        data = {
            "image": self.image_digest,
            "frontEnd": self.front_end,
            "port": self.port,
            "resources": self.resources,
            "computeType": self.compute_type,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def to_labels(self) -> dict[str, str]:
        return {
            SERVICE: self.service,
            CONFIG_HASH: self.config_hash(),
            VERSION: __version__,
            COMPUTE_TYPE: self.compute_type,
            CREATED: self.created,
            IMAGE_DIGEST: self.image_digest,
            FRONT_END: json.dumps(self.front_end, sort_keys=True),
            MODELS: json.dumps([m.to_json() for m in self.models]),
            FOLDER: self.folder,
        }


def parse_json(labels: dict[str, str], key: str, default: Any) -> Any:
    try:
        return json.loads(labels.get(key) or "")
    except ValueError:
        return default
