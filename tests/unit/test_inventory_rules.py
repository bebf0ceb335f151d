"""Lines of one cart that draw on the same stock level are summed before the level is checked."""

from pos.services.inventory import Need, sum_needs


def test_lines_on_the_same_level_are_summed():
    needs = sum_needs([Need(1, 1, 2, "A", "S"), Need(1, 1, 3, "A", "S")])
    assert [(n.variant_id, n.location_id, n.quantity) for n in needs] == [(1, 1, 5)]


def test_lines_on_different_levels_stay_apart():
    needs = sum_needs([Need(1, 1, 2), Need(1, 2, 3), Need(2, 1, 1)])
    assert sorted((n.variant_id, n.location_id, n.quantity) for n in needs) == [(1, 1, 2), (1, 2, 3), (2, 1, 1)]


def test_levels_come_out_in_one_fixed_order_so_locks_are_taken_in_that_order():
    a = sum_needs([Need(3, 1, 1), Need(1, 2, 1), Need(1, 1, 1)])
    b = sum_needs([Need(1, 1, 1), Need(3, 1, 1), Need(1, 2, 1)])
    assert [(n.variant_id, n.location_id) for n in a] == [(1, 1), (1, 2), (3, 1)]
    assert a == b


def test_the_summed_need_keeps_the_sku_and_location_for_error_messages():
    (need,) = sum_needs([Need(1, 1, 2, "TSHIRT-M", "STORE-1"), Need(1, 1, 1, "TSHIRT-M", "STORE-1")])
    assert (need.sku, need.location) == ("TSHIRT-M", "STORE-1")
