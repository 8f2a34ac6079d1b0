"""The spine level picker, driven as a user would: clicks, drags and keys."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QHelpEvent,
    QImage,
    QKeySequence,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QToolTip, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from mdtboard.domain.levels import LEVELS
from mdtboard.ui.level_picker import NO_SELECTION, LevelPicker

LEFT = Qt.MouseButton.LeftButton
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def picker(qtbot: QtBot) -> LevelPicker:
    widget = LevelPicker()
    qtbot.addWidget(widget)
    widget.resize(180, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def focused(qtbot: QtBot, picker: LevelPicker) -> LevelPicker:
    picker.activateWindow()
    picker.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(picker.hasFocus)
    return picker


def centre(picker: LevelPicker, level: str) -> QPoint:
    return picker.level_rect(level).center()


def click(
    qtbot: QtBot,
    picker: LevelPicker,
    level: str,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    qtbot.mouseClick(picker, LEFT, modifier, centre(picker, level))


def key(qtbot: QtBot, picker: LevelPicker, k: Qt.Key, *, shift: bool = False) -> None:
    mod = SHIFT if shift else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(picker, k, mod)


# ---------------------------------------------------------------------- geometry


def test_every_level_has_its_own_rect_top_to_bottom(picker: LevelPicker) -> None:
    assert len(LEVELS) == 31  # occiput (C0) to coccyx
    rects = [picker.level_rect(lv) for lv in LEVELS]
    for upper, lower in pairwise(rects):
        assert upper.bottom() < lower.top(), "vertebrae overlap or are out of order"
    assert all(picker.rect().contains(r) for r in rects)
    for lv in LEVELS:
        assert picker.level_at(centre(picker, lv)) == lv
    assert picker.level_at(QPoint(5, picker.height() - 3)) is None  # the summary line


def test_size_hints_are_sensible(picker: LevelPicker) -> None:
    hint = picker.sizeHint()
    assert 160 <= hint.width() <= 260
    assert 600 <= hint.height() <= 900
    minimum = picker.minimumSizeHint()
    assert minimum.width() <= hint.width()
    assert minimum.height() < hint.height()
    assert picker.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_rows_scale_with_the_widget_height(qtbot: QtBot, picker: LevelPicker) -> None:
    small = picker.level_rect("L1").height()
    picker.resize(180, 960)
    qtbot.waitUntil(lambda: picker.height() == 960)
    assert picker.level_rect("L1").height() > small * 1.3


# ---------------------------------------------------------------------- mouse


def test_click_selects_and_click_again_unselects(qtbot: QtBot, picker: LevelPicker) -> None:
    click(qtbot, picker, "T5")
    assert picker.selected() == ("T5",)
    assert picker.current_level() == "T5"
    click(qtbot, picker, "L2")
    assert picker.selected() == ("T5", "L2")
    click(qtbot, picker, "T5")
    assert picker.selected() == ("L2",)


def test_coccyx_and_c1_are_clickable(qtbot: QtBot, picker: LevelPicker) -> None:
    click(qtbot, picker, "Co")
    click(qtbot, picker, "C1")
    assert picker.selected() == ("C1", "Co")


def test_shift_click_selects_the_range_from_the_anchor(qtbot: QtBot, picker: LevelPicker) -> None:
    click(qtbot, picker, "L2")
    click(qtbot, picker, "T4")
    click(qtbot, picker, "T6", SHIFT)
    assert picker.selected() == ("T4", "T5", "T6", "L2")
    assert picker.summary_text() == "Selected: T4–T6, L2"
    # Shift+click again from the same anchor re-draws the range (here: shorter, upwards).
    click(qtbot, picker, "T2", SHIFT)
    assert picker.selected() == ("T2", "T3", "T4", "L2")


def test_shift_click_without_an_anchor_is_a_plain_toggle(qtbot: QtBot, picker: LevelPicker) -> None:
    click(qtbot, picker, "S1", SHIFT)
    assert picker.selected() == ("S1",)


def test_drag_selects_the_levels_passed_over(qtbot: QtBot, picker: LevelPicker) -> None:
    picker.set_selected(["C2"])
    with qtbot.waitSignal(picker.sig_user_changed) as blocker:
        qtbot.mousePress(picker, LEFT, pos=centre(picker, "T11"))
        for lv in ("T12", "L1", "L2"):
            qtbot.mouseMove(picker, centre(picker, lv))
        qtbot.mouseRelease(picker, LEFT, pos=centre(picker, "L2"))
    assert picker.selected() == ("C2", "T11", "T12", "L1", "L2")
    assert blocker.args == [("C2",), ("C2", "T11", "T12", "L1", "L2")]
    assert picker.summary_text() == "Selected: C2, T11–L2"
    assert picker.current_level() == "L2"


def test_one_drag_is_one_user_change(qtbot: QtBot, picker: LevelPicker) -> None:
    user: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    picker.sig_user_changed.connect(lambda old, new: user.append((old, new)))
    qtbot.mousePress(picker, LEFT, pos=centre(picker, "L5"))
    for lv in ("L4", "L3", "L4"):  # up, then back down a little
        qtbot.mouseMove(picker, centre(picker, lv))
    qtbot.mouseRelease(picker, LEFT, pos=centre(picker, "L4"))
    assert user == [((), ("L4", "L5"))]


def test_right_click_changes_nothing(qtbot: QtBot, picker: LevelPicker) -> None:
    qtbot.mouseClick(picker, Qt.MouseButton.RightButton, pos=centre(picker, "T5"))
    assert picker.selected() == ()


# ---------------------------------------------------------------------- keyboard


def test_keyboard_moves_toggles_extends_and_clears(qtbot: QtBot, focused: LevelPicker) -> None:
    p = focused
    assert p.current_level() == "C1"
    key(qtbot, p, Qt.Key.Key_Down)
    key(qtbot, p, Qt.Key.Key_Down)
    assert p.current_level() == "C3"
    assert p.selected() == ()
    key(qtbot, p, Qt.Key.Key_Space)
    assert p.selected() == ("C3",)
    key(qtbot, p, Qt.Key.Key_Up)
    key(qtbot, p, Qt.Key.Key_Return)
    assert p.selected() == ("C2", "C3")
    key(qtbot, p, Qt.Key.Key_Return)
    assert p.selected() == ("C3",)
    key(qtbot, p, Qt.Key.Key_Up)  # C1
    key(qtbot, p, Qt.Key.Key_Up)  # the occiput (C0), above the cursor's start
    key(qtbot, p, Qt.Key.Key_Up)  # the cursor stops at the top
    assert p.current_level() == "C0"

    key(qtbot, p, Qt.Key.Key_End)
    assert p.current_level() == "Co"
    key(qtbot, p, Qt.Key.Key_Down)
    assert p.current_level() == "Co"
    key(qtbot, p, Qt.Key.Key_Home)
    assert p.current_level() == "C0"

    p.set_current_level("T4")
    key(qtbot, p, Qt.Key.Key_Down, shift=True)
    key(qtbot, p, Qt.Key.Key_Down, shift=True)
    assert p.selected() == ("C3", "T4", "T5", "T6")
    key(qtbot, p, Qt.Key.Key_Up, shift=True)  # shrinks back towards the anchor
    assert p.selected() == ("C3", "T4", "T5")
    assert p.current_level() == "T5"

    key(qtbot, p, Qt.Key.Key_Escape)  # left to the dialog
    assert p.selected() == ("C3", "T4", "T5")
    key(qtbot, p, Qt.Key.Key_Delete)
    assert p.selected() == ()
    assert p.summary_text() == NO_SELECTION


def test_page_keys_jump_by_region(qtbot: QtBot, focused: LevelPicker) -> None:
    key(qtbot, focused, Qt.Key.Key_PageDown)
    assert focused.current_level() == "T1"
    key(qtbot, focused, Qt.Key.Key_PageDown)
    assert focused.current_level() == "L1"
    key(qtbot, focused, Qt.Key.Key_Down)
    key(qtbot, focused, Qt.Key.Key_PageUp)
    assert focused.current_level() == "L1"


def test_shift_click_after_keyboard_uses_the_keyboard_position(
    qtbot: QtBot, focused: LevelPicker
) -> None:
    focused.set_current_level("L1")
    key(qtbot, focused, Qt.Key.Key_Down)
    click(qtbot, focused, "L4", SHIFT)
    assert focused.selected() == ("L2", "L3", "L4")


def test_type_ahead_moves_the_cursor(qtbot: QtBot, focused: LevelPicker) -> None:
    qtbot.keyClicks(focused, "t12")
    assert focused.current_level() == "T12"
    qtbot.keyClicks(focused, "co")
    # Typed within a second of "t12": "t12c" matches nothing, so "c" starts afresh.
    assert focused.current_level() == "Co"
    assert focused.selected() == ()


def test_type_ahead_resets_after_a_pause(
    qtbot: QtBot, focused: LevelPicker, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr("mdtboard.ui.level_picker._now", lambda: clock[0])
    qtbot.keyClicks(focused, "l")
    assert focused.current_level() == "L1"
    clock[0] += 2.0
    qtbot.keyClicks(focused, "s")
    assert focused.current_level() == "S1"
    qtbot.keyClicks(focused, "3")
    assert focused.current_level() == "S3"
    clock[0] += 2.0
    qtbot.keyClick(focused, Qt.Key.Key_T, SHIFT)  # "T", as typed with Shift
    qtbot.keyClick(focused, Qt.Key.Key_9)
    assert focused.current_level() == "T9"


def test_tab_reaches_the_picker(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    edit = QLineEdit(host)
    picker = LevelPicker(host)
    layout.addWidget(edit)
    layout.addWidget(picker)
    layout.activate()  # before show: the offscreen QPA warns on later size-hint changes
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(picker.hasFocus)


def test_delete_in_the_picker_beats_a_window_shortcut(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    picker = LevelPicker(host)
    layout = QVBoxLayout(host)
    layout.addWidget(picker)
    fired: list[bool] = []
    action = QAction("Delete case", host)
    action.setShortcut(QKeySequence(Qt.Key.Key_Delete))
    action.triggered.connect(lambda: fired.append(True))
    host.addAction(action)
    layout.activate()  # before show: the offscreen QPA warns on later size-hint changes
    host.show()
    qtbot.waitExposed(host)
    picker.set_selected(["L3"])
    picker.setFocus()
    qtbot.keyClick(picker, Qt.Key.Key_Delete)
    assert picker.selected() == ()
    assert fired == []


# ---------------------------------------------------------------------- signals


def test_user_edits_emit_old_and_new(qtbot: QtBot, focused: LevelPicker) -> None:
    click(qtbot, focused, "T4")
    seen: list[tuple[str, tuple[object, ...]]] = []
    focused.sig_selection_changed.connect(lambda new: seen.append(("selection", (new,))))
    focused.sig_user_changed.connect(lambda old, new: seen.append(("user", (old, new))))
    click(qtbot, focused, "T6", SHIFT)
    assert seen == [
        ("selection", (("T4", "T5", "T6"),)),
        ("user", (("T4",), ("T4", "T5", "T6"))),
    ]
    seen.clear()
    key(qtbot, focused, Qt.Key.Key_Space)  # the cursor is on T6, where the click was
    key(qtbot, focused, Qt.Key.Key_Delete)
    assert seen == [
        ("selection", (("T4", "T5"),)),
        ("user", (("T4", "T5", "T6"), ("T4", "T5"))),
        ("selection", ((),)),
        ("user", (("T4", "T5"), ())),
    ]


def test_moving_the_cursor_is_not_an_edit(qtbot: QtBot, focused: LevelPicker) -> None:
    with (
        qtbot.assertNotEmitted(focused.sig_user_changed),
        qtbot.assertNotEmitted(focused.sig_selection_changed),
    ):
        key(qtbot, focused, Qt.Key.Key_Down)
        key(qtbot, focused, Qt.Key.Key_End)
        key(qtbot, focused, Qt.Key.Key_Delete)  # nothing to clear


def test_set_selected_is_not_a_user_edit(qtbot: QtBot, picker: LevelPicker) -> None:
    with (
        qtbot.assertNotEmitted(picker.sig_user_changed),
        qtbot.waitSignal(picker.sig_selection_changed) as blocker,
    ):
        picker.set_selected(["L2", "T6", "T4", "T5"])
    assert blocker.args == [("T4", "T5", "T6", "L2")]
    assert picker.selected() == ("T4", "T5", "T6", "L2")
    with (
        qtbot.assertNotEmitted(picker.sig_user_changed),
        qtbot.assertNotEmitted(picker.sig_selection_changed),
    ):
        picker.set_selected(("T4", "T5", "T6", "L2"))  # unchanged: silent
    with qtbot.assertNotEmitted(picker.sig_user_changed):
        picker.clear()
    assert picker.selected() == ()


def test_set_selected_rejects_unknown_levels(picker: LevelPicker) -> None:
    with pytest.raises(ValueError, match="T13"):
        picker.set_selected(["T12", "T13"])
    with pytest.raises(TypeError):
        picker.set_selected("T12")
    assert picker.selected() == ()


def test_set_selected_repaints(qtbot: QtBot, picker: LevelPicker) -> None:
    before = picker.grab().toImage()
    picker.set_selected(["L1"])
    assert picker.grab().toImage() != before


# ---------------------------------------------------------------------- accessibility


def test_accessible_name_and_description(qtbot: QtBot, focused: LevelPicker) -> None:
    p = focused
    assert p.accessibleName() == "Spinal levels"
    assert p.accessibleDescription() == "Cursor on C1 (cervical), not selected. No level selected"
    p.set_selected(["T4", "T5", "T6", "L2"])
    p.set_current_level("T5")
    assert p.accessibleDescription() == ("Cursor on T5 (thoracic), selected. Selected: T4–T6, L2")
    key(qtbot, p, Qt.Key.Key_End)
    assert p.accessibleDescription() == (
        "Cursor on Co (coccygeal), not selected. Selected: T4–T6, L2"
    )


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen QPA only
def test_tooltip_names_level_and_region(qtbot: QtBot, picker: LevelPicker) -> None:
    picker.set_selected(["L3"])
    pos = centre(picker, "L3")
    event = QHelpEvent(QEvent.Type.ToolTip, pos, picker.mapToGlobal(pos))
    QApplication.sendEvent(picker, event)
    qtbot.waitUntil(lambda: "L3" in QToolTip.text())
    assert QToolTip.text() == "L3 — lumbar spine, selected"
    QToolTip.hideText()


# ---------------------------------------------------------------------- rendering


def _pixel(image: QImage, point: QPoint) -> QColor:
    dpr = image.devicePixelRatio()
    return image.pixelColor(round(point.x() * dpr), round(point.y() * dpr))


def test_selected_levels_are_filled_with_the_highlight(picker: LevelPicker) -> None:
    picker.set_selected(["T7"])
    image = picker.grab().toImage()
    highlight = picker.palette().color(QPalette.ColorRole.Highlight)
    rect = picker.level_rect("T7")
    probe = QPoint(rect.left() + 4, rect.center().y())
    assert _pixel(image, probe) == highlight
    other = picker.level_rect("T8")
    assert _pixel(image, QPoint(other.left() + 4, other.center().y())) != highlight


@pytest.mark.parametrize("size", [QSize(180, 640), QSize(300, 980), QSize(130, 420)])
def test_renders_at_several_sizes(qtbot: QtBot, picker: LevelPicker, size: QSize) -> None:
    picker.set_selected(["C2", "T4", "T5", "T6", "L2", "S1", "Co"])
    picker.resize(size)
    qtbot.waitUntil(lambda: picker.size() == size)
    pixmap = picker.grab()
    assert not pixmap.isNull()
    assert pixmap.size() == size * pixmap.devicePixelRatio()


def test_renders_at_high_dpi_and_with_small_and_large_fonts(
    qtbot: QtBot, picker: LevelPicker
) -> None:
    picker.set_selected(["T10", "T11", "L4"])
    hi = QPixmap(picker.size() * 2)
    hi.setDevicePixelRatio(2.0)
    hi.fill(Qt.GlobalColor.transparent)
    picker.render(hi)
    assert not hi.toImage().isNull()
    for points in (6, 16):
        font = QFont(picker.font())
        font.setPointSize(points)
        picker.setFont(font)
        picker.resize(picker.sizeHint())
        assert not picker.grab().isNull()
        rects = [picker.level_rect(lv) for lv in LEVELS]
        assert all(a.bottom() < b.top() for a, b in pairwise(rects))


def test_render_for_visual_check(qtbot: QtBot, tmp_path: Path) -> None:
    """Writes /tmp/level_picker.png (selection, hover and keyboard cursor) to look at."""
    host = QWidget()
    qtbot.addWidget(host)
    layout = QHBoxLayout(host)
    big, small = LevelPicker(host), LevelPicker(host)
    big.setFixedSize(220, 700)
    small.setFixedSize(140, 430)
    layout.addWidget(big)
    layout.addWidget(small)
    layout.activate()  # before show: the offscreen QPA warns on later size-hint changes
    host.show()
    qtbot.waitExposed(host)
    for p in (big, small):
        p.set_selected(["T4", "T5", "T6", "L2", "S2", "Co"])
    host.activateWindow()
    big.setFocus()
    qtbot.waitUntil(big.hasFocus)
    big.set_current_level("T9")
    qtbot.mouseMove(big, centre(big, "L4"))  # hover
    image = host.grab()
    assert not image.isNull()
    assert image.save(str(tmp_path / "level_picker.png"))
    image.save("/tmp/level_picker.png")
