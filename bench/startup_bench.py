"""How long `pos` takes to answer, against the floor Python and SQLModel set on this same machine.

    .venv/bin/python bench/startup_bench.py [--runs 15]

Runs every command as a fresh process (the installed `pos` script next to this interpreter, no shim),
several times (taking turns), and prints the median and best wall-clock times. Goals (issue 13):
  * `pos --help` under 150 ms;
  * group help pages (`pos stock --help`, `pos cart --help`, ...) under 150 ms;
  * a one-shot command (`pos stock check`, `pos cart add`) no more than 100 ms above `python -c 'import sqlmodel'`
    (stretch: 50 ms).
Exit status 1 when a goal is missed (the stretch goal is reported, not enforced).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_GOAL_S = 0.150
ONE_SHOT_MARGIN_S = 0.100
ONE_SHOT_STRETCH_S = 0.050
ONE_SHOT = ("pos stock check TSHIRT-M", "pos cart add 1 TSHIRT-M")
GROUP_HELP = ("pos stock --help", "pos cart --help", "pos order --help", "pos till --help", "pos receipt --help")


def pos_script() -> str:
    script = Path(sys.executable).parent / "pos"
    if not script.exists():
        sys.exit(f"no installed `pos` next to {sys.executable}: pip install -e . first")
    return str(script)


def with_bytecode(folder: Path) -> dict[str, str]:
    """This environment, with Python's compiled-module cache on (in `folder`) as on a user's machine: some
    shells set PYTHONDONTWRITEBYTECODE, and then every run compiles every module of pos (an editable
    install has no compiled files of its own) before it starts, which no installed pos does. The warm-up
    round fills the cache; `import sqlmodel` reads its compiled modules from the same place."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def timed_rounds(cases: list[tuple[str, list[str], dict[str, str]]], runs: int) -> dict[str, tuple[float, float]]:
    """(median, best) seconds per case. Cases take turns, round after round, so a burst of load from
    elsewhere on the machine lands on all of them alike instead of on whichever ran at that moment.
    One warm-up round first fills the OS file cache."""
    times: dict[str, list[float]] = {name: [] for name, _argv, _env in cases}
    for round_ in range(runs + 1):
        for name, argv, env in cases:
            elapsed = run_once(argv, env)
            if round_:
                times[name].append(elapsed)
    return {name: (statistics.median(ts), min(ts)) for name, ts in times.items()}


MINIMAL_TYPER_APP = """
import typer
app = typer.Typer()
@app.command()
def add(sku: str) -> None:
    "Add a thing."
@app.command()
def show(sku: str) -> None:
    "Show a thing."
app()
"""


def make_store(path: Path) -> None:
    from pos.services import cart, catalog, inventory
    from pos.services.db import Database
    from pos.services.settings import init_store

    db = Database(f"sqlite:///{path}")
    init_store(db, currency="USD")
    catalog.add_location(db, code="STORE-1", name="Main Street Store", tax_rate="8.25")
    catalog.add_product(db, code="TSHIRT", name="T-shirt")
    catalog.add_variant(db, sku="TSHIRT-M", product="TSHIRT", price="19.99", name="Medium")
    inventory.set_stock(db, sku="TSHIRT-M", location="STORE-1", quantity=100_000)  # `pos cart add` runs adds 1 each
    cart.new_cart(db, location="STORE-1")  # cart 1
    db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    pos = pos_script()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "pos.db"
        make_store(db_path)
        env = {**with_bytecode(Path(tmp)), "POS_DATABASE_URL": str(db_path)}
        minimal = Path(tmp) / "minimal_typer_app.py"
        minimal.write_text(MINIMAL_TYPER_APP)
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("python -c 'import typer'", [sys.executable, "-c", "import typer"]),
            ("python -c 'import sqlmodel'", [sys.executable, "-c", "import sqlmodel"]),
            ("minimal Typer app --help", [sys.executable, str(minimal), "--help"]),
            ("pos --help", [pos, "--help"]),
            ("pos --version", [pos, "--version"]),
            ("pos stock --help", [pos, "stock", "--help"]),
            ("pos cart --help", [pos, "cart", "--help"]),
            ("pos order --help", [pos, "order", "--help"]),
            ("pos till --help", [pos, "till", "--help"]),
            ("pos stock check TSHIRT-M", [pos, "stock", "check", "TSHIRT-M"]),
            ("pos cart add 1 TSHIRT-M", [pos, "cart", "add", "1", "TSHIRT-M"]),
            ("pos receipt --help", [pos, "receipt", "--help"]),
        ]
        plain_env = {**env, "TYPER_USE_RICH": "0"}  # Typer's switch for plain Click help
        results = timed_rounds(
            [(name, argv, env) for name, argv in cases] + [("pos --help, TYPER_USE_RICH=0", [pos, "--help"], plain_env)],
            args.runs,
        )
    floor = results["python -c 'import sqlmodel'"][0]
    print(f"{'command':<32} {'median ms':>10} {'best ms':>9} {'x sqlmodel':>11}")
    for name, (median, best) in results.items():
        print(f"{name:<32} {median * 1000:>10.0f} {best * 1000:>9.0f} {median / floor:>11.2f}")
    help_s = results["pos --help"][0]
    one_shot = max(results[name][0] for name in ONE_SHOT)
    slowest_group, group_s = max(((name, results[name][0]) for name in GROUP_HELP), key=lambda item: item[1])
    ok_help = help_s < HELP_GOAL_S
    ok_group = group_s < HELP_GOAL_S
    ok_one = one_shot <= floor + ONE_SHOT_MARGIN_S
    print()
    typer_floor = results["minimal Typer app --help"][0]
    print(f"pos --help is {(help_s - typer_floor) * 1000:+.0f} ms against a minimal Typer app's --help "
          f"(the floor Typer's rich help sets on this machine)")
    print(f"goal pos --help < {HELP_GOAL_S * 1000:.0f} ms: {help_s * 1000:.0f} ms -> {'met' if ok_help else 'MISSED'}")
    print(f"goal group help pages < {HELP_GOAL_S * 1000:.0f} ms: slowest {slowest_group} {group_s * 1000:.0f} ms -> "
          f"{'met' if ok_group else 'MISSED'}")
    for name in ONE_SHOT:
        took = results[name][0]
        print(f"goal {name} <= import sqlmodel + {ONE_SHOT_MARGIN_S * 1000:.0f} ms: {took * 1000:.0f} ms vs "
              f"{(floor + ONE_SHOT_MARGIN_S) * 1000:.0f} ms -> {'met' if took <= floor + ONE_SHOT_MARGIN_S else 'MISSED'} "
              f"({(took - floor) * 1000:+.0f} ms; stretch +{ONE_SHOT_STRETCH_S * 1000:.0f} ms "
              f"{'met' if took <= floor + ONE_SHOT_STRETCH_S else 'missed'})")
    return 0 if ok_help and ok_group and ok_one else 1


if __name__ == "__main__":
    sys.exit(main())
