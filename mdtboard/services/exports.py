"""Exports and prints are audited with the SHA-256 of what left the system."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mdtboard.services.context import ServiceContext
from mdtboard.services.permissions import Permission


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_export_allowed(ctx: ServiceContext) -> None:
    ctx.require(Permission.EXPORT)


def record_export(
    ctx: ServiceContext,
    document: str,
    entity: str,
    entity_id: object,
    path: Path,
    *,
    action: str = "export",
) -> str:
    """Audit one exported (or printed) document; returns its SHA-256."""
    ctx.require(Permission.EXPORT)
    sha = file_sha256(path)
    with ctx.unit_of_work() as s:
        ctx.audit(
            s, action, entity, entity_id, f"{document} {action}ed as {path.name}, sha256 {sha}"
        )
    return sha
