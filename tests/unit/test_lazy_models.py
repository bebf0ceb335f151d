"""pos.models loads its table modules on first use, and still hands out every table and the full metadata."""

from __future__ import annotations

import subprocess
import sys

import pos.models


def test_every_name_the_package_lists_is_found():
    for name in pos.models.__all__:
        assert getattr(pos.models, name) is not None


def test_the_metadata_holds_every_table_even_when_asked_first():
    done = subprocess.run([sys.executable, "-c", "from pos.models import metadata; print(len(metadata.tables))"],
                          capture_output=True, text=True, timeout=60)
    from pos.models import metadata

    assert int(done.stdout) == len(metadata.tables) >= 21


def test_documents_and_statuses_load_without_sqlmodel():
    code = ("import sys; from pos.models.stock import StockPublic; from pos.models.statuses import OrderStatus; "
            "import pos.commands._render; print('sqlmodel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False"
