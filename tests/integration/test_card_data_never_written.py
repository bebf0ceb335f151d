"""A full card number or expiry is never written: not to the database file, its WAL, nor the output."""

import pytest
from typer.testing import CliRunner

from pos.cli import app
from pos.services import cart, catalog, inventory
from pos.services.db import Database
from pos.services.settings import init_store

CARDS = {"4242424242424242": "processing", "4000000000000002": "payment_failed",
         "4000000000009995": "payment_failed"}


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "pos.db"
    db = Database(f"sqlite:///{path}")
    init_store(db, currency="USD")
    catalog.add_location(db, code="S1", name="Shop", tax_rate="8.25")
    catalog.add_product(db, code="P", name="Pen")
    catalog.add_variant(db, sku="PEN", product="P", price="1.99")
    inventory.set_stock(db, sku="PEN", location="S1", quantity=100)
    yield db, path
    db.dispose()


def forms_of(number: str) -> list[bytes]:
    spaced = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    return [number.encode(), spaced.encode(), number.encode("utf-16-le"), number[:12].encode()]


@pytest.mark.parametrize("number", list(CARDS))
def test_card_number_and_expiry_never_reach_the_database_files_or_the_output(shop, number):
    db, path = shop
    c = cart.new_cart(db, location="S1")
    cart.add_item(db, cart_id=c.id, code="PEN", quantity=2)
    runner = CliRunner()
    outputs = []
    for args in (["checkout", str(c.id), "--pay", "card", "--card", number, "--expiry", "09/37"],
                 ["checkout", str(c.id), "--pay", "card", "--card", number, "--expiry", "09/37", "--json"]):
        result = runner.invoke(app, ["--db", str(path), *args])
        outputs.append(result.stdout + result.stderr)
        if result.exit_code == 0:
            break
    for args in (["order", "list", "--json"], ["order", "show", "1"], ["receipt", "1", "--json"]):
        result = runner.invoke(app, ["--db", str(path), *args])
        outputs.append(result.stdout + result.stderr)
    status = runner.invoke(app, ["--db", str(path), "order", "show", "1", "--json"]).stdout
    assert f'"status": "{CARDS[number]}"' in status
    assert f'"last4": "{number[-4:]}"' in status

    files = [p for p in path.parent.iterdir() if p.name.startswith("pos.db")]
    assert any(p.name == "pos.db-wal" for p in files) or path.exists()
    for p in files:
        raw = p.read_bytes()
        for form in forms_of(number):
            assert form not in raw, f"{form!r} found in {p.name}"
        assert b"09/37" not in raw, f"expiry found in {p.name}"
    text = "\n".join(outputs)
    assert number not in text
    assert number[:12] not in text
    assert "09/37" not in text
