"""CSV import of the catalog and of stock: streamed, validated row by row, all-or-nothing by default."""

from pos.services.imports.catalog import import_catalog
from pos.services.imports.inventory import import_inventory

__all__ = ["import_catalog", "import_inventory"]
