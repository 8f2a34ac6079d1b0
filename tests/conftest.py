"""Test set-up: headless Qt, and every user folder redirected to a scratch dir.

All data made here is fictional demo data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SCRATCH = Path(tempfile.mkdtemp(prefix="mdtboard-tests-"))
for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = str(_SCRATCH / _var.lower())
os.environ["MDTBOARD_AUDIT_KEY_FILE"] = str(_SCRATCH / "audit.key")
for _var in ("MDTBOARD_DB", "MDTBOARD_DATABASE_URL"):
    os.environ.pop(_var, None)

from mdtboard.services.context import Actor, ServiceContext  # noqa: E402
from mdtboard.store.db import Database, Target, open_database, sqlite_url  # noqa: E402


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40-case demo database built once; tests get copies."""
    from mdtboard.services.setup import create_demo_database

    path = tmp_path_factory.mktemp("template") / "demo.db"
    create_demo_database(Target(sqlite_url(path)), cases=40, seed=7, actor=Actor("demo"))
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    db = open_database(Target(sqlite_url(demo_path)))
    yield db
    db.dispose()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(Target(sqlite_url(tmp_path / "empty.db")), create=True)
    yield db
    db.dispose()


@pytest.fixture
def ctx(demo_db: Database) -> ServiceContext:
    return ServiceContext(demo_db, Actor("test.user", "administrator"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SCRATCH, ignore_errors=True)
