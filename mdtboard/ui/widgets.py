"""Small reusable widgets."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QLineEdit, QWidget


def qdatetime_to_utc(value: QDateTime) -> datetime:
    """A local date-time from a Qt editor, as an aware UTC datetime."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)


_FORMATS = (
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{2})(?P<m>\d{2})(?P<y>\d{4})$"),
)


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy, d.m.yyyy, yyyy-mm-dd or ddmmyyyy; None when blank or not a date."""
    t = text.strip()
    for fmt in _FORMATS:
        m = fmt.match(t)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                return None
    return None


class DateField(QLineEdit):
    """A typed date (British order) that may be left blank."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("dd/mm/yyyy")
        self.setMaxLength(10)

    def date_value(self) -> date | None:
        return parse_date(self.text())

    def set_date_value(self, value: date | None) -> None:
        self.setText("" if value is None else value.strftime("%d/%m/%Y"))

    def is_invalid(self) -> bool:
        return bool(self.text().strip()) and self.date_value() is None


_TIME = re.compile(r"^(?P<h>\d{1,2})[:.](?P<mi>\d{2})$")


def parse_local_datetime(text: str) -> datetime | None:
    """ "dd/mm/yyyy hh:mm" (or a date alone, read as midnight) in local time, as an aware
    UTC datetime; None when blank or not a date and time."""
    parts = text.strip().split()
    if not parts or len(parts) > 2:
        return None
    day = parse_date(parts[0])
    if day is None:
        return None
    hour = minute = 0
    if len(parts) == 2:
        m = _TIME.match(parts[1])
        if m is None or int(m["h"]) > 23 or int(m["mi"]) > 59:
            return None
        hour, minute = int(m["h"]), int(m["mi"])
    try:  # the first and last days of the calendar do not convert in every time zone
        local = datetime(day.year, day.month, day.day, hour, minute).astimezone()
        return local.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


class DateTimeField(QLineEdit):
    """A typed local date and time ("dd/mm/yyyy hh:mm") that may be left blank."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("dd/mm/yyyy hh:mm")
        self.setMaxLength(16)
        self._shown: tuple[str, datetime] | None = None

    def datetime_value(self) -> datetime | None:
        if self._shown is not None and self.text() == self._shown[0]:
            return self._shown[1]  # unchanged: the stored time, seconds and all
        return parse_local_datetime(self.text())

    def set_datetime_value(self, value: datetime | None) -> None:
        text = "" if value is None else value.astimezone().strftime("%d/%m/%Y %H:%M")
        self._shown = None if value is None else (text, value)
        self.setText(text)

    def is_invalid(self) -> bool:
        return bool(self.text().strip()) and self.datetime_value() is None
