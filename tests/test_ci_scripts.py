"""The CI helper scripts: two checkouts on one machine keep their own test servers."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "postgres.sh"


def _have_server() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")) if shutil.which("bash") else False


def _start(env: dict[str, str]) -> dict[str, str]:
    """Start a server as the Makefile does; the variables it exports."""
    out = subprocess.run(
        [
            "bash",
            "-c",
            f'source "{SCRIPT}" start >/dev/null && '
            'echo "$MDTBOARD_TEST_PG_URL|$MDTBOARD_TEST_PG_DIR|$MDTBOARD_TEST_PG_PORT"',
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    url, folder, port = out.split("|")
    return {
        **env,
        "MDTBOARD_TEST_PG_URL": url,
        "MDTBOARD_TEST_PG_DIR": folder,
        "MDTBOARD_TEST_PG_PORT": port,
    }


def _alive(env: dict[str, str]) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["MDTBOARD_TEST_PG_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar_one() == 1
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.skipif(
    not _have_server() and not os.environ.get("CI"), reason="no PostgreSQL binaries"
)
def test_two_checkouts_get_their_own_test_servers_and_stop_only_their_own() -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MDTBOARD_TEST_PG")}
    first = _start(base)
    second = _start(base)
    try:
        assert first["MDTBOARD_TEST_PG_PORT"] != second["MDTBOARD_TEST_PG_PORT"]
        assert first["MDTBOARD_TEST_PG_DIR"] != second["MDTBOARD_TEST_PG_DIR"]
        assert _alive(first) and _alive(second)
        subprocess.run(["bash", str(SCRIPT), "stop"], env=first, check=True, timeout=60)
        assert not Path(first["MDTBOARD_TEST_PG_DIR"]).exists()
        assert _alive(second), "stopping one checkout's server stopped the other's"
        # a stop with nothing of its own to stop touches nothing
        subprocess.run(["bash", str(SCRIPT), "stop"], env=base, check=True, timeout=60)
        assert _alive(second)
    finally:
        for env in (first, second):
            subprocess.run(["bash", str(SCRIPT), "stop"], env=env, check=False, timeout=60)
    assert not Path(second["MDTBOARD_TEST_PG_DIR"]).exists()
