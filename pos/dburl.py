"""Which database a command uses: `--db`, then POS_DATABASE_URL, then a file in the user's data directory.

The one place this is decided. It imports neither SQLAlchemy nor a driver, so shell completion (which
runs on every Tab) can find the SQLite file as quickly as the commands find their database.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("pos", appauthor=False)) / "pos.db"


def resolve_url(db: str | None) -> str:
    """`--db`, then POS_DATABASE_URL, then a file in the user's data directory.

    A value without `://` is a file path. `postgresql://` means the psycopg (version 3) driver.
    """
    value = db or os.environ.get("POS_DATABASE_URL") or str(default_path())
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    if value.startswith(("postgresql://", "postgres://")):
        value = "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite:///` URL (as `resolve_url` gives it), or None for a server database."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])
