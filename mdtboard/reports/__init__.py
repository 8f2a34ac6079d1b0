"""PDF documents (reportlab): agenda, meeting outcome summary, outcome letter and its GP
copy, one-page outcome form, audit report.

Built from the services' read models, the same data the GUI shows.
"""

from mdtboard.reports.audit_report import build_audit_report
from mdtboard.reports.common import ReportCancelled, register_fonts
from mdtboard.reports.documents import build_agenda, build_summary
from mdtboard.reports.letter import LetterRefused, LetterSettings, build_letter
from mdtboard.reports.outcome_form import build_outcome_form

__all__ = [
    "LetterRefused",
    "LetterSettings",
    "ReportCancelled",
    "build_agenda",
    "build_audit_report",
    "build_letter",
    "build_outcome_form",
    "build_summary",
    "register_fonts",
]
