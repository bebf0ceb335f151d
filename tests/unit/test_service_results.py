"""No service returns a bare dict as its public result: what a use case hands to a command is a typed
document (pos/models), so a misspelt key fails mypy instead of a sale.

Checked: every public function of pos/services (and the till session's public methods) except the building
blocks that run inside a caller's transaction (they take a `Connection` and may pass rows between them) and
pos/services/sql.py, whose rows are its whole purpose. A dict with typed values (`dict[str, str]`) is a
value, not a document, and is allowed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import pos.models
import pos.services
from pos.services.db import Database
from pos.services.till.session import TillSession

EXEMPT_MODULES = {"pos.services.sql"}


def _namespace() -> dict[str, Any]:
    """Names the services import only for type checking (TYPE_CHECKING blocks), so their hints resolve."""
    names: dict[str, Any] = {}
    for info in pkgutil.iter_modules(pos.models.__path__, "pos.models."):
        names.update(vars(importlib.import_module(info.name)))
    return names


def _service_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for info in pkgutil.walk_packages(pos.services.__path__, "pos.services."):
        if info.name in EXEMPT_MODULES:
            continue
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if not name.startswith("_") and inspect.isfunction(fn) and fn.__module__ == module.__name__:
                yield f"{info.name}.{name}", fn
    for name, fn in vars(TillSession).items():
        if not name.startswith("_") and inspect.isfunction(fn):
            yield f"TillSession.{name}", fn


def _is_bare_dict(tp: Any) -> bool:
    """dict, dict[str, Any], Mapping..., or a list/tuple/union/iterator of one."""
    origin = typing.get_origin(tp) or tp
    args = typing.get_args(tp)
    if origin in (dict, Mapping, MutableMapping):
        return not args or args[1] is Any
    if origin in (list, tuple, typing.Union, types.UnionType, Iterator):
        return any(_is_bare_dict(a) for a in args)
    return False


def _public_results() -> dict[str, Any]:
    """name -> return annotation, of every function the rule covers."""
    localns = _namespace()
    results = {}
    for name, fn in _service_functions():
        hints = typing.get_type_hints(fn, localns=localns)
        first = next((p for p in inspect.signature(fn).parameters.values() if p.name != "self"), None)
        if first is not None and "Connection" in str(hints.get(first.name, "")):
            continue  # a building block inside the caller's transaction
        results[name] = hints.get("return")
    return results


def test_no_public_service_function_returns_a_bare_dict():
    offenders = {name: tp for name, tp in _public_results().items() if _is_bare_dict(tp)}
    assert offenders == {}


def test_the_use_cases_are_among_the_functions_checked():
    checked = _public_results()
    for name in ("pos.services.orders.checkout", "pos.services.orders.order_page", "pos.services.cart.add_item",
                 "pos.services.batch.run_batch", "pos.services.imports.catalog.import_catalog",
                 "pos.services.inventory.history_page", "pos.services.settings.init_store",
                 "pos.services.payments.describe_processors", "TillSession.handle", "TillSession.current"):
        assert name in checked
        assert checked[name] is not None, f"{name} has no return annotation"


def test_the_rule_recognises_a_bare_dict_however_it_is_wrapped():
    def use_case(db: Database) -> list[dict[str, Any]] | None: ...

    assert _is_bare_dict(typing.get_type_hints(use_case)["return"])
    assert _is_bare_dict(dict) and _is_bare_dict(tuple[dict, bool]) and _is_bare_dict(Iterator[Mapping])
    assert not _is_bare_dict(dict[str, str]) and not _is_bare_dict(pos.models.cart.CartPublic | None)
