"""Where presets and saves live. The repository's own folders, unless the environment says otherwise."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def presets_dir() -> Path:
    return Path(os.environ.get("WORKBENCH_PRESETS", ROOT / "presets"))


def saves_dir() -> Path:
    return Path(os.environ.get("WORKBENCH_SAVES", ROOT / "saves"))


def default_preset() -> Path:
    return presets_dir() / "starter.toml"


def is_preset(path: str | os.PathLike) -> bool:
    """Presets are templates: a tab opened from one saves under saves/ instead."""
    try:
        return Path(path).resolve().parent == presets_dir().resolve()
    except OSError:
        return False


def list_presets() -> list[tuple[Path, str, str]]:
    """(path, name, first line of description) for each shipped preset, read without full validation."""
    out = []
    for p in sorted(presets_dir().glob("*.toml")):
        try:
            data = tomllib.loads(p.read_text("utf-8"))
            name = str(data.get("name", p.stem))
            desc = str(data.get("description", "")).strip().splitlines()
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            name, desc = p.stem, ["(unreadable)"]
        out.append((p, name, desc[0] if desc else ""))
    return out
