"""The worklist's search field and filters, as the main window's toolbar.

Imports Qt and the vocabulary only, so the window's frame paints before the database
layer is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolBar, QWidget

from mdtboard.domain.vocab import ReferralStatus, Urgency
from mdtboard.ui.date_fields import format_date

if TYPE_CHECKING:
    from mdtboard.services.meetings import MeetingSummary
    from mdtboard.services.worklist import CaseQuery

SEARCH_DELAY_MS = 150

_READINESS = (
    ("Any readiness", ()),
    ("Ready", ("green",)),
    ("Nearly ready", ("amber",)),
    ("Not ready", ("red",)),
    ("Not ready or nearly", ("amber", "red")),
)


@dataclass(frozen=True)
class WorklistFilters:
    """What the toolbar asks for; empty tuples and None mean "any"."""

    search: str
    statuses: tuple[str, ...]
    urgencies: tuple[str, ...]
    readiness: tuple[str, ...]
    meeting_id: int | None

    def applied_to(self, query: CaseQuery, imaging_max_age_days: int) -> CaseQuery:
        """``query`` (its sort kept) filtered by these, readiness judged by that age."""
        return replace(
            query,
            search=self.search,
            statuses=self.statuses,
            urgencies=self.urgencies,
            readiness=self.readiness,
            meeting_id=self.meeting_id,
            imaging_max_age_days=imaging_max_age_days,
        )


class WorklistFilterBar(QToolBar):
    """Search and filters. ``sig_changed`` when the user changes one: at once for a
    filter or Return, :data:`SEARCH_DELAY_MS` after the last keystroke in the search."""

    sig_changed = Signal()
    #: Down in the search field: the keyboard moves into the list
    sig_to_list = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Search and filters", parent)
        self.setObjectName("filterToolbar")
        self.setMovable(False)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.sig_changed)

        find = QWidget(self)
        self.search = QLineEdit(find)
        self.search.setObjectName("searchField")
        self.search.setPlaceholderText("Search name, MRN, histology, level, referrer  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        self.search.setMinimumWidth(220)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.sig_changed)
        self.search.installEventFilter(self)
        self._add_labelled(find, " Find: ", self.search)

        statuses: list[tuple[str, object]] = [("All statuses", ())]
        open_ = tuple(s.value for s in ReferralStatus if s != ReferralStatus.CLOSED)
        statuses.append(("Open (not closed)", open_))
        statuses += [(s.label, (s.value,)) for s in ReferralStatus]
        self.status_filter = self._filter("statusFilter", "Status", statuses)
        urgencies = [("All urgencies", ()), *((u.label, (u.value,)) for u in Urgency)]
        self.urgency_filter = self._filter("urgencyFilter", "Urgency", urgencies)
        self.readiness_filter = self._filter("readinessFilter", "Readiness", _READINESS)
        self.meeting_filter = self._filter("meetingFilter", "Meeting", [("Any meeting", None)])
        self.meeting_filter.setMaximumWidth(240)

    def _filter(self, name: str, label: str, items: Iterable[tuple[str, object]]) -> QComboBox:
        pair = QWidget(self)
        combo = QComboBox(pair)
        combo.setObjectName(name)
        combo.setAccessibleName(f"{label} filter")
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(lambda _i: self.sig_changed.emit())
        self._add_labelled(pair, f"  {label}: ", combo)
        return combo

    def _add_labelled(self, pair: QWidget, label: str, field: QWidget) -> None:
        """A label and its field as one toolbar item: they go behind "»" together."""
        pair.setObjectName(f"{field.objectName()}Item")
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        text = QLabel(label, pair)
        text.setBuddy(field)
        row.addWidget(text)
        row.addWidget(field)
        self.addWidget(pair)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self.sig_to_list.emit()
            return True
        return super().eventFilter(watched, event)

    def cancel_pending_search(self) -> None:
        """The filters are being applied now: no second time when the typing delay ends."""
        self._search_timer.stop()

    def filters(self) -> WorklistFilters:
        return WorklistFilters(
            search=self.search.text().strip(),
            statuses=tuple(self.status_filter.currentData() or ()),
            urgencies=tuple(self.urgency_filter.currentData() or ()),
            readiness=tuple(self.readiness_filter.currentData() or ()),
            meeting_id=self.meeting_filter.currentData(),
        )

    def set_meetings(self, meetings: Iterable[MeetingSummary]) -> None:
        """The meetings to filter by, keeping the one chosen (no ``sig_changed``)."""
        combo = self.meeting_filter
        chosen = combo.currentData()
        was = combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("Any meeting", None)
            for m in meetings:
                # a title dated as the series dates them ("… — 08 Dec 2026") says the day
                dated = f"{m.starts_at.astimezone():%d %b %Y}" in m.title
                combo.addItem(m.title if dated else f"{format_date(m.starts_at)} — {m.title}", m.id)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
        finally:
            combo.blockSignals(was)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
