"""Where mdtboard keeps its files, and where its shipped data is found.

User data goes to the platform's user folders (platformdirs), never next to
the installed code. Migrations and resources ship inside the package
(``mdtboard/_migrations``, ``mdtboard/_resources`` in a wheel) and are found
through the package, never through the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

import mdtboard

APP = "mdtboard"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "mdtboard.db"


def demo_db_path() -> Path:
    """The fictional demo database's own file (``make run``, ``mdtboard --demo``): never
    the real default database."""
    return data_dir() / "mdtboard-demo.db"


def _package_data(installed_name: str, checkout_name: str) -> Path:
    package_dir = Path(mdtboard.__file__).resolve().parent
    installed = package_dir / installed_name
    if installed.is_dir():
        return installed
    return package_dir.parent / checkout_name


def migrations_dir() -> Path:
    return _package_data("_migrations", "migrations")


def resources_dir() -> Path:
    return _package_data("_resources", "resources")


def audit_key_path() -> Path:
    override = os.environ.get("MDTBOARD_AUDIT_KEY_FILE")
    return Path(override) if override else config_dir() / "audit.key"
