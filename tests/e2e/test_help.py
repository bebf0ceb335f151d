"""Every command and group explains itself in --help (as sqlite-utils' tests/test_docs.py checks)."""

import pytest
import typer
from typer.testing import CliRunner

from pos.cli import app


def walk(group, path=()):
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from walk(command, (*path, name))


COMMANDS = list(walk(typer.main.get_command(app)))


def test_the_contracts_commands_are_all_registered():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"init", "demo", "location add", "location list", "product add", "product list", "product show",
            "variant add", "stock set", "stock adjust", "stock check", "stock history", "cart new", "cart add",
            "cart set", "cart remove", "cart show", "checkout", "order show", "order list", "receipt",
            "payment list"} <= names


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_group_has_help_text(path, command):
    assert (command.help or "").strip(), f"pos {' '.join(path)} has no help"
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert command.help.strip().splitlines()[0][:30] in " ".join(result.stdout.split())


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_option_and_argument_is_explained(path, command):
    missing = [p.name for p in command.params if not (getattr(p, "help", None) or "").strip()]
    assert missing == [], f"pos {' '.join(path)}: no help for {missing}"


def test_pos_without_arguments_shows_the_command_list():
    result = CliRunner().invoke(app, [])
    assert "checkout" in result.output and "cart" in result.output  # Click prints it on stderr, with exit 2
