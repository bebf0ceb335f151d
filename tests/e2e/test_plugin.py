"""A third-party processor installed as a real distribution (a dist-info with an entry point) is used by name."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import check_json_output

POS = Path(sys.executable).parent / "pos"

PLUGIN = '''
import json, os

from pos.plugin import InvalidInput, PaymentProcessor, PaymentResult, PreparedPayment


class GiftCard(PaymentProcessor):
    name = "giftcard"
    description = "Store gift cards (test plugin)"
    parameters = {"account": "gift card account"}

    def prepare(self, params, *, currency):
        if not params.get("account"):
            raise InvalidInput("paying by giftcard needs --pay-option account=...")
        return PreparedPayment(secret={"account": params["account"]})

    def charge(self, request):
        with open(os.environ["GIFTCARD_LOG"], "a") as fh:
            fh.write(json.dumps({"order": request.order_id, "amount": request.amount,
                                 "account": request.payment.secret["account"]}) + "\\n")
        return PaymentResult(True, reference="gift-" + request.payment.secret["account"])
'''


@pytest.fixture
def plugin_env(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "pos_giftcard.py").write_text(PLUGIN)
    info = site / "pos_giftcard-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pos-giftcard\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pos.payment_processors]\ngiftcard = pos_giftcard:GiftCard\n")
    env = {k: v for k, v in os.environ.items() if k != "POS_DATABASE_URL"}
    env.update(PYTHONPATH=str(site), GIFTCARD_LOG=str(tmp_path / "charges.jsonl"), COLUMNS="160",
               POS_DATABASE_URL=str(tmp_path / "pos.db"))
    return env


def pos(env, *args, check=True):
    result = subprocess.run([str(POS), *args], capture_output=True, text=True, env=env, timeout=120)
    check_json_output(list(args), result.stdout)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_payment_list_shows_an_installed_plugin(plugin_env):
    rows = {r["name"]: r for r in json.loads(pos(plugin_env, "payment", "list", "--json").stdout)}
    assert {"cash", "card", "giftcard"} <= set(rows)
    assert rows["giftcard"]["distribution"] == "pos-giftcard 1.0"
    assert rows["giftcard"]["error"] is None
    human = pos(plugin_env, "payment", "list").stdout
    assert "giftcard" in human and "--pay-option account=..." in human


def test_checkout_pays_through_the_plugin_with_its_options(plugin_env, tmp_path):
    for args in (["init"], ["location", "add", "S1", "--name", "Shop"], ["product", "add", "P", "--name", "Pen"],
                 ["variant", "add", "PEN", "--product", "P", "--price", "2.50"], ["stock", "set", "PEN", "S1", "5"],
                 ["cart", "new", "--location", "S1"], ["cart", "add", "1", "PEN", "--qty", "2"]):
        pos(plugin_env, *args)
    missing = pos(plugin_env, "checkout", "1", "--pay", "giftcard", "--json", check=False)
    assert json.loads(missing.stdout)["error"]["code"] == "invalid_input"
    order = json.loads(pos(plugin_env, "checkout", "1", "--pay", "giftcard", "--pay-option", "account=GC-77",
                           "--json").stdout)
    assert order["status"] == "processing"
    assert order["payment"]["processor"] == "giftcard"
    assert order["payment"]["reference"] == "gift-GC-77"
    charges = [json.loads(line) for line in (tmp_path / "charges.jsonl").read_text().splitlines()]
    assert charges == [{"order": order["id"], "amount": 500, "account": "GC-77"}]
    stock = json.loads(pos(plugin_env, "stock", "check", "PEN", "--json").stdout)
    assert stock["levels"][0]["on_hand"] == 3


def test_without_the_plugin_the_name_is_unknown_and_the_error_lists_what_is_installed(plugin_env):
    env = dict(plugin_env)
    env.pop("PYTHONPATH")
    pos(env, "init")
    result = pos(env, "checkout", "1", "--pay", "giftcard", check=False)
    assert result.returncode == 1
    assert "giftcard" in result.stderr and "card" in result.stderr and "cash" in result.stderr
