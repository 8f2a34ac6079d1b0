"""Errors the store raises for people to read: one clear sentence each."""

from __future__ import annotations


class StoreError(Exception):
    """Base for problems with the database that a user can act on."""


class DatabaseMissing(StoreError):
    pass


class NotAnMdtboardDatabase(StoreError):
    pass


class SchemaTooNew(StoreError):
    pass


class DatabaseDamaged(NotAnMdtboardDatabase):
    """A SQLite file that cannot be read: corrupt or truncated."""

    def __init__(self, message: str, latest_backup: object = None) -> None:
        super().__init__(message)
        self.latest_backup = latest_backup


class DatabaseUnavailable(StoreError):
    """Locked, read-only, disk full or otherwise unusable right now."""


class ValueNotStored(StoreError):
    """The database refused a value the checks let through (too long, not valid text)."""


class AuditKeyProblem(StoreError):
    """The audit key is missing for a trail it signed, unreadable, or not the key that
    signed this database's trail: nothing is written (a new key would break the chain)."""
