"""Worklist queries: filters, search and sorting done in SQL (fictional demo data)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mdtboard.services import readiness
from mdtboard.services.context import ServiceContext
from mdtboard.services.worklist import SORT_KEYS, CaseQuery, count_cases, fetch_cases


def all_rows(ctx: ServiceContext, q: CaseQuery) -> list:  # type: ignore[type-arg]
    return fetch_cases(ctx.db, q, 0, 10_000)


def test_sql_readiness_agrees_with_the_clinical_rules(ctx: ServiceContext) -> None:
    today = datetime.now(UTC).date()
    rows = all_rows(ctx, CaseQuery())
    expected = readiness.readiness_for(ctx.db, [r.referral_id for r in rows], today=today)
    for light in ("green", "amber", "red"):
        got = {r.referral_id for r in all_rows(ctx, CaseQuery(readiness=(light,), today=today))}
        want = {rid for rid, rd in expected.items() if rd.light.value == light}
        assert got == want, light
    assert {"amber", "red"} <= {rd.light.value for rd in expected.values()}


@pytest.mark.parametrize("term", ["chordoma", "DEMO0000001", "renal", "T7", "hartwell"])
def test_search_terms_match_name_mrn_histology_level_referrer(
    ctx: ServiceContext, term: str
) -> None:
    rows = all_rows(ctx, CaseQuery(search=term))
    assert rows
    for r in rows:
        haystack = " ".join(
            [r.patient_name, r.mrn, r.histology_label, r.histology_key, r.levels_text, r.referrer]
        ).lower()
        assert term.lower() in haystack or (term == "T7" and "T7" in r.levels_text)


def test_count_matches_rows_and_filters_combine(ctx: ServiceContext) -> None:
    q = CaseQuery(statuses=("new", "listed"), urgencies=("urgent", "mscc"))
    rows = all_rows(ctx, q)
    assert count_cases(ctx.db, q) == len(rows) > 0
    assert all(r.status in ("new", "listed") and r.urgency in ("urgent", "mscc") for r in rows)


@pytest.mark.parametrize("key", SORT_KEYS)
def test_every_sort_key_pages_without_gaps_or_repeats(ctx: ServiceContext, key: str) -> None:
    for descending in (False, True):
        q = CaseQuery(sort=key, descending=descending)
        paged = [r.referral_id for off in range(0, 40, 6) for r in fetch_cases(ctx.db, q, off, 6)]
        assert sorted(paged) == sorted(r.referral_id for r in all_rows(ctx, q))
        assert len(paged) == len(set(paged)) == 40


def test_like_wildcards_are_literal(ctx: ServiceContext) -> None:
    assert all_rows(ctx, CaseQuery(search="%")) == []
    assert all_rows(ctx, CaseQuery(search="DEMO_")) == []  # "_" is not "any character"


def test_s11_red_flags_of_a_suspected_mscc_put_it_on_the_pathway_in_the_list(
    ctx: ServiceContext,
) -> None:
    """reference/scores.md §11 (D19): known cancer with radicular pain is a suspected MSCC
    even when recorded as routine; the list carries its QS56 clocks from the suspicion."""
    from datetime import date, timedelta

    from mdtboard.services import referrals
    from mdtboard.services.referrals import PatientInput, ReferralInput

    now = datetime.now(UTC)
    case = referrals.register_referral(
        ctx,
        PatientInput("PATHWAY01", "Fictional", "Wren", date(1958, 3, 4), "female"),
        ReferralInput(
            received_at=now - timedelta(hours=30),
            referrer_name="Dr Demo",
            urgency="routine",
            question="Radicular pain, breast cancer 2019",
            disease_kind="metastatic",
            histology_key="met_breast",
            compartment="extradural",
            levels=("L4",),
            red_flags=("cancer_history", "radicular_pain"),
            mscc_suspected_at=now - timedelta(hours=26),
        ),
    )
    row = next(r for r in all_rows(ctx, CaseQuery(search="PATHWAY01")) if r.referral_id == case.id)
    assert row.pathway is not None and row.suspected_mscc
    clocks = {c.key: c for c in row.pathway.clocks}
    assert clocks["suspicion_to_mri"].target == timedelta(hours=24)  # with neurology
    assert clocks["suspicion_to_mri"].state == "overdue_running"  # 26 h from the suspicion
    assert not row.pathway.suspicion_from_referral
    quiet = next(r for r in all_rows(ctx, CaseQuery(urgencies=("routine",))) if r.pathway is None)
    assert not quiet.suspected_mscc
