"""referral GP and other letter recipients

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

The outcome letter goes to the referrer with a copy to the patient's GP and
any other recipient recorded on the referral: the GP's name and practice, and
the other recipients one per line. Existing referrals get empty values.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("gp_name", sa.String(length=120)),
    ("gp_practice", sa.String(length=160)),
    ("copy_to", sa.Text()),
)


def upgrade() -> None:
    # filled for the rows already there, then the default goes: the model has none
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=""))
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.alter_column(name, existing_type=kind, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        for name, _kind in reversed(_COLUMNS):
            batch_op.drop_column(name)
