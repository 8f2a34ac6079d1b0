"""Known schema revisions, oldest first, without importing alembic.

Start-up reads the database's revision and compares it with this list; only
when an upgrade is needed does it load alembic. A test keeps this list equal
to the revisions in ``migrations/versions``.
"""

REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
)
HEAD = REVISIONS[-1]
