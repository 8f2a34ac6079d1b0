"""Meeting mode's texts as HTML: the case summary, NOMS, sign-off, the MSCC banner
and the presentation screen.

Pure functions of the case and the presenter's state: no Qt (an import-linter
contract keeps it so), every recorded or typed text escaped. Dates are written by the
functions the Qt side passes in (the locale's format, local time: ``date_fields``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from mdtboard.domain.mscc import duration_text
from mdtboard.domain.noms import NomsSuggestion
from mdtboard.domain.scores import TOOLS, ScoreResult
from mdtboard.domain.treatments import PlanProblem
from mdtboard.domain.vocab import Intent, Urgency
from mdtboard.services.decisions import DecisionInput, DecisionView, Quorum
from mdtboard.services.pathway import PathwayStatus
from mdtboard.services.summaries import CaseReport
from mdtboard.ui.texts import describe, result_text

e = html.escape
ERROR = "#b3261e"
WARNING = "#9a5b00"
#: the scores the presentation screen shows in its header, when recorded
KEY_SCORES = ("sins", "escc", "tokuhashi_revised", "kps", "frankel")
#: a date (an aware date-time: its local date) as the screen writes it
DateText = Callable[[date], str]
#: an aware date-time in local time as the screen writes it
DateTimeText = Callable[[datetime], str]


def mscc_banner_html(status: PathwayStatus, now: datetime | None = None) -> str:
    """The banner's text: what is suspected, each clock, dexamethasone, the prompts."""
    title = (
        "<b>SUSPECTED MSCC — EMERGENCY</b>"
        if status.suspected_mscc
        else "<b>Spinal pain with known cancer — 1-week pathway</b>"
    )
    since = (now or datetime.now(UTC)) - status.suspected_at
    start = (
        "referral (suspicion time not recorded)"
        if status.suspicion_from_referral
        else "suspected diagnosis"
    )
    parts = [f"{duration_text(since)} since the {start}", *status.clock_lines()]
    if info := status.mri_to_plan_line():
        parts.append(info)
    if status.dexamethasone_started_at is not None:
        parts.append("dexamethasone started")
    elif status.dexamethasone_omitted_reason:
        parts.append(f"dexamethasone not given: {status.dexamethasone_omitted_reason}")
    elif status.neurology:
        parts.append("dexamethasone NOT recorded")
    body = " · ".join(e(p) for p in parts)
    problems = f" · <b>{e('; '.join(status.problems))}</b>" if status.problems else ""
    prompts = e(" · ".join(status.prompts))
    return f"{title} — {body}{problems}<br><small>{prompts}</small>"


def case_title(case: CaseReport) -> str:
    p = case.patient
    return (
        f"{case.position}. {e(p.display_name)} — MRN {e(p.mrn)} — {e(Urgency(case.urgency).label)}"
    )


def summary_html(case: CaseReport, earlier: Sequence[Any], fmt_date: DateText) -> str:
    """Step 1: the referral's facts and the patient's earlier MDT discussions."""
    p = case.patient
    rows = [
        ("Patient", f"{e(p.display_name)}, born {e(fmt_date(p.date_of_birth))}, {e(p.sex)}"),
        ("MRN / national number", f"{e(p.mrn)} / {e(p.national_number or '—')}"),
        ("Referrer", f"{e(case.referrer_name)}, {e(case.referrer_organisation)}"),
        ("Question for the MDT", f"<b>{e(case.question)}</b>"),
        ("Presenting problem", e(case.presenting_problem)),
        ("Histology", f"{e(case.histology_label)} — {e(case.disease_kind)}, {e(case.compartment)}"),
        ("Known primary", e(case.primary_site or "—")),
        ("Levels", e(case.levels_text)),
        ("Neurology", e(case.neuro_status or "not recorded")),
    ]
    body = "".join(f"<tr><th align='left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
    if earlier:
        items = "".join(
            f"<li>{e(fmt_date(h.meeting_at))} — {e(h.meeting_title)}: {e(h.agenda_status)}"
            f"{' — ' + e(h.plan_text) if h.plan_text else ''}"
            f"{' (' + e(h.reason) + ')' if h.reason else ''}</li>"
            for h in earlier
        )
        hist = f"<h3>Earlier MDT discussions</h3><ul>{items}</ul>"
    else:
        hist = "<p><i>No earlier MDT discussion of this patient.</i></p>"
    return f"<table cellpadding='4'>{body}</table>{hist}"


def noms_html(s: NomsSuggestion) -> str:
    """Step 4 for a metastasis: the suggestion, its flags, what is missing, and why."""
    head = (
        f"<h2>Suggestion: {e(s.band_label or 'incomplete')}</h2>"
        if s.band
        else "<h2>Suggestion: not enough information</h2>"
    )
    flags = (
        "<p><b>Flags:</b> " + e(", ".join(f.replace("_", " ") for f in s.flags)) + "</p>"
        if s.flags
        else ""
    )
    missing = "<p><b>Missing inputs:</b> " + e(", ".join(s.missing)) + "</p>" if s.missing else ""
    lines = "".join(f"<li>{e(x)}</li>" for x in s.explanation)
    return f"{head}{flags}{missing}<ul>{lines}</ul>"


def pathway_html(reading: str) -> str:
    """Step 4 for a primary tumour (``reading`` is already HTML, escaped by its page)."""
    return "<h2>Primary-tumour pathway — NOMS does not apply</h2>" + reading


def _signed_head(d: DecisionView | None, fmt_datetime: DateTimeText) -> list[str]:
    if d is None or d.status == "draft":
        return ["<h2>Draft — not signed off</h2>"]
    parts = []
    if d.signed_off_at:
        parts.append(
            f"<h2>Signed off by {e(d.signed_off_by)} at {e(fmt_datetime(d.signed_off_at))}</h2>"
        )
    if d.quorate is False:
        parts.append(f"<p style='color:{ERROR}'><b>Decision taken while NOT quorate.</b></p>")
    return parts


def signoff_html(
    decision: DecisionView | None,
    data: DecisionInput,
    problems: Iterable[PlanProblem],
    quorum: Quorum,
    revisions: Sequence[DecisionView],
    fmt_datetime: DateTimeText,
) -> str:
    """Step 8: what will be signed off, every problem left, the quorum and the versions."""
    parts = _signed_head(decision, fmt_datetime)
    summary = [
        ("Intent", Intent(data.intent).label if data.intent else "—"),
        ("Consensus plan", data.plan_text or "—"),
        ("Modalities", "; ".join(describe(m) for m in data.modalities) or "—"),
        ("Rationale", data.rationale or "—"),
        ("Dissent", f"{data.dissent} ({data.dissent_by})" if data.dissent else "none"),
        ("Actions", "; ".join(f"{a.description} — {a.owner}" for a in data.actions) or "—"),
    ]
    parts.append(
        "<table cellpadding='3'>"
        + "".join(f"<tr><th align='left'>{k}</th><td>{e(v)}</td></tr>" for k, v in summary)
        + "</table>"
    )
    if not data.plan_text.strip():
        parts.append(f"<p style='color:{ERROR}'>Error: record the consensus plan.</p>")
    for p in problems:
        colour = ERROR if p.severity == "error" else WARNING
        parts.append(f"<p style='color:{colour}'>{p.severity.capitalize()}: {e(p.message)}</p>")
    if not quorum.quorate:
        parts.append(
            f"<p style='color:{ERROR}'>{e(quorum.text())} — a decision now will "
            "be flagged as not quorate.</p>"
        )
    if revisions:
        parts.append("<h3>Versions</h3><ol>")
        for rev in revisions:
            when = e(fmt_datetime(rev.signed_off_at)) if rev.signed_off_at else "—"
            reason = f" — amendment: {e(rev.amendment_reason)}" if rev.amendment_reason else ""
            parts.append(
                f"<li>Revision {rev.revision}: {e(rev.status)}, {e(rev.signed_off_by or '—')}, "
                f"{when}{reason}<br><i>{e(rev.data.plan_text)}</i></li>"
            )
        parts.append("</ol>")
    return "".join(parts)


#: the presentation header's short name of each key score
_SHORT = {"sins": "SINS", "escc": "ESCC", "tokuhashi_revised": "Tokuhashi", "kps": "KPS"}


def key_scores_line(
    results: dict[str, ScoreResult | None], answers: dict[str, dict[str, Any]]
) -> str:
    """The key scores completed so far, short: "SINS 8 (indeterminate) · ESCC 2 · KPS 60"."""
    shown = []
    for tool in KEY_SCORES:
        r = results.get(tool)
        if r is None or not r.complete:
            continue
        if tool in ("escc", "frankel"):
            grade = str(answers.get(tool, {}).get("grade", ""))
            shown.append(f"{'ESCC' if tool == 'escc' else 'Frankel'} {grade.upper()}")
        elif tool == "sins":
            shown.append(f"SINS {r.total} ({(r.band or '').replace('_', ' ')})")
        else:
            shown.append(f"{_SHORT[tool]} {r.total}")
    return e(" · ".join(shown))


def presentation_html(
    case: CaseReport,
    step: str,
    data: DecisionInput,
    results: dict[str, ScoreResult | None],
    step4_html: str,
    status: str,
    answers: dict[str, dict[str, Any]] | None = None,
    *,
    fmt_date: DateText,
) -> str:
    """The shared screen: who, the question, histology, levels and the key scores
    always; then the step the chair is on, in large type."""
    p = case.patient
    scores = key_scores_line(results, answers or {})
    head = (
        f"<h1>{case.position}. {e(p.display_name)}</h1>"
        f"<p>MRN {e(p.mrn)} · born {e(fmt_date(p.date_of_birth))} · "
        f"{e(Urgency(case.urgency).label)}</p>"
        f"<p><b>Question:</b> {e(case.question)}</p>"
        f"<p><b>Histology:</b> {e(case.histology_label)} ({e(case.compartment)}) · "
        f"<b>Levels:</b> {e(case.levels_text)}</p>"
        + (f"<p><b>Scores:</b> {scores}</p>" if scores else "")
    )
    if step in ("summary", "histology"):
        body = f"<p><b>Neurology:</b> {e(case.neuro_status or 'not recorded')}</p>"
    elif step == "scores":
        body = "".join(
            f"<p><b>{e(TOOLS[t].label)}:</b> {e(result_text(t, r))}</p>" for t, r in results.items()
        )
    elif step == "noms":
        body = step4_html
    elif step == "options":
        body = "<ul>" + "".join(f"<li>{e(describe(m))}</li>" for m in data.modalities) + "</ul>"
    elif step == "actions":
        body = (
            "<ul>"
            + "".join(
                f"<li>{e(a.description)} — {e(a.owner)}"
                f"{' by ' + e(fmt_date(a.due_date)) if a.due_date else ''}</li>"
                for a in data.actions
            )
            + "</ul>"
        )
    else:
        body = (
            f"<p><b>Plan:</b> {e(data.plan_text)}</p><p><b>Rationale:</b> {e(data.rationale)}</p>"
        )
        if data.dissent.strip():
            body += f"<p><b>Dissent:</b> {e(data.dissent)}</p>"
    return f"{head}<hr>{body}<hr><p><i>{e(status)}</i></p>"
