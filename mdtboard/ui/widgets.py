"""Small reusable widgets.

The typed date fields and their parsing are in :mod:`mdtboard.ui.date_fields` (named
here too for older callers)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime

from mdtboard.ui.date_fields import DateField, DateTimeField, parse_date, parse_local_datetime

__all__ = ["DateField", "DateTimeField", "parse_date", "parse_local_datetime", "qdatetime_to_utc"]


def qdatetime_to_utc(value: QDateTime) -> datetime:
    """A local date-time from a Qt editor, as an aware UTC datetime."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)
