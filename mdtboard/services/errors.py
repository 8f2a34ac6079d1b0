"""Errors raised by services, each with a message fit to show a user."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: ``str(exc)`` is one clear sentence."""


class ValidationError(ServiceError):
    """Bad input. ``problems`` maps each offending field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.problems.items()))


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """Someone else changed the record since it was read (optimistic locking)."""

    def __init__(self, message: str, *, entity: str = "", entity_id: int | None = None) -> None:
        self.entity = entity
        self.entity_id = entity_id
        super().__init__(message)


class PermissionDenied(ServiceError):
    pass


class ServiceUnavailable(ServiceError):
    """The database cannot be written right now (busy, read-only, disk full, damaged), or
    refused a value the checks let through."""


class AccountChanged(PermissionDenied):
    """The signed-in account was disabled or given another role since sign-in."""
