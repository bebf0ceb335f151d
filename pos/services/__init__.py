"""The flow's participants: each public function is one use case and one transaction.

Nothing here imports Typer or rich.

How a participant reaches the database (one rule, for every module here):

- Hot path (a sale: cart add, checkout and its settlement, the till's scan, `pos batch`, the payment
  ledger): named, prebuilt statements, `_NAME = Sql("... :param ...")` at module level in the
  participant's own module, run through `pos.services.sql` on the transaction's DBAPI connection.
  `Sql` registers every statement; tests/integration/test_prebuilt_sql.py prepares each one against the
  migrated schema on SQLite and PostgreSQL, so a renamed column fails a test, not a sale. A statement
  one engine must not run says so (`only="postgresql"` for a `FOR UPDATE`).
- Everything else (set-up, listings, exports, stock counts, imports of catalogues): SQLAlchemy Core
  against the table objects of `pos.services.tables`, built in the function that runs it.
- Values are always bound parameters, never formatted into SQL text. The one place code composes SQL
  text is the import staging (`imports/_stage.py`, once per file, set-based): it may join constant
  table names and constant fragments defined in that module, never a value read from a file or a person.
- Defaults are declared once, on the table models in `pos.models` (status on insert, `created_at`,
  `updated_at` and its `onupdate`). Core statements get them from SQLAlchemy; a prebuilt INSERT takes
  them from `sql.insert_defaults(conn, table)`, so no statement repeats `'open'` or `'pending'`. Where
  loading the table classes would cost a one-shot command its start-up (`pos cart new`), the module keeps a
  constant copy for `sql.with_defaults` next to its statement, and a test holds it equal to the model's.
- Statuses compared in a prebuilt statement are parameters (`status = :pending`), never literals.

Shell completion (`pos/commands/_complete.py`) is the one reader outside this package: it must answer on
every Tab without importing SQLAlchemy, so it reads a SQLite file with the standard library and two
constant queries.
"""
