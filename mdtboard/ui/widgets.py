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
