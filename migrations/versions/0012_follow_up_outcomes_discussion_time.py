"""follow-up of decisions, case outcomes, discussion time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Issue 19: whether each signed-off decision's modalities were given (followups,
followup_items), what became of the patient (case_outcomes), and how long each
case was open in meeting mode (discussion_times). New tables only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_outcomes",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column(
            "vital_status",
            sa.Enum(
                "alive", "died", name="vital_status", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column(
            "ambulatory_30d",
            sa.Enum(
                "ambulatory",
                "non_ambulatory",
                name="ambulation_30d",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "ambulatory_90d",
            sa.Enum(
                "ambulatory",
                "non_ambulatory",
                name="ambulation_90d",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("local_recurrence", sa.Boolean(), nullable=False),
        sa.Column("recurrence_on", sa.Date(), nullable=True),
        sa.Column("retreated", sa.Boolean(), nullable=False),
        sa.Column("retreated_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_case_outcomes_referral_id_referrals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_case_outcomes")),
    )
    op.create_table(
        "discussion_times",
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_discussion_times_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agenda_item_id", name=op.f("pk_discussion_times")),
    )
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("bring_back", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_followups_decision_id_decisions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followups")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_followups_decision_id")),
    )
    op.create_table(
        "followup_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("modality_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "started",
                "completed",
                "not_given",
                name="implementation_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "patient_choice",
                "clinical_deterioration",
                "died_before_treatment",
                "plan_changed",
                "not_fit",
                "lost_to_follow_up",
                "other",
                name="deviation_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["followup_id"],
            ["followups.id"],
            name=op.f("fk_followup_items_followup_id_followups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["modality_id"],
            ["modalities.id"],
            name=op.f("fk_followup_items_modality_id_modalities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_items")),
        sa.UniqueConstraint("modality_id", name=op.f("uq_followup_items_modality_id")),
    )
    with op.batch_alter_table("followup_items", schema=None) as batch_op:
        batch_op.create_index("ix_followup_items_followup_id", ["followup_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("followup_items", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_items_followup_id")

    op.drop_table("followup_items")
    op.drop_table("followups")
    op.drop_table("discussion_times")
    op.drop_table("case_outcomes")
