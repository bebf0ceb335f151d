"""The till's return and cancel lines."""

from __future__ import annotations

import pytest

from pos.errors import InvalidInput
from pos.services.till import CancelOrder, Command, ReturnItems, parse_line


@pytest.mark.parametrize(("line", "action"), [
    ("return 12 TSHIRT-M", ReturnItems(12, "TSHIRT-M")),
    ("return 12 TSHIRT-M 2", ReturnItems(12, "TSHIRT-M", 2)),
    ("RETURN 7 4006381333948 1", ReturnItems(7, "4006381333948", 1)),
    ("cancel order 9", CancelOrder(9)),
    ("Cancel Order 9", CancelOrder(9)),
    ("cancel", Command("cancel")),  # still empties the sale in progress
])
def test_return_and_cancel_lines_become_their_actions(line, action):
    assert parse_line(line) == action


@pytest.mark.parametrize("line", ["return", "return 12", "return X TSHIRT-M", "return 12 TSHIRT-M 0",
                                  "return 12 TSHIRT-M two", "cancel order", "cancel order nine"])
def test_malformed_return_and_cancel_lines_are_refused(line):
    with pytest.raises(InvalidInput):
        parse_line(line)
