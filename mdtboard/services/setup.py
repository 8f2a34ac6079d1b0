"""Creating databases: empty, or filled with fictional demo data."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mdtboard.services import demo
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.store.db import Database, Target, open_database


class AlreadyExists(ServiceError):
    pass


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def create_demo_database(
    target: Target,
    *,
    cases: int = 40,
    seed: int = 1,
    force: bool = False,
    actor: Actor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> demo.DemoSummary:
    """Build a demo database; a SQLite file is built aside and moved into place.

    An existing file is refused unless ``force``; a failure leaves no
    half-built database behind.
    """
    actor = actor or Actor.local()
    path = target.sqlite_path
    if path is None:
        db = open_database(target, create=True)
        try:
            if _holds_data(db):
                raise AlreadyExists(
                    f"{target.display} already holds mdtboard data; mdtboard never empties a "
                    "server database: drop and create it again (docs/server.md) for a new demo"
                    if force
                    else f"{target.display} already holds mdtboard data"
                )
            return demo.generate(
                ServiceContext(db, actor), cases=cases, seed=seed, progress=progress
            )
        finally:
            db.dispose()
    if path.exists() and not force:
        raise AlreadyExists(f"{path} already exists; use --force to replace it")
    building = path.with_name(path.name + ".building")
    _remove_sqlite(building)
    built: Database | None = None
    try:
        built = open_database(target.with_path(building), create=True)
        summary = demo.generate(
            ServiceContext(built, actor), cases=cases, seed=seed, progress=progress
        )
        built.dispose()
        built = None
        _remove_sqlite(path)
        os.replace(building, path)
    finally:
        if built is not None:
            built.dispose()
        _remove_sqlite(building)
    return summary


def create_empty_database(target: Target) -> None:
    path = target.sqlite_path
    if path is not None and path.exists():
        raise AlreadyExists(f"{path} already exists")
    open_database(target, create=True).dispose()


def _holds_data(db: Database) -> bool:
    from mdtboard.store.audit import holds_records

    with db.reader() as s:
        return holds_records(s)


def database_exists(target: Target) -> bool:
    """A SQLite file that exists, or a server database that already holds data."""
    if target.sqlite_path is not None:
        return target.sqlite_path.exists()
    db = open_database(target, create=True)
    try:
        return _holds_data(db)
    finally:
        db.dispose()


def record_restore(target: Target, source: Path, actor: Actor) -> int:
    """After a restore: this workstation's witness moves back to the restored trail on
    purpose, and the restore is an audit event ("restored from FILE; N events rolled
    back", N from the witness). Returns N."""
    from mdtboard.store import audit, witness

    key = audit.load_key(create=False)
    db = open_database(target)
    try:
        with db.reader() as s:
            head = witness.head_of(s)
        rolled = 0
        if head is not None:
            try:
                held = witness.read(head.database_id, key)
            except witness.WitnessAltered:
                held = None
            if held is not None and held.last_id > head.last_id:
                rolled = held.last_id - head.last_id
            witness.save(key, head, back=True)
        with ServiceContext(db, actor).unit_of_work() as s:
            audit.record(
                s,
                user=actor.username,
                action="restore",
                entity="database",
                summary=f"restored from {source.name}; {rolled} events rolled back",
                key=key,
            )
        return rolled
    finally:
        db.dispose()
