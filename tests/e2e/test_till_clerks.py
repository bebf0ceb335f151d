"""The till with clerks: sign-in at the start, `lock`, idle re-lock, approval for returns, PINs kept out."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pos.cli import app
from pos.services import auth, clerks

BOSS, BOSS_PIN = "Maria Lopez", "73915284"
ANN, ANN_PIN = "Ann Lee", "60418273"
CLEAR = {"POS_CLERK": None, "POS_PIN": None, "POS_APPROVER": None, "POS_APPROVER_PIN": None, "POS_TILL_IDLE": None}


@pytest.fixture(autouse=True)
def _cheap_pin_hashes(monkeypatch):
    from pos.services import pins

    monkeypatch.setattr(pins, "N", 2**10)


@pytest.fixture
def staffed(store):
    clerks.add_clerk(store, name=BOSS, role="manager", pin=BOSS_PIN)
    with auth.acting(clerks.sign_in(store, BOSS, BOSS_PIN)):
        clerks.add_clerk(store, name=ANN, role="clerk", pin=ANN_PIN)
    return store


@pytest.fixture
def till(db_url):
    def run(script: str, env: dict | None = None):
        return CliRunner().invoke(app, ["--db", db_url, "till", "--location", "STORE-1"], input=script,
                                  env={**CLEAR, **(env or {})})
    return run


def orders(db_url):
    out = CliRunner().invoke(app, ["--db", db_url, "order", "list", "--json"])
    return json.loads(out.stdout)["orders"]


def test_a_till_without_clerks_asks_nobody(till, store, db_url):
    out = till("TSHIRT-M\npay cash 30\nquit\n")
    assert out.exit_code == 0, out.output
    assert len(orders(db_url)) == 1


def test_the_till_needs_a_clerk_and_their_pin_from_the_environment_when_piped(till, staffed, db_url):
    nobody = till("TSHIRT-M\npay cash 30\n")
    assert nobody.exit_code == 1 and "POS_CLERK" in nobody.stderr
    wrong = till("TSHIRT-M\npay cash 30\n", env={"POS_CLERK": ANN, "POS_PIN": "1111"})
    assert wrong.exit_code == 1 and "wrong clerk name or PIN" in wrong.stderr
    assert orders(db_url) == []
    ok = till("TSHIRT-M\npay cash 30\n", env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN})
    assert ok.exit_code == 0, ok.output
    assert "Served by Ann" in ok.stdout


def test_lock_asks_for_a_clerk_and_pin_and_keeps_the_pin_out_of_the_transcript(till, staffed, db_url):
    script = f"TSHIRT-M\nlock\n{ANN}\n99999999\n{BOSS}\n{BOSS_PIN}\nCROISSANT\npay cash 40\n"
    out = till(script, env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN})
    assert out.exit_code == 0, out.output
    assert "locked: sign in" in out.stdout and f"signed in: {BOSS}" in out.stdout
    assert "99999999" not in out.output and BOSS_PIN not in out.output and ANN_PIN not in out.output
    assert "wrong clerk name or PIN" in out.stderr
    (order,) = orders(db_url)
    shown = CliRunner().invoke(app, ["--db", db_url, "order", "show", str(order["id"]), "--json"])
    assert json.loads(shown.stdout)["clerk"] == BOSS  # who took the payment
    assert {i["sku"] for i in json.loads(shown.stdout)["items"]} == {"TSHIRT-M", "CROISSANT"}


def test_an_idle_till_locks_and_does_not_run_the_line_typed_after(till, staffed, db_url, monkeypatch):
    from pos.commands import _till_signin

    moments = iter([0.0, 0.0, 10.0, 10.0, 500.0, 500.0, 500.0, 500.0, 500.0, 500.0, 500.0, 500.0])
    monkeypatch.setattr(_till_signin, "clock", lambda: next(moments, 500.0))
    script = f"TSHIRT-M\nCROISSANT\n{ANN}\n{ANN_PIN}\npay cash 40\n"
    out = till(script, env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN, "POS_TILL_IDLE": "60"})
    assert out.exit_code == 0, out.output
    assert "idle for more than 60s: that line was not run" in out.stdout
    (order,) = orders(db_url)
    shown = CliRunner().invoke(app, ["--db", db_url, "order", "show", str(order["id"]), "--json"])
    assert [i["sku"] for i in json.loads(shown.stdout)["items"]] == ["TSHIRT-M"]


def test_a_return_at_the_till_needs_a_manager(till, staffed, db_url):
    sold = till("TSHIRT-M\npay cash 30\n", env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN})
    assert sold.exit_code == 0
    order_id = orders(db_url)[0]["id"]
    alone = till(f"return {order_id} TSHIRT-M\n", env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN})
    assert "approval" in alone.stderr
    approved = till(f"return {order_id} TSHIRT-M\n", env={
        "POS_CLERK": ANN, "POS_PIN": ANN_PIN, "POS_APPROVER": BOSS, "POS_APPROVER_PIN": BOSS_PIN})
    assert approved.exit_code == 0 and "paid back" in approved.stdout, approved.output
    assert BOSS_PIN not in approved.output


def test_a_discount_above_the_limit_at_the_till_is_approved_by_a_manager(till, staffed, db_url):
    script = "TSHIRT-M\ndisc 50% / damaged box\npay cash 30\n"
    alone = till(script, env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN})
    assert "approval" in alone.stderr  # STORE-1's limit is 0 %: the clerk alone is refused, the sale goes on
    approved = till(script, env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN, "POS_APPROVER": BOSS,
                                 "POS_APPROVER_PIN": BOSS_PIN})
    assert approved.exit_code == 0, approved.output
    assert "a manager approves" in approved.stdout and "damaged box" in approved.stdout
    assert BOSS_PIN not in approved.output
    first, second = sorted(orders(db_url), key=lambda o: o["id"])
    assert first["total"] > second["total"]  # the first sale was paid at list price, the second at half


def test_a_bad_idle_setting_is_a_clear_error(till, staffed):
    out = till("quit\n", env={"POS_CLERK": ANN, "POS_PIN": ANN_PIN, "POS_TILL_IDLE": "soon"})
    assert out.exit_code == 1 and "POS_TILL_IDLE" in out.stderr


def test_at_a_terminal_pins_are_asked_hidden_and_stay_out_of_the_screen_and_the_line_history(staffed, monkeypatch):
    from test_till_terminal import POS, Terminal

    for name in CLEAR:
        monkeypatch.delenv(name, raising=False)
    term = Terminal([POS, "--db", staffed.url, "till", "--location", "STORE-1"])
    term.expect(b"Clerk: ")
    term.type(f"{ANN}\n")
    term.expect(b"PIN for Ann Lee: ")
    term.type(f"{ANN_PIN}\n")
    term.expect(b"STORE-1> ")
    term.type("TSHIRT-M\n")
    term.expect(b"STORE-1> ")
    term.type("lock\n")
    term.expect(b"Clerk [Ann Lee]: ")
    term.type("\n")
    term.expect(b"PIN for Ann Lee: ")
    term.type(f"{ANN_PIN}\n")
    term.expect(b"signed in: Ann Lee")
    term.expect(b"STORE-1> ")
    term.type("\x1b[A\x1b[A\x1b[A\x1b[A\n")  # up the line history as far as it goes, and run that line
    term.expect(b"STORE-1> ")
    term.type("\x04")
    assert term.close() == 0
    assert ANN_PIN.encode() not in term.seen
    assert b"TSHIRT-M" in term.seen


def test_clerk_add_at_a_terminal_asks_the_pin_twice_hidden_and_refuses_two_different_ones(db, monkeypatch):
    from test_till_terminal import POS, Terminal

    for name in CLEAR:
        monkeypatch.delenv(name, raising=False)
    term = Terminal([POS, "--db", db.url, "clerk", "add", BOSS, "--role", "manager"])
    term.expect(b"New PIN (4 to 8 digits): ")
    term.type(f"{BOSS_PIN}\n")
    term.expect(b"The same PIN again: ")
    term.type("11112222\n")
    term.expect(b"the two PINs differ")
    assert term.close() == 1
    assert not clerks.clerks_exist(db)
    term = Terminal([POS, "--db", db.url, "clerk", "add", BOSS, "--role", "manager"])
    term.expect(b"New PIN (4 to 8 digits): ")
    term.type(f"{BOSS_PIN}\n")
    term.expect(b"The same PIN again: ")
    term.type(f"{BOSS_PIN}\n")
    term.expect(BOSS.encode())
    assert term.close() == 0
    assert BOSS_PIN.encode() not in term.seen
    assert clerks.sign_in(db, BOSS, BOSS_PIN).role == "manager"
