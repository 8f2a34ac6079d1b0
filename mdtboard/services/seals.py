"""Seals: what the chair signed, kept so that any later change is found and named.

At sign-off (and at each amendment) the decision is sealed: each part of what
was signed — the patient's identity, the referral (question, levels,
histology), every score it rests on with its answers and result, the NOMS
suggestion or primary-tumour pathway shown, the decision itself, its actions,
the meeting's attendance and quorum, and the signer and time — is written in
a canonical form and keyed with the audit key (HMAC-SHA256). The part hashes
are stored with the decision and their digest in the sign-off's audit event,
which the hash chain protects. ``verify`` recomputes every seal from the rows
as they are now: an edit made with the sqlite3 shell after sign-off is named
("decision 12 for MRN …: plan"), a seal removed or replaced is found against
its audit event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.domain import noms
from mdtboard.domain.vocab import DecisionStatus
from mdtboard.services.assessments import assessment_view, scores_at
from mdtboard.store.models import Assessment, AuditEvent, Decision

#: the parts of a seal, as ``verify`` names them
PARTS = (
    "patient",
    "referral",
    "scores",
    "suggestion",
    "decision",
    "actions",
    "attendance",
    "sign-off",
)
_DIGEST = re.compile(r"\bseal ([0-9a-f]{64})\b")
_RESEALED = re.compile(r"\bresealed decision (\d+) ([0-9a-f]{64})\b")


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


def _parts(s: Session, d: Decision) -> dict[str, Any]:
    """What was signed, part by part, from the rows as they are now."""
    item = d.agenda_item
    r = item.referral
    p = r.patient
    rows = s.execute(select(Assessment).where(Assessment.referral_id == r.id)).scalars()
    scores = scores_at([assessment_view(a) for a in rows], d.signed_off_at)
    kind = noms.case_kind(str(r.disease_kind), r.histology_key)
    meeting = item.meeting
    return {
        "patient": [
            p.mrn,
            p.family_name,
            p.given_name,
            _when(p.date_of_birth),
            str(p.sex),
            p.national_number or "",
        ],
        "referral": [
            r.id,
            r.question,
            [lv.level for lv in r.levels],
            r.histology_key,
            str(r.disease_kind),
            str(r.compartment),
        ],
        "scores": [
            [a.tool_id, a.subject, dict(a.answers), a.total, a.band, a.complete] for a in scores
        ],
        "suggestion": [
            "primary_tumour_pathway" if kind == "primary" else d.noms_band,
            d.fit_for_surgery,
            d.noms_oncologic,
            d.noms_mechanical_pain,
        ],
        "decision": [
            d.id,
            item.id,
            d.revision,
            d.supersedes_id,
            str(d.status),
            str(d.intent) if d.intent else None,
            d.plan_text,
            [[m.sequence, m.kind, dict(m.details)] for m in d.modalities],
            d.rationale,
            d.dissent,
            d.dissent_by,
            d.patient_preferences,
            d.patient_informed,
            d.clinical_trial,
            d.amendment_reason,
        ],
        # done_at changes after sign-off by design (an action carried out): not sealed
        "actions": [[a.description, a.owner, _when(a.due_date)] for a in d.actions],
        "attendance": [
            meeting.id,
            d.quorate,
            sorted([a.member.name, str(a.member.role), str(a.status)] for a in meeting.attendances),
        ],
        "sign-off": [d.signed_off_by, _when(d.signed_off_at)],
    }


def _mac(key: bytes, part: str, value: Any) -> str:
    text = json.dumps([part, value], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _digest(key: bytes, seal: Mapping[str, str]) -> str:
    text = "|".join(f"{k}={seal.get(k, '')}" for k in PARTS)
    return hmac.new(key, text.encode("ascii"), hashlib.sha256).hexdigest()


def seal_decision(s: Session, d: Decision, key: bytes) -> str:
    """Seal ``d`` as it now stands (call after its rows are flushed); returns the digest
    to record in the audit event ("… seal <digest>")."""
    parts = _parts(s, d)
    d.seal = {name: _mac(key, name, parts[name]) for name in PARTS}
    return _digest(key, d.seal)


def short_code(seal: Mapping[str, str]) -> str:
    """The seal as a printed copy carries it: twelve hex digits in three groups
    ("3F2A-9C1B-07D4"), taken from a hash of the keyed part hashes, so a paper copy
    can be matched to the record it was printed from (``find_by_code``) without
    printing the audit key's output in full."""
    text = "|".join(f"{k}={seal.get(k, '')}" for k in PARTS)
    code = hashlib.sha256(text.encode("ascii")).hexdigest()[:12].upper()
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normal_code(text: str) -> str:
    """A typed code as ``short_code`` writes it: case, spaces and dashes ignored."""
    code = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"[0-9A-F]{12}", code):
        raise ValueError("a seal code is 12 hexadecimal digits, as printed (e.g. 3F2A-9C1B-07D4)")
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


@dataclass(frozen=True)
class SealMatch:
    decision_id: int
    revision: int
    status: str
    mrn: str
    signed_off_by: str
    signed_off_at: datetime | None
    #: the parts changed since the seal was made (empty: the record is as printed)
    changed: tuple[str, ...]


def find_by_code(s: Session, code: str, key: bytes) -> list[SealMatch]:
    """The decisions whose seal prints as ``code``, each checked against its rows now."""
    wanted = normal_code(code)
    out: list[SealMatch] = []
    sealed = s.execute(
        select(Decision).where(Decision.status != DecisionStatus.DRAFT).order_by(Decision.id)
    )
    for d in sealed.scalars():
        if not d.seal or short_code(d.seal) != wanted:
            continue
        try:
            parts = _parts(s, d)
            mrn = d.agenda_item.referral.patient.mrn
        except AttributeError:  # the case it was signed for is gone
            parts, mrn = {}, ""
        changed = tuple(
            n for n in PARTS if n not in parts or d.seal.get(n) != _mac(key, n, parts[n])
        )
        out.append(
            SealMatch(
                d.id, d.revision, str(d.status), mrn, d.signed_off_by, d.signed_off_at, changed
            )
        )
    return out


@dataclass(frozen=True)
class SealReport:
    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _recorded_digests(s: Session) -> dict[int, str]:
    """The newest digest the audit trail records for each sealed decision."""
    out: dict[int, str] = {}
    events = s.execute(
        select(AuditEvent.entity_id, AuditEvent.summary)
        .where(AuditEvent.entity == "decision", AuditEvent.action.in_(("sign_off", "amend")))
        .order_by(AuditEvent.id)
    )
    for entity_id, summary in events:
        # the app writes the seal last: a typed reason earlier in the text cannot stand in
        tail = (summary if isinstance(summary, str) else "").rsplit("; seal ", 1)
        found = _DIGEST.findall("seal " + tail[-1]) if len(tail) == 2 else []
        if found and str(entity_id).isdigit():
            out[int(entity_id)] = found[0]
        resealed = _RESEALED.findall(tail[-1]) if len(tail) == 2 else []
        for old, digest in resealed[-1:]:
            out[int(old)] = digest
    return out


def verify(s: Session, key: bytes) -> SealReport:
    """Every sealed decision against the rows as they are now, and every seal the audit
    trail records against the decision that should hold it."""
    problems: list[str] = []
    recorded = _recorded_digests(s)
    decisions = list(s.execute(select(Decision).order_by(Decision.id)).scalars())
    seen: set[int] = set()
    for d in decisions:
        final = d.status != DecisionStatus.DRAFT
        if d.seal is None:
            if final or d.id in recorded:
                problems.append(f"decision {d.id}: signed off but its seal is missing")
            continue
        seen.add(d.id)
        who = f"decision {d.id}"
        try:
            parts = _parts(s, d)
            who += f" for MRN {d.agenda_item.referral.patient.mrn}"
        except AttributeError:  # a referral, patient or meeting row deleted
            problems.append(f"{who}: the case it was signed for is missing")
            continue
        changed = [n for n in PARTS if d.seal.get(n) != _mac(key, n, parts[n])]
        if changed:
            problems.append(f"{who}: changed after sign-off: {', '.join(changed)}")
        if d.id in recorded and recorded[d.id] != _digest(key, d.seal):
            problems.append(f"{who}: its seal is not the one the audit trail recorded")
    for decision_id in sorted(set(recorded) - {d.id for d in decisions}):
        problems.append(f"decision {decision_id}: signed off (audit trail) but deleted")
    return SealReport(len(seen), tuple(problems))
