"""SQLAlchemy 2 models: the schema of an mdtboard database.

Every editable record carries ``version`` for optimistic locking (SQLAlchemy's
``version_id_col``): an UPDATE that finds a different version raises
``StaleDataError`` instead of silently overwriting another user's change.
All timestamps are stored in UTC (:class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from mdtboard.domain.followup import (
    Ambulation,
    DeviationReason,
    ImplementationStatus,
    VitalStatus,
)
from mdtboard.domain.vocab import (
    AgendaStatus,
    AttendanceStatus,
    Compartment,
    DecisionStatus,
    DiseaseKind,
    Intent,
    MeetingStatus,
    ReferralStatus,
    Role,
    Sex,
    Urgency,
)
from mdtboard.store.types import JSONType, UTCDateTime, str_enum, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Mixin: creation/update times and an optimistic-locking version."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Patient(Versioned, Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    national_number: Mapped[str | None] = mapped_column(String(32))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "sex"))

    referrals: Mapped[list[Referral]] = relationship(back_populates="patient")

    __table_args__ = (Index("ix_patients_name_dob", "family_name", "given_name", "date_of_birth"),)


class Referral(Versioned, Base):
    """One clinical question about one patient: a "case"."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    referrer_name: Mapped[str] = mapped_column(String(120))
    referrer_organisation: Mapped[str] = mapped_column(String(160), default="")
    #: the patient's GP, who gets a copy of the outcome letter
    gp_name: Mapped[str] = mapped_column(String(120), default="")
    gp_practice: Mapped[str] = mapped_column(String(160), default="")
    #: other recipients of the outcome letter, one per line
    copy_to: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, "urgency"))
    presenting_problem: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    disease_kind: Mapped[DiseaseKind] = mapped_column(str_enum(DiseaseKind, "disease_kind"))
    primary_site: Mapped[str] = mapped_column(String(160), default="")
    #: histology catalogue key, or "awaiting_biopsy"
    histology_key: Mapped[str] = mapped_column(String(64))
    compartment: Mapped[Compartment] = mapped_column(str_enum(Compartment, "compartment"))
    #: formatted level list ("T4–T6, L2"), kept in step with ``levels`` for display/search
    levels_text: Mapped[str] = mapped_column(String(120), default="")
    neuro_status: Mapped[str] = mapped_column(Text, default="")
    neuro_deficit: Mapped[bool] = mapped_column(Boolean, default=False)
    imaging_available: Mapped[bool] = mapped_column(Boolean, default=False)
    imaging_date: Mapped[date | None] = mapped_column(Date)
    pathology_available: Mapped[bool] = mapped_column(Boolean, default=False)
    pathology_date: Mapped[date | None] = mapped_column(Date)
    biopsy_deferral_rationale: Mapped[str] = mapped_column(Text, default="")
    #: differential diagnosis checklist (domain.differential): key → answer
    differential: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: red-flag checklist (domain.mscc.RED_FLAGS keys) behind the suggested urgency
    red_flags: Mapped[list[str] | None] = mapped_column(JSONType)
    # MSCC clocks (DOMAIN.md §3, scores.md §11)
    mscc_suspected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mri_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    treatment_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dexamethasone_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dexamethasone_omitted_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReferralStatus] = mapped_column(
        str_enum(ReferralStatus, "referral_status"), default=ReferralStatus.NEW
    )

    patient: Mapped[Patient] = relationship(back_populates="referrals")
    levels: Mapped[list[ReferralLevel]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralLevel.ordinal"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(back_populates="referral")

    __table_args__ = (
        Index("ix_referrals_patient_id", "patient_id"),
        Index("ix_referrals_status_received", "status", "received_at"),
        Index("ix_referrals_urgency", "urgency"),
        Index("ix_referrals_received_at", "received_at"),
    )


class ReferralLevel(Base):
    """One involved spinal level of a referral (ordinal = index in the spine)."""

    __tablename__ = "referral_levels"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(4), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer)

    referral: Mapped[Referral] = relationship(back_populates="levels")

    __table_args__ = (Index("ix_referral_levels_level", "level"),)


class Member(Versioned, Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role, "member_role"))
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Meeting(Versioned, Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    video_link: Mapped[str] = mapped_column(String(400), default="")
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )

    chair: Mapped[Member | None] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position"
    )
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_meetings_starts_at", "starts_at"),)


class Protocol(Versioned, Base):
    """An agreed standard-of-care protocol (issue 19 part 7): a case listed under it is
    recorded and signed off with the protocol applied, without a full discussion."""

    __tablename__ = "protocols"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    version_label: Mapped[str] = mapped_column(String(40))
    approved_by: Mapped[str] = mapped_column(String(120))
    approved_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("title", "version_label"),)


class AgendaItem(Versioned, Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="RESTRICT"))
    #: copied from the referral so the database enforces one entry per patient per meeting
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[AgendaStatus] = mapped_column(
        str_enum(AgendaStatus, "agenda_status"), default=AgendaStatus.LISTED
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    #: agenda item this one relists (deferred or undiscussed at an earlier meeting)
    relisted_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    #: listed as standard of care under this protocol: confirmed, not discussed in full
    protocol_id: Mapped[int | None] = mapped_column(ForeignKey("protocols.id", ondelete="RESTRICT"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    protocol: Mapped[Protocol | None] = relationship()
    referral: Mapped[Referral] = relationship(back_populates="agenda_items")
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="agenda_item", order_by="Decision.revision"
    )

    __table_args__ = (
        UniqueConstraint("meeting_id", "patient_id"),
        Index("ix_agenda_items_referral_id", "referral_id"),
    )


class Attendance(Base):
    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "attendance_status"), default=AttendanceStatus.EXPECTED
    )

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    member: Mapped[Member] = relationship()

    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)


class Assessment(Versioned, Base):
    """One score (or classification) recorded for a referral.

    ``total`` and ``band`` are computed by the clinical engine from
    ``answers``; they are never typed by hand.
    """

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    tool_id: Mapped[str] = mapped_column(String(40))
    #: what the score is about, e.g. the level for a per-lesion SINS
    subject: Mapped[str] = mapped_column(String(40), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    total: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(60))
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="assessments")

    __table_args__ = (Index("ix_assessments_referral_tool", "referral_id", "tool_id"),)


class Decision(Versioned, Base):
    """The MDT's decision on one agenda item.

    A signed-off decision is final; a correction is a new row (``revision``
    + 1) that ``supersedes`` the earlier one, which keeps status ``amended``
    and stays readable.
    """

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="RESTRICT"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="RESTRICT")
    )
    intent: Mapped[Intent | None] = mapped_column(str_enum(Intent, "intent"))
    plan_text: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    dissent: Mapped[str] = mapped_column(Text, default="")
    dissent_by: Mapped[str] = mapped_column(String(400), default="")
    patient_preferences: Mapped[str] = mapped_column(Text, default="")
    patient_informed: Mapped[bool] = mapped_column(Boolean, default=False)
    clinical_trial: Mapped[str] = mapped_column(String(200), default="")
    #: NOMS suggestion shown to the MDT when the decision was taken (decision support)
    noms_band: Mapped[str | None] = mapped_column(String(60))
    #: NOMS "systemic" input as judged by the MDT (None: not assessed)
    fit_for_surgery: Mapped[bool | None] = mapped_column(Boolean)
    #: NOMS "oncologic" class chosen by the MDT (None: the histology's, §10)
    noms_oncologic: Mapped[str | None] = mapped_column(String(20))
    #: NOMS optional item as the MDT set it (None: read from the SINS answers, §9)
    noms_mechanical_pain: Mapped[bool | None] = mapped_column(Boolean)
    quorate: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[DecisionStatus] = mapped_column(
        str_enum(DecisionStatus, "decision_status"), default=DecisionStatus.DRAFT
    )
    signed_off_by: Mapped[str] = mapped_column(String(120), default="")
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    #: keyed hash of each part of what was signed (services.seals); None for a draft
    seal: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="decisions")
    modalities: Mapped[list[Modality]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="Modality.sequence"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="Action.id"
    )

    __table_args__ = (
        UniqueConstraint("agenda_item_id", "revision"),
        Index("ix_decisions_status", "status"),
    )


class Modality(Base):
    __tablename__ = "modalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)

    decision: Mapped[Decision] = relationship(back_populates="modalities")

    __table_args__ = (Index("ix_modalities_decision_id", "decision_id"),)


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decision: Mapped[Decision] = relationship(back_populates="actions")

    __table_args__ = (Index("ix_actions_decision_id", "decision_id"),)


class FollowUp(Versioned, Base):
    """Was a signed-off decision carried out (issue 19 part 1)? One per decision: an
    amendment is a new decision with its own follow-up. Not part of the seal: it
    records what happened after sign-off."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="RESTRICT"), unique=True
    )
    #: the case should come back to the MDT (the plan could not be carried out as made)
    bring_back: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120), default="")

    decision: Mapped[Decision] = relationship()
    items: Mapped[list[FollowUpItem]] = relationship(
        back_populates="followup", cascade="all, delete-orphan", order_by="FollowUpItem.id"
    )


class FollowUpItem(Base):
    """One planned modality: given or not, when, and why not (or why differently)."""

    __tablename__ = "followup_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id", ondelete="CASCADE"))
    modality_id: Mapped[int] = mapped_column(
        ForeignKey("modalities.id", ondelete="RESTRICT"), unique=True
    )
    status: Mapped[ImplementationStatus] = mapped_column(
        str_enum(ImplementationStatus, "implementation_status")
    )
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[DeviationReason | None] = mapped_column(
        str_enum(DeviationReason, "deviation_reason")
    )
    reason_text: Mapped[str] = mapped_column(Text, default="")

    followup: Mapped[FollowUp] = relationship(back_populates="items")
    modality: Mapped[Modality] = relationship()

    __table_args__ = (Index("ix_followup_items_followup_id", "followup_id"),)


class CaseOutcome(Versioned, Base):
    """What became of the patient after the MDT's decision (issue 19 part 2)."""

    __tablename__ = "case_outcomes"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="RESTRICT"), primary_key=True
    )
    vital_status: Mapped[VitalStatus] = mapped_column(str_enum(VitalStatus, "vital_status"))
    #: the date of last contact (alive) or of death
    status_on: Mapped[date] = mapped_column(Date)
    ambulatory_30d: Mapped[Ambulation | None] = mapped_column(
        str_enum(Ambulation, "ambulation_30d")
    )
    ambulatory_90d: Mapped[Ambulation | None] = mapped_column(
        str_enum(Ambulation, "ambulation_90d")
    )
    local_recurrence: Mapped[bool] = mapped_column(Boolean, default=False)
    recurrence_on: Mapped[date | None] = mapped_column(Date)
    retreated: Mapped[bool] = mapped_column(Boolean, default=False)
    retreated_on: Mapped[date | None] = mapped_column(Date)

    referral: Mapped[Referral] = relationship()


class DiscussionTime(Base):
    """How long a case was open in meeting mode (issue 19 part 6): counted by the app,
    paused while another case is open. Not versioned: only the clock writes it."""

    __tablename__ = "discussion_times"

    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True
    )
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """Append-only, hash-chained record of every change.

    ``hash`` = HMAC-SHA256(key, prev_hash + canonical fields); the key lives
    outside the database, so an edited, inserted or deleted row breaks the
    chain detectably.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (
        Index("ix_audit_events_entity", "entity", "entity_id"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
    )


class User(Versioned, Base):
    """A local account. Passwords are stored only as argon2id hashes."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Setting(Versioned, Base):
    """Organisation-wide settings shared by every workstation (key → JSON value)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)


class AuditHead(Base):
    """The newest audit event, keyed like the chain: a deleted tail is detected."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    #: the database's identity, under which workstations keep their witness (a UUID)
    database_id: Mapped[str | None] = mapped_column(String(36))
