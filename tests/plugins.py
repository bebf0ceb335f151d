"""Writes a real plugin distribution (a module and its .dist-info with entry points) into a folder.

Putting the folder on PYTHONPATH makes `pos` find the plugin exactly as it finds an installed one.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path


def write_plugin(folder: Path, *, dist: str, module: str, source: str, processors: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(textwrap.dedent(source))
    info = folder / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {module}:{obj}\n" for name, obj in processors.items())
    (info / "entry_points.txt").write_text(f"[pos.payment_processors]\n{lines}")
    return folder


def env_with(folder: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
    return env


def pos_executable() -> str:
    return str(Path(sys.executable).with_name("pos"))
