"""Errors: one line for people (never a traceback), {"error": ...} for scripts, exit 1; usage errors exit 2."""

import json

import pytest

DOMAIN_ERRORS = [
    (["cart", "add", "1", "NOPE"], "not_found"),
    (["cart", "add", "1", "TSHIRT-M", "--from", "NOWHERE"], "not_found"),
    (["cart", "show", "99"], "not_found"),
    (["cart", "add", "1", "TSHIRT-M", "--qty", "0"], "invalid_input"),
    (["cart", "add", "1", "TSHIRT-M", "--qty", "11"], "insufficient_stock"),
    (["cart", "add", "1", "CROISSANT", "--from", "WH-1"], "not_deliverable"),
    (["stock", "set", "NOPE", "STORE-1", "1"], "not_found"),
    (["stock", "check", "TSHIRT-M", "--location", "NOWHERE"], "not_found"),
    (["stock", "adjust", "TSHIRT-M", "STORE-1", "0"], "invalid_input"),
    (["order", "show", "42"], "not_found"),
    (["receipt", "42"], "not_found"),
    (["order", "list", "--status", "shipped"], "invalid_input"),
    (["location", "add", "STORE-1", "--name", "Again"], "already_exists"),
    (["location", "add", "X", "--name", "X", "--tax-rate", "abc"], "invalid_input"),
    (["variant", "add", "V", "--product", "NOPE", "--price", "1"], "not_found"),
    (["variant", "add", "V", "--product", "TSHIRT", "--price", "1.999"], "invalid_input"),
    (["checkout", "1", "--pay", "bitcoin"], "unknown_processor"),
    (["checkout", "1", "--pay", "card", "--card", "4242424242424241"], "invalid_input"),
    (["checkout", "1", "--pay", "card", "--card", "4242424242424242", "--expiry", "01/20"], "invalid_input"),
    (["checkout", "1", "--pay", "cash"], "invalid_input"),
    (["checkout", "1", "--pay", "cash", "--tendered", "12,50"], "invalid_input"),
    (["checkout", "1", "--pay", "cash", "--tendered", "50"], "empty_cart"),
    (["checkout", "99", "--pay", "cash", "--tendered", "50"], "not_found"),
]


@pytest.fixture
def open_cart(cli, store):
    assert cli("cart", "new", "--location", "STORE-1").exit_code == 0
    return cli


@pytest.mark.parametrize("args, code", DOMAIN_ERRORS, ids=[" ".join(a) for a, _ in DOMAIN_ERRORS])
def test_domain_errors_are_one_line_for_people_and_exit_1(open_cart, args, code):
    result = open_cart(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, code", DOMAIN_ERRORS, ids=[" ".join(a) for a, _ in DOMAIN_ERRORS])
def test_domain_errors_with_json_are_an_error_document_on_stdout(open_cart, args, code):
    result = open_cart(*args, "--json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_a_rejected_card_number_is_not_echoed_back(open_cart):
    result = open_cart("checkout", "1", "--pay", "card", "--card", "4242424242424241")
    assert "4242424242424241" not in result.stdout + result.stderr


def test_a_malformed_pay_option_does_not_echo_what_was_typed(open_cart):
    # A clerk who forgets the "card=" part has typed a card number; it must not be printed back.
    result = open_cart("checkout", "1", "--pay", "card", "--pay-option", "4242424242424242")
    assert result.exit_code == 1
    assert "KEY=VALUE" in result.stderr
    assert "4242424242424242" not in result.stdout + result.stderr


@pytest.mark.parametrize("args", [
    ["cart", "add", "1"],  # missing SKU
    ["cart", "add", "1", "TSHIRT-M", "--qty", "two"],
    ["cart", "show", "one"],
    ["checkout", "1"],  # --pay is required
    ["stock", "frobnicate"],
    ["nonsense"],
])
def test_usage_errors_keep_exit_status_2(open_cart, args):
    result = open_cart(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr


def test_every_command_before_init_says_not_initialised(cli):
    for args in (["location", "list"], ["cart", "new", "--location", "S"], ["stock", "check", "X"],
                 ["order", "list"], ["product", "list"]):
        result = cli(*args, "--json")
        assert result.exit_code == 1, args
        assert json.loads(result.stdout)["error"]["code"] == "not_initialised"
        human = cli(*args)
        assert "pos init" in human.stderr and "Traceback" not in human.stderr


def test_init_twice_is_harmless_and_says_where_the_database_is(cli, db_url):
    first = cli("init", "--json")
    assert first.exit_code == 0
    assert json.loads(first.stdout)["created"] is True
    assert cli("location", "add", "S", "--name", "Shop").exit_code == 0
    second = cli("init")
    assert second.exit_code == 0
    assert "up to date" in second.stdout
    if db_url.startswith("sqlite"):
        assert db_url.removeprefix("sqlite:///") in second.stdout  # the whole path, unbroken
    again = json.loads(cli("init", "--json").stdout)
    assert again["created"] is False and again["currency"] == "USD"
    assert [r["code"] for r in json.loads(cli("location", "list", "--json").stdout)] == ["S"]


def test_init_names_the_sqlite_file_it_uses(cli, sqlite_url):
    from typer.testing import CliRunner

    from pos.cli import app

    path = sqlite_url.removeprefix("sqlite:///")
    result = CliRunner().invoke(app, ["--db", path, "init"])
    assert result.exit_code == 0
    assert path in result.stdout


def test_the_database_can_come_from_pos_database_url(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pos.cli import app

    monkeypatch.setenv("POS_DATABASE_URL", str(tmp_path / "env.db"))
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_version_is_shown(cli):
    from pos import __version__

    result = cli("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_a_card_number_typed_in_the_wrong_place_is_not_echoed_in_errors(tmp_path):
    from typer.testing import CliRunner

    from pos.cli import app

    db = f"sqlite:///{tmp_path / 'pos.db'}"
    for args in (["init"], ["location", "add", "S1", "--name", "Shop"], ["cart", "new", "--location", "S1"]):
        assert CliRunner().invoke(app, ["--db", db, *args]).exit_code == 0
    usage = CliRunner().invoke(app, ["--db", db, "checkout", "3", "--pay", "card", "4242424242424242"])
    as_sku = CliRunner().invoke(app, ["--db", db, "cart", "add", "1", "4242 4242 4242 4242"])
    for result in (usage, as_sku):
        assert result.exit_code in (1, 2)
        assert "4242424242424242" not in result.output and "4242 4242 4242" not in result.output
        assert "****4242" in result.output
