"""What a window title and the status bar say on a demo database (kept apart from
ui/texts, which loads the services: the main window paints before they load)."""

DEMO_TITLE = "DEMO — fictional data"
