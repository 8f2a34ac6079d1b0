"""Effort as counted key presses and clicks, measured like speed.

``PressCounter`` is an application-wide event filter: every key press and mouse
press a user makes counts once, wherever Qt delivers it (an event passed on to
a parent widget is the same press), and typing one value into one field counts
as one press, whatever its length. ``record_standard_case`` drives meeting mode
through the standard case of issue 16 (non-small-cell lung cancer at T7,
suspected cord compression, ESCC 2) as a chair would, with key presses and
clicks only, and returns the count with the step list. The GUI test
(tests/ui/test_effort.py) and ``benchmarks/run.py`` (``effort_standard_case``)
both use it. Every patient here is fictional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget

#: the issue's target for the standard case
STANDARD_CASE_TARGET = 40


class Bot(Protocol):
    """What drives the GUI: pytest-qt's ``qtbot`` or ``QtTestBot`` below."""

    def keyClick(self, widget: QWidget, key: Any, modifier: Any = ...) -> None: ...
    def keyClicks(self, widget: QWidget, text: str) -> None: ...
    def mouseClick(
        self, widget: QWidget, button: Any, modifier: Any = ..., pos: Any = ...
    ) -> None: ...


class QtTestBot:
    """``Bot`` over QtTest, for the benchmark (no pytest)."""

    def keyClick(self, widget: QWidget, key: Any, modifier: Any = None) -> None:
        from PySide6.QtTest import QTest

        QTest.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)

    def keyClicks(self, widget: QWidget, text: str) -> None:
        from PySide6.QtTest import QTest

        QTest.keyClicks(widget, text)

    def mouseClick(
        self, widget: QWidget, button: Any, modifier: Any = None, pos: Any = None
    ) -> None:
        from PySide6.QtCore import QPoint
        from PySide6.QtTest import QTest

        QTest.mouseClick(
            widget, button, modifier or Qt.KeyboardModifier.NoModifier, pos or QPoint()
        )


@dataclass
class Effort:
    presses: int = 0
    #: (step, presses in it)
    steps: list[tuple[str, int]] = field(default_factory=list)

    def text(self) -> str:
        return "; ".join(f"{name} {n}" for name, n in self.steps)


_MODIFIER_KEYS = frozenset(
    {Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}
)


_PRESSES = frozenset(
    {QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress}
)


class Recording:
    """Counts the presses of one flow, step by step (``step(name)`` closes a step)."""

    def __init__(self) -> None:
        self.counter = PressCounter()
        self.effort = Effort()
        self._mark = 0

    def step(self, name: str) -> None:
        self.effort.steps.append((name, self.counter.presses - self._mark))
        self._mark = self.counter.presses


@contextmanager
def recording() -> Iterator[Recording]:
    """Count every press until the block ends; then no poller is left behind."""
    app = QApplication.instance()
    assert app is not None
    rec = Recording()
    app.installEventFilter(rec.counter)
    try:
        yield rec
    finally:
        app.removeEventFilter(rec.counter)
        Poller.cancel_all()
        rec.effort.presses = rec.counter.presses


class PressCounter(QObject):
    """Counts presses: a key press or mouse press once however far Qt propagates it,
    and a run of typed characters into one widget as one press."""

    def __init__(self) -> None:
        super().__init__()
        self.presses = 0
        #: the last press not yet released: (key, or minus the button, and its receiver)
        self._down: tuple[int, QObject] | None = None
        self._typing_into: QObject | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _PRESSES:
            # a key reaches the focus widget first as a shortcut check, then (unless a
            # shortcut took it) as a key press: one press, as for its parents
            if isinstance(event, QKeyEvent):
                code = int(event.key())
            elif isinstance(event, QMouseEvent):
                code = -int(event.button().value)
            else:
                code = 0
            if not self._passed_on(code, watched):
                self._count(watched, event)
                self._down = (code, watched)  # the first receiver: the rest are its parents
        elif kind in (QEvent.Type.KeyRelease, QEvent.Type.MouseButtonRelease):
            self._down = None
        return False

    def _passed_on(self, code: int, watched: QObject) -> bool:
        """The same press again: Qt handing it on to a parent of the widget that ignored
        it, or the key press that follows its shortcut check."""
        if self._down is None or self._down[0] != code:
            return False
        below: QObject | None = self._down[1]
        while below is not None and shiboken6.isValid(below):
            if below is watched:
                return True
            below = below.parent()
        return False

    def _count(self, watched: QObject, event: QEvent) -> None:
        if isinstance(event, QKeyEvent):
            if event.isAutoRepeat() or event.key() in _MODIFIER_KEYS:
                return  # a shortcut such as Ctrl+Shift+A is one press
            typed = (
                bool(event.text())
                and event.text().isprintable()
                and not (
                    event.modifiers()
                    & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
                )
            )
            if typed and self._typing_into is watched:
                return  # the same value, still being typed
            self._typing_into = watched if typed else None
        else:
            self._typing_into = None
        self.presses += 1


class Poller:
    """Answers the next modal window of ``kind`` once it appears, polling every 20 ms
    at most ``tries`` times; ``cancel`` stops it (a flow cancels its pollers when it
    ends, so none is left to answer someone else's dialog)."""

    active: list[Poller] = []

    def __init__(self, kind: type, act: Callable[[QWidget], None], tries: int) -> None:
        self.kind, self.act, self.left = kind, act, tries
        self.cancelled = False
        Poller.active.append(self)
        QTimer.singleShot(20, self._poll)

    def _poll(self) -> None:
        if self.cancelled:
            return
        w = QApplication.activeModalWidget()
        if isinstance(w, self.kind):
            self.cancel()
            self.act(w)
        elif self.left > 0:
            self.left -= 1
            QTimer.singleShot(20, self._poll)
        else:
            self.cancel()

    def cancel(self) -> None:
        self.cancelled = True
        if self in Poller.active:
            Poller.active.remove(self)

    @classmethod
    def cancel_all(cls) -> None:
        for p in list(cls.active):
            p.cancel()


def when_modal(kind: type, act: Callable[[QWidget], None], tries: int = 250) -> Poller:
    return Poller(kind, act, tries)


def standard_case(ctx: Any, chair_id: int = 1) -> int:
    """Register the standard case and list it on a new meeting; the meeting's id."""
    from mdtboard.services import meetings, referrals
    from mdtboard.services.referrals import PatientInput, ReferralInput

    now = datetime.now(UTC)
    patient = PatientInput(
        "EFFORT01", "Effortless", "Demo (fictional)", date(1956, 3, 14), "female"
    )
    referral = ReferralInput(
        received_at=now - timedelta(hours=3),
        referrer_name="Dr Fictional Referrer",
        urgency="mscc",
        question="Suspected MSCC at T7 with known NSCLC: surgery, SBRT or both?",
        presenting_problem="Back pain and new leg weakness (fictional)",
        disease_kind="metastatic",
        histology_key="met_lung_nsclc",
        compartment="extradural",
        levels=("T7",),
        neuro_status="Leg weakness, walks with help",
        neuro_deficit=True,
        imaging_available=True,
        imaging_date=now.date(),
        pathology_available=True,
        pathology_date=now.date() - timedelta(days=30),
        mscc_suspected_at=now - timedelta(hours=4),
        dexamethasone_started_at=now - timedelta(hours=2),
    )
    case = referrals.register_referral(ctx, patient, referral)
    m = meetings.create_meeting(
        ctx,
        title="Effort: standard case (fictional)",
        starts_at=now + timedelta(minutes=30),
        chair_id=chair_id,
    )
    meetings.list_case(ctx, m.id, case.id)
    return m.id


def record_standard_case(ctx: Any, bot: Bot, show: Callable[[QWidget], None]) -> tuple[Effort, Any]:
    """Record the standard case in meeting mode with key presses and clicks only;
    returns the effort and the window (the caller closes it). ``show`` shows a window
    and waits until it is active (qtbot's or the benchmark's)."""
    from mdtboard.ui.meeting import MeetingModeWindow

    meeting_id = standard_case(ctx)
    win = MeetingModeWindow(ctx, meeting_id).start()
    show(win)
    ctrl, alt, shift = (
        Qt.KeyboardModifier.ControlModifier,
        Qt.KeyboardModifier.AltModifier,
        Qt.KeyboardModifier.ShiftModifier,
    )
    left = Qt.MouseButton.LeftButton

    def click(widget: QWidget, **where: Any) -> None:
        bot.mouseClick(widget, left, **where)
        QApplication.processEvents()  # a person's pause: queued focus work runs

    with recording() as rec:
        step = rec.step

        # attendance: everyone present, then close
        def attendance(dialog: QWidget) -> None:
            click(dialog.everyone_btn)  # type: ignore[attr-defined]
            bot.keyClick(dialog, Qt.Key.Key_Escape)

        when_modal(QWidget, attendance)
        bot.keyClick(win, Qt.Key.Key_A, ctrl | shift)
        show(win)
        step("attendance: everyone present")

        def pick(combo: QComboBox, key: str) -> None:
            """A click opens the list; a letter moves to the option; Enter takes it."""
            click(combo)
            target: QWidget = combo.view() if combo.view().isVisible() else combo
            bot.keyClicks(target, key)
            if target is not combo:
                bot.keyClick(target, Qt.Key.Key_Return)

        def next_field(key: str) -> None:
            """Tab to the next item and answer it from the keyboard."""
            focus = QApplication.focusWidget()
            assert focus is not None
            bot.keyClick(focus, Qt.Key.Key_Tab)
            focus = QApplication.focusWidget()
            assert focus is not None
            bot.keyClicks(focus, key)

        def here(key: str) -> None:
            focus = QApplication.focusWidget()
            assert focus is not None
            bot.keyClicks(focus, key)

        bot.keyClick(win, Qt.Key.Key_3, alt)  # the keyboard lands on SINS pain (location derived)
        forms = win.scores.score_forms
        here("m")
        for key in ("l", "n", "c", "u"):  # lytic, normal alignment, collapse < 50 %, unilateral
            next_field(key)
        step("SINS (location derived from T7)")
        next_field("2")  # ESCC follows SINS
        step("ESCC 2")
        kps = forms["kps"].input_for("kps")
        click(kps)
        bot.keyClicks(kps, "60")
        step("KPS 60 (ECOG and Tokuhashi derived)")
        pick(forms["frankel"].input_for("grade"), "d")
        step("Frankel D (Tokuhashi palsy derived)")

        bot.keyClick(win, Qt.Key.Key_4, alt)  # the keyboard lands on "fit for surgery"
        here("f")
        step("NOMS: fit for surgery")
        bot.keyClick(win, Qt.Key.Key_N, ctrl | shift)
        step("apply suggestion")

        editor = win.options.modality_editor
        here("p")  # the keyboard lands on the intent: palliative
        sbrt = next(i for i, m in enumerate(editor.modalities()) if m.kind == "sbrt")
        rect = editor.view.visualRect(editor.model.index(sbrt, 1))
        click(editor.view.viewport(), pos=rect.center())
        dose = editor.detail_widget("dose_gy")
        click(dose)
        bot.keyClicks(dose, "24")
        next_field("2")
        step("options: intent, SBRT 24 Gy in 2")

        bot.keyClick(win, Qt.Key.Key_6, alt)
        step("consensus (plan and rationale pre-written)")
        bot.keyClick(win, Qt.Key.Key_7, alt)
        text = win.actions_page.action_text
        bot.keyClicks(text, "Book SBRT planning CT")
        bot.keyClick(text, Qt.Key.Key_Return)
        step("action (owner present, due in a week)")

        refused: list[str] = []

        def confirm(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            if box.windowTitle() == "Sign off":
                bot.keyClick(box, Qt.Key.Key_Return)
                when_modal(QMessageBox, confirm, tries=25)  # a refusal would follow
            elif box.isVisible():
                refused.append(box.text())
                box.reject()

        when_modal(QMessageBox, confirm)
        bot.keyClick(win, Qt.Key.Key_Return, ctrl)
        step("sign off and confirm")
        if refused:
            raise AssertionError(f"sign-off refused: {refused[0]}")
    return rec.effort, win


#: the issue's target for putting 20 cases on an agenda (the agenda builder's issue)
AGENDA_20_TARGET = 30


def twenty_ready_cases(ctx: Any) -> tuple[int, list[int]]:
    """Twenty fictional metastatic cases, each ready (imaging, pathology, neurology and
    the key scores recorded), and an empty meeting next week."""
    from mdtboard.services import assessments, meetings, referrals
    from mdtboard.services.referrals import PatientInput, ReferralInput

    now = datetime.now(UTC)
    ids = []
    for n in range(20):
        patient = PatientInput(
            f"AGENDA{n:02d}", f"Listable{n:02d}", "Demo (fictional)", date(1950 + n, 1, 2), "male"
        )
        case = referrals.register_referral(
            ctx,
            patient,
            ReferralInput(
                received_at=now - timedelta(days=1, minutes=n),
                referrer_name="Dr Fictional Referrer",
                urgency="routine",
                question="Plan for this fictional case?",
                disease_kind="metastatic",
                histology_key="met_breast",
                compartment="extradural",
                levels=("L2",),
                neuro_status="Neurologically intact",
                imaging_available=True,
                imaging_date=now.date(),
                pathology_available=True,
                pathology_date=now.date(),
            ),
        )
        for tool, answers in (
            (
                "sins",
                {
                    "location": "mobile",
                    "pain": "pain_free",
                    "bone_lesion": "blastic",
                    "alignment": "normal",
                    "collapse": "none",
                    "posterolateral": "none",
                },
            ),
            ("escc", {"grade": "0"}),
            ("kps", {"kps": 90}),
        ):
            assessments.record_assessment(ctx, case.id, tool, answers)
        ids.append(case.id)
    m = meetings.create_meeting(
        ctx, title="Effort: agenda of 20 (fictional)", starts_at=now + timedelta(days=7)
    )
    return m.id, ids


def record_agenda_20(ctx: Any, bot: Bot, show: Callable[[QWidget], None]) -> tuple[Effort, Any]:
    """A coordinator puts 20 ready cases on a meeting's agenda from the Meetings page,
    with key presses and clicks only; returns the effort and the main window."""
    from mdtboard.ui.main_window import MainWindow

    meeting_id, _ids = twenty_ready_cases(ctx)
    win = MainWindow(ctx)
    show(win)
    left = Qt.MouseButton.LeftButton
    with recording() as rec:
        bot.keyClick(win, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # the Mee&tings tab
        page = win.meetings_page
        assert page is not None
        row = page.meeting_model.row_of(meeting_id)
        rect = page.meeting_view.visualRect(page.meeting_model.index(row, 1))
        bot.mouseClick(page.meeting_view.viewport(), left, pos=rect.center())
        QApplication.processEvents()
        rec.step("open the meeting")
        bot.mouseClick(page.ready_only, left)  # only the cases ready for discussion
        QApplication.processEvents()
        view = page.candidate_view
        view.scrollToTop()
        rect = view.visualRect(page.candidates.index(0, 1))
        bot.mouseClick(view.viewport(), left, pos=rect.center())  # the first ready case
        view.scrollTo(page.candidates.index(19, 1))
        QApplication.processEvents()
        rect = view.visualRect(page.candidates.index(19, 1))
        bot.mouseClick(  # Shift+click the 20th: all twenty selected
            view.viewport(), left, Qt.KeyboardModifier.ShiftModifier, rect.center()
        )
        QApplication.processEvents()
        refused: list[str] = []

        def not_ready(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            refused.append(box.text())
            box.reject()

        when_modal(QMessageBox, not_ready, tries=10)
        bot.keyClick(view, Qt.Key.Key_Return)  # list the selection in one step
        QApplication.processEvents()
        if refused:
            raise AssertionError(f"a case was not ready: {refused[0]}")
        rec.step("list 20 cases")
    return rec.effort, win
