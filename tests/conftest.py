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
from hypothesis import settings as hypothesis_settings

# Property tests check what the engine answers, not how fast: a busy CI machine must not
# fail one with a deadline ("DeadlineExceeded" then "Flaky" on replay).
hypothesis_settings.register_profile("mdtboard", deadline=None)
hypothesis_settings.load_profile("mdtboard")

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
    if not path.exists():
        shutil.copyfile(demo_template, path)
    return path


# --- PostgreSQL ------------------------------------------------------------------
# .ci/postgres.sh starts a throwaway server and exports MDTBOARD_TEST_PG_URL (a URL to
# an administrative database). Every test on the ``demo_db``/``ctx`` fixtures then runs
# on SQLite and on PostgreSQL. Without a server the PostgreSQL runs are skipped with
# that reason, except under CI, where they fail.
PG_URL = os.environ.get("MDTBOARD_TEST_PG_URL", "")
_pg_counter = 0


def _pg_admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _pg_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: MDTBOARD_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL server (run .ci/postgres.sh start to test on one)")
    from mdtboard.services.setup import create_demo_database

    name = f"mdt_tpl_{os.getpid()}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")
    _pg_admin(f"CREATE DATABASE {name}")
    create_demo_database(Target(_pg_url(name)), cases=40, seed=7, actor=Actor("demo"))
    yield name
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_database(pg_template: str) -> Iterator[str]:
    """A fresh copy of the PostgreSQL demo database; its URL."""
    global _pg_counter
    _pg_counter += 1
    name = f"mdt_t_{os.getpid()}_{_pg_counter}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgres"])
def demo_db(
    request: pytest.FixtureRequest, demo_template: Path, tmp_path: Path
) -> Iterator[Database]:
    if request.param == "postgres":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("this test is about SQLite files")
        url = request.getfixturevalue("pg_database")
        db = open_database(Target(url))
    else:
        path = tmp_path / "demo.db"
        if not path.exists():
            shutil.copyfile(demo_template, path)
        db = open_database(Target(sqlite_url(path)))
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


#: every test collected in this run, before -k or -m deselects any (tests/test_traceability.py)
COLLECTED: set[str] = set()


def pytest_collectreport(report: pytest.CollectReport) -> None:
    COLLECTED.update(r.nodeid for r in report.result if isinstance(r, pytest.Item))


@pytest.fixture(autouse=True)
def _no_sign_in_throttle_from_earlier_tests() -> Iterator[None]:
    """Failed sign-ins of this process slow down the next ones (per workstation): each
    test starts as a fresh workstation."""
    from mdtboard.services import auth

    auth._WORKSTATION_FAILURES.clear()
    yield
    auth._WORKSTATION_FAILURES.clear()


@pytest.fixture(autouse=True)
def _a_fresh_witness_per_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies of one demo database share its identity; each test is a workstation that
    has not seen any of them yet (store.witness)."""
    monkeypatch.setenv("MDTBOARD_WITNESS_DIR", str(tmp_path / "witnesses"))


@pytest.fixture(autouse=True)
def _fresh_ui_settings() -> None:
    """Remembered window sizes, splitters and folders (QSettings) are per user: each test
    starts as a user who has arranged nothing yet."""
    import sys

    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QSettings

        QSettings().clear()
