"""Meeting mode: a Qt-free presenter for the case being recorded (``presenter``), a
pure renderer of its texts (``render``), one page per step (``pages``), the
attendance dialog, the actions model and the window that holds them together.
See docs/architecture.md, "Meeting mode".

The Qt parts are imported on first use, so ``presenter`` and ``render`` can be
imported (and tested) without Qt.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mdtboard.ui.meeting.actions_model import ActionsModel
    from mdtboard.ui.meeting.attendance import AttendanceDialog
    from mdtboard.ui.meeting.presenter import CasePresenter
    from mdtboard.ui.meeting.window import STEPS, MeetingModeWindow

_WHERE = {
    "ActionsModel": "actions_model",
    "AttendanceDialog": "attendance",
    "CasePresenter": "presenter",
    "MeetingModeWindow": "window",
    "STEPS": "window",
}
__all__ = ["STEPS", "ActionsModel", "AttendanceDialog", "CasePresenter", "MeetingModeWindow"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"mdtboard.ui.meeting.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
