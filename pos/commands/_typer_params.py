"""Command-line values turned into `str` and `int` without pydantic: the one shim over Typer internals.

Typer 0.29 coerces every parameter through a pydantic `TypeAdapter` that it builds on first use
(`typer._coercion.build_runtime_param`). Importing pydantic and building the adapters costs tens of
milliseconds per command, which a one-shot command (`pos stock check`) and every group help page
(`pos stock --help`, whose root `--db` option is coerced) paid for nothing: what arrives is a string.

`quicken(group)` gives each plain `str` / `int` / `bool` parameter of the command tree a `QuickParam` in the slot
Typer fills lazily (`_TyperParameter._runtime_param`). A QuickParam answers only where the result is
certain to equal Typer's own (a `str` value; a `bool` flag's own value; a plain decimal integer within the option's min/max) and
hands anything else (a bad number, an unusual form such as `1_000`) to the adapter Typer would have
built, so every error message stays Typer's. tests/unit/test_typer_params.py compares the two on
arbitrary input and fails loudly if the Typer internals used here change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import _TyperParameter

_PLAIN_INT = re.compile(r"-?[0-9]{1,18}")  # no sign '+', spaces, '_' or non-ASCII digits: those go to Typer
_SLOW = object()


@dataclass(frozen=True)
class QuickParam(RuntimeParam):
    """Typer's coercion of a `str` or `int` parameter, with the common case done here."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        quick = quick_value(self.annotation, self.parameter_info.min, self.parameter_info.max, value)
        if quick is _SLOW:
            return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)
        return quick


def quick_value(annotation: Any, low: Any, high: Any, value: Any) -> Any:
    """`value` as Typer would coerce it, or `_SLOW` when only Typer's own adapter can say."""
    if annotation is str:
        return value if type(value) is str else _SLOW
    if annotation is bool:  # a flag's value is a bool already; Typer asks only when it is None
        return value if type(value) is bool else _SLOW
    if annotation is int:
        if type(value) is str and _PLAIN_INT.fullmatch(value):
            number = int(value)
        elif type(value) is int:
            number = value
        else:
            return _SLOW
        if (low is not None and number < low) or (high is not None and number > high):
            return _SLOW  # out of range: Typer's adapter words the error
        return number
    return _SLOW


def _qualifies(param: Any) -> bool:
    if not isinstance(param, _TyperParameter) or param.multiple or param.nargs != 1:
        return False
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    return (descriptor.annotation in (str, int, bool) and descriptor.file_annotation is None
            and info.parser is None and not getattr(info, "clamp", False))


def quicken_param(param: Any) -> None:
    if _qualifies(param) and param._runtime_param is None:
        descriptor = param.type_descriptor
        param._runtime_param = QuickParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)


def quicken(command: Any) -> None:
    """Give every plain `str`/`int`/`bool` parameter of `command` and its subcommands a QuickParam."""
    for param in command.params:
        quicken_param(param)
    if "get_help_option" not in vars(command):
        # Click makes each command's --help option on first use, and Typer coerces its value (None when
        # not given) on every run: that one is quickened as it is made.
        made = command.get_help_option

        def get_help_option(ctx: Any) -> Any:
            option = made(ctx)
            if option is not None:
                quicken_param(option)
            return option

        command.get_help_option = get_help_option
    commands = getattr(command, "commands", {})
    for sub in getattr(commands, "built", commands).values():  # a group built later is quickened then
        quicken(sub)
