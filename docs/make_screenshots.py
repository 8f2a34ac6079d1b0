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

    # The metrics dashboard (Meetings → Metrics…) on the demo data as it is, its last
    # 12 months; then the score validation, which needs cases followed for months with
    # prognostic scores: a fictional history is added first (after every other picture,
    # which it would change).
    from mdtboard.ui.metrics_window import MetricsWindow

    def settled(window: MetricsWindow) -> None:
        for _ in range(400):
            app.processEvents()
            if window.metrics is not None and not window.busy:
                break
            time.sleep(0.02)
        for _ in range(5):
            app.processEvents()

    dashboard = MetricsWindow(ctx)
    dashboard.resize(1280, 820)
    dashboard.show()
    settled(dashboard)
    grab(dashboard, "metrics-dashboard.png")
    dashboard.close()
    _fictional_outcome_history(db)
    scores = MetricsWindow(ctx)
    scores.resize(1280, 820)
    scores.show()
    settled(scores)
    scores.tabs.setCurrentIndex(3)  # Score validation: the first score with cases
    grab(scores, "metrics-validation.png")
    scores.close()
    app.processEvents()

    db.dispose()
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _fictional_outcome_history(db: object) -> None:
    """A fictional year of earlier cases for the validation screenshot: fortnightly closed
    meetings from 26 to 14 months ago, five metastatic cases each, signed off, with the
    four prognostic scores (answers through the clinical engine, drawn around each case's
    own outlook) and an outcome at death or last contact. Own random sequence."""
    import random
    from datetime import UTC, date, datetime, time, timedelta

    from mdtboard.domain.scores import evaluate
    from mdtboard.store.models import (
        AgendaItem,
        Assessment,
        CaseOutcome,
        Decision,
        Meeting,
        Patient,
        Referral,
    )

    rng = random.Random(2019)
    today = date.today()

    def pick(options: tuple[object, ...], outlook: float) -> object:
        """An option from the worst to the best, near the case's outlook (0 to 1)."""
        k = int((outlook + rng.gauss(0, 0.18)) * len(options))
        return options[min(len(options) - 1, max(0, k))]

    def answers(outlook: float) -> dict[str, dict[str, object]]:
        kps = pick((30, 40, 50, 60, 70, 80, 90), outlook)
        bauer = {
            key: pick(("no", "yes"), outlook)
            for key in (
                "no_visceral_mets",
                "primary_not_lung",
                "primary_favourable",
                "solitary_skeletal_met",
            )
        }
        bauer_total = evaluate("bauer_modified", bauer).total or 0
        return {
            "tokuhashi_revised": {
                "kps": kps,
                "extraspinal_bone_mets": pick(("three_or_more", "one_or_two", "none"), outlook),
                "vertebral_body_mets": pick(("three_or_more", "two", "one"), outlook),
                "visceral_mets": pick(("unremovable", "removable", "none"), outlook),
                "primary_site": pick(("lung", "liver", "other", "kidney", "rectum", "breast"),
                                     outlook),
                "palsy": pick(("b", "c", "d", "e"), outlook),
            },
            "tomita": {
                "primary_growth": pick(("rapid", "moderate", "slow"), outlook),
                "visceral_mets": pick(("untreatable", "treatable", "none"), outlook),
                "bone_mets": pick(("multiple", "solitary"), outlook),
            },
            "bauer_modified": bauer,
            "nesms": {
                "modified_bauer": bauer_total,
                "ambulation": pick(("dependent", "independent"), outlook),
                "albumin_g_dl": round(2.6 + 1.6 * outlook + rng.gauss(0, 0.3), 1),
            },
        }  # fmt: skip

    with db.unit_of_work() as s:  # type: ignore[attr-defined]
        n = 0
        for k in range(26):
            day = today - timedelta(days=26 * 30 + 6) + timedelta(days=14 * k)
            starts = datetime.combine(day, time(8), UTC)
            meeting = Meeting(starts_at=starts, title=f"Spine oncology MDT — {day:%d %b %Y}",
                              location="Seminar room 2, Fictional Spine Centre",
                              status="closed", version=1)  # fmt: skip
            s.add(meeting)
            s.flush()
            for position in range(1, 6):
                n += 1
                patient = Patient(mrn=f"HIST{n:06d}", family_name=f"Earlier{n}",
                                  given_name="Fictional", date_of_birth=date(1950, 1, 1)
                                  + timedelta(days=rng.randrange(0, 365 * 25)),
                                  sex=rng.choice(["female", "male"]), version=1)  # fmt: skip
                s.add(patient)
                s.flush()
                referral = Referral(patient_id=patient.id,
                                    received_at=starts - timedelta(days=rng.randrange(4, 20)),
                                    referrer_name="Dr Earlier (fictional)", urgency="routine",
                                    question="Management of spinal metastasis?",
                                    disease_kind="metastatic", histology_key="met_breast",
                                    compartment="extradural", status="closed",
                                    version=1)  # fmt: skip
                s.add(referral)
                s.flush()
                item = AgendaItem(meeting_id=meeting.id, referral_id=referral.id,
                                  patient_id=patient.id, position=position,
                                  status="discussed", version=1)  # fmt: skip
                s.add(item)
                s.flush()
                signed = starts + timedelta(hours=2)
                s.add(Decision(agenda_item_id=item.id, status="signed_off",
                               plan_text="Fictional plan", signed_off_by="Chair (demo)",
                               signed_off_at=signed, version=1))  # fmt: skip
                outlook = rng.random()
                for tool_id, given in answers(outlook).items():
                    r = evaluate(tool_id, given)
                    s.add(Assessment(referral_id=referral.id, tool_id=tool_id, answers=given,
                                     total=r.total, band=r.band, complete=r.complete,
                                     entered_by="demo", entered_at=starts - timedelta(hours=1),
                                     version=1))  # fmt: skip
                # survival drawn around the outlook: a median from 2 months to 2 years
                lived = rng.expovariate(0.693 / (60 + 680 * outlook**1.5))
                followed = (today - signed.date()).days - rng.randrange(0, 60)
                if rng.random() < 0.08:  # lost to follow-up
                    followed = rng.randrange(30, followed)
                died = lived < followed
                s.add(CaseOutcome(referral_id=referral.id,
                                  vital_status="died" if died else "alive",
                                  status_on=signed.date() + timedelta(days=int(min(lived,
                                                                                 followed))),
                                  version=1))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
