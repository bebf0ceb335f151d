"""The purchase flow through `pos` itself (CliRunner), with the --json shapes scripts rely on."""

import json

import pytest


def ok(result):
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def as_json(result):
    ok(result)
    return json.loads(result.stdout)  # exactly one document, nothing else on stdout


def failed(result, code, exit_code=1):
    assert result.exit_code == exit_code, result.stdout + result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def new_cart(cli, location="STORE-1"):
    return as_json(cli("cart", "new", "--location", location, "--json"))["id"]


def test_a_store_can_be_built_entirely_from_the_command_line(cli):
    ok(cli("init"))
    loc = as_json(cli("location", "add", "SHOP", "--name", "The Shop", "--tax-rate", "7.5", "--json"))
    assert (loc["code"], loc["tax_rate"]) == ("SHOP", "7.5")
    assert [r["code"] for r in as_json(cli("location", "list", "--json"))] == ["SHOP"]
    assert as_json(cli("product", "add", "MUG", "--name", "Mug", "--json"))["code"] == "MUG"
    v = as_json(cli("variant", "add", "MUG-RED", "--product", "MUG", "--price", "8.50", "--name", "Red",
                    "--barcode", "5012345678900", "--option", "colour=red", "--not-deliverable", "--json"))
    assert (v["sku"], v["price"], v["barcode"], v["options"], v["is_deliverable"]) == (
        "MUG-RED", 850, "5012345678900", {"colour": "red"}, False)
    products = as_json(cli("product", "list", "--json"))
    assert isinstance(products, list)
    assert products[0]["variants"][0]["sku"] == "MUG-RED"
    stock = as_json(cli("stock", "set", "5012345678900", "SHOP", "12", "--reason", "opening", "--json"))
    assert stock["sku"] == "MUG-RED"
    assert stock["levels"] == [{"location": "SHOP", "on_hand": 12, "reserved": 0, "available": 12}]
    shown = as_json(cli("product", "show", "MUG", "--json"))
    assert shown["variants"][0]["levels"][0]["available"] == 12


def test_cart_json_has_id_location_items_and_subtotal(cli, store):
    cid = new_cart(cli)
    doc = as_json(cli("cart", "add", cid, "TSHIRT-M", "--qty", "2", "--json"))
    assert doc["id"] == cid and doc["location"] == "STORE-1"
    assert doc["items"][0] | {} == {**doc["items"][0], "sku": "TSHIRT-M", "quantity": 2, "location": "STORE-1",
                                    "unit_price": 1999}
    assert doc["subtotal"] == 3998 and doc["currency"] == "USD"
    assert as_json(cli("cart", "show", cid, "--json")) == doc


def test_cart_add_by_barcode_then_set_and_remove(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "4006381333948"))
    assert as_json(cli("cart", "set", cid, "TSHIRT-M", "3", "--json"))["items"][0]["quantity"] == 3
    ok(cli("cart", "add", cid, "CROISSANT"))
    doc = as_json(cli("cart", "remove", cid, "4006381333948", "--json"))
    assert [i["sku"] for i in doc["items"]] == ["CROISSANT"]
    assert as_json(cli("cart", "set", cid, "CROISSANT", "0", "--json"))["items"] == []


def test_the_cart_view_for_people_shows_lines_and_subtotal(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "TSHIRT-M", "--qty", "2"))
    out = ok(cli("cart", "add", cid, "TSHIRT-M", "--from", "WH-1")).stdout
    assert f"Cart {cid} at STORE-1" in out
    assert "TSHIRT-M" in out and "39.98" in out
    assert "WH-1 (delivery)" in out
    assert "Subtotal" in out and "59.97" in out


def test_adding_more_than_is_in_stock_shows_what_is_available_and_saves_nothing(cli, store):
    cid = new_cart(cli)
    result = cli("cart", "add", cid, "CROISSANT", "--qty", "6")
    assert result.exit_code == 1
    assert "5 available" in result.stderr and "STORE-1" in result.stderr
    assert result.stdout == ""
    err = failed(cli("cart", "add", cid, "CROISSANT", "--qty", "6", "--json"), "insufficient_stock")
    assert (err["available"], err["requested"], err["location"]) == (5, 6, "STORE-1")
    assert as_json(cli("cart", "show", cid, "--json"))["items"] == []


def test_a_non_deliverable_item_from_another_location_is_refused(cli, store):
    ok(cli("stock", "set", "CROISSANT", "WH-1", "9"))
    cid = new_cart(cli)
    failed(cli("cart", "add", cid, "CROISSANT", "--from", "WH-1", "--json"), "not_deliverable")
    assert as_json(cli("cart", "show", cid, "--json"))["items"] == []


def test_card_checkout_prints_the_order_json(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "TSHIRT-M", "--qty", "2"))
    order = as_json(cli("checkout", cid, "--pay", "card", "--card", "4242424242424242", "--expiry", "12/40", "--json"))
    assert {"id", "status", "cart_id", "location", "items", "subtotal", "tax", "total", "currency",
            "payment"} <= set(order)
    assert (order["status"], order["cart_id"], order["location"], order["currency"]) == (
        "processing", cid, "STORE-1", "USD")
    assert [(i["sku"], i["quantity"], i["location"], i["unit_price"]) for i in order["items"]] == [
        ("TSHIRT-M", 2, "STORE-1", 1999)]
    assert (order["subtotal"], order["tax"], order["total"]) == (3998, 330, 4328)
    pay = order["payment"]
    assert (pay["processor"], pay["status"], pay["brand"], pay["last4"]) == ("card", "approved", "visa", "4242")
    stock = as_json(cli("stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json"))
    assert stock["levels"] == [{"location": "STORE-1", "on_hand": 8, "reserved": 0, "available": 8}]
    assert as_json(cli("order", "show", order["id"], "--json")) == order
    assert as_json(cli("receipt", order["id"], "--json")) == order


def test_the_confirmation_reads_like_a_till_receipt(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "TSHIRT-M", "--qty", "2"))
    out = ok(cli("checkout", cid, "--pay", "cash", "--tendered", "50.00")).stdout
    for expected in ("Main Street Store", "12 Main Street", "T-shirt Medium", "Subtotal", "39.98", "Tax 8.25%",
                     "3.30", "TOTAL", "43.28", "Paid by cash", "Tendered", "50.00", "Change due", "6.72", "Thanks!"):
        assert expected in out, expected
    again = ok(cli("receipt", "1")).stdout
    assert "Change due" in again and "6.72" in again


def test_a_delivery_needs_shipping_and_the_receipt_shows_where_it_goes(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "TSHIRT-M", "--qty", "3", "--from", "WH-1"))
    failed(cli("checkout", cid, "--pay", "cash", "--tendered", "100", "--json"), "shipping_required")
    plain = cli("checkout", cid, "--pay", "cash", "--tendered", "100")
    assert plain.exit_code == 1 and "--ship-name" in plain.stderr
    assert as_json(cli("order", "list", "--json"))["orders"] == []
    out = ok(cli("checkout", cid, "--pay", "cash", "--tendered", "100", "--ship-name", "Ada Lovelace",
                 "--ship-address", "1 Analytical Way")).stdout
    assert "ships from WH-1" in out
    assert "Ada Lovelace" in out and "1 Analytical Way" in out
    stock = as_json(cli("stock", "check", "TSHIRT-M", "--json"))
    assert {lv["location"]: lv["on_hand"] for lv in stock["levels"]} == {"STORE-1": 10, "WH-1": 47}


def test_half_a_shipping_address_is_an_input_error(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "TSHIRT-M", "--from", "WH-1"))
    failed(cli("checkout", cid, "--pay", "cash", "--tendered", "100", "--ship-name", "Ada", "--json"), "invalid_input")


@pytest.mark.parametrize("number, reason", [("4000000000000002", "card_declined"),
                                            ("4000000000009995", "insufficient_funds")])
def test_a_declined_card_reports_the_failed_order_and_leaves_stock_and_cart(cli, store, number, reason):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "TSHIRT-M", "--qty", "2"))
    err = failed(cli("checkout", cid, "--pay", "card", "--card", number, "--json"), "payment_declined")
    assert err["reason"] == reason
    assert err["order"]["status"] == "payment_failed"
    assert err["order"]["payment"]["reason"] == reason
    assert err["order"]["payment"]["last4"] == number[-4:]
    human = cli("checkout", cid, "--pay", "card", "--card", number)
    assert human.exit_code == 1
    assert reason in human.stderr and "another way to pay" in human.stderr
    stock = as_json(cli("stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json"))
    assert stock["levels"][0] == {"location": "STORE-1", "on_hand": 10, "reserved": 0, "available": 10}
    assert as_json(cli("cart", "show", cid, "--json"))["status"] == "open"
    paid = as_json(cli("checkout", cid, "--pay", "cash", "--tendered", "50", "--json"))
    assert paid["status"] == "processing"
    failed_orders = as_json(cli("order", "list", "--status", "payment_failed", "--json"))["orders"]
    assert [o["id"] for o in failed_orders] == [err["order"]["id"] + 1, err["order"]["id"]]  # newest first


def test_cash_short_of_the_total_fails_with_payment_declined(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "TSHIRT-M"))
    err = failed(cli("checkout", cid, "--pay", "cash", "--tendered", "10.00", "--json"), "payment_declined")
    assert "11.64" in err["reason"]
    assert err["order"]["status"] == "payment_failed"


def test_a_paid_cart_is_closed(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "CROISSANT"))
    ok(cli("checkout", cid, "--pay", "cash", "--tendered", "5"))
    failed(cli("cart", "add", cid, "CROISSANT", "--json"), "cart_closed")
    failed(cli("checkout", cid, "--pay", "cash", "--tendered", "5", "--json"), "cart_closed")
    assert as_json(cli("stock", "check", "CROISSANT", "--location", "STORE-1", "--json"))["levels"][0]["on_hand"] == 4


def test_stock_that_ran_out_before_paying_fails_the_checkout_and_charges_nobody(cli, store, fake_processor):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "CROISSANT", "--qty", "5"))
    ok(cli("stock", "adjust", "CROISSANT", "STORE-1", "-1", "--reason", "dropped one"))
    err = failed(cli("checkout", cid, "--pay", "fake", "--json"), "insufficient_stock")
    assert err["available"] == 4
    assert fake_processor.calls == []
    assert as_json(cli("order", "list", "--json"))["orders"] == []


def test_a_processor_is_chosen_by_name_and_gets_the_order_total(cli, store, fake_processor):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "CROISSANT", "--qty", "2"))
    order = as_json(cli("checkout", cid, "--pay", "fake", "--json"))
    assert order["payment"]["processor"] == "fake"
    assert [c.amount for c in fake_processor.calls] == [order["total"]]


def test_stock_set_adjust_check_and_history_json(cli, store):
    doc = as_json(cli("stock", "adjust", "TSHIRT-M", "WH-1", "-5", "--reason", "damaged", "--json"))
    assert {lv["location"]: lv["available"] for lv in doc["levels"]} == {"STORE-1": 10, "WH-1": 45}
    doc = as_json(cli("stock", "check", "TSHIRT-M", "--json"))
    assert doc["sku"] == "TSHIRT-M"
    assert all({"location", "on_hand", "available"} <= set(lv) for lv in doc["levels"])
    history = as_json(cli("stock", "history", "TSHIRT-M", "--location", "WH-1", "--json"))["history"]
    assert isinstance(history, list)
    assert (history[0]["change"], history[0]["on_hand"], history[0]["source"], history[0]["reason"]) == (
        -5, 45, "adjust", "damaged")
    human = ok(cli("stock", "history", "TSHIRT-M")).stdout
    assert "-5" in human and "+50" in human


def test_a_sale_appears_in_the_stock_history_with_its_order(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "CROISSANT", "--qty", "2"))
    order = as_json(cli("checkout", cid, "--pay", "cash", "--tendered", "10", "--json"))
    latest = as_json(cli("stock", "history", "CROISSANT", "--json"))["history"][0]
    assert (latest["change"], latest["on_hand"], latest["source"], latest["ref"]) == (
        -2, 3, "sale", f"order {order['id']}")


def test_negative_stock_numbers_are_refused_and_change_nothing(cli, store):
    set_neg = cli("stock", "set", "TSHIRT-M", "STORE-1", "-3")
    assert set_neg.exit_code == 1
    assert "zero or more" in set_neg.stderr
    failed(cli("stock", "adjust", "TSHIRT-M", "STORE-1", "-11", "--json"), "insufficient_stock")
    assert as_json(cli("stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json"))["levels"][0]["on_hand"] == 10


def test_order_list_is_a_json_array_filtered_by_status_and_location(cli, store):
    cid = new_cart(cli)
    ok(cli("cart", "add", cid, "CROISSANT"))
    ok(cli("checkout", cid, "--pay", "cash", "--tendered", "5"))
    rows = as_json(cli("order", "list", "--json"))["orders"]
    assert isinstance(rows, list) and rows[0]["status"] == "processing"
    assert as_json(cli("order", "list", "--status", "payment_failed", "--json"))["orders"] == []
    assert as_json(cli("order", "list", "--location", "WH-1", "--json"))["orders"] == []
    assert "processing" in ok(cli("order", "list")).stdout


def test_list_commands_print_json_arrays_and_the_cut_lists_a_page_around_one(cli, store):
    for args in (["location", "list"], ["product", "list"], ["payment", "list"], ["cart", "list"]):
        assert isinstance(as_json(cli(*args, "--json")), list), args
    # Lists with a default limit say whether they were cut, so their rows sit in a page document.
    for args, key in ((["order", "list"], "orders"), (["stock", "history", "TSHIRT-M"], "history")):
        page = as_json(cli(*args, "--json"))
        assert isinstance(page[key], list) and page["truncated"] is False and page["next_after"] is None, args


def test_payment_list_shows_the_built_in_processors(cli):
    rows = as_json(cli("payment", "list", "--json"))
    assert {"cash", "card"} <= {r["name"] for r in rows}
    human = ok(cli("payment", "list")).stdout
    assert "cash" in human and "--tendered" in human and "--card" in human
