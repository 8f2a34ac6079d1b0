"""Logging to a rotating file in the user's log folder.

Log messages never carry patient identifiers (names, MRNs, dates of birth):
code logs record ids only.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback


def log_exception(log: logging.Logger, exc: BaseException, what: str = "error") -> None:
    """Log an exception's type and where it happened, never its message: messages
    from the database layer can carry the values of the row (names, MRNs)."""
    frames = traceback.format_tb(exc.__traceback__)
    log.error("%s: %s\n%s", what, type(exc).__name__, "".join(frames))


def setup_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger("mdtboard")
    if root.handlers:
        return
    root.setLevel(level)
    root.propagate = False
    from mdtboard.store.paths import log_dir

    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / "mdtboard.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
        if os.name == "posix":  # a log written by an older version may be readable by others
            for old in folder.glob("mdtboard.log*"):
                old.chmod(0o600)
            folder.chmod(0o700)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if os.environ.get("MDTBOARD_LOG_STDERR"):
        root.addHandler(logging.StreamHandler())
