"""Names people recognise for the files they save, and the folder they used last.

``MDT 2026-12-08 agenda.pdf``, ``Letter MRN123 2026-12-08.pdf``: the meeting's
(local) date and what the document is, never an internal id. Save and open
dialogs start in the last folder the user chose (remembered per user, QSettings).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings

_LAST_FOLDER = "files/last_folder"
#: characters that cannot stand in a file name on one of the platforms
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

DOCUMENT_WORDS = {
    "agenda": "agenda",
    "summary": "outcome summary",
    "letter": "letter",
    "letter_gp": "letter to GP",
    "outcome": "outcome record",
}


def _safe(text: str) -> str:
    return _UNSAFE.sub("-", text).strip(" .") or "case"


def meeting_file_name(document: str, starts_at: datetime) -> str:
    return f"MDT {starts_at.astimezone():%Y-%m-%d} {DOCUMENT_WORDS.get(document, document)}.pdf"


def letter_file_name(mrn: str, when: datetime) -> str:
    return case_file_name("Letter", mrn, when)


def case_file_name(word: str, mrn: str, when: datetime) -> str:
    """``Letter MRN123 2026-12-08.pdf``, ``Outcome record MRN123 2026-12-08.pdf``."""
    return f"{word} {_safe(mrn)} {when.astimezone():%Y-%m-%d}.pdf"


def last_folder() -> str:
    value = QSettings().value(_LAST_FOLDER, "")
    folder = str(value) if value else ""
    return folder if folder and Path(folder).is_dir() else ""


def suggested(name: str) -> str:
    """The name in the last folder used (or alone, when there is none yet)."""
    folder = last_folder()
    return str(Path(folder) / name) if folder else name


def remember(chosen: str | Path) -> None:
    """The folder of a file the user chose, for the next dialog."""
    if str(chosen):
        QSettings().setValue(_LAST_FOLDER, str(Path(chosen).parent))
