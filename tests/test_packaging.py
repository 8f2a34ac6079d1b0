"""The app must work from an installed wheel: shipped data is found through the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_ships_migrations_and_resources(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    (wheel,) = tmp_path.glob("mdtboard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mdtboard/_migrations/env.py" in names
    assert "mdtboard/_migrations/versions/0001_initial_schema.py" in names
    assert any(n.startswith("mdtboard/_resources/") for n in names)
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert entry
    text = zipfile.ZipFile(wheel).read(entry[0]).decode()
    assert "mdtboard = mdtboard.cli.main:main" in text


def test_package_data_is_found_through_the_package() -> None:
    from mdtboard.store import paths

    assert (paths.migrations_dir() / "env.py").is_file()
    assert paths.resources_dir().is_dir()
    import mdtboard

    pkg = Path(mdtboard.__file__).resolve().parent
    assert paths.migrations_dir().resolve().parent in {pkg, pkg.parent}
