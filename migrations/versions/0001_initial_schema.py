"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 21:44:35.827297
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index("ix_audit_events_occurred_at", ["occurred_at"], unique=False)

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "spine_surgeon",
                "medical_oncologist",
                "clinical_oncologist",
                "radiologist",
                "pathologist",
                "palliative_care",
                "nurse_specialist",
                "coordinator",
                "other",
                name="member_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=32), nullable=False),
        sa.Column("national_number", sa.String(length=32), nullable=True),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column(
            "sex",
            sa.Enum(
                "female",
                "male",
                "other",
                "unknown",
                name="sex",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patients_mrn")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patients_name_dob", ["family_name", "given_name", "date_of_birth"], unique=False
        )

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("video_link", sa.String(length=400), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "closed",
                name="meeting_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_id"],
            ["members.id"],
            name=op.f("fk_meetings_chair_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referrer_name", sa.String(length=120), nullable=False),
        sa.Column("referrer_organisation", sa.String(length=160), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum(
                "routine",
                "urgent",
                "mscc",
                name="urgency",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("presenting_problem", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column(
            "disease_kind",
            sa.Enum(
                "primary",
                "metastatic",
                "uncertain",
                name="disease_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("primary_site", sa.String(length=160), nullable=False),
        sa.Column("histology_key", sa.String(length=64), nullable=False),
        sa.Column(
            "compartment",
            sa.Enum(
                "extradural",
                "idem",
                "intramedullary",
                "unknown",
                name="compartment",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("levels_text", sa.String(length=120), nullable=False),
        sa.Column("neuro_status", sa.Text(), nullable=False),
        sa.Column("neuro_deficit", sa.Boolean(), nullable=False),
        sa.Column("imaging_available", sa.Boolean(), nullable=False),
        sa.Column("imaging_date", sa.Date(), nullable=True),
        sa.Column("pathology_available", sa.Boolean(), nullable=False),
        sa.Column("pathology_date", sa.Date(), nullable=True),
        sa.Column("biopsy_deferral_rationale", sa.Text(), nullable=False),
        sa.Column("mscc_suspected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mri_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("treatment_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dexamethasone_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dexamethasone_omitted_reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "ready",
                "listed",
                "discussed",
                "closed",
                name="referral_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_referrals_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_patient_id", ["patient_id"], unique=False)
        batch_op.create_index("ix_referrals_received_at", ["received_at"], unique=False)
        batch_op.create_index(
            "ix_referrals_status_received", ["status", "received_at"], unique=False
        )
        batch_op.create_index("ix_referrals_urgency", ["urgency"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "listed",
                "discussed",
                "deferred",
                "withdrawn",
                name="agenda_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("relisted_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_agenda_items_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_agenda_items_referral_id_referrals"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["relisted_from_id"],
            ["agenda_items.id"],
            name=op.f("fk_agenda_items_relisted_from_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint(
            "meeting_id", "patient_id", name=op.f("uq_agenda_items_meeting_id_patient_id")
        ),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index("ix_agenda_items_referral_id", ["referral_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("tool_id", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("band", sa.String(length=60), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("entered_by", sa.String(length=120), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_assessments_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessments_referral_tool", ["referral_id", "tool_id"], unique=False
        )

    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "expected",
                "present",
                "apologies",
                "guest",
                name="attendance_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_attendances_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_attendances_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint(
            "meeting_id", "member_id", name=op.f("uq_attendances_meeting_id_member_id")
        ),
    )
    op.create_table(
        "referral_levels",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_levels_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("referral_id", "level", name=op.f("pk_referral_levels")),
    )
    with op.batch_alter_table("referral_levels", schema=None) as batch_op:
        batch_op.create_index("ix_referral_levels_level", ["level"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column(
            "intent",
            sa.Enum(
                "curative",
                "disease_control",
                "palliative",
                name="intent",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("plan_text", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("dissent", sa.Text(), nullable=False),
        sa.Column("dissent_by", sa.String(length=400), nullable=False),
        sa.Column("patient_preferences", sa.Text(), nullable=False),
        sa.Column("patient_informed", sa.Boolean(), nullable=False),
        sa.Column("clinical_trial", sa.String(length=200), nullable=False),
        sa.Column("noms_band", sa.String(length=60), nullable=True),
        sa.Column("quorate", sa.Boolean(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "signed_off",
                "amended",
                name="decision_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("signed_off_by", sa.String(length=120), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_decisions_agenda_item_id_agenda_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["decisions.id"],
            name=op.f("fk_decisions_supersedes_id_decisions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint(
            "agenda_item_id", "revision", name=op.f("uq_decisions_agenda_item_id_revision")
        ),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_decisions_status", ["status"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_actions_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_decision_id", ["decision_id"], unique=False)

    op.create_table(
        "modalities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_modalities_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modalities")),
    )
    with op.batch_alter_table("modalities", schema=None) as batch_op:
        batch_op.create_index("ix_modalities_decision_id", ["decision_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("modalities", schema=None) as batch_op:
        batch_op.drop_index("ix_modalities_decision_id")

    op.drop_table("modalities")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_decision_id")

    op.drop_table("actions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_status")

    op.drop_table("decisions")
    with op.batch_alter_table("referral_levels", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_levels_level")

    op.drop_table("referral_levels")
    op.drop_table("attendances")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_referral_tool")

    op.drop_table("assessments")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_items_referral_id")

    op.drop_table("agenda_items")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_urgency")
        batch_op.drop_index("ix_referrals_status_received")
        batch_op.drop_index("ix_referrals_received_at")
        batch_op.drop_index("ix_referrals_patient_id")

    op.drop_table("referrals")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_starts_at")

    op.drop_table("meetings")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index("ix_patients_name_dob")

    op.drop_table("patients")
    op.drop_table("members")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_occurred_at")
        batch_op.drop_index("ix_audit_events_entity")

    op.drop_table("audit_events")
