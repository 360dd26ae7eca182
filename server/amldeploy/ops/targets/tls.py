"""v1's ``sslEnabled`` for targets whose runtime serves TLS itself (Kubernetes, ACI): the PEM files of the
deployment config's ``sslCertificate`` and ``sslKey``, read for the target to hand to the service."""

from __future__ import annotations

from pathlib import Path

from amldeploy.ops.errors import OpsError


def read_tls(files: tuple[Path, Path] | None) -> tuple[str, str] | None:
    """The certificate and key texts of ``files`` (None without TLS); ``OpsError`` naming a file that cannot be read."""
    if files is None:
        return None
    texts = []
    for path in files:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise OpsError(
                f"sslEnabled: {path} cannot be read ({exc})",
                "give PEM files for sslCertificate and sslKey (relative to the deployment config's folder)",
            ) from None
    return texts[0], texts[1]
