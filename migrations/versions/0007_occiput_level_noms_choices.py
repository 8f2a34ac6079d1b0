"""occiput level and the MDT's NOMS choices

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

The occiput (C0) becomes the first spinal level (reference/scores.md §1.1), so
every stored level ordinal (its index in the spine) moves up by one. A decision
records the NOMS inputs the MDT chose itself: the radiosensitivity class when
the histology has none (§10) and the optional "axial mechanical pain without
deformity" item when it overrides the SINS answers (§9, D12).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE referral_levels SET ordinal = ordinal + 1")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("noms_oncologic", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("noms_mechanical_pain", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("noms_mechanical_pain")
        batch_op.drop_column("noms_oncologic")
    # an occiput level has no place in the older schema's spine
    op.execute("DELETE FROM referral_levels WHERE level = 'C0'")
    op.execute("UPDATE referral_levels SET ordinal = ordinal - 1")
