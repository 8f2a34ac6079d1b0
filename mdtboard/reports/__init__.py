"""PDF documents (reportlab): agenda, meeting outcome summary, outcome letter.

Built from the services' read models, the same data the GUI shows.
"""

from mdtboard.reports.common import ReportCancelled, register_fonts
from mdtboard.reports.documents import LetterSettings, build_agenda, build_letter, build_summary

__all__ = [
    "LetterSettings",
    "ReportCancelled",
    "build_agenda",
    "build_letter",
    "build_summary",
    "register_fonts",
]
