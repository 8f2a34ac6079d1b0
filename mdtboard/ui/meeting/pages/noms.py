"""Step 4: NOMS decision support for a metastasis, the primary-tumour pathway for a
primary tumour (reference/scores.md §9.4)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mdtboard.ui.meeting import render
from mdtboard.ui.meeting.pages.base import StepPage
from mdtboard.ui.meeting.presenter import CasePresenter
from mdtboard.ui.primary_pathway import PrimaryPathwayPage, lesions_of

FITNESS = (("", "— not assessed —"), ("fit", "Fit for surgery"), ("not_fit", "Not fit for surgery"))
ONCOLOGIC = (
    ("", "— from the histology —"),
    ("radiosensitive", "Radiosensitive (MDT's choice)"),
    ("radioresistant", "Radioresistant (MDT's choice)"),
)
PAIN = (("", "— from the SINS answers —"), ("yes", "Yes"), ("no", "No"))


def _combo(parent: QWidget, name: str, label: str, items: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName(label)
    for key, text in items:
        combo.addItem(text, key)
    return combo


def _choose(combo: QComboBox, key: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(key)))


class NomsPage(StepPage):
    key = "noms"
    scrolls = False

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.step4 = QStackedWidget(self)
        self.step4.setObjectName("step4")
        layout.addWidget(self.step4)
        page = QWidget(self.step4)
        v = QVBoxLayout(page)
        banner = QLabel(
            "<b>NOMS — decision support for the MDT.</b> The MDT decides; "
            "this suggestion only summarises the framework's inputs.",
            page,
        )
        banner.setWordWrap(True)
        v.addWidget(banner)
        row = QHBoxLayout()
        row.addWidget(QLabel("Systemic: fit for surgery?", page))
        self.fitness = _combo(page, "fitForSurgery", "Fit for surgery", FITNESS)
        row.addWidget(self.fitness)
        row.addStretch(1)
        v.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("Oncologic:", page))
        self.oncologic = _combo(
            page, "nomsOncologic", "Oncologic: radiosensitivity chosen by the MDT", ONCOLOGIC
        )
        row2.addWidget(self.oncologic)
        row2.addWidget(QLabel("Axial mechanical pain without deformity:", page))
        self.mechanical_pain = _combo(
            page, "nomsMechanicalPain", "Axial mechanical pain without deformity", PAIN
        )
        row2.addWidget(self.mechanical_pain)
        row2.addStretch(1)
        v.addLayout(row2)
        for combo in (self.fitness, self.oncologic, self.mechanical_pain):
            combo.currentIndexChanged.connect(lambda _i: self._edited())
        self.noms_view = QTextBrowser(page)
        self.noms_view.setObjectName("nomsView")
        self.noms_view.setAccessibleName("NOMS suggestion")
        v.addWidget(self.noms_view, 1)
        self.step4.addWidget(page)
        self.pathway_page = PrimaryPathwayPage(self.step4)
        self.pathway_page.setObjectName("primaryPathway")
        self.pathway_page.sig_changed.connect(self._staging_edited)
        area = QScrollArea(self.step4)
        area.setWidgetResizable(True)
        area.setWidget(self.pathway_page)
        self.step4.addWidget(area)
        #: step 4 as an HTML fragment (the presentation screen shows it in its own font)
        self.html = ""

    def fill(self, reason: str) -> None:
        p = self.presenter
        case = p.case
        assert case is not None
        d = p.data
        _choose(
            self.fitness,
            "" if d.fit_for_surgery is None else ("fit" if d.fit_for_surgery else "not_fit"),
        )
        _choose(self.oncologic, d.noms_oncologic or "")
        pain = d.noms_mechanical_pain
        _choose(self.mechanical_pain, "" if pain is None else ("yes" if pain else "no"))
        if reason == "open":
            if p.is_primary or p.staging:  # filled only for a case that shows it
                self.pathway_page.set_case(lesions_of(case.levels), p.staging, case.histology_key)
            else:
                self.pathway_page.set_case((), {}, case.histology_key)
        elif p.staging != self.pathway_page.records():
            self.pathway_page.set_records(p.staging)
        self.step4.setCurrentIndex(1 if p.is_primary else 0)

    def refresh_derived(self) -> None:
        p = self.presenter
        if p.case is None:
            return
        if p.is_primary:
            self.html = render.pathway_html(self.pathway_page.reading_html())
        else:
            self.html = render.noms_html(p.noms_suggestion())
            self.noms_view.setHtml(self.html)

    def _edited(self) -> None:
        if self.is_filling:
            return
        fit = str(self.fitness.currentData() or "")
        pain = str(self.mechanical_pain.currentData() or "")
        self.presenter.update(
            self,
            fit_for_surgery=None if not fit else fit == "fit",
            noms_oncologic=str(self.oncologic.currentData() or "") or None,
            noms_mechanical_pain=None if not pain else pain == "yes",
        )

    def _staging_edited(self, lesion: str) -> None:
        if self.is_filling:
            return
        self.presenter.set_staging(lesion, self.pathway_page.records().get(lesion, {}), self)

    def first_input(self) -> QWidget | None:
        return self.pathway_page if self.presenter.is_primary else self.fitness

    def set_read_only(self, final: bool) -> None:
        for combo in (self.fitness, self.oncologic, self.mechanical_pain):
            combo.setEnabled(not final)
        self.pathway_page.set_read_only(final)
