"""Bad input everywhere, fuzzed: clear errors, never a crash, nothing half-written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mdtboard.cli.main import main
from mdtboard.domain.scores import TOOLS, evaluate
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.services.importer import ALL_COLUMNS, import_referrals
from mdtboard.services.referrals import (
    PatientInput,
    ReferralInput,
    validate_patient,
    validate_referral,
)
from mdtboard.store.models import AuditEvent, Referral

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
)


@FUZZ
@given(
    st.sampled_from(sorted(TOOLS)),
    st.dictionaries(
        st.one_of(
            st.text(max_size=10), st.sampled_from([i.key for t in TOOLS.values() for i in t.items])
        ),
        junk,
        max_size=6,
    ),
)
def test_score_answers_never_crash(tool_id: str, answers: dict[str, object]) -> None:
    try:
        r = evaluate(tool_id, answers)
    except ValueError as exc:
        assert str(exc)  # a message naming the key
        return
    assert r.complete == (not r.missing)


@FUZZ
@given(
    st.text(max_size=40),
    st.text(max_size=40),
    st.text(max_size=40),
    st.one_of(st.none(), st.dates()),
    st.text(max_size=8),
)
def test_patient_validation_names_fields(
    mrn: str, family: str, given_: str, dob: date | None, sex: str
) -> None:
    problems = validate_patient(PatientInput(mrn, family, given_, dob, sex))
    assert all(isinstance(k, str) and v for k, v in problems.items())


@FUZZ
@given(
    st.text(max_size=30),
    st.sampled_from(["routine", "urgent", "mscc", "?"]),
    st.lists(st.text(max_size=4), max_size=4),
    st.one_of(st.none(), st.dates()),
)
def test_referral_validation_never_crashes(
    question: str, urgency: str, lv: list[str], imaging: date | None
) -> None:
    problems = validate_referral(
        ReferralInput(
            received_at=datetime(2026, 1, 1, tzinfo=UTC),
            referrer_name="Dr X",
            urgency=urgency,
            question=question,
            disease_kind="primary",
            histology_key="schwannoma",
            compartment="idem",
            levels=tuple(lv),
            imaging_available=imaging is not None,
            imaging_date=imaging,
        )
    )
    assert isinstance(problems, dict)


def csv_text() -> st.SearchStrategy[str]:
    cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
    header = st.lists(
        st.sampled_from([*list(ALL_COLUMNS), "junk"]), min_size=1, max_size=14, unique=True
    )
    return header.flatmap(
        lambda h: st.lists(st.lists(cell, min_size=len(h), max_size=len(h)), max_size=4).map(
            lambda rows: "\n".join([",".join(h)] + [",".join(r) for r in rows])
        )
    )


@FUZZ
@given(csv_text())
def test_csv_import_fuzz_never_crashes_or_half_writes(ctx: ServiceContext, text: str) -> None:
    with ctx.db.reader() as s:
        before = (
            s.execute(select(func.count(Referral.id))).scalar_one(),
            s.execute(select(func.count(AuditEvent.id))).scalar_one(),
        )
    try:
        report = import_referrals(ctx, text)
    except ServiceError as exc:
        assert str(exc)
        with ctx.db.reader() as s:
            after = (
                s.execute(select(func.count(Referral.id))).scalar_one(),
                s.execute(select(func.count(AuditEvent.id))).scalar_one(),
            )
        assert after == before
        return
    assert report.imported == 0 or report.written


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(
        ["check", "meetings", "import-referrals", "export", "audit", "backup", "restore"]
    ),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "--meeting",
                    "--out",
                    "--case",
                    "--to",
                    "--yes",
                    "verify",
                    "agenda",
                    "summary",
                    "letter",
                    "last",
                    "next",
                    "-1",
                    "x",
                ]
            ),
            st.text(max_size=6),
        ),
        max_size=5,
    ),
)
def test_cli_arguments_fuzz(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, rest: list[str]
) -> None:
    argv = [command, *rest]
    if command != "audit" or "verify" in rest:
        argv += ["--db", str(tmp_path / "absent.db")]
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse usage errors
        assert exc.code == 2
        return
    assert rc in (0, 1)
    err = capsys.readouterr().err
    assert "Traceback" not in err
