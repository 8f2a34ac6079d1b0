"""The tables of the metrics dashboard (Meetings → Metrics…): every chart's numbers, as
rows the services' figures are turned into here, and one table model that shows them.

Each table is a :class:`FigureTableModel`: column titles carry the unit ("Share (%)",
"Median (days)"), a cell is a count, a number (shown to the column's decimals), a text,
or None (shown "—": nothing to count). What a table shows is what its CSV holds
(:meth:`FigureTableModel.csv_rows`), a blank cell for "—". No charting library is
loaded here: the charts live in ``metrics_charts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from mdtboard.domain.scores import TOOLS
from mdtboard.domain.survival import BandSurvival
from mdtboard.services.metrics import Metrics, Spread
from mdtboard.services.validation import ScoreValidation
from mdtboard.ui.table_base import RowsTableModel

ModelIndex = QModelIndex | QPersistentModelIndex
Cell = int | float | str | None
Row = tuple[Cell, ...]
NONE = "—"
#: the role that gives a cell's value as computed (int, float, str or None)
VALUE_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Column:
    title: str
    #: places after the point for a number in this column
    decimals: int = 1
    #: what the column means, on its header's tooltip
    tip: str = ""


def cell_text(value: Cell, decimals: int = 1) -> str:
    """A cell as the table shows it: a count as it is, a number to ``decimals`` places,
    None as "—"."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return value


def pct(rate: float | None) -> float | None:
    """A rate between 0 and 1 as a percentage (None stays None)."""
    return None if rate is None else rate * 100.0


def share(part: int, whole: int) -> float | None:
    return part * 100.0 / whole if whole else None


class FigureTableModel(RowsTableModel[Row]):
    """A small read-only table of figures with its own title and columns."""

    def __init__(self, title: str, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.title = title
        self.columns = tuple(columns)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if not horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].tip:
            return self.columns[section].tip
        return None

    def value(self, row: int, column: int) -> Cell:
        r = self.row_at(row)
        return r[column] if r is not None and 0 <= column < len(r) else None

    def text(self, row: int, column: int) -> str:
        """The cell as shown."""
        decimals = self.columns[column].decimals if 0 <= column < len(self.columns) else 1
        return cell_text(self.value(row, column), decimals)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index) or not 0 <= index.column() < len(self.columns):
            return None
        row, col = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = isinstance(self.value(row, col), int | float)
            horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == VALUE_ROLE:
            return self.value(row, col)
        return None

    def csv_rows(self) -> list[list[str]]:
        """The column titles, then every row as shown ("—" written as a blank cell)."""
        out = [[c.title for c in self.columns]]
        for r in range(self.rowCount()):
            cells = [self.text(r, c) for c in range(len(self.columns))]
            out.append(["" if t == NONE else t for t in cells])
        return out


# --- the figures of one period --------------------------------------------------------
COUNT, OUT_OF, SHARE = Column("Count"), Column("Out of"), Column("Share (%)")


def key_figures(m: Metrics) -> list[Row]:
    """(figure, count, out of, share %) for the period."""
    known = m.implemented + m.partly_implemented + m.not_implemented
    return [
        ("Meetings", m.meetings, None, None),
        ("Meetings held", m.meetings_held, m.meetings, share(m.meetings_held, m.meetings)),
        ("Quorate (of those held)", m.meetings_quorate, m.meetings_held,
         pct(m.quorum_rate)),
        ("Cases listed", m.cases_listed, None, None),
        ("New cases", m.cases_new, m.cases_listed, share(m.cases_new, m.cases_listed)),
        ("Relisted cases", m.cases_relisted, m.cases_listed,
         share(m.cases_relisted, m.cases_listed)),
        ("Standard of care (protocol)", m.cases_standard_of_care, m.cases_listed,
         share(m.cases_standard_of_care, m.cases_listed)),
        ("Cases per meeting", m.cases_per_meeting, None, None),
        ("Discussed", m.discussed, m.cases_listed, pct(m.discussed_rate)),
        ("Prospective (before any treatment)", m.prospective, m.discussed,
         pct(m.prospective_rate)),
        ("Decisions signed off", m.decisions_signed, None, None),
        ("Implemented (of those followed up)", m.implemented, known,
         pct(m.implemented_rate)),
        ("Suspected MSCC cases discussed", m.mscc.cases, None, None),
    ]  # fmt: skip


def status_rows(m: Metrics) -> list[Row]:
    """(status, cases, share of the cases listed %): every agenda entry once."""
    counted = m.discussed + m.deferred + m.withdrawn + m.not_reached
    waiting = max(0, m.cases_listed - counted)
    listed = m.cases_listed
    return [
        (label, n, share(n, listed))
        for label, n in (
            ("Discussed", m.discussed),
            ("Deferred", m.deferred),
            ("Withdrawn", m.withdrawn),
            ("Not reached", m.not_reached),
            ("Meeting not yet held", waiting),
        )
    ]


def implementation_rows(m: Metrics) -> list[Row]:
    """(follow-up, decisions, share of the signed-off decisions %)."""
    signed = m.decisions_signed
    return [
        (label, n, share(n, signed))
        for label, n in (
            ("Implemented", m.implemented),
            ("Partly implemented", m.partly_implemented),
            ("Not implemented", m.not_implemented),
            ("Follow-up pending", m.implementation_pending),
        )
    ]


def role_rows(m: Metrics) -> list[Row]:
    """(specialty, expected, present, apologies, meetings covered (someone of the
    specialty present), attendance %)."""
    return [
        (r.label, r.expected, r.present, r.apologies, r.meetings_with_role, pct(r.rate))
        for r in m.by_role
    ]


def person_rows(m: Metrics) -> list[Row]:
    """(name, specialty, listed, present, attendance %)."""
    labels = {r.role: r.label for r in m.by_role}
    return [
        (p.name, labels.get(p.role, p.role), p.listed, p.present, pct(p.rate)) for p in m.by_person
    ]


def _spread(label: str, s: Spread, scale: float = 1.0) -> Row:
    median = None if s.median is None else s.median * scale
    p90 = None if s.p90 is None else s.p90 * scale
    return (label, s.n, median, p90)


def time_rows(m: Metrics) -> list[Row]:
    """(measure, n, median, 90th percentile): the days, then the minutes per case."""
    return [
        _spread("Referral → discussion (days)", m.referral_to_discussion_days),
        _spread("Sign-off → first treatment (days)", m.signoff_to_treatment_days),
        _spread("Time per case in meeting mode (minutes)", m.seconds_per_case, 1 / 60),
    ]


def mscc_rows(m: Metrics) -> list[Row]:
    """(QS56 measure, within 24 hours, timed, share %); the treatment clock counts the
    plans of radiotherapy without surgery (statement 6)."""
    q = m.mscc
    return [
        ("MRI within 24 h of the suspicion", q.mri_within_24h, q.mri_timed, pct(q.mri_rate)),
        ("Plan within 24 h of the suspicion", q.plan_within_24h, q.plan_timed,
         pct(q.plan_rate)),
        ("Radiotherapy within 24 h of the plan", q.treatment_within_24h, q.treatment_timed,
         pct(q.treatment_rate)),
    ]  # fmt: skip


# --- score validation -------------------------------------------------------------------
def band_label(tool_id: str, band_id: str) -> str:
    tool = TOOLS.get(tool_id)
    band = tool.band(band_id) if tool is not None else None
    return band.label if band is not None else band_id


def score_rows(found: Sequence[ScoreValidation]) -> list[Row]:
    """(score, cases, deaths, Harrell's C, comparable pairs, direction)."""
    return [
        (
            v.label,
            v.n,
            v.deaths,
            v.c,
            v.concordance.comparable,
            "higher is better" if v.higher_is_better else "lower is better",
        )
        for v in found
    ]


def _observed(b: BandSurvival) -> float | None:
    return pct(b.observed_for_prediction())


def band_rows(v: ScoreValidation) -> list[Row]:
    """(band, cases, deaths, alive at 6 months %, at 12 months %, the band predicts,
    observed at that time %)."""
    rows: list[Row] = []
    for b in v.bands:
        six, twelve = (pct(h.alive) for h in b.shares[:2])
        predicted = b.prediction.text if b.prediction is not None else None
        rows.append(
            (band_label(v.tool_id, b.band), b.n, b.deaths, six, twelve, predicted, _observed(b))
        )
    return rows


def step_rows(v: ScoreValidation) -> list[Row]:
    """(band, day, at risk, deaths, censored, survival %, standard error %): the
    Kaplan–Meier curves as drawn, one row per death time."""
    return [
        (
            band_label(v.tool_id, b.band),
            st.time,
            st.at_risk,
            st.deaths,
            st.censored,
            st.survival * 100.0,
            st.std_error * 100.0,
        )
        for b in v.bands
        for st in b.curve.steps
    ]


def _titled(*titles: tuple[str, int] | tuple[str, int, str] | str) -> list[Column]:
    return [Column(t) if isinstance(t, str) else Column(*t) for t in titles]


#: the dashboard's tables: key → (title, columns)
TABLES: dict[str, tuple[str, list[Column]]] = {
    "key": ("Key figures", [Column("Figure"), COUNT, OUT_OF, SHARE]),
    "status": ("Cases per status", _titled("Status", "Cases", "Share (%)")),
    "implementation": (
        "Decisions implemented",
        _titled("Follow-up", "Decisions", "Share (%)"),
    ),
    "roles": (
        "Attendance by specialty",
        _titled(
            "Specialty",
            "Expected",
            "Present",
            "Apologies",
            "Meetings covered",
            "Attendance (%)",
        ),
    ),
    "people": (
        "Attendance by person",
        _titled("Name", "Specialty", "Listed", "Present", "Attendance (%)"),
    ),
    "times": ("Times", _titled("Measure", "Cases", "Median", "90th percentile")),
    "mscc": ("MSCC (NICE QS56)", _titled("Measure", "Within 24 h", "Timed", "Share (%)")),
    "scores": (
        "Prognostic scores",
        _titled("Score", "Cases", "Deaths", ("Harrell's C", 3), "Comparable pairs", "Direction"),
    ),
    "bands": (
        "Survival by band (% alive)",
        _titled(
            "Band",
            "Cases",
            "Deaths",
            ("6 mo (%)", 1, "Kaplan–Meier estimate alive at 6 months (182.6 days)"),
            ("12 mo (%)", 1, "Kaplan–Meier estimate alive at 12 months (365.25 days)"),
            ("Predicted", 1, "What the band predicts (the score's reference), where it says"),
            ("Observed (%)", 1, "The estimate alive at the time the prediction names"),
        ),
    ),
    "steps": (
        "Kaplan–Meier steps",
        _titled(
            "Band",
            ("Day", 0),
            "At risk",
            "Deaths",
            "Censored",
            "Alive (%)",
            "SE (%)",
        ),
    ),
}


def make_model(key: str, parent: Any = None) -> FigureTableModel:
    title, columns = TABLES[key]
    return FigureTableModel(title, columns, parent)
