"""Every `--json` output the tests see is checked against the schema its command declares (`pos schema`)."""

from __future__ import annotations

import json
from functools import cache

import jsonschema

from pos.commands.schema import COMMAND_DOCUMENTS


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    from pos.models.documents import json_schema

    schema = json_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def command_of(args: list[str]) -> str | None:
    """The command path ('stock set') among the arguments, skipping `--db URL` before it."""
    words = [a for i, a in enumerate(args) if not (a.startswith("-") or (i and args[i - 1] == "--db"))]
    for size in (2, 1):
        path = " ".join(words[:size])
        if path in COMMAND_DOCUMENTS:
            return path
    return None


def wants_json(args: list[str]) -> bool:
    return "--json" in args or any(a == "--format=json" or (a == "json" and i and args[i - 1] == "--format")
                                   for i, a in enumerate(args))


def check_json_output(args: list[str], stdout: str) -> None:
    """Each JSON line on stdout is the command's document, or the error document."""
    args = [str(a) for a in args]
    if not wants_json(args) or not stdout.strip():
        return
    command = command_of(args)
    for line in stdout.splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        if isinstance(doc, dict) and set(doc) == {"error"}:
            validator("error").validate(doc)
        else:
            assert command is not None, f"`pos {' '.join(args)}` printed JSON but declares no document"
            validator(COMMAND_DOCUMENTS[command]).validate(doc)
