"""Each run of `pos` keeps its own state (Typer's ctx.obj): nothing carries over to the next run in the
same process, as it would if the --json flag or the database were module-level globals."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pos.cli import app
from pos.commands._common import Invocation, invocation


def test_a_json_error_in_one_run_leaves_the_next_runs_error_for_people(cli, store):
    first = cli("order", "show", "42", "--json")
    assert json.loads(first.stdout)["error"]["code"] == "not_found"

    second = cli("order", "show", "42")
    assert second.exit_code == 1
    assert second.stdout == "" and second.stderr.startswith("error: ")


def test_the_database_of_one_run_is_not_reused_by_the_next(tmp_path, monkeypatch):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert CliRunner().invoke(app, ["--db", str(first), "init"]).exit_code == 0

    monkeypatch.setenv("POS_DATABASE_URL", str(second))
    result = CliRunner().invoke(app, ["init", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["database"] == str(second)
    assert second.exists()


def test_outside_any_command_a_fresh_invocation_stands_in():
    state = invocation()
    assert isinstance(state, Invocation) and state.db is None and state.json is False
