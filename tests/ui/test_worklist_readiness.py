"""Issue 17 part 2: readiness at a glance — a worklist column with the light of
domain.readiness (worked out today) and its reasons in a tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mdtboard.domain.readiness import Light
from mdtboard.services.context import ServiceContext
from mdtboard.services.readiness import readiness_for
from mdtboard.services.worklist import CaseQuery
from mdtboard.ui.case_model import CASE_ID_ROLE, COLUMNS, CaseTableModel


def test_the_readiness_column_shows_each_case_light_and_why(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    model = CaseTableModel(ctx.db)
    model.set_query(CaseQuery(sort="readiness", descending=False))
    col = [k for k, _ in COLUMNS].index("readiness")
    ids = [model.data(model.index(r, 0), CASE_ID_ROLE) for r in range(model.rowCount())]
    lights = readiness_for(ctx.db, ids)
    seen = set()
    for r, rid in enumerate(ids):
        light = lights[rid]
        text = model.data(model.index(r, col))
        assert text == f"● {light.light.label}", (rid, text)
        tip = model.data(model.index(r, col), Qt.ItemDataRole.ToolTipRole)
        assert tip == light.summary()
        seen.add(light.light)
    assert {Light.RED, Light.GREEN} <= seen  # the demo has both
    # sorted "not ready first": red, then amber, then green
    order = [lights[rid].light for rid in ids]
    rank = {Light.RED: 0, Light.AMBER: 1, Light.GREEN: 2}
    assert [rank[x] for x in order] == sorted(rank[x] for x in order)
