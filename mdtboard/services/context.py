"""Who is acting, on which database."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mdtboard.services.errors import (
    AccountChanged,
    Conflict,
    PermissionDenied,
    ServiceUnavailable,
)
from mdtboard.services.permissions import Permission, allowed
from mdtboard.store import audit
from mdtboard.store.db import Database
from mdtboard.store.errors import AuditKeyProblem, DatabaseUnavailable, ValueNotStored
from mdtboard.store.models import User


@dataclass(frozen=True)
class Actor:
    """Who acts. The command line acts as the operating-system account ("os:NAME"):
    whoever can run it can already open the database file."""

    username: str
    role: str = "administrator"
    display_name: str = ""

    @classmethod
    def local(cls) -> Actor:
        try:
            name = getpass.getuser()
        except Exception:  # no login name in some service environments
            name = "unknown"
        return cls(username=f"os:{name}", display_name=name)


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    actor: Actor
    #: the actor is a signed-in account: every unit of work checks that it is still
    #: enabled and still has the role the session started with
    account: bool = False
    #: told when that check fails (the GUI ends the session)
    on_account_changed: Callable[[str], None] | None = field(default=None, compare=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction; a database that cannot be written becomes a ServiceError
        with a plain message, and nothing is half-written."""
        try:
            with self.db.unit_of_work() as session:
                if self.account:
                    self._check_account(session)
                yield session
        except StaleDataError as exc:
            # two saves of one record at the same moment (PostgreSQL lets both read the
            # same version; the second's UPDATE then finds it gone): the usual conflict
            raise Conflict(
                "this record was changed by someone else at the same moment; nothing was "
                "saved — reload it and make your change again"
            ) from exc
        except DatabaseUnavailable as exc:
            if _concurrent(exc):
                raise Conflict(
                    "another workstation saved at the same moment; nothing was saved — "
                    "reload and make your change again"
                ) from exc
            raise ServiceUnavailable(str(exc)) from exc
        except (AuditKeyProblem, ValueNotStored) as exc:
            raise ServiceUnavailable(str(exc)) from exc

    def _check_account(self, session: Session) -> None:
        """The session follows the account: a disabled or re-roled account's next action
        is refused (read in the action's own transaction, so nothing slips between)."""
        row = session.execute(
            select(User.role, User.active).where(User.username == self.actor.username)
        ).first()
        if row is None or not row.active:
            problem = f"the account {self.actor.username} is disabled; nothing was saved"
        elif row.role != self.actor.role:
            problem = (
                f"the role of {self.actor.username} changed from {self.actor.role} to "
                f"{row.role}; sign in again; nothing was saved"
            )
        else:
            return
        if self.on_account_changed is not None:
            self.on_account_changed(problem)
        raise AccountChanged(problem)

    def require(self, permission: Permission) -> None:
        """Refuse the action unless the actor's role grants ``permission``."""
        if not allowed(self.actor.role, permission):
            raise PermissionDenied(
                f"{self.actor.username} ({self.actor.role}) may not {permission.value}"
            )

    def audit(
        self, session: Session, action: str, entity: str, entity_id: object = "", summary: str = ""
    ) -> None:
        audit.record(
            session,
            user=self.actor.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            summary=summary,
        )


def _concurrent(exc: DatabaseUnavailable) -> bool:
    """PostgreSQL refused a write because another transaction wrote the same rows
    (a serialization failure or a deadlock): a conflict, not a broken database."""
    cause = str(exc.__cause__ or "").lower()
    return "could not serialize" in cause or "deadlock detected" in cause
