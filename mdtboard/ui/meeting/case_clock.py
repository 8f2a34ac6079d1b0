"""How long each case is open in meeting mode (issue 19 part 6).

The clock starts when a case opens and pauses when another case opens or the window
closes; the seconds are added to the case's discussion time. Nobody starts or stops
anything. The chair sees it discreetly beside the case's status line; the shared
presentation screen does not show it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from mdtboard.services import discussion_time
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError

log = logging.getLogger(__name__)


def minutes(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class CaseClock(QObject):
    """``sig_tick(text)`` each second while a case is open."""

    sig_tick = Signal(str)

    def __init__(
        self,
        ctx: ServiceContext,
        meeting_id: int,
        parent: QObject | None = None,
        *,
        counting: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._counting = counting
        self._clock = clock
        self._item: int | None = None
        self._since = 0.0
        #: seconds stored per agenda item (what earlier openings added)
        self.totals: dict[int, int] = discussion_time.times_for(ctx.db, meeting_id)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(lambda: self.sig_tick.emit(self.text()))

    @property
    def item(self) -> int | None:
        return self._item

    def elapsed(self) -> float:
        return self._clock() - self._since if self._item is not None else 0.0

    def start(self, agenda_item_id: int) -> None:
        """A case opened: the one open before pauses. Nothing is counted while
        ``counting()`` is false (a meeting not in progress)."""
        if agenda_item_id == self._item:
            return
        self.stop()
        if not self._counting():
            self.sig_tick.emit("")
            return
        self._item = agenda_item_id
        self._since = self._clock()
        self._timer.start()
        self.sig_tick.emit(self.text())

    def stop(self) -> None:
        """Pause: the open case's seconds are stored."""
        item, seconds = self._item, self.elapsed()
        self._item = None
        self._timer.stop()
        if item is None:
            return
        try:
            self.totals[item] = discussion_time.add_time(self.ctx, item, seconds)
        except ServiceError as exc:  # a read-only database: the meeting goes on
            log.warning("discussion time of agenda item %s not stored: %s", item, exc)
            self.totals[item] = self.totals.get(item, 0) + int(seconds)

    def text(self) -> str:
        if self._item is None:
            return ""
        now = self.elapsed()
        total = self.totals.get(self._item, 0) + now
        if total - now >= 1:
            return f"On this case {minutes(now)} ({minutes(total)} in all)"
        return f"On this case {minutes(now)}"
