"""Where the app may write a file it produces (a PDF, a CSV, a backup, a screenshot).

One rule for every writer, in the CLI and the GUI: an output never lands on an
input. Refused, whatever the caller asks: the open database and its -wal, -shm
and -journal companions, the audit key, anything in the backups folder beside
the database, any SQLite database file, and anything that is not a plain file
(a folder, a device, a pipe, a link). An existing ordinary file is replaced
only when the caller says so (``--force`` on the command line, the overwrite
question in the GUI). Files are written to a temporary name in the same folder,
flushed to disk, then renamed over the target, so a target is never half-written.

Standard library only: the desktop app checks a path before the database layer
is loaded.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")


class OutputRefused(ValueError):
    """The path may not be written; the message says why in one sentence."""


def protected_paths(database: Path | None, audit_key: Path) -> tuple[Path, ...]:
    """The files an output must never replace for this database (resolved)."""
    out = [audit_key]
    if database is not None:
        out.append(database)
        out.extend(Path(f"{database}{suffix}") for suffix in _COMPANIONS)
    return tuple(_resolved(p) for p in out)


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except OSError:
        return path.expanduser().absolute()


def _is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def check_output_path(
    out: Path,
    *,
    database: Path | None,
    audit_key: Path,
    replace: bool = False,
    what: str = "out",
) -> Path:
    """``out`` if the app may write it; OutputRefused naming ``what`` otherwise."""
    if not str(out).strip():
        raise OutputRefused(f"{what}: give a file name")
    target = out.expanduser()
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputRefused(f"{what}: {out} cannot be checked ({exc.strerror or exc})") from exc
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise OutputRefused(f"{what}: {out} is a link; give the file's own name")
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputRefused(f"{what}: {out} is a folder; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputRefused(f"{what}: {out} is a device or pipe, not a file; nothing written")
    resolved = _resolved(target)
    if resolved in protected_paths(database, audit_key):
        kind = "the audit key" if resolved == _resolved(audit_key) else "the database"
        raise OutputRefused(f"{what}: {out} is {kind}; an output never replaces it")
    if database is not None:
        backups = _resolved(database.parent / "backups")
        if backups in resolved.parents:
            raise OutputRefused(
                f"{what}: {out} is in the database's backups folder; choose another"
            )
    if info is not None and _is_sqlite_file(target):
        raise OutputRefused(f"{what}: {out} is a database file; an output never replaces one")
    if not target.parent.is_dir():
        raise OutputRefused(f"{what}: the folder {target.parent} does not exist")
    if info is not None and not replace:
        raise OutputRefused(f"{what}: {out} exists; add --force to replace it")
    return target


def staging_path(out: Path) -> Path:
    """The temporary name a file is built under before it replaces ``out`` (same
    folder, so the final rename is atomic)."""
    return out.with_name(f".{out.name}.{os.getpid()}.writing")


def fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def move_into_place(staged: Path, out: Path) -> None:
    """Flush ``staged`` to disk and rename it over ``out``; the folder is synced too."""
    fsync_file(staged)
    staged.replace(out)
    try:
        fd = os.open(out.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
