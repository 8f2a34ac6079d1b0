"""PostgreSQL: trigram indexes for case-insensitive worklist search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

On PostgreSQL the worklist searches with ILIKE '%term%'; GIN trigram indexes
(pg_trgm, a trusted extension the database owner may create) serve those
searches. SQLite needs nothing: this revision does nothing there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column); the index is named ix_<table>_<column>_trgm (ignored by alembic check)
SEARCHED = (
    ("patients", "family_name"),
    ("patients", "given_name"),
    ("patients", "mrn"),
    ("referrals", "referrer_name"),
    ("referrals", "referrer_organisation"),
    ("referrals", "histology_key"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in SEARCHED:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trgm "
            f"ON {table} USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
