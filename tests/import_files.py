"""The import fixtures (tests/fixtures/import/, fictional) and variants the tests make
of them."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
HOSPITAL = FIXTURES / "hospital-columns.csv"


def hospital_with_ambiguous_dates() -> str:
    """The hospital export with every date that shows the day-first order (a first
    number above 12) made ambiguous: 15/11/2026 becomes 05/11/2026."""
    text = HOSPITAL.read_text()
    for plain, ambiguous in (
        ("15/11/2026", "05/11/2026"),
        ("16/11/2026", "06/11/2026"),
        ("17/11/2026", "07/11/2026"),
        ("28/02/1975", "08/02/1975"),
    ):
        text = text.replace(plain, ambiguous)
    return text
