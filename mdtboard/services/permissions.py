"""Who may do what. Enforced in the services; the GUI only mirrors it."""

from __future__ import annotations

from enum import StrEnum


class UserRole(StrEnum):
    COORDINATOR = "coordinator"
    CLINICIAN = "clinician"
    CHAIR = "chair"
    ADMINISTRATOR = "administrator"
    READ_ONLY = "read_only"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


class Permission(StrEnum):
    REFERRAL_WRITE = "referral.write"
    IMPORT = "referral.import"
    MEETING_WRITE = "meeting.write"
    AGENDA_WRITE = "agenda.write"
    ASSESSMENT_WRITE = "assessment.write"
    DECISION_WRITE = "decision.write"
    SIGN_OFF = "decision.sign_off"
    EXPORT = "document.export"
    MEMBERS_WRITE = "members.write"
    USERS_ADMIN = "users.admin"
    SETTINGS_WRITE = "settings.write"
    BACKUP = "database.backup"
    DEMO = "database.demo"
    AUDIT_VIEW = "audit.view"
    #: was the decision carried out, and what became of the patient (issue 19)
    FOLLOW_UP_WRITE = "followup.write"
    #: the agreed standard-of-care protocols (administrators)
    PROTOCOLS_WRITE = "protocols.write"


_P = Permission
GRANTS: dict[UserRole, frozenset[Permission]] = {
    UserRole.READ_ONLY: frozenset({_P.EXPORT}),
    UserRole.COORDINATOR: frozenset(
        {
            _P.REFERRAL_WRITE,
            # scores entered before the meeting so the case can be ready (issue 16)
            _P.ASSESSMENT_WRITE,
            _P.IMPORT,
            _P.MEETING_WRITE,
            _P.AGENDA_WRITE,
            _P.EXPORT,
            _P.MEMBERS_WRITE,
            _P.BACKUP,
            _P.FOLLOW_UP_WRITE,
        }
    ),
    UserRole.CLINICIAN: frozenset(
        {_P.REFERRAL_WRITE, _P.ASSESSMENT_WRITE, _P.DECISION_WRITE, _P.EXPORT, _P.FOLLOW_UP_WRITE}
    ),
    UserRole.CHAIR: frozenset(
        {
            _P.REFERRAL_WRITE,
            _P.ASSESSMENT_WRITE,
            _P.DECISION_WRITE,
            _P.SIGN_OFF,
            _P.EXPORT,
            _P.MEETING_WRITE,
            _P.AGENDA_WRITE,
            _P.FOLLOW_UP_WRITE,
        }
    ),
    UserRole.ADMINISTRATOR: frozenset(Permission),
}


def allowed(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[UserRole(role)]
    except ValueError:
        return False
