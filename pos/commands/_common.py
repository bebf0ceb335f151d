"""What every command shares: the --json flag, the database option, output, and the one error handler."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from pos.services.db import Database


def _writes_committed() -> int:
    db_module = sys.modules.get("pos.services.db")  # not loaded yet: nothing can have been written
    return db_module.writes_committed() if db_module else 0


@dataclass
class Invocation:
    """What one run of `pos` knows beyond its arguments: Typer's context object (`ctx.obj`).

    PosGroup makes it before anything is parsed; the root callback fills in `--db`, the --json option's
    callback `json`, and `emit` `rendering`. The database is opened on first use and closed when the
    command ends, so nothing outlives the invocation (CliRunner tests run many in one process).
    """

    db: str | None = None  # --db as given: resolved to a URL when the database is first opened
    json: bool = False  # errors come out as the JSON error document too
    writes_before: int = 0  # write transactions committed in this process before the command started
    rendering: bool = False  # the service has returned: whatever it saved is saved
    _database: Database | None = field(default=None, repr=False)

    def database(self) -> Database:
        if self._database is None:
            from pos.services.db import open_database

            self._database = open_database(self.db)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None

    def change_saved(self) -> bool:
        """Has this command committed a write transaction? Then a later failure (a closed pipe, a bug while
        printing) must say that the change was saved, so nobody repeats it."""
        return _writes_committed() > self.writes_before


def invocation(ctx: typer.Context | None = None) -> Invocation:
    """This run's Invocation, from `ctx` or else from the context of the command being run.

    Typer (0.26+) vendors Click and re-exports no accessor for the current context; this is the one place
    that reaches for it. Outside any command (a unit test calling a helper) a fresh Invocation stands in.
    """
    from typer._click.globals import get_current_context

    current = ctx if ctx is not None else get_current_context(silent=True)
    if current is None:
        return Invocation()
    root = current.find_root()
    if not isinstance(root.obj, Invocation):
        root.obj = Invocation()
    return root.obj


def command_group(**settings: Any) -> typer.Typer:
    """A command group as every group is made: plain Click help (Typer's rich help imports rich's
    markdown parser, which more than doubled `pos --help`), and usage shown when called bare."""
    settings.setdefault("no_args_is_help", True)
    return typer.Typer(rich_markup_mode=None, **settings)


def _mark_json(ctx: typer.Context, value: bool) -> bool:
    if value:
        invocation(ctx).json = True
    return value


JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print exactly one JSON document on stdout and nothing else.", callback=_mark_json)
]


def database() -> Database:
    """The database of this invocation (`--db`, else POS_DATABASE_URL, else the default file)."""
    return invocation().database()


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def console(**settings: Any):
    """A rich console for stdout whose closed pipe reaches PosGroup (rich's own handler exits 1 silently)."""
    from rich.console import Console

    class PosConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    settings.setdefault("highlight", False)
    settings.setdefault("soft_wrap", False)
    return PosConsole(**settings)


def views():
    """pos.commands._render, imported on first use: scripts asking for --json never load rich."""
    from pos.commands import _render

    return _render


def plain(doc: Any) -> Any:
    """A typed document (pos.models) as the JSON it prints: keys it was not given stay absent."""
    if hasattr(doc, "model_dump"):
        return doc.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(doc, list):
        return [plain(d) for d in doc]
    return doc


def emit(doc: Any, as_json: bool, render: Callable[[Any], Any] | str) -> None:
    """Data goes to stdout: the JSON document, or what `render` (a function, or the name of one in
    pos.commands._render) makes of it for people. Views take the plain document, as JSON has it."""
    invocation().rendering = True  # the service has returned: whatever it saved is saved
    doc = plain(doc)
    if as_json:
        print_json(doc)
    else:
        out = (getattr(views(), render) if isinstance(render, str) else render)(doc)
        if isinstance(out, str):
            typer.echo(out)  # plain sentences are not re-wrapped: paths and URLs stay whole
        elif out is not None:
            console().print(out)


CsvFlag = Annotated[bool, typer.Option("--csv", help="CSV on stdout, as `pos export` writes it.")]


def emit_or_csv(doc: Any, as_json: bool, as_csv: bool, write_csv: Callable[[Any, Any], Any],
                render: Callable[[Any], Any] | str) -> None:
    """A list that also comes as CSV (`--csv`): written by `write_csv(doc, stdout)`, else as `emit` does."""
    if not as_csv:
        emit(doc, as_json, render)
        return
    invocation().rendering = True  # the service has returned: whatever it saved is saved
    write_csv(doc, sys.stdout)
    sys.stdout.flush()


def note(message: str) -> None:
    """A message for the person at the till, on stderr (never mixed into data on stdout)."""
    typer.secho(message, err=True, fg="cyan")


class Format(str, Enum):
    """`--format` of documents that also print on paper (receipts, shift reports)."""

    rich = "rich"
    text = "text"
    json = "json"


def mark_format_json(ctx: typer.Context, value: Format | None) -> Format | None:
    """The --format option's callback: `--format json` makes errors come out as JSON too, like --json."""
    if value == Format.json:
        invocation(ctx).json = True
    return value


AllFlag = Annotated[bool, typer.Option("--all", help="Every row, not just the first --limit.")]
AfterOption = Annotated[
    int | None,
    typer.Option("--after", min=1, max=2**63 - 1, metavar="ID",
                 help="Continue after the row with this id (the last one shown): newer ones are left out."),
]


def emit_page(page: Any, key: str, as_json: bool, render: Callable[[Any], Any] | str, what: str) -> None:
    """A list that may be cut: the rows (or, with --json, the page document), then on stderr, when it was
    cut, how many were left out and how to get them."""
    page = plain(page)
    emit(page if as_json else page[key], as_json, render)
    if page["truncated"]:
        note(f"showing {page['count']} of {page['total']} {what}; --all for every one, "
             f"or --after {page['next_after']} for the next")


def report_error(code: str, message: str, details: dict[str, Any] | None = None, *, payment: bool = False,
                 as_json: bool = False) -> None:
    """One error line (or the JSON error). Card numbers are masked: every Luhn-valid number when the
    command takes a payment (`payment`), elsewhere only those that cannot be a code of the catalog."""
    from pos.redact import mask_card_numbers, mask_stray_card_numbers

    # A card number typed where a SKU was expected is not echoed; a scanned GTIN is.
    message = (mask_card_numbers if payment else mask_stray_card_numbers)(message)
    if as_json:  # JSON escapes every control character itself
        body = {"code": code, "message": message, **(details or {})}
        print_json({"error": body})
    else:
        from pos.textcells import visible

        # A message can quote what a person or a file gave (an unknown SKU): an escape in it is shown, not
        # obeyed by the terminal.
        typer.secho(f"error: {visible(message)}", err=True, fg="red")


def _tell(message: str) -> None:
    try:
        typer.secho(message, err=True, fg="cyan")
    except OSError:  # stderr closed as well: nobody is left to tell
        pass


def _passes_through(exc: BaseException) -> bool:
    from typer.exceptions import TyperException

    return isinstance(exc, (TyperException, typer.Exit, typer.Abort))


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name, in order, where some are made only when first looked up (`builders`)."""

    def __init__(self, built: MutableMapping[str, Any], builders: dict[str, Callable[[], Any]]) -> None:
        self.built = dict(built)
        self._builders = {name: make for name, make in builders.items() if name not in self.built}
        self._order = [*self.built, *self._builders]

    def __getitem__(self, name: str) -> Any:
        if name not in self.built and name in self._builders:
            self.built[name] = self._builders.pop(name)()
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._builders.pop(name, None)
        if name not in self._order:
            self._order.append(name)
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.built.pop(name, None)
        self._builders.pop(name, None)
        self._order.remove(name)

    def __contains__(self, name: object) -> bool:
        return name in self.built or name in self._builders

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)


def _quicken(command: Any) -> None:
    try:
        from pos.commands._typer_params import quicken

        quicken(command)
    except (ImportError, AttributeError):  # a Typer whose internals moved: its own parsing, slower but right
        pass


class PosGroup(TyperGroup):
    """The one place where domain errors become a one-line message (or JSON error) and an exit status.

    It also hands the plain `str`/`int` parameters of every command to `_typer_params.quicken`, so
    parsing them does not import pydantic (see that module), and builds each command group of `groups` on
    first use.
    """

    groups: dict[str, str] = {}
    """Command groups by name, in the order help lists them (after the commands), each the module whose
    `app` it is: imported and built the first time it is asked for, so a one-shot command (`pos cart add`)
    has Typer read the signatures of its own group's commands only, not all sixty (which took longer than
    the command's own work)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.commands, {name: self._builder(name, module) for name, module in self.groups.items()})

    def _builder(self, name: str, module: str) -> Callable[[], Any]:
        def build() -> Any:
            import importlib

            # Built as Typer builds a group added with `add_typer` under a root with this group's settings;
            # tests/unit/test_lazy_groups.py compares every command with the tree built all at once.
            root = typer.Typer(rich_markup_mode=self.rich_markup_mode, suggest_commands=self.suggest_commands,
                               add_completion=False)
            root.add_typer(importlib.import_module(module).app, name=name)
            group = typer.main.get_command(root).commands[name]  # type: ignore[attr-defined]
            _quicken(group)
            return group

        return build

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names alone: TyperGroup's own reads every command, building each

    def make_context(self, *args: Any, **kwargs: Any):
        _quicken(self)  # here, not in __init__: Typer adds the completion options after making the group
        return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        ctx.obj = Invocation(writes_before=_writes_committed())
        try:
            return self._invoke(ctx)
        finally:
            ctx.obj.close()

    def _invoke(self, ctx):
        from pos.errors import PosError

        state: Invocation = ctx.obj
        payment = _takes_payment([*getattr(ctx, "_protected_args", []), *ctx.args])
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (`pos ... | head`): stop quietly, as other command-line tools do, unless
            # the change is already committed: then say so, and do not report it as failed (a retry would
            # add the cart line or the stock a second time).
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            if state.change_saved():
                _tell("note: the change was saved; only its output was cut off (the reader closed the pipe)")
                raise typer.Exit(0) from None
            raise typer.Exit(141) from None
        except PosError as err:
            body = err.to_dict()
            report_error(body.pop("code"), body.pop("message"), body, payment=payment, as_json=state.json)
            raise typer.Exit(err.exit_code) from None
        except Exception as exc:
            if isinstance(getattr(exc, "message", None), str) and _passes_through(exc):
                from pos.redact import mask_card_numbers, mask_stray_card_numbers

                # "unexpected extra argument (4242...)"
                exc.message = (mask_card_numbers if payment else mask_stray_card_numbers)(exc.message)
            if _passes_through(exc) or os.environ.get("POS_DEBUG"):
                raise
            first_line = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
            saved = ""
            if state.change_saved():
                saved = ("; the change was saved, do not repeat the command" if state.rendering
                         else "; changes made before it were saved, check before repeating the command")
            report_error("internal_error", f"unexpected {type(exc).__name__}: {first_line}{saved} (POS_DEBUG=1 shows more)",
                         {"saved": True} if saved else None, payment=payment, as_json=state.json)
            raise typer.Exit(70) from None


# Commands and options through which a card number can arrive: their errors mask every card-shaped number.
_PAYMENT_COMMANDS = {"checkout", "batch"}
_PAYMENT_OPTIONS = ("--card", "--pay", "--expiry")


def _takes_payment(words: list[str]) -> bool:
    return any(w in _PAYMENT_COMMANDS or w.startswith(_PAYMENT_OPTIONS) for w in words)


def parse_pairs(pairs: list[str] | None, what: str) -> dict[str, str]:
    from pos.pairs import key_value

    found: dict[str, str] = {}
    for pair in pairs or []:
        if (kv := key_value(pair)) is None:
            from pos.errors import InvalidInput

            # Not echoed: what was typed may be a card number given without its "card=" key.
            raise InvalidInput(f"each {what} must look like KEY=VALUE (one had no key)")
        found[kv[0]] = kv[1]
    return found
