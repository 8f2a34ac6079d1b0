"""F1 help in every window: a short built-in guide and the window's keyboard table.

The guide is ``resources/help/guide.html``; each section's anchor is a topic
(:data:`TOPICS`). The keyboard table is made from the actions of the window the
help was opened from when it opens, so it always lists the shortcuts that work
there. ``install_help(widget, topic)`` gives any window or dialog its F1.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from mdtboard.store.paths import resources_dir
from mdtboard.ui.remember import keep_geometry

#: the guide's sections, and "keys" for the keyboard table
TOPICS = (
    "worklist",
    "referrals",
    "agenda",
    "meeting",
    "followup",
    "metrics",
    "import",
    "admin",
    "keys",
)
HELP_ACTION = "helpAction"
Topic = str | Callable[[], str]


def guide_html() -> str:
    """The guide's text (a short notice if the installation lacks it)."""
    try:
        return (resources_dir() / "help" / "guide.html").read_text(encoding="utf-8")
    except OSError:
        return "<h1>mdtboard help</h1><p>The guide is missing from this installation.</p>"


def _owner(action: QAction) -> QWidget | None:
    parent: QObject | None = action.parent()
    while parent is not None and not isinstance(parent, QWidget):
        parent = parent.parent()
    return parent


def keyboard_rows(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action of ``window`` that has a shortcut: the
    window's own in the order they were made, then those of its parts (a list's Del);
    those of other windows (its dialogs) are left out."""
    rows: list[tuple[str, str]] = []
    actions = window.findChildren(QAction)
    actions.sort(key=lambda a: _owner(a) is not window)  # stable: keeps the order
    for action in actions:
        owner = _owner(action)
        if owner is None or owner.window() is not window or not action.isVisible():
            continue
        keys = [
            k.toString(QKeySequence.SequenceFormat.NativeText)
            for k in action.shortcuts()
            if not k.isEmpty()
        ]
        text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        text = text.strip("◀▶ ").rstrip("…").rstrip(".")
        row = (" / ".join(keys), text)
        if keys and text and row not in rows:
            rows.append(row)
    return rows


def keyboard_table_html(window: QWidget) -> str:
    cells = "".join(
        f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(t)}</td></tr>"
        for k, t in keyboard_rows(window)
    )
    return (
        "<h2><a name='keys'></a>Keyboard shortcuts</h2><p>In the window this help was"
        " opened from:</p>"
        f"<table cellpadding='3'>{cells}</table>"
    )


class HelpDialog(QDialog):
    """The guide, opened at a topic, with the keyboard table of the window it belongs
    to. Not modal: it can stay open beside the work."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("helpDialog")
        self.setWindowTitle("mdtboard help")
        self.setModal(False)
        self._window = window
        self.topic = ""
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpText")
        self.browser.setAccessibleName("Help text")
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        keep_geometry(self, "help/geometry", (640, 620))

    def show_topic(self, topic: str) -> None:
        """Fill in the guide and this window's shortcuts now, and show ``topic``."""
        self.topic = topic if topic in TOPICS else TOPICS[0]
        self.browser.setHtml(guide_html() + keyboard_table_html(self._window))
        self.show()
        self.raise_()
        self.activateWindow()
        self.browser.scrollToAnchor(self.topic)
        QTimer.singleShot(0, lambda: self.browser.scrollToAnchor(self.topic))


def show_help(widget: QWidget, topic: str) -> HelpDialog:
    """The help of ``widget``'s window at ``topic`` (one help window per window)."""
    window = widget.window()
    dialog = window.findChild(HelpDialog, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if dialog is None:
        dialog = HelpDialog(window)
    dialog.show_topic(topic)
    return dialog


def install_help(widget: QWidget, topic: Topic) -> QAction:
    """F1 in ``widget``'s window opens the help at ``topic`` (a name from
    :data:`TOPICS`, or a function giving one when F1 is pressed). Installing twice
    keeps the first: one F1 per window. Returns the action, for a Help menu."""
    for existing in widget.actions():
        if existing.objectName() == HELP_ACTION:
            return existing
    action = QAction("mdtboard &help", widget)
    action.setObjectName(HELP_ACTION)
    action.setShortcut(QKeySequence("F1"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda: show_help(widget, topic() if callable(topic) else topic))
    widget.addAction(action)
    return action


def keyboard_action(widget: QWidget) -> QAction:
    """Help → Keyboard shortcuts: the help opened at this window's keyboard table."""
    action = QAction("&Keyboard shortcuts", widget)
    action.triggered.connect(lambda: show_help(widget, "keys"))
    return action
