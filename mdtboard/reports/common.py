"""Shared page furniture for every PDF: fonts, header, "Page X of Y", confidentiality
line, generation time and version, DRAFT watermark, atomic writing."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

import mdtboard

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
CONFIDENTIAL = (
    "CONFIDENTIAL — contains patient-identifiable information. MDT decision support "
    "record; not a treatment order."
)
MARGIN = 18 * mm

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class ReportCancelled(Exception):
    """The export was cancelled; no file was left behind."""


def fonts_dir() -> Path:
    package = Path(mdtboard.__file__).resolve().parent
    installed = package / "_resources" / "fonts"
    return installed if installed.is_dir() else package.parent / "resources" / "fonts"


_registered = False


def register_fonts() -> None:
    """Register the shipped Unicode TrueType font (embedded, subset, in every PDF)."""
    global _registered
    if _registered:
        return
    folder = fonts_dir()
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(folder / "DejaVuSans-Oblique.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD
    )
    _registered = True


class Styles:
    """Paragraph styles, built once per document."""

    def __init__(self) -> None:
        register_fonts()
        base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
        self.title = ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=6
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colors.HexColor("#1f3a5f"),
        )
        self.h3 = ParagraphStyle(
            "h3",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=2,
        )
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=FONT_BOLD)
        self.warn = ParagraphStyle(
            "warn", parent=base, textColor=colors.HexColor("#a01818"), fontName=FONT_BOLD
        )
        self.centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text)).replace("\n", "<br/>")


def para(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(esc(text), style)


def _furniture(header: str, generated: str, draft: bool) -> type[Canvas]:
    """A canvas class that knows the page count ("Page X of Y") and draws the furniture."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._draw(total)
                super().showPage()
            super().save()

        def _draw(self, total: int) -> None:
            width, height = A4
            self.saveState()
            if draft:
                self.setFont(FONT_BOLD, 96)
                self.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.16))
                self.translate(width / 2, height / 2)
                self.rotate(45)
                self.drawCentredString(0, -30, "DRAFT")
                self.rotate(-45)
                self.translate(-width / 2, -height / 2)
            self.setFillColor(colors.HexColor("#1f3a5f"))
            self.setFont(FONT_BOLD, 8.5)
            self.drawString(MARGIN, height - 12 * mm, header[:110])
            if draft:
                self.setFillColor(colors.HexColor("#a01818"))
                self.drawRightString(width - MARGIN, height - 12 * mm, "DRAFT — not signed off")
            self.setStrokeColor(colors.HexColor("#9aa7b8"))
            self.line(MARGIN, height - 13.5 * mm, width - MARGIN, height - 13.5 * mm)
            self.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
            self.setFillColor(colors.black)
            self.setFont(FONT, 7)
            self.drawString(MARGIN, 10.5 * mm, CONFIDENTIAL)
            self.drawString(
                MARGIN, 7 * mm, f"Generated {generated} UTC by mdtboard {mdtboard.__version__}"
            )
            self.setFont(FONT_BOLD, 8)
            page = self.getPageNumber()
            self.drawRightString(width - MARGIN, 7 * mm, f"Page {page} of {total}")
            self.restoreState()

    return NumberedCanvas


def build_pdf(
    out: Path,
    *,
    title: str,
    header: str,
    story: Sequence[Flowable],
    draft: bool,
    subject: str = "",
    generated_at: datetime | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Lay out ``story`` into ``out``; the file appears only when complete."""
    generated = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M")
    partial = out.with_name(out.name + ".partial")
    doc = SimpleDocTemplate(
        str(partial),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=19 * mm,
        bottomMargin=19 * mm,
        title=title,
        author="mdtboard",
        subject=subject or "MDT decision support record",
        creator=f"mdtboard {mdtboard.__version__}",
    )
    flowables = list(story)
    if cancelled is not None:
        flowables = [_CancelPoint(cancelled), *flowables]
    try:
        doc.build(flowables, canvasmaker=_furniture(header, generated, draft))
        if cancelled is not None and cancelled():
            raise ReportCancelled("export cancelled")
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return out


class _CancelPoint(Flowable):  # type: ignore[misc]
    """Checks for cancellation whenever the layout reaches it."""

    def __init__(self, cancelled: Cancelled) -> None:
        super().__init__()
        self._cancelled = cancelled

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._cancelled():
            raise ReportCancelled("export cancelled")
        return (0, 0)

    def draw(self) -> None:
        pass


def checkpoint(cancelled: Cancelled | None) -> list[Flowable]:
    return [_CancelPoint(cancelled)] if cancelled is not None else []
