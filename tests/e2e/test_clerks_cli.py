"""Clerks at the command line: sign-in, approval, lock-out, the audit log, and PINs that never leak."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from hostile import NAMES, stored
from pos.cli import app
from pos.services import auth, clerks
from pos.services import tables as t
from schemas import check_json_output

BOSS, BOSS_PIN = "Maria Lopez", "73915284"
ANN, ANN_PIN = "Ann Lee", "60418273"
CARD = "4242424242424242"
AS_ANN = {"POS_CLERK": ANN, "POS_PIN": ANN_PIN}
AS_BOSS = {"POS_CLERK": BOSS, "POS_PIN": BOSS_PIN}
APPROVED = {**AS_ANN, "POS_APPROVER": BOSS, "POS_APPROVER_PIN": BOSS_PIN}
CLEAR = {"POS_CLERK": None, "POS_PIN": None, "POS_APPROVER": None, "POS_APPROVER_PIN": None}



@pytest.fixture(autouse=True)
def _cheap_pin_hashes(monkeypatch):
    """Hashes at a low scrypt cost (the stored hash names its cost, so checking works alike): the full
    cost is tested in tests/unit/test_pins.py and would make each sign-in here take a fifth of a second."""
    from pos.services import pins

    monkeypatch.setattr(pins, "N", 2**10)

@pytest.fixture
def run(db_url):
    """`pos --db URL ...` with an environment of its own; every output is kept for the leak checks."""
    seen: list[str] = []

    def invoke(*args, env=None, input=None):
        result = CliRunner().invoke(app, ["--db", db_url, *[str(a) for a in args]], env={**CLEAR, **(env or {})},
                                    input=input)
        check_json_output([str(a) for a in args], result.stdout)
        seen.append(result.stdout + result.stderr)
        return result

    invoke.seen = seen
    return invoke


@pytest.fixture
def staffed(store):
    clerks.add_clerk(store, name=BOSS, role="manager", pin=BOSS_PIN)
    with auth.acting(clerks.sign_in(store, BOSS, BOSS_PIN)):
        clerks.add_clerk(store, name=ANN, role="clerk", pin=ANN_PIN)
    return store


def sell(run, env, sku="TSHIRT-M", qty=2):
    cart = run("cart", "new", "--location", "STORE-1", "--json", env=env)
    assert cart.exit_code == 0, cart.output
    cart_id = json.loads(cart.stdout)["id"]
    assert run("cart", "add", cart_id, sku, "--qty", qty, env=env).exit_code == 0
    done = run("checkout", cart_id, "--pay", "card", "--card", CARD, "--json", env=env)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def audit(run, *args):
    out = run("audit", "--all", "--json", *args)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["entries"]


def test_a_store_without_clerks_sells_and_returns_as_before(run, store):
    order = sell(run, None)
    assert order["clerk"] is None and order["approved_by"] is None
    back = run("return", order["id"], "TSHIRT-M=1", "--json")
    assert back.exit_code == 0, back.output
    assert run("stock", "adjust", "TSHIRT-M", "STORE-1", "5").exit_code == 0
    assert "Served by" not in run("receipt", order["id"], "--format", "text").stdout
    assert [e["clerk"] for e in audit(run)] == [None] * len(audit(run))


def test_the_first_clerk_must_be_a_manager_and_the_pin_is_read_from_stdin(run, store):
    refused = run("clerk", "add", ANN, "--role", "clerk", "--pin-stdin", input=f"{ANN_PIN}\n")
    assert refused.exit_code == 1 and "first clerk must be a manager" in refused.stderr
    added = run("clerk", "add", BOSS, "--role", "manager", "--pin-stdin", "--json", input=f"{BOSS_PIN}\n")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout) == {**json.loads(added.stdout), "name": BOSS, "role": "manager", "active": True}
    second = run("clerk", "add", ANN, "--role", "clerk", "--pin-stdin", input=f"{ANN_PIN}\n")
    assert second.exit_code == 1 and "--clerk" in second.stderr
    assert run("clerk", "add", ANN, "--role", "clerk", "--pin-stdin", input=f"{ANN_PIN}\n", env=AS_BOSS).exit_code == 0
    assert run("clerk", "add", "Bob", "--role", "clerk", "--pin-stdin", input="12\n", env=AS_BOSS).exit_code == 1
    listed = json.loads(run("clerk", "list", "--json").stdout)
    assert [(c["name"], c["role"]) for c in listed] == [(ANN, "clerk"), (BOSS, "manager")]


def test_with_clerks_a_change_needs_a_signed_in_clerk_and_changes_nothing_without(run, staffed):
    out = run("cart", "new", "--location", "STORE-1", "--json")
    assert out.exit_code == 1
    assert json.loads(out.stdout)["error"]["code"] == "sign_in_required"
    no_pin = run("cart", "new", "--location", "STORE-1", "--clerk", ANN, "--json")
    assert json.loads(no_pin.stdout)["error"]["code"] == "pin_required"
    wrong = run("cart", "new", "--location", "STORE-1", "--json", env={**AS_ANN, "POS_PIN": "1111"})
    assert wrong.exit_code == 1 and json.loads(wrong.stdout)["error"]["code"] == "auth_failed"
    assert json.loads(run("cart", "list", "--json").stdout) == []  # read-only: no sign-in
    assert run("stock", "check", "TSHIRT-M").exit_code == 0


def test_the_order_names_the_clerk_and_the_receipt_their_first_name_only(run, staffed):
    order = sell(run, AS_ANN)
    assert (order["clerk"], order["approved_by"]) == (ANN, None)
    shown = run("order", "show", order["id"])
    assert "Served by Ann Lee" in shown.stdout
    paper = run("receipt", order["id"], "--format", "text", "--width", "32").stdout
    assert "Served by Ann" in paper and "Lee" not in paper
    assert "Served by Ann" in run("receipt", order["id"]).stdout
    with staffed.read() as conn:
        pay = conn.execute(select(t.payment.c.clerk_id)).scalar()
        ann = conn.execute(select(t.clerk.c.id).where(t.clerk.c.name == ANN)).scalar()
    assert pay == ann


def test_a_clerk_cannot_return_alone_and_nothing_changes(run, staffed):
    order = sell(run, AS_ANN)
    refused = run("return", order["id"], "TSHIRT-M=1", "--json", env=AS_ANN)
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"]["code"] == "approval_required"
    assert json.loads(run("order", "show", order["id"], "--json").stdout)["refunds"] == []
    other = run("return", order["id"], "TSHIRT-M=1", "--approve", BOSS, "--json",
                env={**AS_ANN, "POS_APPROVER": "Someone Else", "POS_APPROVER_PIN": BOSS_PIN})
    assert json.loads(other.stdout)["error"]["code"] == "pin_required"  # that PIN is Someone Else's
    not_a_manager = run("return", order["id"], "TSHIRT-M=1", "--approve", ANN, env={**AS_ANN, "POS_APPROVER_PIN": ANN_PIN})
    assert not_a_manager.exit_code == 1 and "not a manager" in not_a_manager.stderr
    cancel = run("order", "cancel", order["id"], env=AS_ANN)
    assert cancel.exit_code == 1 and "approval" in cancel.stderr
    assert json.loads(run("order", "show", order["id"], "--json").stdout)["status"] == "processing"


def test_a_managers_approval_is_recorded_on_the_refund_and_in_the_audit_log(run, staffed):
    order = sell(run, AS_ANN)
    done = run("return", order["id"], "TSHIRT-M=1", "--approve", BOSS, "--json",
               env={**AS_ANN, "POS_APPROVER_PIN": BOSS_PIN})
    assert done.exit_code == 0, done.output
    with staffed.read() as conn:
        ids = dict(conn.execute(select(t.clerk.c.name, t.clerk.c.id)).all())
        refund = conn.execute(select(t.refund.c.clerk_id, t.refund.c.approver_id)).one()
        movement = conn.execute(select(t.stock_movement.c.clerk_id, t.stock_movement.c.approver_id)
                                .where(t.stock_movement.c.source == "refund")).one()
    assert tuple(refund) == tuple(movement) == (ids[ANN], ids[BOSS])
    doc = json.loads(done.stdout)
    assert (doc["clerk"], doc["approved_by"]) == (ANN, BOSS)
    shown = run("refund", "show", doc["id"], env={"COLUMNS": "200"}).stdout
    assert f"Taken back by {ANN}, approved by {BOSS}" in shown
    paper = run("refund", "show", doc["id"], "--format", "text").stdout
    assert "Served by Ann" in paper and "Lee" not in paper and BOSS not in paper
    row = audit(run, "--action", "return")[0]
    assert (row["clerk"], row["approved_by"], row["order_id"], row["amount"]) == (
        ANN, BOSS, order["id"], json.loads(done.stdout)["amount"])


def test_a_manager_approves_their_own_stock_change(run, staffed):
    assert run("stock", "adjust", "TSHIRT-M", "STORE-1", "3", env=AS_ANN).exit_code == 1
    assert run("stock", "set", "TSHIRT-M", "STORE-1", "4", env=AS_ANN).exit_code == 1
    assert json.loads(run("stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json").stdout)[
        "levels"][0]["on_hand"] == 10
    # $POS_APPROVER is for clerks: a manager still approves their own action
    assert run("stock", "adjust", "TSHIRT-M", "STORE-1", "3", "--reason", "delivery",
               env={**AS_BOSS, "POS_APPROVER": ANN, "POS_APPROVER_PIN": ANN_PIN}).exit_code == 0
    assert run("stock", "set", "TSHIRT-M", "STORE-1", "7", env=APPROVED).exit_code == 0
    rows = audit(run, "--action", "stock_change")[:2]  # newest first; the store's own set-up came before
    assert [(r["clerk"], r["approved_by"], r["sku"], r["location"]) for r in rows] == [
        (ANN, BOSS, "TSHIRT-M", "STORE-1"), (BOSS, BOSS, "TSHIRT-M", "STORE-1")]
    assert rows[1]["detail"] == "adjusted +3 to 13: delivery" and rows[0]["detail"] == "set to 7 (-6)"


def test_five_wrong_pins_lock_the_clerk_and_the_audit_log_says_so(run, staffed):
    for attempt in range(5):
        out = run("cart", "new", "--location", "STORE-1", "--json", env={**AS_ANN, "POS_PIN": "0000"})
        assert json.loads(out.stdout)["error"]["code"] == ("clerk_locked" if attempt == 4 else "auth_failed")
    locked = run("cart", "new", "--location", "STORE-1", env=AS_ANN)
    assert locked.exit_code == 1 and "locked" in locked.stderr
    assert len(audit(run, "--action", "locked_out")) == 1
    assert len(audit(run, "--action", "sign_in_failed", "--clerk", ANN)) == 6
    listed = {c["name"]: c for c in json.loads(run("clerk", "list", "--json").stdout)}
    assert listed[ANN]["locked_until"] is not None and listed[BOSS]["locked_until"] is None
    assert run("clerk", "pin", ANN, "--pin-stdin", input="2468\n", env=AS_BOSS).exit_code == 0
    assert run("cart", "new", "--location", "STORE-1", env={**AS_ANN, "POS_PIN": "2468"}).exit_code == 0


def test_every_action_leaves_its_audit_row(run, staffed):
    assert run("location", "add", "STORE-2", "--name", "Second", env=AS_ANN).exit_code == 0
    assert run("location", "update", "STORE-2", "--tax-rate", "5", env=AS_ANN).exit_code == 1  # a price
    assert run("location", "update", "STORE-2", "--tax-rate", "5", env=AS_BOSS).exit_code == 0
    assert run("product", "add", "MUG", "--name", "Mug", env=AS_ANN).exit_code == 0
    assert run("variant", "add", "MUG-1", "--product", "MUG", "--price", "4.50", env=AS_ANN).exit_code == 0
    order = sell(run, AS_ANN)
    other = sell(run, AS_ANN, qty=1)
    assert run("return", order["id"], "TSHIRT-M=1", env=APPROVED).exit_code == 0
    assert run("order", "cancel", other["id"], env=AS_BOSS).exit_code == 0
    assert run("stock", "adjust", "CROISSANT", "STORE-1", "2", env=AS_BOSS).exit_code == 0
    assert run("clerk", "pin", ANN, "--pin-stdin", input="2468\n", env=AS_ANN).exit_code == 0
    assert run("cart", "new", "--location", "STORE-1", env=AS_ANN).exit_code == 1  # the old PIN
    assert run("clerk", "disable", ANN, env=AS_BOSS).exit_code == 0
    actions = {e["action"] for e in audit(run)}
    assert actions >= {"clerk_added", "catalog_change", "price_change", "sale", "return", "cancel", "stock_change",
                       "clerk_pin_changed", "sign_in_failed", "clerk_disabled"}
    sales = audit(run, "--action", "sale")
    assert [(s["order_id"], s["amount"], s["clerk"]) for s in sales] == [
        (other["id"], other["total"], ANN), (order["id"], order["total"], ANN)]
    price = audit(run, "--action", "price_change")[0]
    assert (price["clerk"], price["approved_by"], price["location"]) == (BOSS, BOSS, "STORE-2")
    assert "0% -> 5%" in price["detail"]
    assert run("audit", "--action", "nonsense").exit_code == 1
    assert audit(run, "--since", "2999-01-01") == []
    assert len(audit(run, "--since", "2000-01-01 08:00")) == len(audit(run))


def test_audit_rows_refuse_update_and_delete(run, staffed, db_url):
    from sqlalchemy.exc import DBAPIError

    sell(run, AS_ANN)
    for statement in ("UPDATE audit_log SET clerk_name = 'someone else'", "DELETE FROM audit_log WHERE action = 'sale'"):
        with pytest.raises(DBAPIError):
            with staffed.write() as conn:
                conn.execute(text(statement))
    assert [e["clerk"] for e in audit(run, "--action", "sale")] == [ANN]


def test_batch_signs_in_from_the_environment_and_returns_need_a_manager(run, staffed):
    order = json.dumps({"ref": "b-1", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 2}],
                        "payment": {"processor": "cash", "tendered": "100"}})
    assert run("batch", "-", "--json", input=order + "\n").exit_code == 1  # nobody signed in
    sold = run("batch", "-", "--json", input=order + "\n", env=AS_ANN)
    assert sold.exit_code == 0, sold.output
    order_id = json.loads(sold.stdout.splitlines()[0])["order_id"]
    ret = json.dumps({"ref": "r-1", "return": {"order": order_id, "items": [{"sku": "TSHIRT-M", "qty": 1}]}})
    alone = run("batch", "-", "--json", input=ret + "\n" + ret.replace("r-1", "r-2") + "\n", env=AS_ANN)
    lines = [json.loads(line) for line in alone.stdout.splitlines()[:2]]
    assert [line["error"]["code"] for line in lines] == ["approval_required"] * 2
    approved = run("batch", "-", "--json", input=ret + "\n", env=APPROVED)
    assert approved.exit_code == 0, approved.output
    assert audit(run, "--action", "return")[0]["approved_by"] == BOSS


def test_hostile_clerk_names_are_shown_as_typed(run, staffed):
    wide = {"COLUMNS": "400"}
    assert run("stock", "adjust", "TSHIRT-M", "STORE-1", "100", env=AS_BOSS).exit_code == 0
    for name in [n for n in NAMES if len(stored(n)) <= 100]:
        added = run("clerk", "add", "--role", "clerk", "--pin-stdin", "--", name, input="4321\n", env=AS_BOSS)
        assert added.exit_code == 0, added.output
        who = stored(name)
        order = sell(run, {"POS_CLERK": who, "POS_PIN": "4321"}, qty=1)
        assert order["clerk"] == who
        assert who in [c["name"] for c in json.loads(run("clerk", "list", "--json").stdout)]
        assert audit(run, f"--clerk={who}")[0]["clerk"] == who
        assert who in run("clerk", "list", env=wide).stdout
        assert f"Served by {who}" in run("order", "show", order["id"], env=wide).stdout
        assert who in run("audit", f"--clerk={who}", env=wide).stdout


def test_no_pin_reaches_the_database_or_any_output(run, staffed, db_url):
    sell(run, AS_ANN)
    run("cart", "new", "--location", "STORE-1", "--json", env={**AS_ANN, "POS_PIN": "39571846"})  # a wrong one
    run("clerk", "pin", ANN, "--pin-stdin", "--json", input="84265173\n", env=AS_ANN)
    for args in (("clerk", "list", "--json"), ("clerk", "list"), ("audit", "--json"), ("audit",),
                 ("order", "show", "1", "--json")):
        run(*args, env={"COLUMNS": "400"})
    pins = [BOSS_PIN, ANN_PIN, "39571846", "84265173"]
    for output in run.seen:
        assert not any(pin in output for pin in pins)
    if staffed.sqlite_path is not None:
        staffed.dispose()
        for path in staffed.sqlite_path.parent.iterdir():
            if path.name.startswith("pos.db"):
                raw = path.read_bytes()
                for pin in pins:
                    assert pin.encode() not in raw and pin.encode("utf-16-le") not in raw, (pin, path.name)
    else:
        with staffed.read() as conn:
            tables = conn.execute(text(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND data_type IN ('text', 'character varying')")).all()
            for table, column in tables:
                for value in conn.execute(text(f'SELECT "{column}" FROM "{table}"')).scalars():
                    assert not any(pin in (value or "") for pin in pins), (table, column)


def test_a_discount_that_grows_above_the_limit_when_its_line_shrinks_needs_a_manager(run, staffed):
    """10.00 off ten T-shirts is 5 %, within STORE-1's limit of 10 %; off one it would be 50 %."""
    assert run("location", "update", "STORE-1", "--max-discount", "10", env=AS_BOSS).exit_code == 0
    cart = json.loads(run("cart", "new", "--location", "STORE-1", "--json", env=AS_ANN).stdout)["id"]
    assert run("cart", "add", cart, "TSHIRT-M", "--qty", "10", env=AS_ANN).exit_code == 0
    assert run("cart", "discount", cart, "--sku", "TSHIRT-M", "--amount", "10.00", "--reason", "bulk",
               env=AS_ANN).exit_code == 0
    alone = run("cart", "set", cart, "TSHIRT-M", "1", env=AS_ANN)
    assert alone.exit_code == 1 and "approval" in alone.stderr and "TSHIRT-M" in alone.stderr
    kept = json.loads(run("cart", "show", cart, "--json").stdout)
    assert [i["quantity"] for i in kept["items"]] == [10]  # refused: nothing changed
    approved = run("cart", "set", cart, "TSHIRT-M", "1", "--json", env=APPROVED)
    assert approved.exit_code == 0, approved.output
    assert [i["quantity"] for i in json.loads(approved.stdout)["items"]] == [1]


def test_reconcile_can_give_up_a_sale_so_it_needs_a_manager(run, staffed):
    alone = run("order", "reconcile", env=AS_ANN)
    assert alone.exit_code == 1 and "approval" in alone.stderr
    assert run("order", "reconcile", env=APPROVED).exit_code == 0
    assert run("order", "reconcile", env=AS_BOSS).exit_code == 0


def test_a_pin_typed_as_the_clerks_name_is_never_shown(run, staffed):
    out = run("cart", "new", "--location", "STORE-1", "--clerk", BOSS_PIN)
    assert out.exit_code == 1 and "only digits" in out.stderr
    assert BOSS_PIN not in out.output
