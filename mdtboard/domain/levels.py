"""Spinal levels: order, regions, parsing and formatting of level lists.

The occiput is level ``C0`` (reference/scores.md §1.1: a lesion of the
craniovertebral junction is scored as junctional); the coccyx is ``Co``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

OCCIPUT = "C0"
LEVELS: tuple[str, ...] = (
    OCCIPUT,
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
    "Co",
)
REGIONS: tuple[str, ...] = ("cervical", "thoracic", "lumbar", "sacral", "coccygeal")
_REGION_OF_PREFIX = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}
_INDEX = {lv: i for i, lv in enumerate(LEVELS)}
JUNCTIONAL: frozenset[str] = frozenset(
    {"C0", "C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"}
)


class LevelError(ValueError):
    pass


def normalise(text: str) -> str:
    if text in _INDEX:  # already canonical: the common case
        return text
    t = text.strip().replace(" ", "")
    low = t.lower()
    if low in ("co", "coccyx", "cx", "coc", "co1"):
        return "Co"
    if low in ("c0", "occiput", "occ", "oc"):
        return OCCIPUT
    m = re.fullmatch(r"([ctls])(\d{1,2})", low)
    if m:
        level = f"{m.group(1).upper()}{int(m.group(2))}"
        if level in _INDEX:
            return level
    raise LevelError(f"unknown spinal level {text.strip()!r}")


def index(level: str) -> int:
    try:
        return _INDEX[level]
    except KeyError:
        return _INDEX[normalise(level)]


def region(level: str) -> str:
    """The drawn region a level belongs to; the occiput is drawn with the cervical spine."""
    lv = normalise(level)
    return "coccygeal" if lv == "Co" else _REGION_OF_PREFIX[lv[0]]


def is_junctional(level: str) -> bool:
    return normalise(level) in JUNCTIONAL


_SPLIT = re.compile(r"[,;/+]|\band\b", re.IGNORECASE)
_RANGE = re.compile(r"\s*(?:-|–|—|\bto\b)\s*", re.IGNORECASE)


@lru_cache(maxsize=4096)  # an import or a search repeats the same few texts many times
def parse_levels(text: str) -> tuple[str, ...]:
    """ "T4–T6, L2" / "t4-6" / "C7-T2" → ("T4", "T5", "T6", "L2"), spine order, unique."""
    found: set[str] = set()
    for part in _SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        ends = [e for e in _RANGE.split(part) if e.strip()]
        if len(ends) == 1:
            found.add(normalise(ends[0]))
        elif len(ends) == 2:
            start = normalise(ends[0])
            end_text = ends[1].strip()
            if end_text.isdigit() and start != "Co":  # "t4-6"
                end_text = start[0] + end_text
            end = normalise(end_text)
            if _INDEX[end] < _INDEX[start]:
                raise LevelError(f"range {part!r} runs backwards")
            found.update(LEVELS[_INDEX[start] : _INDEX[end] + 1])
        else:
            raise LevelError(f"cannot read level range {part!r}")
    return tuple(sorted(found, key=_INDEX.__getitem__))


def contiguous_groups(levels: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    ordered = sorted({normalise(lv) for lv in levels}, key=_INDEX.__getitem__)
    groups: list[list[str]] = []
    for lv in ordered:
        if groups and _INDEX[lv] == _INDEX[groups[-1][-1]] + 1:
            groups[-1].append(lv)
        else:
            groups.append([lv])
    return tuple(tuple(g) for g in groups)


def is_contiguous(levels: Iterable[str]) -> bool:
    return len(contiguous_groups(levels)) <= 1


def format_levels(levels: Iterable[str]) -> str:
    return _format_levels(tuple(levels))


@lru_cache(maxsize=4096)
def _format_levels(levels: tuple[str, ...]) -> str:
    parts = []
    for g in contiguous_groups(levels):
        parts.append(g[0] if len(g) == 1 else f"{g[0]}–{g[-1]}")
    return ", ".join(parts)
