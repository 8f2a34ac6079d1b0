"""Who is acting, on which database."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mdtboard.services.errors import PermissionDenied, ServiceUnavailable
from mdtboard.services.permissions import Permission, allowed
from mdtboard.store import audit
from mdtboard.store.db import Database
from mdtboard.store.errors import AuditKeyProblem, DatabaseUnavailable, ValueNotStored


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

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction; a database that cannot be written becomes a ServiceError
        with a plain message, and nothing is half-written."""
        try:
            with self.db.unit_of_work() as session:
                yield session
        except (AuditKeyProblem, DatabaseUnavailable, ValueNotStored) as exc:
            raise ServiceUnavailable(str(exc)) from exc

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
