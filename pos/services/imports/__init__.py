"""CSV import of locations, the catalog and stock: streamed, validated row by row, all-or-nothing by default."""

from pos.services.imports.catalog import import_catalog
from pos.services.imports.inventory import import_inventory
from pos.services.imports.locations import import_locations
from pos.services.imports.shopify import import_shopify

__all__ = ["import_catalog", "import_inventory", "import_locations", "import_shopify"]
