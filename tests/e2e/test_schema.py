"""`pos schema` publishes the shape of every --json document, and each command with --json declares one."""

import json

import jsonschema
import pytest
import typer
from typer.testing import CliRunner

from pos.cli import app
from pos.commands.schema import COMMAND_DOCUMENTS
from schemas import check_json_output, validator


def _commands(group, prefix: str = ""):
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield path, command


def _has_json(command) -> bool:
    return any("--json" in getattr(p, "opts", ()) for p in command.params)


def test_pos_schema_lists_the_documents_scripts_need():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    names = {line.split()[0] for line in result.stdout.splitlines()}
    assert {"order", "cart", "stock", "batch-line", "batch-result", "error"} <= names
    assert set(COMMAND_DOCUMENTS.values()) <= names


def test_pos_schema_prints_a_valid_json_schema():
    result = CliRunner().invoke(app, ["schema", "order"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {"id", "status", "items", "total", "payment", "refunded", "refunds"} <= set(schema["required"])
    status = schema["$defs"]["OrderStatus"]["enum"]
    assert status == ["pending", "processing", "completed", "payment_failed", "partially_refunded", "refunded",
                      "cancelled"]
    assert schema["$defs"]["RefundStatus"]["enum"] == ["pending", "approved", "declined"]


def test_an_unknown_document_is_one_line_naming_the_known_ones():
    result = CliRunner().invoke(app, ["schema", "orders"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "order, order-page" in result.stderr


def test_every_command_with_json_declares_its_document():
    commands = dict(_commands(typer.main.get_command(app)))
    with_json = {path for path, command in commands.items() if _has_json(command)}
    assert with_json == set(COMMAND_DOCUMENTS)


def test_the_schema_rejects_a_misspelt_key_and_an_unknown_status():
    good = {"line": 1, "ref": "A-1", "order_id": 7, "status": "processing", "error": None, "replayed": False}
    validator("batch-result").validate(good)
    with pytest.raises(jsonschema.ValidationError):
        validator("batch-result").validate({**good, "status": "paid"})
    with pytest.raises(jsonschema.ValidationError):
        check_json_output(["batch", "-", "--json"], json.dumps({**good, "orderid": 7}))


def test_the_example_batch_line_matches_batch_line_and_a_line_without_ref_does_not():
    line = {"ref": "A-1", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 2, "from": "WH-1"}],
            "payment": {"processor": "card", "card": "4242424242424242"}}
    validator("batch-line").validate(line)
    with pytest.raises(jsonschema.ValidationError):
        validator("batch-line").validate({k: v for k, v in line.items() if k != "ref"})


def test_a_json_error_matches_the_error_document(cli):
    result = cli("order", "show", "999", "--json")
    assert result.exit_code == 1
    validator("error").validate(json.loads(result.stdout))  # the fixture checked it too; this says so plainly


@pytest.mark.parametrize("name", ["refund", "refund-list", "cancellation"])
def test_the_refund_documents_are_published_with_closed_statuses(name):
    result = CliRunner().invoke(app, ["schema", name])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$defs"]["OrderStatus"]["enum"][-3:] == ["partially_refunded", "refunded", "cancelled"]
    if name != "cancellation":
        assert schema["$defs"]["RefundStatus"]["enum"] == ["pending", "approved", "declined"]
