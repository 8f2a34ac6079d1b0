"""database identity on the audit head, and the head protected

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Every database gets an identity (a UUID on its audit head) under which each
workstation keeps a witness of the newest audit event it wrote or saw there,
outside the database (store/witness.py). The head itself may only move forward:
the database refuses to delete it, to move it back, or to change its identity.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "the audit head only moves forward"


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("database_id", sa.String(length=36), nullable=True))
    op.execute(sa.text("UPDATE audit_head SET database_id = :id").bindparams(id=str(uuid.uuid4())))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
            "WHEN NEW.last_id < OLD.last_id OR (OLD.database_id IS NOT NULL AND "
            "NEW.database_id IS NOT OLD.database_id) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION mdtboard_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN "
            "IF TG_OP = 'DELETE' OR NEW.last_id < OLD.last_id OR (OLD.database_id IS NOT NULL "
            "AND NEW.database_id IS DISTINCT FROM OLD.database_id) THEN "
            f"RAISE EXCEPTION '{MESSAGE}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION mdtboard_audit_head_forward()"
        )
        op.execute(
            "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION mdtboard_audit_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS mdtboard_audit_head_forward()")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("database_id")
