"""Every prebuilt statement (`pos.services.sql.Sql`) prepares against the migrated schema, on both engines.

A renamed or dropped column then fails here, not in the middle of a sale. Each statement is run under
EXPLAIN with every parameter bound to NULL: the database parses and plans it (so every table and column
must exist) without changing a row.
"""

from __future__ import annotations

import importlib
import pkgutil

import pos
from pos.services import sql
from pos.services.db import Database
from pos.services.settings import init_store

# Modules whose statements the sale, the till, batch and the ledger depend on: if the registry lost any of
# them (a module no longer registering its statements), this test would pass without checking them.
_MUST_REGISTER = {
    "pos.services.cart", "pos.services.orders", "pos.services.inventory",
    "pos.services.batch", "pos.services.batch_window", "pos.services.settings", "pos.services.payments.ledger",
    "pos.services.refunds", "pos.services.refund_documents", "pos.services.refund_reconcile", "pos.services.audit",
    "pos.services.shifts", "pos.services.fulfilment", "pos.services.discounts", "pos.services.split_pay",
    "pos.services.lookup", "pos.services.stock_levels", "pos.services.clerks",
}


def _import_everything() -> None:
    """Import every module of pos, so each one's statements are registered (they register on construction)."""
    for info in pkgutil.walk_packages(pos.__path__, "pos."):
        if info.name == "pos.__main__" or info.name.startswith("pos.migrations"):
            continue  # __main__ runs the CLI; migrations hold no prebuilt statements
        importlib.import_module(info.name)


def _statements(dialect: str) -> list[sql.Sql]:
    _import_everything()
    return [s for s in sql.REGISTRY if s.only in (None, dialect)]


def test_the_registry_holds_the_statements_of_every_hot_path_module():
    _import_everything()
    assert _MUST_REGISTER <= {s.where for s in sql.REGISTRY}


def test_every_prebuilt_statement_prepares_against_the_migrated_schema(db_url):
    database = Database(db_url)
    init_store(database, currency="USD")  # migrates to head
    dialect = database.engine.dialect.name
    failures = []
    try:
        with database.write() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            for statement in _statements(dialect):
                params = dict.fromkeys(sql._PARAM.findall(statement.sqlite))
                cursor = raw.cursor()
                try:
                    if dialect == "postgresql":
                        cursor.execute("SAVEPOINT prepare_check")
                    cursor.execute("EXPLAIN " + statement.text_for(dialect), params)
                    cursor.fetchall()
                except Exception as err:  # noqa: BLE001 - each failure is reported with its statement
                    failures.append(f"{statement!r}: {err}".splitlines()[0])
                    if dialect == "postgresql":
                        cursor.execute("ROLLBACK TO SAVEPOINT prepare_check")
                finally:
                    cursor.close()
            conn.rollback()
    finally:
        database.dispose()
    assert not failures, "\n".join(failures)



def test_a_ledger_entry_keeps_the_kind_it_was_given_over_the_models_default(db):
    from pos.models.payment import LEDGER_CHARGE, LEDGER_REFUND
    from pos.services.payments import ChargeRequest, PaymentResult, PreparedPayment
    from pos.services.payments.ledger import Ledger

    ledger = Ledger(db)
    request = ChargeRequest(1, 500, "USD", "key-7", PreparedPayment())
    ledger.record("cash", request, PaymentResult(True, reference="r-1"), kind=LEDGER_REFUND)
    assert ledger.find("cash", "key-7", kind=LEDGER_REFUND) is not None
    assert ledger.find("cash", "key-7", kind=LEDGER_CHARGE) is None
