"""`pos import inventory` with the optional reorder_level column (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import csv

import pytest

from pos.errors import InvalidInput
from pos.services import inventory
from pos.services.imports import import_inventory
from pos.services.stock_moves import low_stock, set_reorder


def _csv(tmp_path, text: str) -> str:
    path = tmp_path / "stock.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _reorder_level(db, sku, location):
    from sqlalchemy import select

    from pos.services import tables as t

    SL, V, L = t.stock_level, t.variant, t.location
    with db.read() as conn:
        return conn.execute(select(SL.c.reorder_level).join(V, V.c.id == SL.c.variant_id)
                            .join(L, L.c.id == SL.c.location_id).where(V.c.sku == sku, L.c.code == location)).scalar()


def _levels(db):
    return {(i.sku, i.location): (i.reorder_level, i.to_order) for i in low_stock(db).items}


def test_the_reorder_level_column_sets_levels_and_an_empty_cell_leaves_one_as_it_is(store, tmp_path):
    set_reorder(store, sku="CROISSANT", location="STORE-1", reorder_level=9, reorder_quantity=12)
    path = _csv(tmp_path, "sku,location,quantity,reorder_level\n"
                          "TSHIRT-M,STORE-1,10,15\n"
                          "4006381333948,WH-1,50,60\n"  # a barcode in the sku column, and a level
                          "CROISSANT,STORE-1,5,\n")
    report = import_inventory(store, path=path, mode="set")
    assert (report.applied, report.unchanged, report.reorder_levels) == (0, 3, 2)
    assert _levels(store) == {("CROISSANT", "STORE-1"): (9, 12), ("TSHIRT-M", "STORE-1"): (15, 6),
                              ("TSHIRT-M", "WH-1"): (60, 11)}
    assert import_inventory(store, path=path, mode="set").reorder_levels == 0  # the same file again


def test_a_reorder_level_for_a_level_never_stocked_creates_it_empty(store, tmp_path):
    path = _csv(tmp_path, "sku,location,quantity,reorder_level\nCROISSANT,WH-1,0,3\n")
    assert import_inventory(store, path=path, mode="add").reorder_levels == 1
    assert _levels(store) == {("CROISSANT", "WH-1"): (3, 4)}
    assert {lv.location: lv.on_hand for lv in inventory.check_stock(store, sku="CROISSANT").levels}["WH-1"] == 0


@pytest.mark.parametrize("value", ["-1", "x", "1.5", "99999999999"])
def test_a_bad_reorder_level_is_reported_with_its_line_and_nothing_is_written(store, tmp_path, value):
    path = _csv(tmp_path, f"sku,location,quantity,reorder_level\nTSHIRT-M,STORE-1,3,{value}\nCROISSANT,STORE-1,2,1\n")
    with pytest.raises(InvalidInput, match="stock.csv:2: reorder_level: "):
        import_inventory(store, path=path, mode="set")
    assert _levels(store) == {}
    assert inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0].on_hand == 10


def test_rejected_rows_keep_their_reorder_level_text_in_the_rejects_file(store, tmp_path):
    rejects = tmp_path / "rejects.csv"
    path = _csv(tmp_path, "sku,location,quantity,reorder_level\nTSHIRT-M,STORE-1,3,lots\nNOPE,STORE-1,1,4\n"
                          "CROISSANT,STORE-1,2,1\n")
    report = import_inventory(store, path=path, mode="set", skip_invalid=True, rejects=str(rejects))
    assert (report.rejected, report.reorder_levels) == (2, 1)
    rows = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert [(r["sku"], r["reorder_level"]) for r in rows] == [("TSHIRT-M", "lots"), ("NOPE", "4")]
    assert _reorder_level(store, "CROISSANT", "STORE-1") == 1
    assert _reorder_level(store, "TSHIRT-M", "STORE-1") is None


def test_a_file_without_the_column_leaves_reorder_levels_alone(store, tmp_path):
    set_reorder(store, sku="TSHIRT-M", location="STORE-1", reorder_level=20)
    report = import_inventory(store, path=_csv(tmp_path, "sku,location,quantity\nTSHIRT-M,STORE-1,4\n"), mode="set")
    assert report.reorder_levels is None and "reorder_levels" not in report.plain()
    assert _levels(store) == {("TSHIRT-M", "STORE-1"): (20, 17)}
