"""CSV import of locations, the catalog and stock: streamed, validated row by row, all-or-nothing by default.

Each importer loads on first use: `pos import inventory` needs none of the catalog's models, and building
them is a good part of a one-shot command's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pos.services.imports.catalog import import_catalog
    from pos.services.imports.inventory import import_inventory
    from pos.services.imports.locations import import_locations
    from pos.services.imports.shopify import import_shopify

_WHERE = {"import_catalog": "catalog", "import_inventory": "inventory", "import_locations": "locations",
          "import_shopify": "shopify"}

__all__ = ["import_catalog", "import_inventory", "import_locations", "import_shopify"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'pos.services.imports' has no attribute {name!r}")
    return getattr(importlib.import_module(f"pos.services.imports.{_WHERE[name]}"), name)
