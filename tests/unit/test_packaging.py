"""What a regular install carries and needs: the sample data, one version number, extras for the heavy parts."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_data_folder_and_the_packaged_sample_data_are_the_same_files_byte_for_byte():
    top = sorted(p.name for p in (ROOT / "data").glob("*.csv"))
    packaged = sorted(p.name for p in (ROOT / "pos" / "data").glob("*.csv"))
    assert top == packaged == ["catalog.csv", "inventory.csv", "locations.csv"]
    for name in top:
        assert (ROOT / "data" / name).read_bytes() == (ROOT / "pos" / "data" / name).read_bytes(), name


def test_every_package_data_pattern_names_files_that_exist():
    for pattern in PYPROJECT["tool"]["setuptools"]["package-data"]["pos"]:
        assert list((ROOT / "pos").glob(pattern)), f"package data {pattern!r} matches no file"


def test_the_base_install_has_no_postgres_driver_or_printer_library_and_the_extras_name_them():
    base = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    assert "psycopg" not in base and "escpos" not in base
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(d.startswith("psycopg") for d in extras["postgres"])
    assert any(d.startswith("python-escpos") and "<4" in d for d in extras["printer"])
    assert extras["all"] == ["pos[postgres,printer]"]
    assert "pos[all]" in extras["test"]


def test_pos_version_is_the_one_number_in_the_package_metadata(monkeypatch):
    import importlib.metadata

    from typer.testing import CliRunner

    from pos.cli import app

    assert __import__("pos").__version__ == importlib.metadata.version("pos") == PYPROJECT["project"]["version"]
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.8.7" if name == "pos" else "0")
    result = CliRunner().invoke(app, ["--version"])
    assert result.stdout.strip() == "pos 9.8.7"


# A child process in which `import NAME` fails, as it does when an extra is not installed.
BLOCKED = """
import sys
blocked = sys.argv[1]
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name == blocked or name.startswith(blocked + "."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Blocker())
sys.argv = ["pos", *sys.argv[2:]]
from pos.cli import main
main()
"""


def _without(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCKED, module, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
    )


def test_a_postgresql_url_without_the_postgres_extra_is_one_line_naming_the_extra(tmp_path):
    result = _without("psycopg", "--db", "postgresql://postgres@127.0.0.1:5432/test", "order", "list", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: a postgresql:// database needs the postgres extra, which is not installed: pip install 'pos[postgres]'"
    ]


def test_a_printer_without_the_printer_extra_is_one_line_naming_the_extra(tmp_path):
    result = _without(
        "escpos", "--db", str(tmp_path / "none.db"), "till", "--location", "S1", "--printer",
        f"dummy:{tmp_path / 'out.bin'}", cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: --printer needs the printer extra, which is not installed: pip install 'pos[printer]'"
    ]
    assert not (tmp_path / "out.bin").exists()

