"""Alembic environment for mdtboard.

Run programmatically by ``mdtboard.store.migrate`` (which passes the app's
engine and connection), or by the ``alembic`` command from the project root
with ``MDTBOARD_DATABASE_URL`` / ``MDTBOARD_DB`` naming the database.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from mdtboard.store.db import make_engine, resolve_target
from mdtboard.store.migrate import include_object
from mdtboard.store.models import Base
from mdtboard.store.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render the app's column types as plain SQLAlchemy types: revisions stay frozen."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_with(connection: Connection) -> None:
    context.configure(
        render_item=render_item,
        include_object=include_object,
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        run_with(connection)
        return
    engine = connection or config.attributes.get("engine") or make_engine(resolve_target().url)
    with engine.connect() as conn:
        run_with(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
