"""The worklist's columns, shared by the case model and the window frame that is
painted before the database layer is loaded (so: Qt only, no services)."""

from __future__ import annotations

from PySide6.QtCore import Qt

COLUMNS: tuple[tuple[str, str], ...] = (
    ("patient", "Patient"),
    ("mrn", "MRN"),
    ("age", "Age"),
    ("histology", "Primary / histology"),
    ("levels", "Levels"),
    ("urgency", "Urgency"),
    ("status", "Status"),
    ("readiness", "Readiness"),
    ("next_meeting", "Next meeting"),
    ("received", "Received"),
)
#: starting widths in pixels, one per column
COLUMN_WIDTHS: tuple[int, ...] = (220, 120, 45, 250, 90, 180, 85, 110, 120, 130)

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
