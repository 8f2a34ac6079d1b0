"""How a hospital's file maps onto mdtboard's referral fields, and named profiles of it.

A :class:`Mapping` says which file column feeds each field, how the file's own words
for a value (``F``, ``Female``, ``Breast cancer``) translate to mdtboard's, and whether
ambiguous dates like ``04/05/1960`` are day-first or month-first. :func:`guess` builds
one from the header and the values; the wizard shows it for the user to change, and a
saved profile replays it (``mdtboard import-referrals --profile NAME``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from mdtboard.domain import histology
from mdtboard.domain.vocab import Compartment, DiseaseKind, Sex, Urgency
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.import_source import Source
from mdtboard.services.permissions import Permission
from mdtboard.store.db import Database
from mdtboard.store.models import Setting

#: mdtboard's fields in form order; the first twelve must be mapped
FIELDS: tuple[str, ...] = (
    "mrn",
    "family_name",
    "given_name",
    "date_of_birth",
    "received_at",
    "referrer_name",
    "urgency",
    "disease_kind",
    "histology",
    "compartment",
    "levels",
    "question",
    "sex",
    "national_number",
    "referrer_organisation",
    "primary_site",
    "presenting_problem",
    "neuro_status",
    "neuro_deficit",
    "imaging_date",
    "pathology_date",
    "biopsy_deferral_rationale",
    "red_flags",
    "mscc_suspected_at",
    "gp_name",
    "gp_practice",
)
REQUIRED: frozenset[str] = frozenset(FIELDS[:12])
DATE_FIELDS = frozenset({"date_of_birth", "received_at", "imaging_date", "pathology_date",
                         "mscc_suspected_at"})  # fmt: skip
LABELS: dict[str, str] = {
    "mrn": "MRN (hospital number)",
    "family_name": "Family name",
    "given_name": "Given name",
    "date_of_birth": "Date of birth",
    "received_at": "Referral received",
    "referrer_name": "Referrer",
    "urgency": "Urgency",
    "disease_kind": "Disease kind",
    "histology": "Histology",
    "compartment": "Compartment",
    "levels": "Spinal levels",
    "question": "Question for the MDT",
    "sex": "Sex",
    "national_number": "National number",
    "referrer_organisation": "Referring organisation",
    "primary_site": "Primary site",
    "presenting_problem": "Presenting problem",
    "neuro_status": "Neurological status",
    "neuro_deficit": "Neurological deficit (yes/no)",
    "imaging_date": "Imaging date",
    "pathology_date": "Pathology date",
    "biopsy_deferral_rationale": "Why biopsy is deferred",
    "red_flags": "MSCC red flags",
    "mscc_suspected_at": "MSCC suspected at",
    "gp_name": "GP",
    "gp_practice": "GP practice",
}

#: header words that name each field, as hospital exports spell them (compared after
#: lower-casing and dropping everything but letters and digits)
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "mrn": ("mrn", "hospitalnumber", "hospitalno", "patientid", "patientnumber", "caseno",
            "medicalrecordnumber", "recordnumber", "unitnumber", "crn", "pasnumber"),
    "family_name": ("familyname", "surname", "lastname", "patientsurname", "nachname"),
    "given_name": ("givenname", "forename", "forenames", "firstname", "christianname",
                   "vorname"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "born", "birthday"),
    "received_at": ("receivedat", "received", "referraldate", "datereferred", "referred",
                    "datereceived", "referralreceived", "referredon"),
    "referrer_name": ("referrername", "referrer", "referredby", "referringclinician",
                      "referringdoctor", "referringconsultant"),
    "urgency": ("urgency", "priority", "referralpriority"),
    "disease_kind": ("diseasekind", "diseasetype", "disease", "tumourtype", "tumortype",
                     "primaryormetastatic"),
    "histology": ("histology", "diagnosis", "histologicaldiagnosis", "tumourhistology",
                  "pathologydiagnosis", "histotype"),
    "compartment": ("compartment", "tumourcompartment"),
    "levels": ("levels", "spinallevels", "level", "vertebrallevels", "vertebrae",
               "spinallevel"),
    "question": ("question", "questionforthemdt", "mdtquestion", "reasonforreferral",
                 "clinicalquestion", "reason"),
    "sex": ("sex", "gender", "geschlecht"),
    "national_number": ("nationalnumber", "nhsnumber", "nhsno", "chinumber", "nationalid"),
    "referrer_organisation": ("referrerorganisation", "referringhospital", "organisation",
                              "referringorganisation", "referrerorganization",
                              "referringtrust"),
    "primary_site": ("primarysite", "primary", "primarytumour", "primarytumor", "site"),
    "presenting_problem": ("presentingproblem", "presentation", "presentingcomplaint",
                           "symptoms"),
    "neuro_status": ("neurostatus", "neurologicalstatus", "neurology", "neuro"),
    "neuro_deficit": ("neurodeficit", "neurologicaldeficit", "deficit"),
    "imaging_date": ("imagingdate", "mridate", "dateofimaging", "scandate"),
    "pathology_date": ("pathologydate", "biopsydate", "dateofpathology", "histologydate"),
    "biopsy_deferral_rationale": ("biopsydeferralrationale", "whynobiopsy",
                                  "biopsydeferred", "biopsydeferralreason"),
    "red_flags": ("redflags", "msccredflags", "flags"),
    "mscc_suspected_at": ("msccsuspectedat", "msccsuspected", "msccdatetime",
                          "msccsuspicion"),
    "gp_name": ("gpname", "gp", "generalpractitioner", "familydoctor", "registeredgp",
                "hausarzt"),
    "gp_practice": ("gppractice", "practice", "gpsurgery", "practicename", "gpaddress"),
}  # fmt: skip

#: the words a hospital file uses for each coded value (case and spaces ignored)
_VALUE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {
        Sex.FEMALE.value: ("f", "female", "w", "woman", "fem"),
        Sex.MALE.value: ("m", "male", "man"),
        Sex.OTHER.value: ("o", "other", "x", "indeterminate", "diverse", "d"),
        Sex.UNKNOWN.value: ("u", "unknown", "not known", "nk", "not stated", "ns"),
    },
    "urgency": {
        Urgency.ROUTINE.value: ("routine", "r", "non-urgent", "non urgent", "elective",
                                "standard", "normal"),
        Urgency.URGENT.value: ("urgent", "u", "soon", "priority", "2ww", "two week wait",
                               "expedited"),
        Urgency.MSCC.value: ("mscc", "emergency", "e", "immediate", "same day",
                             "cord compression", "suspected mscc"),
    },
    "disease_kind": {
        DiseaseKind.PRIMARY.value: ("primary", "p", "primary tumour", "primary tumor",
                                    "primary bone tumour"),
        DiseaseKind.METASTATIC.value: ("metastatic", "m", "metastasis", "metastases",
                                       "mets", "secondary", "secondaries"),
        DiseaseKind.UNCERTAIN.value: ("uncertain", "u", "unknown", "not known",
                                      "unclear", "?"),
    },
    "compartment": {
        Compartment.EXTRADURAL.value: ("extradural", "ed", "epidural", "extra-dural",
                                       "bone", "vertebral"),
        Compartment.IDEM.value: ("idem", "intradural extramedullary",
                                 "intradural-extramedullary", "ide"),
        Compartment.INTRAMEDULLARY.value: ("intramedullary", "im", "intra-medullary"),
        Compartment.UNKNOWN.value: ("unknown", "not known", "u", "nk"),
    },
}  # fmt: skip
#: the fields whose values are coded (a value map applies to them)
CODED_FIELDS: tuple[str, ...] = ("sex", "urgency", "disease_kind", "compartment", "histology")

DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"
DATE_ORDERS = {DAY_FIRST: "day first (31/12/1960)", MONTH_FIRST: "month first (12/31/1960)"}

_PROFILE_PREFIX = "import_profile:"
_PROFILE_NAME = re.compile(r"^[\w .,()+-]{1,60}$")


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _word(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").split())


@dataclass(frozen=True)
class Mapping:
    """Which file column feeds each field (field → header text), how coded values
    translate (field → {file value, case-folded → mdtboard value}), and the order of
    ambiguous dates ("dmy", "mdy" or "" when not chosen). ``ignored``: file columns the
    user chose not to import (any other unmapped column is refused, so a misspelt
    header is never dropped silently)."""

    columns: MappingABC[str, str] = field(default_factory=dict)
    values: MappingABC[str, MappingABC[str, str]] = field(default_factory=dict)
    date_order: str = ""
    ignored: tuple[str, ...] = ()

    def is_identity(self) -> bool:
        """The file already speaks mdtboard's import format (docs/import-format.md)."""
        return (
            all(f == c for f, c in self.columns.items())
            and not any(self.values.values())
            and self.date_order == ""
        )

    def with_column(self, fld: str, header: str | None) -> Mapping:
        columns = {f: c for f, c in self.columns.items() if f != fld}
        if header:
            columns[fld] = header
        return replace(self, columns=columns)

    def ignoring_the_rest(self, header: Iterable[str]) -> Mapping:
        """This mapping with every unmapped column of ``header`` marked as not imported."""
        used = set(self.columns.values())
        return replace(self, ignored=tuple(h for h in header if h and h not in used))

    def with_value(self, fld: str, raw: str, ours: str | None) -> Mapping:
        values = {f: dict(v) for f, v in self.values.items()}
        chosen = values.setdefault(fld, {})
        chosen.pop(_word(raw), None)
        if ours:
            chosen[_word(raw)] = ours
        return replace(self, values=values)

    def translate(self, fld: str, raw: str) -> str:
        """A file value as mdtboard's word for it (unchanged when nothing maps it)."""
        chosen = self.values.get(fld)
        if chosen:
            mapped = chosen.get(_word(raw))
            if mapped is not None:
                return mapped
        words = _VALUE_WORDS.get(fld)
        if words is not None:
            w = _word(raw)
            for ours, spellings in words.items():
                if w == ours or w in spellings:
                    return ours
        return raw

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "values": {f: dict(v) for f, v in self.values.items() if v},
            "date_order": self.date_order,
            "ignored": list(self.ignored),
        }

    @staticmethod
    def from_json(data: Any) -> Mapping:
        if not isinstance(data, dict):
            raise ValueError("not a mapping")
        columns = data.get("columns", {})
        values = data.get("values", {})
        order = data.get("date_order", "")
        ignored = data.get("ignored", [])
        if not isinstance(columns, dict) or not isinstance(values, dict):
            raise ValueError("columns and values must be objects")
        if not isinstance(ignored, list):
            raise ValueError("ignored must be a list")
        if order not in ("", DAY_FIRST, MONTH_FIRST):
            raise ValueError(f"unknown date order {order!r}")
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}")
        return Mapping(
            {str(k): str(v) for k, v in columns.items()},
            {str(f): {str(k): str(v) for k, v in m.items()} for f, m in values.items()},
            order,
            tuple(str(c) for c in ignored),
        )


def guess_columns(header: Iterable[str]) -> dict[str, str]:
    """Each field's file column, guessed from the header's names (each column used once;
    an exact field name wins, then the first spelling listed for a field)."""
    taken: set[str] = set()
    found: dict[str, str] = {}
    squashed = [(h, _squash(h)) for h in header if h.strip()]
    for fld in FIELDS:  # exact field names first: a canonical file maps to itself
        for h, _ in squashed:
            if h == fld and h not in taken:
                found[fld] = h
                taken.add(h)
    for fld in FIELDS:
        if fld in found:
            continue
        for word in _HEADER_WORDS[fld]:
            match = next((h for h, sq in squashed if sq == word and h not in taken), None)
            if match is not None:
                found[fld] = match
                taken.add(match)
                break
    return found


_GENERIC = frozenset(
    [
        "cancer",
        "carcinoma",
        "ca",
        "tumour",
        "tumor",
        "neoplasm",
        "malignancy",
        "malignant",
        "metastatic",
        "metastasis",
        "metastases",
        "mets",
        "secondary",
        "secondaries",
        "primary",
        "of",
        "the",
        "from",
        "with",
        "disease",
    ]
)


def _tokens(text: str) -> frozenset[str]:
    words = re.findall(r"[0-9a-z]+", text.casefold())
    return frozenset(w for w in words if w not in _GENERIC)


def guess_histology(raw: str) -> str | None:
    """The one catalogue entry a hospital's diagnosis text names, or None: by key, label
    or synonym, then by its words once generic ones ("cancer", "metastatic") are set
    aside ("Breast cancer" → met_breast). Never a guess between two entries."""
    t = raw.strip()
    if not t:
        return None
    if t in histology.CATALOGUE or _word(t).replace(" ", "_") == histology.AWAITING_BIOPSY:
        return t if t in histology.CATALOGUE else histology.AWAITING_BIOPSY
    for h in histology.CATALOGUE.values():
        if t.casefold() in {h.label.casefold(), *(s.casefold() for s in h.synonyms)}:
            return h.key
    wanted = _tokens(t)
    if not wanted:
        return None
    hits = {
        h.key
        for h in histology.CATALOGUE.values()
        for name in (h.label, *h.synonyms)
        if _tokens(name) == wanted
    }
    return next(iter(hits)) if len(hits) == 1 else None


_SLASHED = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b")


def guess_date_order(source: Source, columns: MappingABC[str, str]) -> str:
    """ "dmy" or "mdy" when the file's dates show it (a first number above 12 is a day,
    a second one above 12 is a day), "" when they do not or contradict each other."""
    index = {h: i for i, h in enumerate(source.header)}
    where = [index[c] for f, c in columns.items() if f in DATE_FIELDS and c in index]
    if not where:
        return ""
    day_first = month_first = False
    for n, row in enumerate(source.records()):
        if n >= 2000:
            break
        for i in where:
            m = _SLASHED.match(row[i]) if i < len(row) else None
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                day_first |= a > 12
                month_first |= b > 12
    if day_first == month_first:
        return ""
    return DAY_FIRST if day_first else MONTH_FIRST


def distinct_values(source: Source, column: str, limit: int = 200) -> Counter[str]:
    """How often each value occurs in one column (the first ``limit`` distinct ones)."""
    if column not in source.header:
        return Counter()
    i = source.header.index(column)
    seen: Counter[str] = Counter()
    for row in source.records():
        value = row[i].strip() if i < len(row) else ""
        if value and (value in seen or len(seen) < limit):
            seen[value] += 1
    return seen


def recognised(fld: str, value: str, mapping: Mapping) -> str | None:
    """What mdtboard reads a coded file value as, or None when it is not recognised."""
    ours = mapping.translate(fld, value)
    if fld == "histology":
        return guess_histology(ours)
    vocab = {"sex": Sex, "urgency": Urgency, "disease_kind": DiseaseKind,
             "compartment": Compartment}[fld]  # fmt: skip
    return ours if ours in {m.value for m in vocab} else None


def guess(source: Source) -> Mapping:
    """The mapping a first look at the file suggests: columns by header name and the
    date order the dates show. (Histology words the catalogue recognises need no
    entry: the importer reads them through :func:`guess_histology`.)"""
    columns = guess_columns(source.header)
    return Mapping(columns, date_order=guess_date_order(source, columns))


# --- profiles --------------------------------------------------------------------------


def profile_names(db: Database) -> list[str]:
    with db.reader() as s:
        keys = s.execute(
            select(Setting.key).where(Setting.key.like(f"{_PROFILE_PREFIX}%")).order_by(Setting.key)
        ).scalars()
        return [k[len(_PROFILE_PREFIX) :] for k in keys]


def load_profile(db: Database, name: str) -> Mapping:
    with db.reader() as s:
        row = s.get(Setting, _PROFILE_PREFIX + name)
        value = None if row is None else row.value
    if value is None:
        known = profile_names(db)
        also = f" (saved profiles: {', '.join(known)})" if known else " (none is saved)"
        raise ServiceError(f"no import profile named {name!r}{also}")
    try:
        return Mapping.from_json(value)
    except ValueError as exc:
        raise ServiceError(f"import profile {name!r} is damaged: {exc}") from None


def save_profile(ctx: ServiceContext, name: str, mapping: Mapping) -> None:
    """Save (or replace) a named mapping for the next file of the same kind; audited."""
    ctx.require(Permission.IMPORT)
    name = name.strip()
    if not _PROFILE_NAME.match(name):
        raise ValidationError(
            {"profile": "a name of 1–60 letters, digits, spaces or . , ( ) + - _"}
        )
    value = mapping.to_json()
    json.dumps(value)  # a profile is plain JSON
    with ctx.unit_of_work() as s:
        row = s.get(Setting, _PROFILE_PREFIX + name)
        if row is None:
            s.add(Setting(key=_PROFILE_PREFIX + name, value=value))
            verb = "saved"
        else:
            row.value = value
            verb = "replaced"
        s.flush()
        ctx.audit(s, "update", "settings", "", f"{verb} import profile {name!r}")
