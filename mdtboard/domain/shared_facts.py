"""Each fact asked once (issue 16 part 4): score answers derived from what the MDT has
already recorded for a case.

A form asks for a fact once and every other tool that needs it is pre-filled, shown as
derived (``Derived.source``: "from KPS 70", "from Frankel C", "from histology: …",
"from extent of disease", "from modified Bauer total 3") and left for the user to
override. Nothing here decides anything; it only proposes answers, and every proposed
answer is a valid option (or a number in range) of its item in ``scores.TOOLS``.

Where the rules come from:

* KPS → Tokuhashi ``kps``: the same number (reference/scores.md §3, D4); KPS 0 is out
  of Tokuhashi's range and is not passed on. KPS → ECOG ``grade``: §7.3 through
  ``scores.kps_to_ecog``, always labelled as an approximate conversion. A KPS recorded
  only in Tokuhashi's ``kps`` item (a case scored before this feature) is read back for
  the ``kps`` tool and ECOG.
* Frankel grade → Tokuhashi ``palsy``: the same grade key (§3, §8.1).
* Histology → Tokuhashi ``primary_site``, Tomita ``primary_growth``, Bauer
  ``primary_not_lung`` and ``primary_favourable``: ``scores.answers_from_histology``
  (§3, §4, §5); a histology it has no mapping for derives nothing.
* Modified Bauer total → NESMS ``modified_bauer``: the total of a complete
  ``bauer_modified`` result (§6).
* Extent of disease (``Extent``) → Tokuhashi ``extraspinal_bone_mets``,
  ``vertebral_body_mets`` and ``visceral_mets`` (the same keys, §3), Tomita
  ``visceral_mets`` and ``bone_mets``, Bauer ``no_visceral_mets`` and
  ``solitary_skeletal_met``. **The Tomita and Bauer extent mappings are mdtboard rules,
  not tables of the reference**: visceral none → Tomita ``none`` / Bauer ``yes``,
  removable → ``treatable`` / ``no``, unremovable → ``untreatable`` / ``no``; the bone
  metastases are solitary only when there are no extraspinal bone metastases and one
  vertebral metastasis, otherwise multiple, and not derived while either count is
  unknown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal, cast

from mdtboard.domain import histology
from mdtboard.domain.scores import (
    TOOLS,
    ScoreInputError,
    answers_from_histology,
    evaluate,
    kps_to_ecog,
)

ExtraspinalBoneMets = Literal["none", "one_or_two", "three_or_more"]
VertebralBodyMets = Literal["one", "two", "three_or_more"]
VisceralMets = Literal["none", "removable", "unremovable"]

#: the Tokuhashi items (§3) an ``Extent`` holds, by field name (the same keys)
EXTENT_ITEMS = ("extraspinal_bone_mets", "vertebral_body_mets", "visceral_mets")

EXTENT_SOURCE = "from extent of disease"
APPROXIMATE = "approximate conversion"


@dataclass(frozen=True)
class Extent:
    """The extent of disease, asked once. Values are Tokuhashi's option keys (§3);
    ``None`` is not known. A value that is not one of those keys raises ValueError
    naming the field."""

    extraspinal_bone_mets: ExtraspinalBoneMets | None = None
    vertebral_body_mets: VertebralBodyMets | None = None
    visceral_mets: VisceralMets | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not _is_option("tokuhashi_revised", f.name, value):
                raise ScoreInputError(f"{f.name}: unknown extent of disease {value!r}")

    def or_else(self, other: Extent) -> Extent:
        """This extent, with the fields it does not know taken from ``other``."""
        return Extent(
            self.extraspinal_bone_mets or other.extraspinal_bone_mets,
            self.vertebral_body_mets or other.vertebral_body_mets,
            self.visceral_mets or other.visceral_mets,
        )

    @property
    def solitary_bone_met(self) -> bool | None:
        """mdtboard rule: one bone metastasis in all (none outside the spine, one
        vertebral); None while either count is unknown."""
        if self.extraspinal_bone_mets is None or self.vertebral_body_mets is None:
            return None
        return self.extraspinal_bone_mets == "none" and self.vertebral_body_mets == "one"


@dataclass(frozen=True)
class Derived:
    """An answer derived from a fact recorded elsewhere, and where it came from."""

    value: str | int
    #: human text shown beside the answer, e.g. "from KPS 70"
    source: str


#: mdtboard rules (not reference tables): Tokuhashi visceral metastases → Tomita, Bauer
TOMITA_VISCERAL: Mapping[str, str] = MappingProxyType(
    {"none": "none", "removable": "treatable", "unremovable": "untreatable"}
)
BAUER_NO_VISCERAL: Mapping[str, str] = MappingProxyType(
    {"none": "yes", "removable": "no", "unremovable": "no"}
)


def _is_option(tool_id: str, item_key: str, value: object) -> bool:
    item = TOOLS[tool_id].item(item_key)
    return item is not None and isinstance(value, str) and item.option(value) is not None


def _valid(tool_id: str, item_key: str, value: object) -> bool:
    """The engine's own validation: an answer it would refuse is never proposed."""
    if TOOLS[tool_id].item(item_key) is None:
        return False
    try:
        evaluate(tool_id, {item_key: value})
    except ScoreInputError:
        return False
    return True


def _recorded(answers: Mapping[str, Mapping[str, object]], tool_id: str) -> Mapping[str, object]:
    given = answers.get(tool_id)
    return given if isinstance(given, Mapping) else {}


def extent_from(answers: Mapping[str, Mapping[str, object]]) -> Extent:
    """The extent of disease as far as the recorded Tokuhashi answers give it (a case
    scored before the extent was asked on its own); an item not answered, or answered
    with something that is not one of its options, is not known."""
    recorded = _recorded(answers, "tokuhashi_revised")
    known: dict[str, str] = {}
    for key in EXTENT_ITEMS:
        value = recorded.get(key)
        if isinstance(value, str) and _is_option("tokuhashi_revised", key, value):
            known[key] = value
    return Extent(
        cast(ExtraspinalBoneMets | None, known.get("extraspinal_bone_mets")),
        cast(VertebralBodyMets | None, known.get("vertebral_body_mets")),
        cast(VisceralMets | None, known.get("visceral_mets")),
    )


def _kps(value: object) -> int | None:
    """A recorded KPS the ``kps`` tool accepts (0–100 in steps of 10), as an int."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value != int(value) or not _valid("kps", "kps", value):
        return None
    return int(value)


def _kps_fact(answers: Mapping[str, Mapping[str, object]], tool_id: str) -> tuple[int, str] | None:
    """The recorded KPS and its source text: the ``kps`` tool first, then Tokuhashi's
    ``kps`` item; never the answers of ``tool_id`` itself."""
    if tool_id != "kps" and (kps := _kps(_recorded(answers, "kps").get("kps"))) is not None:
        return kps, f"from KPS {kps}"
    if tool_id != "tokuhashi_revised":
        kps = _kps(_recorded(answers, "tokuhashi_revised").get("kps"))
        if kps is not None:
            return kps, f"from KPS {kps} (recorded in Tokuhashi)"
    return None


def _frankel(answers: Mapping[str, Mapping[str, object]]) -> str | None:
    grade = _recorded(answers, "frankel").get("grade")
    return grade if isinstance(grade, str) and _is_option("frankel", "grade", grade) else None


def _bauer_total(answers: Mapping[str, Mapping[str, object]]) -> int | None:
    recorded = _recorded(answers, "bauer_modified")
    if not recorded:
        return None
    try:
        result = evaluate("bauer_modified", recorded)
    except ScoreInputError:
        return None
    return result.total if result.complete else None


def _from_extent(tool_id: str, extent: Extent) -> dict[str, Derived]:
    """§3 (the same keys) for Tokuhashi; the mdtboard rules for Tomita and Bauer."""
    out: dict[str, str] = {}
    solitary = extent.solitary_bone_met
    if tool_id == "tokuhashi_revised":
        out = {k: v for k in EXTENT_ITEMS if (v := getattr(extent, k)) is not None}
    elif tool_id == "tomita":
        if extent.visceral_mets is not None:
            out["visceral_mets"] = TOMITA_VISCERAL[extent.visceral_mets]
        if solitary is not None:
            out["bone_mets"] = "solitary" if solitary else "multiple"
    elif tool_id == "bauer_modified":
        if extent.visceral_mets is not None:
            out["no_visceral_mets"] = BAUER_NO_VISCERAL[extent.visceral_mets]
        if solitary is not None:
            out["solitary_skeletal_met"] = "yes" if solitary else "no"
    return {key: Derived(value, EXTENT_SOURCE) for key, value in out.items()}


def _from_kps(tool_id: str, answers: Mapping[str, Mapping[str, object]]) -> dict[str, Derived]:
    fact = _kps_fact(answers, tool_id)
    if fact is None:
        return {}
    kps, source = fact
    if tool_id in ("tokuhashi_revised", "kps"):
        return {"kps": Derived(kps, source)}
    if tool_id == "ecog":
        return {"grade": Derived(str(kps_to_ecog(kps)), f"{source} ({APPROXIMATE})")}
    return {}


def _from_frankel(tool_id: str, answers: Mapping[str, Mapping[str, object]]) -> dict[str, Derived]:
    grade = _frankel(answers)
    if tool_id != "tokuhashi_revised" or grade is None:
        return {}
    return {"palsy": Derived(grade, f"from Frankel {grade.upper()}")}


def _from_histology(tool_id: str, histology_key: str | None) -> dict[str, Derived]:
    if not histology_key:
        return {}
    source = f"from histology: {histology.label_for(histology_key)}"
    derived = answers_from_histology(tool_id, histology_key)
    return {key: Derived(value, source) for key, value in derived.items()}


def _from_bauer(tool_id: str, answers: Mapping[str, Mapping[str, object]]) -> dict[str, Derived]:
    total = _bauer_total(answers)
    if tool_id != "nesms" or total is None:
        return {}
    return {"modified_bauer": Derived(total, f"from modified Bauer total {total}")}


def derived_answers(
    tool_id: str,
    *,
    answers: Mapping[str, Mapping[str, object]],
    histology_key: str | None,
    extent: Extent | None = None,
) -> dict[str, Derived]:
    """The answers of ``tool_id`` that follow from facts recorded elsewhere for the case.

    ``answers`` maps tool ids to their recorded answers (the answers of ``tool_id``
    itself are never used to derive its own items); ``histology_key`` is the case's
    histology; ``extent`` is the extent of disease, whose unknown fields are taken from
    the recorded Tokuhashi answers (``extent_from``). Only the items that can be derived
    are returned, each a valid answer of its item; the caller pre-fills them where the
    user has not answered and lets the user change them. An unknown tool id raises
    ValueError naming it."""
    if tool_id not in TOOLS:
        raise ScoreInputError(f"{tool_id}: unknown score tool")
    others = {k: v for k, v in answers.items() if k != tool_id}
    out: dict[str, Derived] = {
        **_from_kps(tool_id, others),
        **_from_frankel(tool_id, others),
        **_from_histology(tool_id, histology_key),
        **_from_extent(tool_id, (extent or Extent()).or_else(extent_from(others))),
        **_from_bauer(tool_id, others),
    }
    order = [item.key for item in TOOLS[tool_id].items]
    return {key: out[key] for key in order if key in out and _valid(tool_id, key, out[key].value)}


#: a chain of derivations is at most three long (Tokuhashi → Bauer → NESMS)
CHAIN = 3


@dataclass
class Follower:
    """Which answers follow another fact, for a set of score answers being edited (the
    referral form's and meeting mode's): an item answered by hand — stored, or changed
    by the user — is never moved; an item filled by derivation follows its source until
    the user changes it, and is emptied again when its source is gone."""

    #: tool → item → the derived answer it follows
    following: dict[str, dict[str, Derived]] = field(default_factory=dict)
    #: (tool, item) the user changed away from a derived answer: never derived again
    overridden: set[tuple[str, str]] = field(default_factory=set)

    def reset(self) -> None:
        self.following, self.overridden = {}, set()

    def edited(self, tool_id: str, answers: Mapping[str, object]) -> None:
        """The user set a tool's answers: items changed from their derived answer are
        the user's from now on."""
        following = self.following.get(tool_id, {})
        for item, d in list(following.items()):
            if answers.get(item) != d.value:
                del following[item]
                self.overridden.add((tool_id, item))

    def derive(
        self,
        tools: Sequence[str],
        scores: dict[str, dict[str, Any]],
        histology_key: str | None,
    ) -> set[str]:
        """Fill, in ``scores``, every item another recorded fact answers; returns the
        tools whose answers changed."""
        changed: set[str] = set()
        for _ in range(CHAIN):
            moved = False
            for tool_id in tools:
                others = {t: a for t, a in scores.items() if t != tool_id and a}
                try:
                    derived = derived_answers(tool_id, answers=others, histology_key=histology_key)
                except ValueError:
                    continue
                following = self.following.setdefault(tool_id, {})
                answers = dict(scores.get(tool_id, {}))
                for item in [i for i in following if i not in derived]:
                    del following[item]  # its source is gone
                    answers.pop(item, None)
                for item, d in derived.items():
                    answered = item in answers and item not in following
                    if answered or (tool_id, item) in self.overridden:
                        continue
                    following[item] = d
                    answers[item] = d.value
                if answers != scores.get(tool_id, {}):
                    scores[tool_id] = answers
                    changed.add(tool_id)
                    moved = True
            if not moved:
                break
        return changed

    def sources(self, tool_id: str, answers: Mapping[str, object]) -> dict[str, str]:
        """The items shown as derived: item → where the answer came from."""
        return {
            item: d.source
            for item, d in self.following.get(tool_id, {}).items()
            if answers.get(item) == d.value
        }

    def frozen(
        self,
    ) -> tuple[tuple[tuple[str, tuple[tuple[str, Derived], ...]], ...], frozenset[tuple[str, str]]]:
        """For an undo snapshot."""
        following = tuple(
            (t, tuple(sorted(f.items()))) for t, f in sorted(self.following.items()) if f
        )
        return following, frozenset(self.overridden)

    def thaw(
        self,
        following: Iterable[tuple[str, Iterable[tuple[str, Derived]]]],
        overridden: Iterable[tuple[str, str]],
    ) -> None:
        self.following = {t: dict(f) for t, f in following}
        self.overridden = set(overridden)
