"""Loads the sample store in data/ (locations, catalog, stock) through the ordinary services."""

from __future__ import annotations

from pathlib import Path

from pos.errors import NotFound
from pos.services.db import Database


def find_data_dir(given: str | None = None) -> Path:
    candidates = [Path(given)] if given else []
    candidates.append(Path(__file__).resolve().parents[2] / "data")  # a source checkout or editable install
    candidates.append(Path.cwd() / "data")
    for folder in candidates:
        if (folder / "catalog.csv").is_file():
            return folder
    raise NotFound("cannot find the sample data (data/catalog.csv): pass --data FOLDER")


def load_sample(db: Database, data_dir: Path) -> dict:
    from pos.services.imports import import_catalog, import_inventory, import_locations

    locations = import_locations(db, path=str(data_dir / "locations.csv"))
    catalog = import_catalog(db, path=str(data_dir / "catalog.csv"))
    stock = import_inventory(db, path=str(data_dir / "inventory.csv"), mode="set")
    return {"locations": locations["read"], "catalog": catalog, "inventory": stock}


def load_sample_files(db: Database, *, catalog: Path, inventory: Path) -> None:
    from pos.services.imports import import_catalog, import_inventory

    import_catalog(db, path=str(catalog))
    import_inventory(db, path=str(inventory), mode="set")
