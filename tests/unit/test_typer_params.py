"""The shim that parses plain str/int/bool values without pydantic (pos/commands/_typer_params.py) gives
exactly what Typer's own coercion gives, and leaves every error to Typer. It reaches into Typer internals:
if those change, these tests fail first."""

from __future__ import annotations

import pytest
import typer
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.testing import CliRunner

from pos.cli import app
from pos.commands._typer_params import _SLOW, QuickParam, quick_value, quicken


def _params() -> dict[str, typer.core._TyperParameter]:
    root = typer.main.get_command(app)
    quicken(root)
    return {
        "cart": next(p for p in root.commands["cart"].commands["add"].params if p.name == "cart"),
        "qty": next(p for p in root.commands["cart"].commands["add"].params if p.name == "qty"),
        "sku": next(p for p in root.commands["stock"].commands["check"].params if p.name == "sku"),
        "limit": next(p for p in root.commands["stock"].commands["history"].params if p.name == "limit"),
    }


PARAMS = _params()


def _typers_own(param, value):
    """What Typer itself makes of `value` for `param`: the value, or the BadParameter message."""
    try:
        return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=None)
    except BadParameter as exc:
        return ("error", exc.message)


def _ours(param, value):
    try:
        return param.get_runtime_param()._coerce_value(value, param=param, ctx=None)
    except BadParameter as exc:
        return ("error", exc.message)


def test_typer_still_fills_the_slot_the_shim_uses():
    param = PARAMS["cart"]
    assert isinstance(param.get_runtime_param(), QuickParam)  # Typer asks `_runtime_param` before building
    assert hasattr(typer.core._TyperParameter, "get_runtime_param")


@given(st.one_of(st.text(max_size=25), st.integers().map(str), st.integers(), st.from_regex(r"-?[0-9 _+]{1,25}")))
@pytest.mark.parametrize("name", sorted(PARAMS))
@settings(deadline=None)  # the first example builds Typer's pydantic adapter: slow on a busy machine
def test_the_shim_gives_what_typer_gives_for_any_input(name, value):
    param = PARAMS[name]
    assert _ours(param, value) == _typers_own(param, value)


@given(st.text(max_size=25))
def test_a_value_the_shim_cannot_be_sure_of_is_left_to_typer(text):
    result = quick_value(int, 1, 10, text)
    assert result is _SLOW or (isinstance(result, int) and 1 <= result <= 10 and int(text) == result)


def test_a_bad_number_is_refused_in_typers_own_words(tmp_path):
    done = CliRunner().invoke(app, ["--db", str(tmp_path / "none.db"), "cart", "add", "x1", "SKU"])
    assert done.exit_code == 2 and "Invalid value for 'CART'" in done.output and "valid integer" in done.output
    done = CliRunner().invoke(app, ["--db", str(tmp_path / "none.db"), "stock", "history", "SKU", "--limit", "0"])
    assert done.exit_code == 2 and "greater than or equal to 1" in done.output


def test_every_commands_help_option_is_quickened_as_it_is_made():
    root = typer.main.get_command(app)
    quicken(root)
    check = root.commands["stock"].commands["check"]
    option = check.get_help_option(typer.Context(check))
    assert isinstance(option.get_runtime_param(), QuickParam)
