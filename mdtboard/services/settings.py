"""Organisation settings shared by every workstation (typed, with defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.domain.readiness import DEFAULT_IMAGING_MAX_AGE_DAYS
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.store.db import Database
from mdtboard.store.models import Setting


@dataclass(frozen=True)
class Settings:
    imaging_max_age_days: int = DEFAULT_IMAGING_MAX_AGE_DAYS
    idle_lock_minutes: int = 15
    backups_keep: int = 7
    letterhead: tuple[str, ...] = (
        "Fictional Spine Centre",
        "Spine Oncology Multidisciplinary Team",
        "1 Example Road, Nowhere NW1 0AA",
    )
    signatory_name: str = "MDT Chair"
    signatory_title: str = "Chair, Spine Oncology MDT"
    contact: str = "MDT coordinator: 000 0000 0000 (fictional)"
    #: MSCC: hours from the decision to treat to surgery before it is flagged — a local
    #: default, since NICE sets no hour limit for surgery (reference/scores.md §11)
    mscc_surgery_hours: int = 24
    #: days after sign-off before a decision with no follow-up is listed as due (issue 19)
    followup_days: int = 30


_LIMITS: dict[str, tuple[int, int]] = {
    "imaging_max_age_days": (1, 365),
    "idle_lock_minutes": (1, 240),
    "backups_keep": (1, 365),
    "mscc_surgery_hours": (1, 720),
    "followup_days": (1, 365),
}


#: the settings row a demo database carries (demo.generate writes it): screens say DEMO
DEMO_MARK = "dataset"
DEMO_VALUE = "fictional demo"


def is_demo(db: Database) -> bool:
    """Whether this database holds the fictional demo data."""
    with db.reader() as s:
        row = s.get(Setting, DEMO_MARK)
        return row is not None and row.value == DEMO_VALUE


def get_settings(db: Database) -> Settings:
    with db.reader() as s:
        return settings_in(s)


def settings_in(s: Session) -> Settings:
    """The settings as this session sees them (inside a caller's transaction too)."""
    defaults = Settings()
    stored = {row.key: row.value for row in s.execute(select(Setting)).scalars()}
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name in stored:
            value = stored[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
    try:
        return replace(defaults, **values)
    except TypeError:
        return defaults


def setting_versions(db: Database) -> dict[str, int]:
    """The version of each stored setting (a setting never changed is version 0): what
    a form read, to pass back as ``expected`` when it saves."""
    with db.reader() as s:
        stored = {row.key: row.version for row in s.execute(select(Setting)).scalars()}
    return {f.name: stored.get(f.name, 0) for f in fields(Settings)}


def update_settings(
    ctx: ServiceContext, *, expected: Mapping[str, int] | None = None, **changes: Any
) -> Settings:
    """Change settings in one transaction. ``expected``: the versions the caller read
    (:func:`setting_versions`); a setting changed since then is a conflict, never
    overwritten."""
    ctx.require(Permission.SETTINGS_WRITE)
    known = {f.name for f in fields(Settings)}
    problems: dict[str, str] = {}
    for key, value in changes.items():
        if key not in known:
            problems[key] = "unknown setting"
        elif key in _LIMITS:
            lo, hi = _LIMITS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                problems[key] = f"a whole number from {lo} to {hi}"
    if problems:
        raise ValidationError(problems)
    with ctx.unit_of_work() as s:
        for key, value in changes.items():
            stored = list(value) if isinstance(value, tuple) else value
            row = s.get(Setting, key)
            if expected is not None and (row.version if row else 0) != expected.get(key, 0):
                raise Conflict(
                    f"setting {key} was changed by someone else since you read it",
                    entity=f"setting {key}",
                )
            if row is None:
                s.add(Setting(key=key, value=stored))
            elif row.value != stored:
                row.value = stored
        s.flush()
        ctx.audit(s, "update", "settings", "", "changed: " + ", ".join(sorted(changes)))
    return get_settings(ctx.db)


def as_dict(settings: Settings) -> dict[str, Any]:
    return asdict(settings)
