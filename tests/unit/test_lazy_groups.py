"""`pos` builds each command group on first use (PosGroup.groups): the tree must be the one Typer builds when
every group is added at once with `add_typer`, command for command and option for option."""

from __future__ import annotations

import importlib
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer._click.exceptions import UsageError
from typer.testing import CliRunner

from pos.cli import Pos, app
from pos.commands._common import LazyCommands

_PARAM_FIELDS = ("name", "opts", "secondary_opts", "required", "default", "help", "metavar", "nargs", "multiple",
                 "is_flag", "hidden", "envvar", "show_default", "is_eager", "expose_value")


def _describe(command: Any, path: str = "pos") -> dict[str, Any]:
    """Everything a person or a script can see of a command tree, by command path."""
    params = [
        (type(p).__name__, repr(p.type_descriptor.annotation), *(repr(getattr(p, field, None)) for field in _PARAM_FIELDS))
        for p in command.params
    ]
    callback = getattr(command.callback, "__wrapped__", command.callback)
    found = {path: (type(command).__name__, command.name, command.help, command.short_help, command.epilog,
                    command.hidden, command.no_args_is_help, getattr(command, "rich_markup_mode", None),
                    getattr(command, "suggest_commands", None), callback, params)}
    for name in getattr(command, "commands", {}):
        found.update(_describe(command.commands[name], f"{path} {name}"))
    return found


def _all_at_once() -> Any:
    """The same app with every group added the ordinary way, built in one go."""
    eager = typer.Typer(name="pos", cls=typer.core.TyperGroup, help=app.info.help, no_args_is_help=True,
                        rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=True)
    eager.registered_callback = app.registered_callback
    eager.registered_commands = list(app.registered_commands)
    for name, module in Pos.groups.items():
        eager.add_typer(importlib.import_module(module).app, name=name)
    return typer.main.get_command(eager)


def test_groups_built_one_at_a_time_are_the_groups_typer_builds_all_at_once():
    lazy = typer.main.get_command(app)
    assert isinstance(lazy.commands, LazyCommands)  # type: ignore[attr-defined]
    expected = _describe(_all_at_once())
    got = _describe(lazy)
    assert list(got) == list(expected)  # same commands, in the same order
    for path, description in expected.items():
        assert got[path][1:] == description[1:], path
        assert got[path][0] == description[0] or path == "pos"  # the root is PosGroup, the rest as Typer makes them


def test_a_command_builds_only_its_own_group():
    lazy = typer.main.get_command(app)
    with lazy.make_context("pos", ["cart", "add", "1", "TSHIRT-M"]) as ctx:
        name, command, _args = lazy.resolve_command(ctx, ["cart", "add", "1", "TSHIRT-M"])  # type: ignore[attr-defined]
    assert name == "cart" and "add" in command.commands
    assert set(lazy.commands.built) == {c.name for c in app.registered_commands} | {"cart"}  # type: ignore[attr-defined]


def test_a_command_imports_only_its_own_group_module():
    code = ("import sys; sys.argv = ['pos', 'cart', '--help']; from pos.cli import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m in {'pos.commands.cart', 'pos.commands.stock', 'pos.commands.clerk'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "['pos.commands.cart']"


def test_a_mistyped_group_is_still_suggested_without_building_any():
    lazy = typer.main.get_command(app)
    with lazy.make_context("pos", ["crat"]) as ctx, pytest.raises(UsageError, match="Did you mean 'cart'"):
        lazy.resolve_command(ctx, ["crat"])  # type: ignore[attr-defined]
    assert "cart" not in lazy.commands.built  # type: ignore[attr-defined]


def test_help_and_a_group_command_run_as_before():
    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and top.output.index(" audit ") < top.output.index(" location ") < top.output.index(" clerk ")
    assert runner.invoke(app, ["stock", "--help"]).exit_code == 0
