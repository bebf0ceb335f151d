"""pos: a command-line point of sale."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The one version number is in pyproject.toml; it is read from the installed metadata on first use,
    # so `pos --help` does not pay for importlib.metadata.
    if name == "__version__":
        from importlib.metadata import version

        return version("pos")
    raise AttributeError(f"module 'pos' has no attribute {name!r}")
