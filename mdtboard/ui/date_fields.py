"""Dates and times as the user's locale writes them: one format for showing them on
every screen (:func:`format_date`, :func:`format_datetime`, local time, optionally with
the day name or seconds) and the typed fields of the forms.

A date is shown in the locale's short date format with a four-digit year (``14/03/1962``
in en_GB, ``3/14/1962`` in en_US, ``14.03.1962`` in de_DE); a time in its short time
format without seconds. Typing accepts that format, the locale's own short format (a
two-digit year is the latest such year not after this one), ISO ``YYYY-MM-DD`` and, for
numbers in the locale's order, any of ``/ . -`` or spaces between them.

:class:`DateField` and :class:`DateTimeField` are line edits, so one Tab leaves them.
Alt+Down or F4 opens a calendar (also the field's calendar button); a date-time field
made with ``now=True`` has a Now button (Ctrl+Shift+N in the field) for pathway times.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from PySide6.QtCore import QDate, QLocale, QPoint, QRect, Qt, QTime, Signal
from PySide6.QtGui import QAction, QIcon, QKeyEvent, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QToolButton, QWidget

#: the key that fills a pathway time with the current time (shown in the tooltips)
NOW_SHORTCUT = "Ctrl+Shift+N"


# --- formats ------------------------------------------------------------------------
def date_format(locale: QLocale | None = None) -> str:
    """The locale's short date format with a four-digit year (no "62" for 1962)."""
    fmt = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat)
    return re.sub(r"y+", "yyyy", fmt)


def time_format(locale: QLocale | None = None, *, seconds: bool = False) -> str:
    """The locale's short time format, to the minute (no time zone); with ``seconds``,
    its long one to the second (the audit trail's times)."""
    loc = locale or QLocale()
    if seconds:
        fmt = loc.timeFormat(QLocale.FormatType.LongFormat)
    else:
        fmt = re.sub(r"[:.]s+(\.z+)?", "", loc.timeFormat(QLocale.FormatType.ShortFormat))
    return re.sub(r"\s*t+", "", fmt).strip()


def _local(value: datetime) -> tuple[datetime, str]:
    """An aware date-time in local time (and ""); a time at the very edge of the calendar,
    which local time cannot hold, stays in UTC (and " UTC" says so)."""
    try:
        return value.astimezone(), ""
    except (OverflowError, ValueError):
        return value.astimezone(UTC), " UTC"


def _weekday(day: date) -> str:
    return QLocale().dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)


def format_date(value: date | None, *, weekday: bool = False) -> str:
    """A date as the form shows it ("" for none); an aware date-time, its local date.
    With ``weekday`` the locale's short day name comes first ("Tue 08/12/2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)[0].date() if value.tzinfo else value.date()
    text = QLocale().toString(QDate(value.year, value.month, value.day), date_format())
    return f"{_weekday(value)} {text}" if weekday else text


def format_time(value: time, *, seconds: bool = False) -> str:
    clock = QTime(value.hour, value.minute, value.second if seconds else 0)
    return QLocale().toString(clock, time_format(seconds=seconds))


def format_datetime(value: datetime | None, *, weekday: bool = False, seconds: bool = False) -> str:
    """An aware date-time in local time, as the form shows it ("" for none); with
    ``weekday`` the day name first, with ``seconds`` to the second."""
    if value is None:
        return ""
    local, zone = _local(value)
    day = format_date(local.date(), weekday=weekday)
    return f"{day} {format_time(local.time(), seconds=seconds)}{zone}"


_HINTS = {"d": "dd", "M": "mm", "y": "yyyy", "H": "hh", "h": "hh", "m": "mm"}


def _hint(fmt: str) -> str:
    def word(m: re.Match[str]) -> str:
        token = m.group(0)
        if token[0] == "M" and len(token) >= 3:
            return "mmm"
        if token[0] in "aA":
            return "am/pm"
        return _HINTS[token[0]]

    return re.sub(r"d+|M+|y+|H+|h+|m+|[aA][pP]?", word, fmt.replace("'", ""))


def date_hint() -> str:
    """How to type a date here, e.g. "dd/mm/yyyy" (the field's placeholder)."""
    return _hint(date_format())


def datetime_hint() -> str:
    return f"{date_hint()} {_hint(time_format())}"


# --- parsing ------------------------------------------------------------------------
_NUMBERS = re.compile(r"^(\d{1,4})[\s/.\-]+(\d{1,2})[\s/.\-]+(\d{1,4})\.?$")
_COMPACT = re.compile(r"^\d{8}$")


def _order(fmt: str) -> str:
    """The order of day, month and year in a format: "dMy", "Mdy" or "yMd"."""
    found = {c: fmt.find(c) for c in "dMy" if c in fmt}
    return "".join(sorted(found, key=found.__getitem__)) if len(found) == 3 else "dMy"


def _year(text: str) -> int | None:
    if len(text) == 4:
        return int(text)
    if len(text) == 2:  # the latest such year that is not after this one
        year = 2000 + int(text)
        return year if year <= date.today().year else year - 100
    return None


def _numbers(parts: tuple[str, str, str], order: str) -> date | None:
    if len(parts[0]) == 4:  # ISO 8601 (and every year-first locale)
        order = "yMd"
    by = dict(zip(order, parts, strict=True))
    year = _year(by["y"])
    if year is None or len(by["d"]) > 2 or len(by["M"]) > 2:
        return None
    try:
        return date(year, int(by["M"]), int(by["d"]))
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """A date typed in the locale's way, or ISO; None when blank or not a date."""
    t = text.strip()
    if not t:
        return None
    fmt = date_format()
    order = _order(fmt)
    if m := _NUMBERS.match(t):
        return _numbers((m[1], m[2], m[3]), order)
    if _COMPACT.match(t):  # ddmmyyyy (or yyyymmdd), in the locale's order
        cut = (4, 6) if order.startswith("y") else (2, 4)
        return _numbers((t[: cut[0]], t[cut[0] : cut[1]], t[cut[1] :]), order)
    for form in (fmt, QLocale().dateFormat(QLocale.FormatType.ShortFormat)):
        parsed = QLocale().toDate(t, form)  # month names ("2 Dec 2026")
        if parsed.isValid() and "yyyy" in form:
            return date(parsed.year(), parsed.month(), parsed.day())
    return None


def _time_pattern() -> re.Pattern[str]:
    loc = QLocale()
    marks = {loc.amText(), loc.pmText(), "am", "pm", "a.m.", "p.m."} - {""}
    ap = "|".join(re.escape(w) for w in sorted(marks, key=len, reverse=True))
    clock = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.]\d{2})?"
    return re.compile(
        rf"^(?P<date>.+?)(?:[\sT,]+(?:(?P<ap1>{ap})\s*)?{clock}(?:\s*(?P<ap2>{ap}))?)?\s*$",
        re.IGNORECASE,
    )


def _hour(hour: int, mark: str | None) -> int | None:
    if mark is None:
        return hour if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    pm = mark.casefold() in {QLocale().pmText().casefold(), "pm", "p.m."}
    return hour % 12 + (12 if pm else 0)


def parse_local_datetime(text: str) -> datetime | None:
    """A date and time typed in local time (a date alone is midnight), as an aware UTC
    datetime; None when blank or not a date and time."""
    m = _time_pattern().match(text.strip())
    if m is None:
        return None
    day = parse_date(m["date"])
    if day is None:
        return None
    hour = minute = 0
    if m["h"] is not None:
        h = _hour(int(m["h"]), m["ap1"] or m["ap2"])
        if h is None or int(m["mi"]) > 59:
            return None
        hour, minute = h, int(m["mi"])
    try:  # the first and last days of the calendar do not convert in every time zone
        local = datetime(day.year, day.month, day.day, hour, minute).astimezone()
        return local.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


# --- the fields ---------------------------------------------------------------------
def _calendar_icon() -> QIcon:
    """A small drawn calendar (no icon theme is needed)."""
    pix = QPixmap(16, 16)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setPen(QPen(Qt.GlobalColor.darkGray, 1))
    p.drawRect(QRect(1, 3, 13, 11))
    p.fillRect(QRect(2, 4, 12, 3), Qt.GlobalColor.darkGray)
    for x in (4, 7, 10):
        for y in (9, 12):
            p.drawPoint(QPoint(x, y))
    p.drawLine(4, 1, 4, 3)
    p.drawLine(11, 1, 11, 3)
    p.end()
    return QIcon(pix)


class DateField(QLineEdit):
    """A date typed in the locale's format, or picked from the calendar; may be blank.
    ``sig_picked`` when the user fills it from the calendar (or with Now)."""

    sig_picked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.hint())
        self.setMaxLength(40)
        self.calendar_action = QAction(_calendar_icon(), "Calendar", self)
        self.calendar_action.setToolTip("Choose from a calendar (Alt+Down)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.setToolTip(f"Type {self.hint()}; Alt+Down opens a calendar")
        self.calendar: QCalendarWidget | None = None
        self.fit_text()

    def fit_text(self) -> None:
        """Wide enough for the hint and a long date (and time), beside the calendar."""
        sample = datetime(2026, 12, 28, 23, 58, tzinfo=UTC)
        fm = self.fontMetrics()
        widest = max(fm.horizontalAdvance(t) for t in (self.hint(), self.sample(sample)))
        self.setMinimumWidth(widest + 36)  # the calendar button, text margins and frame

    def sample(self, value: datetime) -> str:
        return format_date(value.date())

    def hint(self) -> str:
        return date_hint()

    # --- value -------------------------------------------------------------------
    def date_value(self) -> date | None:
        return parse_date(self.text())

    def set_date_value(self, value: date | None) -> None:
        self.setText(format_date(value))

    def is_invalid(self) -> bool:
        return bool(self.text().strip()) and self.date_value() is None

    def problem(self, label: str) -> str:
        """What is wrong with typed text that is not a date, naming the field."""
        return f"{label}: {self.text().strip()!r} is not a date (type {self.hint()})"

    def setReadOnly(self, read_only: bool) -> None:
        super().setReadOnly(read_only)
        self.calendar_action.setVisible(not read_only)

    # --- the calendar --------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_down = event.key() == Qt.Key.Key_Down and bool(
            event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.open_calendar()
            event.accept()
            return
        super().keyPressEvent(event)

    def picked_date(self) -> date | None:
        """The date the calendar starts on: the field's own."""
        return self.date_value()

    def open_calendar(self) -> None:
        """The calendar under the field, on the field's date (or today); picking a day
        (click, or arrows and Enter) fills the field, Escape closes it."""
        if self.isReadOnly() or not self.isEnabled():
            return
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setObjectName("datePopup")
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._pick)
            self.calendar.activated.connect(self._pick)
        shown = self.picked_date() or date.today()
        self.calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        self.calendar.adjustSize()
        self.calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _pick(self, day: QDate) -> None:
        assert self.calendar is not None
        self.calendar.hide()
        self.show_picked(date(day.year(), day.month(), day.day()))
        self.setFocus(Qt.FocusReason.PopupFocusReason)
        self.sig_picked.emit()

    def show_picked(self, day: date) -> None:
        self.setText(format_date(day))


class DateTimeField(DateField):
    """A local date and time in the locale's format; may be blank. A stored value shown
    unchanged reads back exactly (seconds and all)."""

    def __init__(self, parent: QWidget | None = None, *, now: bool = False) -> None:
        super().__init__(parent)
        self._shown: tuple[str, datetime] | None = None
        self.now_button: QToolButton | None = None
        tip = f"Type {self.hint()}; Alt+Down opens a calendar"
        if now:
            act = QAction("Now", self)
            act.setShortcut(QKeySequence(NOW_SHORTCUT))
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(self.fill_now)
            self.addAction(act)
            self.now_button = QToolButton(parent)
            self.now_button.setText("Now")
            self.now_button.setToolTip(f"The current date and time ({NOW_SHORTCUT})")
            self.now_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the next field
            self.now_button.clicked.connect(self.fill_now)
            tip += f"; {NOW_SHORTCUT} fills in now"
        self.setToolTip(tip)
        self.fit_text()

    def sample(self, value: datetime) -> str:
        return f"{format_date(value.date())} {format_time(value.time())}"

    def hint(self) -> str:
        return datetime_hint()

    def datetime_value(self) -> datetime | None:
        if self._shown is not None and self.text() == self._shown[0]:
            return self._shown[1]  # unchanged: the stored time, seconds and all
        return parse_local_datetime(self.text())

    def set_datetime_value(self, value: datetime | None) -> None:
        text = format_datetime(value)
        self._shown = None if value is None else (text, value)
        self.setText(text)

    def date_value(self) -> date | None:
        value = self.datetime_value()
        return None if value is None else value.astimezone().date()

    def is_invalid(self) -> bool:
        return bool(self.text().strip()) and self.datetime_value() is None

    def problem(self, label: str) -> str:
        return f"{label}: {self.text().strip()!r} is not a date and time (type {self.hint()})"

    def setReadOnly(self, read_only: bool) -> None:
        super().setReadOnly(read_only)
        if self.now_button is not None:
            self.now_button.setEnabled(not read_only)

    def fill_now(self) -> None:
        """The current local time, to the minute."""
        if self.isReadOnly() or not self.isEnabled():
            return
        self.setText(format_datetime(datetime.now(UTC)))
        self.sig_picked.emit()

    def show_picked(self, day: date) -> None:
        """The picked day keeps the time typed; without one, 00:00 is selected to be
        typed over."""
        typed = self.datetime_value()
        clock = format_time(typed.astimezone().time() if typed else time(0, 0))
        self.setText(f"{format_date(day)} {clock}")
        if typed is None:
            self.setSelection(len(self.text()) - len(clock), len(clock))
