"""Controlled vocabularies shared by every layer.

Values are stable lowercase keys stored in the database; labels are what
people read. British clinical spelling throughout.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A string enum whose members carry a human label."""

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())


class Sex(Labelled):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Urgency(Labelled):
    ROUTINE = "routine"
    URGENT = "urgent"
    MSCC = "mscc"  # metastatic spinal cord compression emergency


#: most urgent first (agenda order, worklist sort, "is this suggestion more urgent?")
URGENCY_ORDER: dict[str, int] = {
    Urgency.MSCC.value: 0,
    Urgency.URGENT.value: 1,
    Urgency.ROUTINE.value: 2,
}


class DiseaseKind(Labelled):
    PRIMARY = "primary"
    METASTATIC = "metastatic"
    UNCERTAIN = "uncertain"


class Compartment(Labelled):
    EXTRADURAL = "extradural"
    IDEM = "idem"  # intradural extramedullary
    INTRAMEDULLARY = "intramedullary"
    UNKNOWN = "unknown"


class ReferralStatus(Labelled):
    NEW = "new"
    READY = "ready"
    LISTED = "listed"
    DISCUSSED = "discussed"
    CLOSED = "closed"


class MeetingStatus(Labelled):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class AgendaStatus(Labelled):
    LISTED = "listed"
    DISCUSSED = "discussed"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class Role(Labelled):
    SPINE_SURGEON = "spine_surgeon"
    MEDICAL_ONCOLOGIST = "medical_oncologist"
    CLINICAL_ONCOLOGIST = "clinical_oncologist"
    RADIOLOGIST = "radiologist"
    PATHOLOGIST = "pathologist"
    PALLIATIVE_CARE = "palliative_care"
    NURSE_SPECIALIST = "nurse_specialist"
    COORDINATOR = "coordinator"
    OTHER = "other"


#: Roles that must be present for a meeting to be quorate (DOMAIN.md §1).
CORE_ROLES: tuple[Role, ...] = (
    Role.SPINE_SURGEON,
    Role.MEDICAL_ONCOLOGIST,
    Role.CLINICAL_ONCOLOGIST,
    Role.RADIOLOGIST,
    Role.PATHOLOGIST,
)


class AttendanceStatus(Labelled):
    EXPECTED = "expected"
    PRESENT = "present"
    APOLOGIES = "apologies"
    GUEST = "guest"


class Intent(Labelled):
    CURATIVE = "curative"
    DISEASE_CONTROL = "disease_control"
    PALLIATIVE = "palliative"


class DecisionStatus(Labelled):
    DRAFT = "draft"
    SIGNED_OFF = "signed_off"
    AMENDED = "amended"  # superseded by a later amendment


_LABELS: dict[str, str] = {
    "mscc": "MSCC emergency",
    "idem": "Intradural extramedullary",
    "spine_surgeon": "Spine surgeon",
    "clinical_oncologist": "Clinical/radiation oncologist",
    "disease_control": "Life-prolonging / disease control",
    "signed_off": "Signed off",
    "in_progress": "In progress",
}


def quorum_missing(present_roles: set[str]) -> tuple[Role, ...]:
    """Core roles not represented among ``present_roles`` (empty when quorate)."""
    return tuple(r for r in CORE_ROLES if r.value not in present_roles)
