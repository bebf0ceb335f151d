"""Loads the sample store (locations, catalog, stock) through the ordinary services.

The CSV files ship inside the package (pos/data, read with importlib.resources), so `pos demo` works from
any install; the top-level data/ folder of a checkout holds the same files as examples of each format (a
test keeps the two copies identical).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pos.errors import NotFound
from pos.models.outcomes import ImportReport
from pos.services.db import Database

SAMPLE_FILES = ("locations.csv", "catalog.csv", "inventory.csv")
# The stores' discount limits (percent): above them a manager approves (`pos location update --max-discount`).
SAMPLE_DISCOUNT_LIMITS = {"STORE-1": "15", "STORE-2": "10"}


@contextmanager
def sample_data_dir(given: str | None = None) -> Iterator[Path]:
    """The folder to load: the one given, else the package's own copy (a real folder for the block)."""
    if given:
        folder = Path(given)
        if not (folder / "catalog.csv").is_file():
            raise NotFound(f"cannot find the sample data in {given} (it needs {', '.join(SAMPLE_FILES)})")
        yield folder
        return
    packaged = resources.files("pos") / "data"
    if not packaged.joinpath("catalog.csv").is_file():
        raise NotFound("this pos install has no sample data (pos/data/catalog.csv): pass --data FOLDER")
    with resources.as_file(packaged) as folder:
        yield folder


@dataclass(frozen=True)
class SampleLoaded:
    """The reports of the three imports that load the sample data."""

    locations: ImportReport
    catalog: ImportReport
    inventory: ImportReport


def load_sample(db: Database, data_dir: Path) -> SampleLoaded:
    from pos.services.catalog import update_location
    from pos.services.imports import import_catalog, import_inventory, import_locations

    loaded = SampleLoaded(
        locations=import_locations(db, path=str(data_dir / "locations.csv")),
        catalog=import_catalog(db, path=str(data_dir / "catalog.csv")),
        inventory=import_inventory(db, path=str(data_dir / "inventory.csv"), mode="set"),
    )
    for code, limit in SAMPLE_DISCOUNT_LIMITS.items():
        update_location(db, code=code, max_discount=limit)
    return loaded


def load_sample_files(db: Database, *, catalog: Path, inventory: Path) -> None:
    from pos.services.imports import import_catalog, import_inventory

    import_catalog(db, path=str(catalog))
    import_inventory(db, path=str(inventory), mode="set")
