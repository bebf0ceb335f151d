"""A list as one statement parameter (`column = ANY(:name)`, `sql.listed`): a `pos batch` window looks up its
SKUs and closes its orders and carts with one statement each. The list must select exactly its own values
on both engines, whatever the text: quotes, markup, CJK, emoji, right-to-left marks, long codes."""

from __future__ import annotations

from sqlalchemy import text

from pos.services import catalog, sql
from pos.services.lookup import variants_by_sku

SKUS = ["A/B.C_D", "x-01", "9" * 64]
HOSTILE = ["漢字-01", 'QUOTE"D', "it's", "[bold]SKU[/bold]", "🧮-ABACUS", "\u202eRTL-9", "back\\slash", "L" * 200, "', NULL) --"]


def test_a_listed_parameter_finds_exactly_the_listed_skus_whatever_else_the_list_holds(db):
    catalog.add_product(db, code="P", name="Product")
    for sku in [*SKUS, "OTHER"]:
        catalog.add_variant(db, sku=sku, product="P", price="1.00")
    with db.read() as conn:
        found = variants_by_sku(conn, [*SKUS, *HOSTILE, SKUS[0]])  # codes no SKU has, and a repeat
        assert variants_by_sku(conn, HOSTILE) == {}
    assert sorted(found) == sorted(SKUS)
    assert all(found[sku]["sku"] == sku for sku in SKUS)


def test_a_listed_update_changes_only_the_listed_rows_and_an_empty_list_changes_none(db):
    changed = sql.Sql("UPDATE location SET name = :name WHERE id = ANY(:ids)")
    for code in ("A", "B", "C"):
        catalog.add_location(db, code=code, name=code, tax_rate="0")
    with db.write() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM location")).all())
        assert sql.execute(conn, changed, {"name": "moved", "ids": sql.listed(conn, [ids["A"], ids["C"]])}) == 2
        assert sql.execute(conn, changed, {"name": "never", "ids": sql.listed(conn, [])}) == 0
        names = dict(conn.execute(text("SELECT code, name FROM location")).all())
    assert names == {"A": "moved", "B": "B", "C": "moved"}


def test_only_an_equality_takes_a_list():
    """`>= ANY(:x)` has no IN form on SQLite: refused when the statement is built, not when it first runs."""
    import pytest

    with pytest.raises(ValueError, match="only `column = ANY"):
        sql.Sql("SELECT id FROM location WHERE id >= ANY(:ids)")
