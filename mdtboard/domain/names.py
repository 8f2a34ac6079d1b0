"""People's names as letters use them: "Dear Dr Pryce" from "Dr Olwen Pryce".

A referrer or GP is recorded as one free-text name, as referral forms give it
("Dr Olwen Pryce", "Mr T. Wrexley FRCS", "Prof. Anna van der Berg",
"Pryce, Olwen"). A letter greets them by title and family name; without a
title it greets them by the name as written, which is never wrong.
"""

from __future__ import annotations

import re

#: titles a greeting keeps (compared without case or a trailing full stop)
TITLES: dict[str, str] = {
    "dr": "Dr",
    "doctor": "Dr",
    "mr": "Mr",
    "mrs": "Mrs",
    "ms": "Ms",
    "miss": "Miss",
    "mx": "Mx",
    "prof": "Professor",
    "professor": "Professor",
    "sister": "Sister",
    "nurse": "Nurse",
    "rev": "Revd",
    "revd": "Revd",
    "dame": "Dame",
    "sir": "Sir",
}
#: words that join a family name to the word after it ("van der Berg", "de la Cruz")
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "ter",
     "ten", "dos", "das", "al", "el", "bin", "ap"}
)  # fmt: skip
#: letters after a name, as UK letters print them (compared without case or dots); a
#: list rather than a pattern, so that a family name in capitals ("PRYCE") is kept
POST_NOMINALS = frozenset(
    {
        "frcs", "frcsed", "frcsglasg", "frcp", "frcpe", "frcr", "frcpath", "frca", "ffficm",
        "fficm", "frcgp", "frcpsych", "mrcp", "mrcs", "mrcgp", "mrcpsych", "mrcog", "frcog",
        "mbbs", "mbchb", "mb", "chb", "bm", "bs", "bch", "bchir", "mbbch", "md", "phd", "dphil",
        "mphil", "dm", "ms", "mch", "msc", "bsc", "ma", "hons", "frcsorth", "frcs(orth)",
        "frcs(ed)", "facs", "fracs", "frcpc", "fhea", "rn", "rgn", "nmp", "orth"
    }
)  # fmt: skip


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip()) if w]


def _post_nominal(word: str) -> bool:
    """Letters after a name as they are printed: in the list and in capitals ("MA",
    "PhD"; "Ma" is a family name), or in brackets ("(Orth)")."""
    bare = word.replace(".", "").strip(",")
    capitals = sum(c.isupper() for c in bare) >= 2 or bare.startswith("(")
    return capitals and bare.strip("()").casefold() in POST_NOMINALS


def _is_post_nominals(text: str) -> bool:
    words = _words(text)
    return bool(words) and all(_post_nominal(w) for w in words)


def _title(word: str) -> str | None:
    return TITLES.get(word.rstrip(".").casefold())


def _strip_post_nominals(words: list[str]) -> list[str]:
    while len(words) > 1 and _post_nominal(words[-1]):
        words = words[:-1]
    return words


def _without_note(text: str) -> str:
    """Drop a trailing note in brackets ("(demo)", "(locum)"), not letters "(Orth)"."""
    found = re.search(r"\s*\([^()]*\)$", text)
    if found is None or _post_nominal(found.group().strip()):
        return text
    return text[: found.start()]


def salutation(name: str) -> str:
    """What follows "Dear": the title(s) and the family name when a title is given,
    else the name as written (post-nominal letters dropped in both cases)."""
    text = _without_note(" ".join(name.split()))
    if not text:
        return "Colleague"
    before, comma, after = text.partition(",")
    if comma and not _is_post_nominals(after):
        # "Family, Given Title" as lists print names
        family = before.strip()
        named = [t for w in _words(after) if (t := _title(w))]
        return f"{' '.join(named)} {family}" if named else f"{after.strip()} {family}".strip()
    words = _strip_post_nominals(_words(before))
    titles: list[str] = []
    while words and (t := _title(words[0])) is not None and len(words) > 1:
        titles.append(t)
        words = words[1:]
    if not titles:
        return " ".join(words)
    start = len(words) - 1
    while start > 0 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    surname = [w.title() if w.isupper() and len(w) > 1 else w for w in words[start:]]
    return " ".join([*titles, *surname])
