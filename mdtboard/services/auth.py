"""Local accounts: argon2id password hashes, sign-in, roles.

The first account of a database is created as administrator. Sign-in and
failed sign-in are audited. Passwords are never stored or logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select

from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ServiceError, ValidationError
from mdtboard.services.permissions import Permission, UserRole
from mdtboard.services.storable import text_problems
from mdtboard.store import audit
from mdtboard.store.db import Database
from mdtboard.store.models import AuditEvent, User
from mdtboard.store.types import utcnow

MIN_PASSWORD = 12
#: failed sign-ins allowed before each further attempt must wait; the wait doubles with
#: each failure and is capped, so no account (the last administrator included) is ever
#: locked out for good
FREE_ATTEMPTS = 3
FIRST_WAIT = timedelta(seconds=2)
LONGEST_WAIT = timedelta(minutes=5)
#: failures older than this no longer count
FAILURE_WINDOW = timedelta(minutes=30)
UNKNOWN_ACCOUNT = "unknown account"
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash("not a real password, used to even out timing")


class SignInFailed(ServiceError):
    pass


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    last_sign_in_at: datetime | None
    version: int


def _view(u: User) -> UserView:
    return UserView(
        u.id, u.username, u.display_name, u.role, u.active, u.last_sign_in_at, u.version
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _validate(username: str, display_name: str, role: str, password: str | None) -> None:
    problems = text_problems(User, {"username": username, "display_name": display_name})
    if not username.strip() or any(c.isspace() for c in username.strip()):
        problems["username"] = "a user name without spaces is required"
    if not display_name.strip():
        problems["display_name"] = "a display name is required"
    if role not in {r.value for r in UserRole}:
        problems["role"] = f"unknown role {role!r}"
    if password is not None and not password.strip():
        problems["password"] = "a password cannot be only spaces"
    elif password is not None and len(password) < MIN_PASSWORD:
        problems["password"] = f"at least {MIN_PASSWORD} characters"
    if problems:
        raise ValidationError(problems)


def has_users(db: Database) -> bool:
    with db.reader() as s:
        return bool(s.execute(select(func.count(User.id))).scalar_one())


def create_first_administrator(
    db: Database, username: str, display_name: str, password: str
) -> UserView:
    """Only when the database has no account yet (first run)."""
    _validate(username, display_name, UserRole.ADMINISTRATOR.value, password)
    with db.unit_of_work() as s:
        if s.execute(select(func.count(User.id))).scalar_one():
            raise ValidationError({"username": "accounts already exist; sign in instead"})
        u = User(
            username=username.strip(),
            display_name=display_name.strip(),
            role=UserRole.ADMINISTRATOR.value,
            password_hash=hash_password(password),
            active=True,
        )
        s.add(u)
        s.flush()
        audit.record(
            s,
            user=u.username,
            action="create",
            entity="user",
            entity_id=u.id,
            summary="first administrator account created",
        )
        return _view(u)


def create_user(
    ctx: ServiceContext, username: str, display_name: str, role: str, password: str
) -> UserView:
    ctx.require(Permission.USERS_ADMIN)
    _validate(username, display_name, role, password)
    with ctx.unit_of_work() as s:
        if s.execute(select(User.id).where(User.username == username.strip())).first():
            raise ValidationError({"username": f"user name {username.strip()!r} is taken"})
        u = User(
            username=username.strip(),
            display_name=display_name.strip(),
            role=role,
            password_hash=hash_password(password),
            active=True,
        )
        s.add(u)
        s.flush()
        ctx.audit(s, "create", "user", u.id, f"account {u.username} created with role {role}")
        return _view(u)


def throttle_wait(failures: list[datetime], now: datetime) -> timedelta:
    """How long the next attempt must still wait after these recent failures: nothing
    while there are at most ``FREE_ATTEMPTS``, then 2 s, 4 s, 8 s … after the last one,
    at most ``LONGEST_WAIT``."""
    recent = sorted(t for t in failures if now - t < FAILURE_WINDOW)
    extra = len(recent) - FREE_ATTEMPTS
    if extra <= 0:
        return timedelta(0)
    wait = min(LONGEST_WAIT, FIRST_WAIT * (1 << min(extra - 1, 20)))
    return max(timedelta(0), recent[-1] + wait - now)


#: failed attempts made from this workstation (this process), whatever the account
_WORKSTATION_FAILURES: list[datetime] = []


def _clock() -> datetime:
    """Now, for throttling (tests replace it)."""
    return utcnow()


def sign_in(db: Database, username: str, password: str) -> Actor:
    """Check the password; returns the actor for the session. Audited either way. After
    repeated failures, for the account (on any workstation) or from this workstation,
    each attempt must wait longer: refused without checking the password."""
    name = username.strip()
    now = _clock()
    with db.reader() as s:
        u = s.execute(select(User).where(User.username == name)).scalar_one_or_none()
        account_failures = (
            list(
                s.execute(
                    select(AuditEvent.occurred_at).where(
                        AuditEvent.action == "sign_in_failed",
                        AuditEvent.entity == "user",
                        AuditEvent.entity_id == str(u.id),
                        AuditEvent.occurred_at > now - FAILURE_WINDOW,
                    )
                ).scalars()
            )
            if u is not None
            else []
        )
    wait = max(throttle_wait(account_failures, now), throttle_wait(_WORKSTATION_FAILURES, now))
    if wait > timedelta(0):
        seconds = max(1, round(wait.total_seconds()))
        raise SignInFailed(f"too many failed sign-ins: try again in {seconds} s")
    with db.unit_of_work() as s:
        u = s.execute(select(User).where(User.username == name)).scalar_one_or_none()
        try:
            _hasher.verify(u.password_hash if u else _DUMMY_HASH, password)
            ok = u is not None and u.active
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or u is None:
            audit.record(
                s,
                # what was typed is kept only when it names an account: a password typed
                # into the user-name field must never stay in the append-only trail
                user=u.username if u is not None else UNKNOWN_ACCOUNT,
                action="sign_in_failed",
                entity="user",
                entity_id=u.id if u else "",
                summary="sign-in refused",
            )
            failed = True
        else:
            failed = False
            if _hasher.check_needs_rehash(u.password_hash):
                u.password_hash = hash_password(password)
            u.last_sign_in_at = utcnow()
            audit.record(
                s,
                user=u.username,
                action="sign_in",
                entity="user",
                entity_id=u.id,
                summary=f"signed in as {u.role}",
            )
            actor = Actor(username=u.username, role=u.role, display_name=u.display_name)
    if failed:
        _WORKSTATION_FAILURES.append(now)
        del _WORKSTATION_FAILURES[:-50]
        raise SignInFailed("user name or password not recognised")
    _WORKSTATION_FAILURES.clear()
    return actor


def verify_password(db: Database, username: str, password: str) -> bool:
    """For unlocking an idle session: no state change."""
    with db.reader() as s:
        u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    try:
        return _hasher.verify(u.password_hash if u else _DUMMY_HASH, password) and bool(
            u and u.active
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def record_sign_out(ctx: ServiceContext) -> None:
    with ctx.unit_of_work() as s:
        ctx.audit(s, "sign_out", "user", "", "signed out")


def list_users(db: Database) -> list[UserView]:
    with db.reader() as s:
        return [_view(u) for u in s.execute(select(User).order_by(User.username)).scalars()]


def set_password(ctx: ServiceContext, user_id: int, expected_version: int, password: str) -> None:
    with ctx.unit_of_work() as s:
        u = s.get(User, user_id)
        if u is None:
            raise NotFound(f"user {user_id} does not exist")
        if u.username != ctx.actor.username:
            ctx.require(Permission.USERS_ADMIN)
        if u.version != expected_version:
            raise Conflict(
                "this account was changed by someone else", entity="user", entity_id=user_id
            )
        _validate(u.username, u.display_name, u.role, password)
        u.password_hash = hash_password(password)
        s.flush()
        ctx.audit(s, "update", "user", u.id, "password changed")


def update_user(
    ctx: ServiceContext,
    user_id: int,
    expected_version: int,
    *,
    role: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
) -> UserView:
    """Change an account's role, display name or whether it may sign in (administrators).
    An administrator cannot disable or demote their own account (no lock-out)."""
    ctx.require(Permission.USERS_ADMIN)
    with ctx.unit_of_work() as s:
        u = s.get(User, user_id)
        if u is None:
            raise NotFound(f"user {user_id} does not exist")
        if u.version != expected_version:
            raise Conflict(
                "this account was changed by someone else", entity="user", entity_id=user_id
            )
        new_role = role if role is not None else u.role
        new_name = display_name if display_name is not None else u.display_name
        _validate(u.username, new_name, new_role, None)
        if u.username == ctx.actor.username and (
            active is False or new_role != UserRole.ADMINISTRATOR.value
        ):
            raise ValidationError({"username": "you cannot disable or demote your own account"})
        stays_admin = new_role == UserRole.ADMINISTRATOR.value and (active is not False)
        if u.role == UserRole.ADMINISTRATOR.value and u.active and not stays_admin:
            others = s.execute(
                select(func.count(User.id)).where(
                    User.role == UserRole.ADMINISTRATOR.value,
                    User.active.is_(True),
                    User.id != u.id,
                )
            ).scalar_one()
            if not others:
                raise ValidationError(
                    {
                        "role": "this is the last enabled administrator: enable or appoint "
                        "another administrator first"
                    }
                )
        changed = []
        if new_role != u.role:
            changed.append(f"role {u.role} → {new_role}")
            u.role = new_role
        if new_name.strip() != u.display_name:
            changed.append("display name changed")
            u.display_name = new_name.strip()
        if active is not None and active != u.active:
            changed.append("enabled" if active else "disabled")
            u.active = active
        if changed:
            s.flush()
            ctx.audit(s, "update", "user", u.id, f"account {u.username}: " + ", ".join(changed))
        return _view(u)
