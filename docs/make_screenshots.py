"""Render the screens and documents kept in docs/ (fictional demo data).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py

Writes docs/screenshots/*.png and docs/examples/*.pdf (+ first pages as PNG
when pdftoppm is installed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="mdtboard-shots-"))
    os.environ["MDTBOARD_AUDIT_KEY_FILE"] = str(work / "audit.key")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    from PySide6.QtWidgets import QApplication

    from mdtboard.domain.vocab import AttendanceStatus
    from mdtboard.reports import (
        LetterSettings,
        build_agenda,
        build_letter,
        build_outcome_form,
        build_summary,
    )
    from mdtboard.services import meetings, summaries
    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.settings import get_settings
    from mdtboard.services.setup import create_demo_database
    from mdtboard.store.db import Target, open_database, sqlite_url
    from mdtboard.ui.main_window import MainWindow
    from mdtboard.ui.meeting import STEPS, MeetingModeWindow

    db_path = work / "demo.db"
    create_demo_database(Target(sqlite_url(db_path)), cases=40, seed=1, actor=Actor("demo"))
    db = open_database(Target(sqlite_url(db_path)))
    ctx = ServiceContext(db, Actor("chair", "chair", "Ms Imogen Castellane (demo)"))
    app = QApplication.instance() or QApplication([])
    shots = DOCS / "screenshots"
    shots.mkdir(exist_ok=True)

    def grab(widget: object, name: str) -> None:
        for _ in range(5):
            app.processEvents()
        widget.grab().save(str(shots / name))  # type: ignore[attr-defined]

    win = MainWindow(ctx)
    win.resize(1280, 760)
    win.show()
    grab(win, "main-window.png")
    dialog = win.edit_case(win.model.row_at(0).referral_id)  # type: ignore[union-attr]
    dialog.resize(1180, 780)
    grab(dialog, "referral-form.png")
    dialog.tabs.setCurrentWidget(dialog.scores)
    grab(dialog, "referral-scores.png")
    dialog.undo_stack.setClean()
    dialog.reject()
    page = win.show_meetings()
    upcoming = next(m for m in meetings.list_meetings(db) if m.status == "planned")
    page.refresh(select_id=upcoming.id)
    grab(win, "agenda-builder.png")

    # the import wizard on a hospital's own export (a value the catalogue cannot name)
    import time

    from mdtboard.ui.import_wizard import ImportWizard

    export = work / "Northmoor PAS export.csv"
    fixture = DOCS.parent / "tests" / "fixtures" / "import" / "hospital-columns.csv"
    export.write_text(fixture.read_text().replace("Breast cancer", "Ca br L"))
    coordinator = ServiceContext(db, Actor("coord", "coordinator", "Jonah Pettigrew (demo)"))
    wizard = ImportWizard(coordinator, export, win)
    wizard.resize(900, 620)
    wizard.show()
    for name in ("file", "columns", "values"):
        grab(wizard, f"import-{name}.png")
        wizard.next()
    for _ in range(100):  # the preview is checked in the background
        app.processEvents()
        if wizard.preview_page.result is not None:
            break
        time.sleep(0.05)
    grab(wizard, "import-preview.png")
    wizard.reject()

    from mdtboard.services import decisions, members

    for member in members.list_members(db):  # a quorate meeting, as on a good day
        decisions.set_attendance(ctx, upcoming.id, member.id, AttendanceStatus.PRESENT)
    mode = MeetingModeWindow(ctx, upcoming.id).start()
    mode.resize(1360, 860)
    mode.show()
    # A worked example on the second case (metastatic breast cancer, C7–T1).
    from datetime import date, timedelta

    from mdtboard.services.decisions import ActionInput, ModalityInput

    mode.open_case(1)
    mode.noms.fitness.setCurrentIndex(mode.noms.fitness.findData("fit"))
    mode.presenter.update(
        intent="palliative",
        modalities=(
            ModalityInput("dexamethasone", {"dose_mg": 16}),
            ModalityInput("cebrt", {"dose_gy": 20, "fractions": 5}),
            ModalityInput("palliative_care", {}),
        ),
    )
    mode.presenter.fill_plan()
    mode.consensus.rationale.setPlainText(
        "Radiosensitive histology; junctional lesion, SINS indeterminate: "
        "surgical opinion sought (fictional example)."
    )
    mode.actions_page.actions_model.add(
        ActionInput(
            "Book radiotherapy planning CT",
            "Dr Amara Stonebridge (demo)",
            date.today() + timedelta(days=2),
        )
    )
    mode.actions_page.actions_model.add(
        ActionInput(
            "Outcome letter to referrer", "Jonah Pettigrew (demo)", date.today() + timedelta(days=1)
        )
    )
    mode.save_now()  # the status line reads "Draft saved", as after the autosave
    for i, (key, _label) in enumerate(STEPS):
        mode.go_to_step(i)
        grab(mode, f"meeting-{i + 1}-{key}.png")
    mode.go_to_step([k for k, _ in STEPS].index("noms"))
    mode.toggle_presentation()
    assert mode.presentation is not None
    mode.presentation.resize(1280, 800)
    grab(mode.presentation, "presentation-mode.png")
    mode.presentation.close()
    emergency = next(
        (
            r
            for r in range(mode.agenda_model.rowCount())
            if mode.agenda_model.row_at(r).urgency == "mscc"
        ),  # type: ignore[union-attr]
        None,
    )
    if emergency is not None:
        mode.open_case(emergency)
        mode.go_to_step(0)
        grab(mode, "meeting-mscc-banner.png")
    mode.presenter.dirty = False
    mode.close()
    # A primary tumour (chordoma): step 4 is the primary-tumour pathway with the WBB diagram.
    from mdtboard.services.worklist import CaseQuery, fetch_cases

    chordoma = fetch_cases(db, CaseQuery(search="chordoma"), 0, 1)[0]
    meetings.list_case(ctx, upcoming.id, chordoma.referral_id)
    mode = MeetingModeWindow(ctx, upcoming.id)
    mode.resize(1360, 860)
    mode.show()
    mode.open_case(mode.agenda_model.rowCount() - 1)
    mode.go_to_step([k for k, _ in STEPS].index("noms"))
    mode.noms.pathway_page.diagram.setFocus()
    grab(mode, "meeting-4-primary-pathway.png")
    mode.presenter.dirty = False
    mode.close()
    win.close()

    examples = DOCS / "examples"
    closed = next(m for m in meetings.list_meetings(db) if m.status == "closed")
    build_agenda(summaries.meeting_report(db, upcoming.id), examples / "agenda.pdf")
    report = summaries.meeting_report(db, closed.id)
    build_summary(report, examples / "summary.pdf")
    discussed = next(c for c in report.cases if c.decision is not None)
    doc = summaries.case_document(db, discussed.referral_id)
    letter_settings = LetterSettings.from_settings(get_settings(db))
    build_letter(doc, letter_settings, examples / "letter.pdf")
    build_letter(doc, letter_settings, examples / "letter-gp.pdf", to="gp")
    build_outcome_form(doc, letter_settings, examples / "outcome-record.pdf")
    if shutil.which("pdftoppm"):
        for name in ("agenda", "summary", "letter", "letter-gp", "outcome-record"):
            for old in examples.glob(f"{name}-page-*.png"):
                old.unlink()  # a document that got shorter leaves no stale page
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "100",
                    str(examples / f"{name}.pdf"),
                    str(examples / f"{name}-page"),
                ],
                check=True,
            )
    db.dispose()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
