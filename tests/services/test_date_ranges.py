"""Dates at the edges of the calendar: refused with the field named, never a crash
(0001-01-01 is a common placeholder in exports from other systems; fictional data)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from mdtboard.services import meetings, referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.services.importer import ImportInvalid, import_referrals
from tests.services.test_importer import EXAMPLE, counts
from tests.services.test_referrals import REFERRAL

YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)


@pytest.fixture
def west_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time behind UTC: the first day of the calendar has no local time there."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("received_at", YEAR_ONE),
        ("mscc_suspected_at", YEAR_ONE),
        ("imaging_date", YEAR_ONE.date()),
    ],
)
def test_a_referral_date_before_1900_is_refused(field: str, value: object) -> None:
    extra = {"imaging_available": True} if field == "imaging_date" else {}
    problems = referrals.validate_referral(replace(REFERRAL, **{field: value}, **extra))  # type: ignore[arg-type]
    assert "before 1900" in problems[field]


def test_an_imported_year_one_date_is_a_row_error_and_nothing_is_written(
    ctx: ServiceContext,
) -> None:
    lines = EXAMPLE.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("received_at")] = "0001-01-01T00:00:00+05:00"
    before = counts(ctx)
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, "\n".join([lines[0], ",".join(cells)]) + "\n")
    assert [(e.row, e.column) for e in exc.value.report.errors] == [(1, "received_at")]
    assert counts(ctx) == before


def test_a_meeting_far_in_the_future_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="out of range"):
        meetings.create_weekly_series(
            ctx, title="MDT", first_starts_at=datetime(9999, 12, 20, tzinfo=UTC), weeks=4
        )


def test_typed_edge_dates_are_invalid_not_a_crash(west_of_utc: None) -> None:
    from mdtboard.ui.widgets import parse_local_datetime

    assert parse_local_datetime("01/01/0001 00:00") is None
    parse_local_datetime("31/12/9999 23:30")  # the last day: must not raise either
    assert parse_local_datetime("02/01/2026 08:15") is not None


def test_a_stored_year_one_time_is_shown_not_a_crash(west_of_utc: None) -> None:
    from mdtboard.ui.date_fields import format_date, format_datetime

    # west of UTC, local time of 0001-01-01 00:00 UTC does not exist: UTC is shown, marked
    assert format_datetime(YEAR_ONE).endswith(" UTC")
    assert "Jan" in format_date(YEAR_ONE) and "0001" in format_date(YEAR_ONE)
