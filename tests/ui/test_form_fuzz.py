"""The referral form fuzzed through its widgets: whatever is typed, saving either
stores what was typed or names the fields at fault; never a crash, never half a
record (fictional data)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mdtboard.services.context import ServiceContext
from mdtboard.services.storable import clean_text
from mdtboard.store.models import AuditEvent, Patient, Referral
from mdtboard.ui.date_fields import format_date
from mdtboard.ui.referral_dialog import ReferralDialog

#: what a user can paste: any character but lone surrogates (which no keyboard makes)
pasted = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
filled = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


def day(lo: date, hi: date) -> st.SearchStrategy[str]:
    return st.dates(lo, hi).map(format_date)  # as the locale writes it


def typed(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly something sensible, sometimes anything at all."""
    return st.one_of(good, good, good, pasted.map(lambda t: t[:14]))


LINES = ("family_name", "given_name", "national_number", "referrer_name")
LINES += ("referrer_organisation", "primary_site", "question", "presenting_problem")
LINES += ("neuro_status", "gp_name", "gp_practice", "copy_to")
form = st.fixed_dictionaries(
    {
        **{name: typed(filled) for name in LINES},
        "mrn": typed(st.from_regex(r"FUZZ[0-9]{6}", fullmatch=True)),
        "date_of_birth": typed(day(date(1920, 1, 1), date(2010, 12, 31))),
        "imaging_date": typed(st.one_of(st.just(""), day(date(2025, 1, 1), date.today()))),
        "pathology_date": typed(st.one_of(st.just(""), day(date(2025, 1, 1), date.today()))),
        "levels": st.sampled_from([(), ("T7",), ("T11", "T12", "L1")]),
    }
)
#: always in the run: a form that must be saved, with accents, symbols and a tab
SAVED = {
    "mrn": "FUZZ000001",
    "family_name": "Ó FICTIONÁIN-Łukasiewicz",
    "given_name": "Zoë\tMarie",
    "national_number": "",
    "referrer_name": "Dr Ω Example (fictional) <GP>",
    "referrer_organisation": "Surgery & Co",
    "primary_site": "",
    "question": "Stabilise T11? — SBRT 24 Gy/2 fr; \"dose\" & 'plan'",
    "presenting_problem": "Pain\nat night",
    "neuro_status": "Intact",
    "gp_name": "Dr Ægir Ó Fiction",
    "gp_practice": "Practice & Partners (fictional)",
    "copy_to": "Nurse Example (fictional)\nDr Second Copy",
    "date_of_birth": format_date(date(1962, 3, 14)),
    "imaging_date": "",
    "pathology_date": "",
    "levels": ("T11", "T12", "L1"),
}


def counts(ctx: ServiceContext) -> tuple[int, int, int]:
    with ctx.db.reader() as s:
        return tuple(  # type: ignore[return-value]
            int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (Referral, Patient, AuditEvent)
        )


def fill(dialog: ReferralDialog, values: dict[str, Any]) -> None:
    for name, value in (("sex", "female"), ("disease_kind", "primary")):  # no default
        combo = getattr(dialog, name)
        combo.setCurrentIndex(combo.findData(value))
    for name, value in values.items():
        widget = getattr(dialog, name)
        if name == "levels":
            widget.set_selected(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        else:
            assert isinstance(widget, QLineEdit)  # names, numbers and the date fields
            widget.setText(value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=form)
@example(values=SAVED)
@example(values={**SAVED, "mrn": "FUZZ000002", "question": "nul\x00byte", "given_name": "A\x00"})
def test_whatever_is_typed_is_stored_as_typed_or_refused_by_field(
    qtbot: QtBot, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch, values: dict[str, Any]
) -> None:
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: boxes.append(text))
    dialog = ReferralDialog(ctx, None)
    try:
        dialog.show()
        fill(dialog, values)
        before = counts(ctx)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        if dialog.isVisible():  # refused: the fields at fault are named, nothing was written
            shown = {n: lab.text() for n, lab in dialog._errors.items() if not lab.isHidden()}
            assert shown or boxes, values
            assert all(text.strip() for text in [*shown.values(), *boxes])
            assert counts(ctx) == before
            event("refused: " + ", ".join(sorted(shown)) if shown else "refused in a message")
            return
        event("saved")
        case = dialog.result_case
        assert case is not None and not boxes
        assert counts(ctx)[0] == before[0] + 1
        with ctx.db.reader() as s:
            r = s.get(Referral, case.id)
            assert r is not None
            # free text is stored NFC, without invisible or control characters
            assert r.question == clean_text(values["question"]).strip()
            assert r.referrer_name == clean_text(values["referrer_name"]).strip()
            for name in ("gp_name", "gp_practice"):  # the letter's recipients
                assert getattr(r, name) == clean_text(values[name]).strip()
            # a multi-line field: the text box keeps a typed carriage return as a new line
            typed = values["copy_to"].replace("\r\n", "\n").replace("\r", "\n")
            assert r.copy_to == clean_text(typed).strip()
            assert r.patient.mrn == values["mrn"].strip()
            stored = tuple(lv.level for lv in sorted(r.levels, key=lambda lv: lv.ordinal))
            assert stored == values["levels"]
    finally:  # no unsaved-changes question when the next example starts
        dialog.undo_stack.setClean()
        dialog.done(0)
        dialog.deleteLater()
