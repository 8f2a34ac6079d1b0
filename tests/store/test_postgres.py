"""PostgreSQL: migrations up and down, models equal to the schema, trigram search
indexes, and several processes writing at once with nothing lost."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from mdtboard.store import audit, migrate
from mdtboard.store.db import Database, Target, open_database
from mdtboard.store.migrate import include_object
from mdtboard.store.models import Base, Patient


@pytest.fixture
def empty_pg(request: pytest.FixtureRequest) -> Iterator[Database]:
    from tests.conftest import PG_URL, _pg_admin, _pg_url

    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: MDTBOARD_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL server (run .ci/postgres.sh start to test on one)")
    name = f"mdt_empty_{os.getpid()}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    db = open_database(Target(_pg_url(name)), create=True)
    yield db
    db.dispose()
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_migrations_up_down_and_models_match(empty_pg: Database) -> None:
    def diff() -> list[object]:
        with empty_pg.engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            return list(compare_metadata(ctx, Base.metadata))

    assert diff() == []
    indexes = {ix["name"] for ix in inspect(empty_pg.engine).get_indexes("patients")}
    assert "ix_patients_family_name_trgm" in indexes
    migrate.downgrade(empty_pg, "base")
    assert set(inspect(empty_pg.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_pg)
    assert diff() == []


WRITER = r"""
import sys
from datetime import UTC, date, datetime
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.referrals import PatientInput, ReferralInput, register_referral
from mdtboard.store.db import Target, open_database

db = open_database(Target(sys.argv[1]))
ctx = ServiceContext(db, Actor(f"writer{sys.argv[2]}", "administrator"))
for n in range(int(sys.argv[3])):
    register_referral(
        ctx,
        PatientInput(f"W{sys.argv[2]}-{n:04d}", "Concurrent", "Fictional", date(1960, 1, 1)),
        ReferralInput(received_at=datetime.now(UTC), referrer_name="Dr Many", urgency="routine",
                      question="Q?", disease_kind="primary", histology_key="schwannoma",
                      compartment="idem", levels=("L4",)),
    )
print("done", flush=True)
"""


def test_several_processes_write_at_once(demo_db: Database) -> None:
    if demo_db.dialect != "postgresql":
        pytest.skip("the SQLite multi-writer case is covered by the crash-safety test")
    writers, each = 4, 25
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, demo_db.url, str(w), str(each)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        for w in range(writers)
    ]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-800:]
        assert "done" in out
    with demo_db.reader() as s:
        n = s.execute(select(func.count(Patient.id)).where(Patient.mrn.like("W%"))).scalar_one()
        report = audit.verify_database(s, audit.load_key())
        lost = s.execute(
            text(
                "SELECT count(*) FROM referrals r JOIN patients p ON "
                "p.id = r.patient_id WHERE p.mrn LIKE 'W%'"
            )
        ).scalar_one()
    assert n == lost == writers * each
    assert report.ok, report.problem
    print(
        f"\n{writers} processes × {each} referrals on PostgreSQL: {n} written, none lost, "
        f"{report.checked} audit events verified"
    )


def test_least_privilege_role_cannot_rewrite_the_audit_trail(empty_pg: Database) -> None:
    """The documented roles: the app role works, but cannot edit or delete audit events."""
    from pathlib import Path

    from sqlalchemy.exc import ProgrammingError

    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.members import add_member

    docs = Path(__file__).resolve().parents[2] / "docs"
    after = (docs / "postgres-after-migrations.sql").read_text()
    role = f"mdt_app_{os.getpid()}"
    admin = empty_pg.engine
    with admin.connect() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        )
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
        conn.execute(text(after.replace("mdtboard_app", role)))
        conn.commit()
    app_url = empty_pg.engine.url.set(username=role, password=None)
    app_db = Database(Target(app_url.render_as_string(hide_password=False)))
    try:
        add_member(ServiceContext(app_db, Actor("coord", "coordinator")), "Dr Role Test", "other")
        with app_db.engine.connect() as conn, pytest.raises(ProgrammingError):
            conn.execute(text("UPDATE audit_events SET summary = 'x'"))
        with app_db.engine.connect() as conn, pytest.raises(ProgrammingError):
            conn.execute(text("DELETE FROM audit_events"))
    finally:
        app_db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
            conn.commit()


def test_backup_command_points_to_pg_dump(demo_db: Database, tmp_path: object) -> None:
    if demo_db.dialect != "postgresql":
        pytest.skip("SQLite backups are tested in tests/cli/test_data_safety.py")
    res = subprocess.run(
        [sys.executable, "-m", "mdtboard", "backup", "--to", "/tmp/never-written.db"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MDTBOARD_DATABASE_URL": demo_db.url},
    )
    assert res.returncode == 1
    assert "pg_dump" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_demo_on_a_server_database_refuses_to_overwrite_and_honours_if_missing(
    demo_db: Database,
) -> None:
    if demo_db.dialect != "postgresql":
        pytest.skip("SQLite files are tested in tests/cli/test_cli.py")
    env = {**os.environ, "MDTBOARD_DATABASE_URL": demo_db.url}

    def demo(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mdtboard", "demo", *extra],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        )

    with demo_db.reader() as s:
        before = s.execute(select(func.count()).select_from(Patient)).scalar_one()
    skipped = demo("--if-missing")
    assert skipped.returncode == 0 and skipped.stdout == ""
    for extra in ((), ("--force",)):
        refused = demo(*extra)
        assert refused.returncode == 1, refused.stderr
        assert "already holds mdtboard data" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    with demo_db.reader() as s:
        assert s.execute(select(func.count()).select_from(Patient)).scalar_one() == before


def test_the_documented_role_sql_works_as_written(tmp_path: object) -> None:
    """docs/postgres-roles.sql run by psql as a superuser, migrations as the owner,
    docs/postgres-after-migrations.sql as the owner: the app role can work and cannot
    rewrite the audit trail. Names are made unique for the test; nothing else changes."""
    import shutil
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.members import add_member
    from tests.conftest import PG_URL, _pg_admin

    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: MDTBOARD_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL server (run .ci/postgres.sh start to test on one)")
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed")
    tag = f"t{os.getpid()}"
    owner, app, dbname = f"mdtboard_owner_{tag}", f"mdtboard_app_{tag}", f"mdtboard_{tag}"
    docs = Path(__file__).resolve().parents[2] / "docs"

    def named(sql: str) -> str:
        return (
            sql.replace("mdtboard_owner", owner)
            .replace("mdtboard_app", app)
            .replace("DATABASE mdtboard ", f"DATABASE {dbname} ")
            .replace("\\connect mdtboard", f"\\connect {dbname}")
        )

    admin = make_url(PG_URL)
    script = Path(str(tmp_path)) / "roles.sql"
    script.write_text(named((docs / "postgres-roles.sql").read_text()))
    base = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(admin.host)]
    base += ["-p", str(admin.port), "-U", str(admin.username)]
    try:
        done = subprocess.run(
            [*base, "-d", str(admin.database), "-f", str(script)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        as_owner = admin.set(username=owner, database=dbname).render_as_string(False)
        migrated = subprocess.run(
            [sys.executable, "-m", "mdtboard", "check"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "MDTBOARD_DATABASE_URL": as_owner},
        )
        assert migrated.returncode == 0, migrated.stderr
        after = Path(str(tmp_path)) / "after.sql"
        after.write_text(named((docs / "postgres-after-migrations.sql").read_text()))
        done = subprocess.run(
            [*base[:-2], "-U", owner, "-d", dbname, "-f", str(after)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        as_app = admin.set(username=app, database=dbname).render_as_string(False)
        app_db = open_database(Target(as_app))
        try:
            add_member(ServiceContext(app_db, Actor("coord", "coordinator")), "Dr Role", "other")
            for sql in ("UPDATE audit_events SET summary = 'x'", "DELETE FROM audit_events"):
                with app_db.engine.connect() as conn, pytest.raises(DBAPIError):
                    conn.execute(text(sql))
            with app_db.reader() as s:
                assert audit.verify_database(s, audit.load_key()).ok
        finally:
            app_db.dispose()
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        _pg_admin(f"DROP ROLE IF EXISTS {app}")
        _pg_admin(f"DROP ROLE IF EXISTS {owner}")
