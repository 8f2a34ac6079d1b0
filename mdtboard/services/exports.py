"""Exports and prints are audited with the SHA-256 of what left the system."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.worklist import CaseQuery, CaseRow, count_cases, fetch_cases
from mdtboard.store import outputs
from mdtboard.store.paths import audit_key_path


class ExportCancelled(ServiceError):
    pass


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


def check_output(database: Path | None, out: Path, *, replace: bool, what: str = "out") -> Path:
    """Where a document may be written (``store.outputs``): never the database, its
    companions, the audit key, a backup or any other database file, never a folder,
    link, device or pipe; an existing file only when ``replace`` (``--force``, or the
    GUI's overwrite question)."""
    try:
        return outputs.check_output_path(
            out, database=database, audit_key=audit_key_path(), replace=replace, what=what
        )
    except outputs.OutputRefused as exc:
        raise ValidationError({what: str(exc)}) from exc


staging_path = outputs.staging_path


def put_in_place(
    ctx: ServiceContext, document: str, entity: str, entity_id: object, staged: Path, out: Path
) -> str:
    """Audit the built document, then rename it to ``out``. If the audit is refused
    (a read-only or busy database) the staged copy is removed and ``out`` is as it was."""
    try:
        sha = record_export(ctx, document, entity, entity_id, staged, name=out.name)
        outputs.move_into_place(staged, out)
    finally:
        staged.unlink(missing_ok=True)
    return sha


# --- the worklist as CSV --------------------------------------------------------------

WORKLIST_COLUMNS = (
    "case_id",
    "patient",
    "mrn",
    "date_of_birth",
    "histology",
    "levels",
    "urgency",
    "status",
    "received_at",
    "referrer",
    "next_meeting",
)
#: a spreadsheet reads a cell beginning with one of these as a formula (OWASP, CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's
    advice for CSV injection); a number such as "-5" stays a number."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class WorklistExport:
    rows: int
    sha256: str


def export_worklist(
    ctx: ServiceContext,
    query: CaseQuery,
    out: Path,
    *,
    replace: bool,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    page: int = 5000,
) -> WorklistExport:
    """The rows of a worklist view (its filter and sort) as CSV: permission ``export``,
    the shared output rule, cells neutralised, audited with the file's SHA-256, written
    under a temporary name and put in place only when complete."""
    check_export_allowed(ctx)
    target = check_output(ctx.db.target.sqlite_path, out, replace=replace)
    total = count_cases(ctx.db, query)
    staged = staging_path(target)
    n = 0
    try:
        with staged.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(WORKLIST_COLUMNS)
            while True:
                if cancelled is not None and cancelled():
                    raise ExportCancelled("export cancelled; nothing was written")
                rows: list[CaseRow] = fetch_cases(ctx.db, query, n, page)
                if not rows:
                    break
                writer.writerows([neutralise(c) for c in _worklist_row(r)] for r in rows)
                n += len(rows)
                if progress is not None:
                    progress(n, max(n, total))
        sha = put_in_place(ctx, f"worklist ({n} cases)", "worklist", "", staged, target)
    finally:
        staged.unlink(missing_ok=True)
    return WorklistExport(n, sha)


def _worklist_row(r: CaseRow) -> tuple[str, ...]:
    return (
        str(r.referral_id),
        r.patient_name,
        r.mrn,
        r.date_of_birth.isoformat(),
        r.histology_label,
        r.levels_text,
        r.urgency,
        r.status,
        r.received_at.isoformat(),
        r.referrer,
        r.next_meeting_at.isoformat() if r.next_meeting_at else "",
    )
