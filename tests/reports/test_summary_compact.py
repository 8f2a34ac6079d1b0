"""Issue 18 part 1: the compact outcome summary keeps every value the old one printed.

The old layout is built by ``legacy_summary`` (a frozen copy of the code before the
change) from the same meeting report as the new one; both PDFs are read back with
pypdf and compared value by value, case by case.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from mdtboard.reports import build_summary
from mdtboard.services import meetings, summaries
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.summaries import MeetingReport
from mdtboard.store.db import Target, open_database, sqlite_url
from tests.reports import legacy_summary

#: words of the old layout that are column headings or labels, not values: the new
#: layout says the same with other words ("Actions", "Key facts and scores",
#: "National number", "answer → points") or no longer needs them (one list per status)
LAYOUT_WORDS = frozenset(
    {"Item", "Answer", "Points", "Role", "Name", "Action", "Scores", "national"}
)
FURNITURE = re.compile(r"^(Outcome summary — .*|CONFIDENTIAL — .*|Generated .*|Page \d+ of \d+)$")
EDGE = "()[]{}.,;:“”\"'"


def body(pdf: Path) -> str:
    """The PDF's text without the page furniture (header, footer, page numbers)."""
    lines = [
        line.strip()
        for page in PdfReader(pdf).pages
        for line in (page.extract_text() or "").splitlines()
    ]
    return re.sub(r"\s+", " ", " ".join(x for x in lines if x and not FURNITURE.match(x)))


def words(text: str) -> list[str]:
    return [w for w in (raw.strip(EDGE) for raw in text.split()) if w]


def heading(c: summaries.CaseReport) -> str:
    return f"{c.position}. {c.patient.display_name} — MRN {c.patient.mrn}"


def case_texts(text: str, report: MeetingReport, occurrence: int) -> dict[int, str]:
    """Each case's stretch of ``text``: from its heading (the ``occurrence``-th time it
    appears) to the next case's heading, or to ``end``."""
    starts: list[tuple[int, int]] = []
    for c in report.cases:
        at = -1
        for _ in range(occurrence):
            at = text.find(heading(c), at + 1)
        if at >= 0:
            starts.append((at, c.referral_id))
    starts.sort()
    out = {}
    for n, (at, rid) in enumerate(starts):
        following = [a for a, _ in starts[n + 1 :]]
        end = following[0] if following else len(text)
        for marker in ("Deferred and withdrawn cases", "Appendix"):
            found = text.find(marker, at)
            if 0 <= found < end:
                end = found
        out[rid] = text[at:end]
    return out


def missing_values(old: str, new: str) -> list[str]:
    have = set(words(new))
    return sorted({w for w in words(old) if w not in have and w not in LAYOUT_WORDS})


def compare(report: MeetingReport, tmp_path: Path) -> tuple[str, str, int]:
    old_pdf = legacy_summary.build_summary(report, tmp_path / "old.pdf")
    new_pdf = build_summary(report, tmp_path / "new.pdf")
    old, new = body(old_pdf), body(new_pdf)
    # every word and number of the old summary is in the new one
    missing = missing_values(old, new)
    assert not missing, missing
    # every number as often as before (a score total, a date, a dose is not merged away)
    old_n = Counter(w for w in words(old) if any(ch.isdigit() for ch in w))
    new_n = Counter(w for w in words(new) if any(ch.isdigit() for ch in w))
    fewer = {w: (k, new_n[w]) for w, k in old_n.items() if new_n[w] < k}
    assert not fewer, fewer
    # and each case's values stay with that case: its block, or its part of the appendix
    old_cases = case_texts(old, report, 1)
    new_cases = case_texts(new, report, 1)
    appendix = case_texts(new[new.find("Appendix") :], report, 1) if "Appendix" in new else {}
    assert old_cases and set(old_cases) == set(new_cases)
    for rid, old_text in old_cases.items():
        gone = missing_values(old_text, new_cases[rid] + " " + appendix.get(rid, ""))
        assert not gone, (rid, gone)
    return old, new, len(PdfReader(new_pdf).pages)


def test_the_compact_summary_keeps_every_value_of_the_old_one(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    closed = [m for m in meetings.list_meetings(ctx.db) if m.status == "closed"]
    assert closed
    for m in closed:
        report = summaries.meeting_report(ctx.db, m.id)
        _, _, n_pages = compare(report, tmp_path)
        if len(report.cases) <= 8:
            assert n_pages <= 5, (m.title, n_pages)


@pytest.fixture(scope="module")
def docs_demo(tmp_path_factory: pytest.TempPathFactory) -> MeetingReport:
    """The demo database the docs' examples are made from (seed 1), its first closed
    meeting: 8 fictional cases."""
    from mdtboard.services.setup import create_demo_database

    path = tmp_path_factory.mktemp("docs-demo") / "demo.db"
    create_demo_database(Target(sqlite_url(path)), cases=40, seed=1, actor=Actor("demo"))
    db = open_database(Target(sqlite_url(path)))
    closed = next(m for m in meetings.list_meetings(db) if m.status == "closed")
    return summaries.meeting_report(db, closed.id)


def test_the_8_case_demo_summary_fits_in_5_pages(docs_demo: MeetingReport, tmp_path: Path) -> None:
    assert len(docs_demo.cases) == 8
    _, new, n_pages = compare(docs_demo, tmp_path)
    assert n_pages <= 5
    assert "fictional" in new.lower()
