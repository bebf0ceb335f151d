"""`pos import locations`: stores and warehouses from CSV (code, name; optional tax_rate, address, receipt_footer,
timezone).

A location file is short, so it goes row by row through the same checks as `pos location add`, in one
transaction, all or nothing. A code already present is updated with the columns the file has; the others
keep their values.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import Connection, select

from pos.errors import InvalidInput, PosError
from pos.models import LocationCreate
from pos.models.outcomes import ImportReport
from pos.money import parse_tax_rate
from pos.services import tables as t
from pos.services.catalog import validation_message
from pos.services.settings import default_zone
from pos.services.imports._common import run_import
from pos.services.imports.csvsource import CsvSource, Problem, unguard
from pos.services.db import Database

COLUMNS = ("code", "name")
OPTIONAL = ("tax_rate", "address", "receipt_footer", "timezone")


def import_locations(db: Database, *, path: str, dry_run: bool = False) -> ImportReport:
    return run_import(db, path, COLUMNS, dry_run=dry_run, work=lambda conn, src: _run(conn, src, dry_run))


def _run(conn: Connection, src: CsvSource, dry_run: bool) -> ImportReport:
    at = {c: src.position(c) for c in COLUMNS + OPTIONAL}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    created = updated = unchanged = read = 0
    store_zone = default_zone(conn)  # a new location without a timezone cell takes the store's
    for line, fields in src.rows():
        read += 1
        if len(fields) != len(src.header):
            problems.append(Problem(line, "row", f"has {len(fields)} values, the header has {len(src.header)}"))
            continue
        cell = {c: unguard(fields[i].strip()) for c, i in at.items() if i is not None}
        try:
            data = LocationCreate.model_validate({
                "code": cell["code"], "name": cell["name"], "tax_rate": parse_tax_rate(cell.get("tax_rate") or "0"),
                "address": cell.get("address", ""), "receipt_footer": cell.get("receipt_footer", ""),
                "timezone": cell.get("timezone") or store_zone,
            })
        except ValidationError as exc:
            first = exc.errors()[0]
            problems.append(Problem(line, str(first["loc"][0]), validation_message(exc)))
            continue
        except PosError as err:
            problems.append(Problem(line, "tax_rate", err.message))
            continue
        if data.code in seen:
            problems.append(Problem(line, "code", f"{data.code} is already on line {seen[data.code]}"))
            continue
        seen[data.code] = line
        # A new location takes defaults for missing columns; an existing one keeps what the file does not give.
        given = {"code", "name", *(c for c in OPTIONAL if c in cell and (c != "timezone" or cell[c]))}
        values = data.model_dump(include=given)
        row = conn.execute(select(t.location).where(t.location.c.code == data.code)).mappings().first()
        if row is None:
            conn.execute(t.location.insert().values(**data.model_dump()))
            created += 1
        elif any(row[k] != v for k, v in values.items()):
            conn.execute(t.location.update().where(t.location.c.id == row["id"]).values(**values))
            updated += 1
        else:
            unchanged += 1
    if problems:
        listed = [p.render(src.name) for p in problems]
        raise InvalidInput(
            f"{src.name}: {len(problems)} of {read} rows are invalid; nothing was imported (fix them and run again)\n"
            + "\n".join(listed), file=src.name, read=read, rejected=len(problems), errors=listed,
        )
    return ImportReport(
        file=src.name, kind="locations", dry_run=dry_run, read=read, applied=created + updated,
        created=created, updated=updated, unchanged=unchanged, rejected=0, errors=[], rejects_file=None,
    )
