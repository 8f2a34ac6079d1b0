"""``mdtboard`` command line.

Without a sub-command it opens the desktop app. Every command takes
``--db PATH``; ``MDTBOARD_DB`` and ``MDTBOARD_DATABASE_URL`` name the
database otherwise. Errors print one line on stderr and exit non-zero;
nothing ever prompts when stdin is not a terminal.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdtboard import __version__

if TYPE_CHECKING:
    from mdtboard.services.metrics import Metrics, Spread

log = logging.getLogger("mdtboard.cli")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


def has_terminal() -> bool:
    """May the command ask? Only with a terminal on stdin (it can be closed: None)."""
    return sys.stdin is not None and sys.stdin.isatty()


def one_line(message: str) -> str:
    """A message as one line: drivers' errors can run over several (psycopg's do). Only
    line breaks (and the indent after them) go; a path's own spaces stay as they are."""
    return re.sub(r"\s*[\r\n]+\s*", " ", message.strip())


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _add_period(parser: argparse.ArgumentParser) -> None:
    """``--from``/``--to``: read as text and checked by the command, so that a bad date
    is one line naming the option (``_period``), not argparse's usage and error."""
    parser.add_argument(
        "--from", dest="start", required=True, metavar="DATE", help="first day (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--to", dest="end", required=True, metavar="DATE", help="last day, inclusive (YYYY-MM-DD)"
    )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _period(args: argparse.Namespace) -> tuple[date, date]:
    """The period of ``--from``/``--to`` (meetings starting on those days, inclusive)."""
    days: list[date] = []
    for option, text in (("--from", args.start), ("--to", args.end)):
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError(text)
            days.append(date.fromisoformat(text))
        except ValueError:
            raise CliError(f"{option}: not a date in the form YYYY-MM-DD: {text!r}") from None
    start, end = days
    if end < start:
        raise CliError(f"--to: {end.isoformat()} is before --from {start.isoformat()}")
    return start, end


def _add_db(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="SQLite database file (default: MDTBOARD_DATABASE_URL, MDTBOARD_DB, "
        "or mdtboard.db in the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mdtboard",
        description="Case manager for spine-oncology MDTs (decision support; it never orders "
        "treatment). Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"mdtboard {__version__}")
    _add_db(parser, top=True)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the fictional demo database (mdtboard-demo.db in the user data folder, "
        "never the real one); make run opens it",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        type=Path,
        help="render the main window after its first paint to PNG and exit",
    )
    parser.add_argument("--force", action="store_true", help="with --screenshot: " + FORCE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create an empty database")
    _add_db(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="create a database of fictional demo data")
    _add_db(p)
    p.add_argument("--cases", type=_positive_int, default=40, help="number of referrals (40)")
    p.add_argument("--seed", type=int, default=1, help="random seed (1); same seed, same data")
    p.add_argument("--force", action="store_true", help="replace an existing database")
    p.add_argument(
        "--if-missing", action="store_true", help="do nothing (exit 0) if the database exists"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("meetings", help="list meetings: id, date, status, title")
    _add_db(p)
    p.set_defaults(func=cmd_meetings)

    p = sub.add_parser(
        "import-referrals",
        help="import referrals from CSV or .xlsx (docs/import-format.md); nothing is written if "
        "any row is invalid",
    )
    _add_db(p)
    p.add_argument("file", type=Path, help="CSV (any common delimiter and encoding) or .xlsx")
    p.add_argument(
        "--profile",
        metavar="NAME",
        help="map the file's columns and values with this saved profile (the import wizard "
        "saves them); without one, columns are matched by their header names",
    )
    p.add_argument(
        "--date-order",
        choices=("day-first", "month-first"),
        help="how to read dates like 04/05/1960 when the file does not show it",
    )
    p.add_argument("--sheet", metavar="NAME", help=".xlsx: the sheet to read (the first)")
    p.add_argument(
        "--encoding", metavar="CODEC", help="CSV: the text encoding (detected when not given)"
    )
    p.add_argument(
        "--valid-rows-only",
        action="store_true",
        help="import the valid rows and report the invalid ones",
    )
    p.add_argument(
        "--allow-same-file",
        action="store_true",
        help="import a file although the same file (by SHA-256) was imported before",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "import-outcomes",
        help="vital status, ambulation, recurrence of decided cases from CSV or .xlsx",
    )
    _add_db(p)
    p.add_argument("file", type=Path, help="CSV or .xlsx file (see docs/import-format.md)")
    p.set_defaults(func=cmd_import_outcomes)

    p = sub.add_parser("audit", help="audit trail commands")
    audit_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = audit_sub.add_parser(
        "verify", help="check the hash chain; exits non-zero at the first broken link"
    )
    _add_db(p)
    p.set_defaults(func=cmd_audit_verify)
    p = audit_sub.add_parser(
        "head", help="print the database identity and its newest audit event, for a record"
    )
    _add_db(p)
    p.set_defaults(func=cmd_audit_head)
    p = audit_sub.add_parser(
        "seal",
        help="find the signed-off decision a printed seal code belongs to and check it",
    )
    _add_db(p)
    p.add_argument("code", metavar="CODE", help="the seal code printed on the outcome form")
    p.set_defaults(func=cmd_audit_seal)

    p = sub.add_parser("backup", help="copy the database (SQLite backup API) and check the copy")
    _add_db(p)
    p.add_argument("--to", type=Path, required=True, metavar="FILE", help="backup file to write")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="replace the database with a backup (the replaced file is kept beside it)",
    )
    _add_db(p)
    p.add_argument("file", type=Path, help="backup file")
    p.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation (needed without a terminal)"
    )
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("export", help="write a PDF: agenda, meeting summary or outcome letter")
    export_sub = p.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    for name, text in (("agenda", "meeting agenda"), ("summary", "meeting outcome summary")):
        q = export_sub.add_parser(name, help=f"the {text} of one meeting")
        _add_db(q)
        q.add_argument("--meeting", required=True, metavar="ID|last|next")
        q.add_argument("--out", required=True, type=Path, metavar="FILE")
        q.add_argument("--force", action="store_true", help=FORCE_HELP)
        q.set_defaults(func=cmd_export)
    q = export_sub.add_parser(
        "letter", help="outcome letter for one case: to the referrer, or the GP's copy"
    )
    _add_db(q)
    q.add_argument("--case", required=True, type=int, metavar="ID")
    q.add_argument("--out", required=True, type=Path, metavar="FILE")
    q.add_argument(
        "--to",
        choices=("referrer", "gp"),
        default="referrer",
        help="referrer (default; cc the GP) or gp (the GP's copy; cc the referrer)",
    )
    q.add_argument("--force", action="store_true", help=FORCE_HELP)
    q.set_defaults(func=cmd_export)
    q = export_sub.add_parser(
        "outcome", help="one-page outcome form of one case's discussion, with its seal code"
    )
    _add_db(q)
    q.add_argument("--case", required=True, type=int, metavar="ID")
    q.add_argument("--out", required=True, type=Path, metavar="FILE")
    q.add_argument("--force", action="store_true", help=FORCE_HELP)
    q.set_defaults(func=cmd_export)
    q = export_sub.add_parser(
        "worklist", help="the worklist as CSV, with the list's filters (audited)"
    )
    _add_db(q)
    q.add_argument("--out", required=True, type=Path, metavar="FILE")
    q.add_argument("--force", action="store_true", help=FORCE_HELP)
    q.add_argument("--search", default="", metavar="TEXT", help="name, MRN, histology, level…")
    q.add_argument("--status", action="append", default=[], metavar="STATUS")
    q.add_argument("--urgency", action="append", default=[], metavar="URGENCY")
    q.add_argument("--readiness", action="append", default=[], choices=("green", "amber", "red"))
    q.add_argument("--meeting", type=int, metavar="ID", help="cases on this meeting's agenda")
    q.add_argument("--sort", default="received", metavar="KEY", help="received (default), …")
    q.add_argument(
        "--ascending", action="store_true", help="sort ascending (default: newest first)"
    )
    q.set_defaults(func=cmd_export_worklist)

    p = sub.add_parser("report", help="how the board performed over a period: audit PDF, metrics")
    report_sub = p.add_subparsers(dest="report", metavar="REPORT", required=True)
    q = report_sub.add_parser(
        "audit", help="the MDT audit report as PDF (key figures, charts, CoC/NAPBC, QS56)"
    )
    _add_db(q)
    _add_period(q)
    q.add_argument("--out", required=True, type=Path, metavar="FILE")
    q.add_argument("--force", action="store_true", help=FORCE_HELP)
    q.set_defaults(func=cmd_report_audit)
    q = report_sub.add_parser("metrics", help="the period's figures: a short summary, or --json")
    _add_db(q)
    _add_period(q)
    q.add_argument(
        "--json", action="store_true", help="every figure as JSON (keys in README; rates 0..1)"
    )
    q.set_defaults(func=cmd_report_metrics)

    p = sub.add_parser("users", help="sign-in accounts: list, add, passwd, role, enable, disable")
    users_sub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    q = users_sub.add_parser("list", help="user name, role, enabled, display name")
    _add_db(q)
    q.set_defaults(func=cmd_users)
    q = users_sub.add_parser(
        "add",
        help="create an account; the password comes from MDTBOARD_NEW_PASSWORD, or is asked "
        "for on a terminal",
    )
    _add_db(q)
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=_ROLES)
    q.add_argument("--name", required=True, metavar="DISPLAY NAME", help="name shown in records")
    q.set_defaults(func=cmd_users)
    q = users_sub.add_parser(
        "passwd", help="set a password (MDTBOARD_NEW_PASSWORD, or asked for on a terminal)"
    )
    _add_db(q)
    q.add_argument("username")
    q.set_defaults(func=cmd_users)
    q = users_sub.add_parser("role", help="change an account's role")
    _add_db(q)
    q.add_argument("username")
    q.add_argument("role", choices=_ROLES)
    q.set_defaults(func=cmd_users)
    for action, text in (("enable", "allow"), ("disable", "stop")):
        q = users_sub.add_parser(action, help=f"{text} an account signing in (kept in records)")
        _add_db(q)
        q.add_argument("username")
        q.set_defaults(func=cmd_users)

    p = sub.add_parser("settings", help="show the organisation settings, or set one")
    _add_db(p)
    p.add_argument("key", nargs="?", help="setting to change (omit to list them all)")
    p.add_argument("value", nargs="?", help="new value (whole numbers for limits)")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("check", help="open the database, upgrade if needed, report its state")
    _add_db(p)
    p.set_defaults(func=cmd_check)
    return parser


_ROLES = ("coordinator", "clinician", "chair", "administrator", "read_only")
PASSWORD_ENV = "MDTBOARD_NEW_PASSWORD"


def _new_password(username: str) -> str:
    """From MDTBOARD_NEW_PASSWORD, or asked twice on a terminal; never a prompt otherwise."""
    import os

    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if not has_terminal():
        raise CliError(f"no password: set {PASSWORD_ENV} (no terminal to ask on)")
    import getpass

    first = getpass.getpass(f"New password for {username}: ")
    if first != getpass.getpass("Again: "):
        raise CliError("the two passwords differ; nothing changed")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from mdtboard.services import auth
    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.store.db import open_database, resolve_target

    db = open_database(resolve_target(args.db))
    try:
        ctx = ServiceContext(db, Actor.local())
        users = {u.username: u for u in auth.list_users(db)}
        action = args.users_command
        if action == "list":
            for u in users.values():
                state = "enabled" if u.active else "disabled"
                print(f"{u.username}\t{u.role}\t{state}\t{u.display_name}")
            return EXIT_OK
        if action == "add":
            made = auth.create_user(
                ctx, args.username, args.name, args.role, _new_password(args.username)
            )
            print(f"account {made.username} created ({made.role})")
            return EXIT_OK
        user = users.get(args.username)
        if user is None:
            raise CliError(f"no account named {args.username!r}")
        if action == "passwd":
            auth.set_password(ctx, user.id, user.version, _new_password(user.username))
            print(f"password changed for {user.username}")
        elif action == "role":
            auth.update_user(ctx, user.id, user.version, role=args.role)
            print(f"{user.username} is now {args.role}")
        else:
            auth.update_user(ctx, user.id, user.version, active=action == "enable")
            print(f"{user.username} {action}d")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_settings(args: argparse.Namespace) -> int:
    from mdtboard.services import settings
    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.store.db import open_database, resolve_target

    db = open_database(resolve_target(args.db))
    try:
        current = settings.as_dict(settings.get_settings(db))
        if args.key is None:
            for key, held in current.items():
                shown = " | ".join(held) if isinstance(held, tuple | list) else held
                print(f"{key}\t{shown}")
            return EXIT_OK
        if args.key not in current:
            raise CliError(f"unknown setting {args.key!r} (see: mdtboard settings)")
        if args.value is None:
            raise CliError(f"give a value for {args.key}")
        old = current[args.key]
        value: object
        if isinstance(old, int):
            try:
                value = int(args.value)
            except ValueError:
                raise CliError(f"{args.key}: not a whole number: {args.value!r}") from None
        elif isinstance(old, tuple | list):
            value = tuple(part.strip() for part in args.value.split("|"))
        else:
            value = args.value
        changes: dict[str, Any] = {args.key: value}
        settings.update_settings(ServiceContext(db, Actor.local()), **changes)
        print(f"{args.key} set")
        return EXIT_OK
    finally:
        db.dispose()


def _target(args: argparse.Namespace) -> object:
    from mdtboard.store.db import resolve_target

    return resolve_target(getattr(args, "db", None))


def cmd_init(args: argparse.Namespace) -> int:
    from mdtboard.services.setup import create_empty_database
    from mdtboard.store.db import resolve_target

    target = resolve_target(args.db)
    create_empty_database(target)
    print(f"created empty mdtboard database: {target.display}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from mdtboard.services.demo import FICTIONAL_NOTICE
    from mdtboard.services.setup import create_demo_database, database_exists
    from mdtboard.store.db import resolve_target

    target = resolve_target(args.db)
    if target.is_default and not args.force:
        raise CliError(
            f"{target.display} is the real default database: the demo goes in its own file "
            "(mdtboard --demo demo), or name one with --db; --force fills the default anyway"
        )
    if args.if_missing and database_exists(target):
        return EXIT_OK
    summary = create_demo_database(target, cases=args.cases, seed=args.seed, force=args.force)
    print(
        f"demo database ready: {target.display} — {summary.referrals} cases, "
        f"{summary.meetings} meetings, {summary.decisions} decisions. {FICTIONAL_NOTICE}"
    )
    return EXIT_OK


def cmd_meetings(args: argparse.Namespace) -> int:
    from mdtboard.services import meetings
    from mdtboard.store.db import open_database, resolve_target

    db = open_database(resolve_target(args.db))
    try:
        for m in meetings.list_meetings(db):
            print(f"{m.id}\t{m.starts_at:%Y-%m-%d %H:%M}Z\t{m.status}\t{m.title}")
    finally:
        db.dispose()
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.import_mapping import DAY_FIRST, MONTH_FIRST, guess, load_profile
    from mdtboard.services.importer import ImportInvalid, import_referrals, load
    from mdtboard.store.db import open_database, resolve_target

    if not args.file.is_file():
        raise CliError(f"file not found: {args.file}")
    db = open_database(resolve_target(args.db))
    try:
        source = load(args.file, encoding=args.encoding, sheet=args.sheet)
        mapping = load_profile(db, args.profile) if args.profile else guess(source)
        if args.date_order:
            order = DAY_FIRST if args.date_order == "day-first" else MONTH_FIRST
            mapping = replace(mapping, date_order=order)
        report = import_referrals(
            ServiceContext(db, Actor.local()),
            source,
            mapping=mapping,
            valid_rows_only=args.valid_rows_only,
            allow_same_file=args.allow_same_file,
        )
    except ImportInvalid as exc:
        for error in exc.report.errors:
            print(f"mdtboard: error: {args.file}: {error}", file=sys.stderr)
        print(
            f"mdtboard: error: nothing imported: {len(exc.report.errors)} problem(s) "
            f"in {exc.report.rows} rows",
            file=sys.stderr,
        )
        return EXIT_ERROR
    finally:
        db.dispose()
    for error in report.errors:
        print(f"mdtboard: skipped: {args.file}: {error}", file=sys.stderr)
    print(
        f"imported {report.imported} of {report.rows} referrals "
        f"({report.new_patients} new patients) from {args.file}"
    )
    return EXIT_OK  # --valid-rows-only asked for the skips, each reported above


def cmd_import_outcomes(args: argparse.Namespace) -> int:
    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.outcome_import import OutcomeImportInvalid, import_outcomes
    from mdtboard.store.db import open_database, resolve_target

    if not args.file.is_file():
        raise CliError(f"file not found: {args.file}")
    db = open_database(resolve_target(args.db))
    try:
        done = import_outcomes(ServiceContext(db, Actor.local()), args.file)
    except OutcomeImportInvalid as exc:
        for error in exc.errors:
            print(f"mdtboard: error: {args.file}: {error}", file=sys.stderr)
        print(f"mdtboard: error: nothing imported: {len(exc.errors)} problem(s)", file=sys.stderr)
        return EXIT_ERROR
    finally:
        db.dispose()
    print(f"imported {done.imported} outcomes of {done.rows} rows from {args.file}")
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from mdtboard.services.audit_log import verify_in
    from mdtboard.store import audit
    from mdtboard.store.db import open_database, resolve_target

    key = audit.load_key(create=False)  # a missing or unusable key: one line, exit 1
    target = resolve_target(args.db)
    db = open_database(target)
    try:
        with db.reader() as session:
            result = verify_in(session, key)
    finally:
        db.dispose()
    report = result.chain
    if not report.ok:
        where = f"event {report.first_bad_id}" if report.first_bad_id else "audit trail"
        print(
            f"mdtboard: audit chain BROKEN at {where}: {report.problem} "
            f"({report.checked} events verified before it)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    for problem in result.seals.problems:  # one line per record changed after sign-off
        print(f"mdtboard: seal BROKEN: {problem}", file=sys.stderr)
    if not result.seals.ok:
        return EXIT_ERROR
    print(
        f"audit chain ok: {report.checked} events verified in {target.display}; "
        f"{result.seals.checked} signed-off decisions match their seals"
    )
    return EXIT_OK


def cmd_audit_seal(args: argparse.Namespace) -> int:
    from mdtboard.services import seals
    from mdtboard.store import audit
    from mdtboard.store.db import open_database, resolve_target

    try:
        code = seals.normal_code(args.code)
    except ValueError as e:
        raise CliError(f"CODE: {e}") from None
    key = audit.load_key(create=False)
    db = open_database(resolve_target(args.db))
    try:
        with db.reader() as session:
            found = seals.find_by_code(session, code, key)
    finally:
        db.dispose()
    if not found:
        raise CliError(f"seal {code}: no signed-off decision in this database has this seal")
    failed = False
    for m in found:
        when = m.signed_off_at.isoformat(timespec="minutes") if m.signed_off_at else "—"
        what = (
            f"seal {code}: decision {m.decision_id} (revision {m.revision}, {m.status}) "
            f"for MRN {m.mrn or '— case missing'}, signed off by {m.signed_off_by} at {when}"
        )
        if m.changed:
            failed = True
            print(f"mdtboard: {what}: CHANGED after sign-off: {', '.join(m.changed)}",
                  file=sys.stderr)  # fmt: skip
        else:
            print(f"{what}: the record is as printed")
    return EXIT_ERROR if failed else EXIT_OK


def cmd_audit_head(args: argparse.Namespace) -> int:
    from mdtboard.store import witness
    from mdtboard.store.db import open_database, resolve_target

    db = open_database(resolve_target(args.db))
    try:
        with db.reader() as session:
            head = witness.head_of(session)
    finally:
        db.dispose()
    if head is None:
        raise CliError("the audit trail is empty: no head yet")
    print(f"database {head.database_id} event {head.last_id} hash {head.last_hash}")
    return EXIT_OK


def _sqlite_only(target: object, what: str) -> Path:
    path = getattr(target, "sqlite_path", None)
    if getattr(target, "encrypted", False):
        raise CliError(
            f"{what} of an encrypted (SQLCipher) database: copy the file while mdtboard is "
            "closed, or use sqlcipher_export (see README, Data safety)"
        )
    if path is None:
        raise CliError(
            f"{what} works on SQLite files; on PostgreSQL use pg_dump / pg_restore "
            "(see docs/server.md)"
        )
    return Path(path)


FORCE_HELP = "replace the file if it exists (never a database, its backups or the audit key)"


def _output(database: Path | None, out: Path, force: bool, option: str) -> None:
    """The shared output rule (``store.outputs``), as one line naming the option."""
    from mdtboard.store.outputs import OutputRefused, check_output_path
    from mdtboard.store.paths import audit_key_path

    try:
        check_output_path(
            out, database=database, audit_key=audit_key_path(), replace=force, what=option
        )
    except OutputRefused as exc:
        raise CliError(str(exc)) from None


def cmd_backup(args: argparse.Namespace) -> int:
    from mdtboard.store.backup import sqlite_backup
    from mdtboard.store.db import open_database, resolve_target

    target = resolve_target(args.db)
    path = _sqlite_only(target, "backup")
    open_database(target).dispose()  # refuses foreign or newer files, upgrades older ones
    _output(path, args.to, args.force, "--to")
    sqlite_backup(path, args.to)
    print(f"backup written and checked (integrity_check ok): {args.to}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from mdtboard.services.context import Actor
    from mdtboard.services.setup import record_restore
    from mdtboard.store.audit import load_key
    from mdtboard.store.backup import restore
    from mdtboard.store.db import inspect_sqlite_file, resolve_target

    target = resolve_target(args.db)
    path = _sqlite_only(target, "restore")
    load_key(create=False)  # the restore is recorded with the key: refused before, not after
    if not args.file.is_file():
        raise CliError(f"backup file not found: {args.file}")
    inspect_sqlite_file(args.file)  # an mdtboard database, not from a newer version
    if not args.yes:
        if not has_terminal():
            raise CliError("restore replaces the database: add --yes to confirm without a terminal")
        answer = input(f"Replace {path} with {args.file}? The current file is kept. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("restore cancelled; nothing changed")
            return EXIT_ERROR
    kept = restore(args.file, path, datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    rolled = record_restore(target, args.file, Actor.local())
    print(
        f"restored {path} from {args.file}"
        + (f"; previous database kept as {kept}" if kept else "")
        + f"; {rolled} audit events rolled back (recorded)"
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from mdtboard.services import exports, summaries
    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.meetings import resolve_meeting
    from mdtboard.store.db import open_database, resolve_target

    out: Path = args.out
    target = resolve_target(args.db)
    _output(target.sqlite_path, out, args.force, "--out")
    db = open_database(target)
    ctx = ServiceContext(db, Actor.local())
    staged = exports.staging_path(out)
    try:
        exports.check_export_allowed(ctx)
        from mdtboard import reports

        if args.document in ("letter", "outcome"):
            from mdtboard.services.settings import get_settings

            doc = summaries.case_document(db, args.case)
            letter = reports.LetterSettings.from_settings(get_settings(db))
            try:
                if args.document == "letter":
                    reports.build_letter(doc, letter, staged, to=args.to)
                else:
                    reports.build_outcome_form(doc, letter, staged)
            except reports.LetterRefused as e:
                raise CliError(str(e)) from None
            entity, entity_id = "referral", args.case
        else:
            meeting = resolve_meeting(db, args.meeting, datetime.now(UTC))
            report = summaries.meeting_report(db, meeting.id)
            build = reports.build_agenda if args.document == "agenda" else reports.build_summary
            build(report, staged)
            entity, entity_id = "meeting", meeting.id
        kind = "letter_gp" if args.document == "letter" and args.to == "gp" else args.document
        sha = exports.put_in_place(ctx, kind, entity, entity_id, staged, out)
    finally:
        staged.unlink(missing_ok=True)
        db.dispose()
    print(f"{args.document} written: {out} (sha256 {sha})")
    if args.document == "outcome" and doc.case.decision and doc.case.decision.seal_code:
        print(f"seal {doc.case.decision.seal_code}")
    return EXIT_OK


def cmd_export_worklist(args: argparse.Namespace) -> int:
    from mdtboard.domain.vocab import ReferralStatus, Urgency
    from mdtboard.services import exports
    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.worklist import CaseQuery, sort_keys
    from mdtboard.store.db import open_database, resolve_target

    if args.sort not in sort_keys():
        raise CliError(f"--sort must be one of {', '.join(sort_keys())}; got {args.sort!r}")
    for option, given, allowed in (
        ("--status", args.status, [s.value for s in ReferralStatus]),
        ("--urgency", args.urgency, [u.value for u in Urgency]),
    ):
        for value in given:
            if value not in allowed:
                raise CliError(f"{option} must be one of {', '.join(allowed)}; got {value!r}")
    target = resolve_target(args.db)
    _output(target.sqlite_path, args.out, args.force, "--out")
    db = open_database(target)
    try:
        query = CaseQuery(
            search=args.search,
            statuses=tuple(args.status),
            urgencies=tuple(args.urgency),
            readiness=tuple(args.readiness),
            meeting_id=args.meeting,
            sort=args.sort,
            descending=not args.ascending,
        )
        done = exports.export_worklist(
            ServiceContext(db, Actor.local()), query, args.out, replace=args.force
        )
    finally:
        db.dispose()
    print(f"worklist written: {args.out} ({done.rows} cases, sha256 {done.sha256})")
    return EXIT_OK


def cmd_report_audit(args: argparse.Namespace) -> int:
    from mdtboard.reports.audit_report import build_audit_report
    from mdtboard.services import exports, metrics
    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.services.settings import get_settings, is_demo
    from mdtboard.store.db import open_database, resolve_target

    start, end = _period(args)
    out: Path = args.out
    target = resolve_target(args.db)
    _output(target.sqlite_path, out, args.force, "--out")
    db = open_database(target)
    ctx = ServiceContext(db, Actor.local())
    staged = exports.staging_path(out)
    try:
        exports.check_export_allowed(ctx)
        figures = metrics.compute(db, start, end)
        build_audit_report(
            figures, staged, organisation=get_settings(db).letterhead, demo=is_demo(db)
        )
        period = f"{start.isoformat()}/{end.isoformat()}"
        sha = exports.put_in_place(ctx, "audit_report", "database", period, staged, out)
    finally:
        staged.unlink(missing_ok=True)
        db.dispose()
    print(f"audit report written: {out} (sha256 {sha})")
    return EXIT_OK


def cmd_report_metrics(args: argparse.Namespace) -> int:
    import json

    from mdtboard.services import metrics
    from mdtboard.store.db import open_database, resolve_target

    start, end = _period(args)
    db = open_database(resolve_target(args.db))
    try:
        figures = metrics.compute(db, start, end)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(figures.as_json(), indent=2))
    else:
        print("\n".join(_metrics_summary(figures)))
    return EXIT_OK


def _metrics_summary(m: Metrics) -> list[str]:
    """``report metrics`` without ``--json``: the figures a chair asks for, a few lines."""
    from mdtboard.domain.vocab import CORE_ROLES
    from mdtboard.reports.audit_report import NONE, part_of, percent, spread_text, timed

    known = m.implemented + m.partly_implemented + m.not_implemented

    def spread(sp: Spread) -> str:
        shown = [t for t in spread_text(sp, "days") if t != NONE] or [NONE]
        return f"{', '.join(shown)} (n = {sp.n})"

    q = m.mscc
    core = {r.value for r in CORE_ROLES}
    return [
        f"period {m.start.isoformat()} to {m.end.isoformat()}: {m.meetings} meetings, "
        f"{m.meetings_held} held, quorate "
        f"{part_of(m.meetings_quorate, m.meetings_held, m.quorum_rate)}",
        f"cases listed {m.cases_listed} ({m.cases_new} new, {m.cases_relisted} relisted); "
        f"discussed {part_of(m.discussed, m.cases_listed, m.discussed_rate)}, "
        f"deferred {m.deferred}, withdrawn {m.withdrawn}, not reached {m.not_reached}; "
        f"prospective {part_of(m.prospective, m.discussed, m.prospective_rate)}",
        f"decisions signed off {m.decisions_signed}: implemented {m.implemented}, "
        f"partly {m.partly_implemented}, not {m.not_implemented}, pending "
        f"{m.implementation_pending}; implemented as decided "
        f"{part_of(m.implemented, known, m.implemented_rate)}",
        f"referral to discussion: {spread(m.referral_to_discussion_days)}; "
        f"sign-off to treatment: {spread(m.signoff_to_treatment_days)}",
        f"QS56, {q.cases} suspected-MSCC cases: MRI within 24 h "
        f"{timed(q.mri_within_24h, q.mri_timed, q.mri_rate)}; plan within 24 h "
        f"{timed(q.plan_within_24h, q.plan_timed, q.plan_rate)}; treatment within 24 h of "
        f"the decision {timed(q.treatment_within_24h, q.treatment_timed, q.treatment_rate)}",
        "attendance of the core roles: "
        + ", ".join(f"{r.label} {percent(r.rate)}" for r in m.by_role if r.role in core),
    ]


def cmd_check(args: argparse.Namespace) -> int:
    from mdtboard.services import worklist
    from mdtboard.store import schema
    from mdtboard.store.db import open_database, resolve_target
    from mdtboard.store.location import open_to_others

    target = resolve_target(args.db)
    db = open_database(target)
    try:
        counts = worklist.status_counts(db)
    finally:
        db.dispose()
    total = sum(v for k, v in counts.items() if k != "mscc_open")
    path = target.sqlite_path
    if path is not None and not target.encrypted:
        from mdtboard.store.backup import damage

        found = damage(path)
        if found is not None:
            raise CliError(
                f"{target.display} is damaged (quick_check: {found}); restore the latest "
                "backup (mdtboard restore FILE)"
            )
    print(f"{target.display}: schema {schema.HEAD}, {total} referrals, ok")
    shared = open_to_others(path) if path is not None else []
    if shared:
        print(
            f"mdtboard: warning: readable by other accounts: {', '.join(shared)}; "
            f"make it private with: chmod 600 {path}*",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """The desktop app (or ``--screenshot``). A missing, foreign, damaged or newer SQLite
    file is refused with the standard library before any window; the database layer is
    loaded once the window's frame has painted."""
    from mdtboard.store.errors import DatabaseDamaged
    from mdtboard.store.location import check_sqlite_target, resolve_target
    from mdtboard.ui import app

    app.route_qt_messages_to_log()
    target = resolve_target(args.db)
    path = target.sqlite_path
    if args.screenshot is not None:
        _output(path, args.screenshot, bool(getattr(args, "force", False)), "--screenshot")
    if path is not None and not target.encrypted:
        try:
            check_sqlite_target(target)  # the same check open_database makes, before Qt
        except DatabaseDamaged as exc:
            backup = exc.latest_backup
            if args.screenshot is not None or not isinstance(backup, Path):
                raise
            if not app.offer_restore(str(exc), backup):
                raise
            from datetime import UTC, datetime

            from mdtboard.store.backup import restore

            restore(backup, path, datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
            from mdtboard.services.context import Actor
            from mdtboard.services.setup import record_restore

            record_restore(target, backup, Actor.local())
    if args.screenshot is not None:
        return app.run_screenshot(target, args.screenshot)
    return app.run_app(target)


def _choose_demo(args: argparse.Namespace) -> None:
    """``--demo``: the demo database's own file, for every command."""
    if not getattr(args, "demo", False):
        return
    if getattr(args, "db", None):
        raise CliError("--demo and --db name two databases: give one")
    from mdtboard.store.paths import demo_db_path

    args.db = str(demo_db_path())


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from mdtboard.services.errors import ServiceError
    from mdtboard.store.errors import StoreError

    try:
        _choose_demo(args)
        return func(args)
    except (StoreError, ServiceError, CliError) as exc:
        log.info("refused: %s", type(exc).__name__)
        print(f"mdtboard: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("mdtboard: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(
            f"mdtboard: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    from mdtboard.store.location import private_files

    private_files()  # every file this process makes is the account's own: 0600 in 0700
    parser = build_parser()
    args = parser.parse_args(argv)
    from mdtboard.logs import setup_logging

    setup_logging()
    func = getattr(args, "func", None) or cmd_gui
    command = args.command or "gui"
    log.info("command %s started", command)
    try:
        rc = _run(func, args)
        log.info("command %s finished with exit code %d", command, rc)
        return rc
    except Exception as exc:  # last resort: one line for the user, details in the log
        from mdtboard.logs import log_exception

        log_exception(log, exc, f"unexpected error in command {command}")
        # The message of a database error can hold row values (names, MRNs): not printed.
        print(
            f"mdtboard: unexpected error ({type(exc).__name__}); details are in the log",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
