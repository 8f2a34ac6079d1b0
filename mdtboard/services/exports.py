"""Exports and prints are audited with the SHA-256 of what left the system."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
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
    name: str | None = None,
) -> str:
    """Audit one exported (or printed) document; returns its SHA-256. ``name``: the file
    name it is saved under, if ``path`` is still its staging copy."""
    ctx.require(Permission.EXPORT)
    sha = file_sha256(path)
    shown = name or path.name
    with ctx.unit_of_work() as s:
        ctx.audit(s, action, entity, entity_id, f"{document} {action}ed as {shown}, sha256 {sha}")
    return sha


def check_output(out: Path) -> None:
    """Where a document may be written: a new file, or a regular file it replaces (never
    a folder, a link, a device or a pipe, which the rename would replace)."""
    if out.is_symlink() or (out.exists() and not out.is_file()):
        kind = "a folder" if out.is_dir() else "not a regular file"
        raise ValidationError({"out": f"{out} is {kind}; choose a file name"})
    if not out.parent.is_dir():
        raise ValidationError({"out": f"folder does not exist: {out.parent}"})


def staging_path(out: Path) -> Path:
    """Where a document is built before it is audited and put in place (same folder,
    so the final rename is atomic)."""
    return out.with_name(f".{out.name}.{os.getpid()}.writing")


def put_in_place(
    ctx: ServiceContext, document: str, entity: str, entity_id: object, staged: Path, out: Path
) -> str:
    """Audit the built document, then rename it to ``out``. If the audit is refused
    (a read-only or busy database) the staged copy is removed and ``out`` is as it was."""
    try:
        sha = record_export(ctx, document, entity, entity_id, staged, name=out.name)
        staged.replace(out)
    finally:
        staged.unlink(missing_ok=True)
    return sha
