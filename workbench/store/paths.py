"""Where presets and saves live. The repository's own folders, unless the environment says otherwise.

Also where a file may be written or read from the TUI: in a served session (`workbench serve` sets
WORKBENCH_SERVED=1 in every app it starts) only inside the saves and presets folders, plus the files named
on the command line; the person at the browser may not be the person who started the server.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: workbench/store/paths.py


def presets_dir() -> Path:
    return Path(os.environ.get("WORKBENCH_PRESETS", ROOT / "presets"))


def saves_dir() -> Path:
    if os.environ.get("WORKBENCH_SAVES"):
        return Path(os.environ["WORKBENCH_SAVES"])
    # the user config's saves folder is consulted here
    from workbench.store import config  # here, not at the top: config is read only when asked

    folder = config.current(config_file()).saves_folder
    if folder is not None:
        return folder
    return ROOT / "saves"


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


# --- served sessions -------------------------------------------------------------------------------


def served() -> bool:
    """True in an app started by `workbench serve` (WORKBENCH_SERVED=1)."""
    return os.environ.get("WORKBENCH_SERVED", "").strip() not in ("", "0")


def resolved(path: str | os.PathLike) -> Path:
    """Symbolic links resolved (as far as they exist) and `..` removed."""
    return Path(os.path.realpath(Path(path).expanduser()))


def shown(path: Path) -> str:
    """A folder as the user reads it: relative to the working folder when it is below it."""
    try:
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else str(path)
    except (OSError, ValueError):
        return str(path)


def confine(path: str | os.PathLike, allowed: Iterable[str | os.PathLike] = ()) -> str | None:
    """None when the TUI may write or read `path`; otherwise the one-line refusal to show.

    Outside a served session every path is allowed. In one, only a path inside the saves or presets
    folder (after resolving symbolic links and `..`), or one of `allowed` (the files named on the
    command line, chosen by whoever started the server). Presets stay unwritable either way
    (Document.save refuses them).
    """
    if not served():
        return None
    folders = (saves_dir(), presets_dir())
    # The path first: on a narrow status line the end of the message is what gets cut.
    refusal = (
        f"served session: {path} is outside; files are kept to {shown(folders[0])}/ and {shown(folders[1])}/"
    )
    try:
        real = resolved(path)
        if any(real.is_relative_to(resolved(f)) for f in folders):
            return None
        if any(real == resolved(a) for a in allowed):
            return None
    except (OSError, ValueError):
        return refusal
    return refusal


def save_as_target(typed: str) -> tuple[Path, bool]:
    """The path a typed save-as name means, and whether `.toml` was added to it.

    The name is kept as typed; `.toml` is added only when it has no extension (`report` -> report.toml,
    `report.txt` stays). Raises ValueError with a one-line reason for a name that cannot be a file.
    """
    text = typed.strip()
    if not text:
        raise ValueError("no file name given")
    if "\x00" in text:
        raise ValueError(f"{text!r}: a file name cannot hold a NUL byte")
    if text.endswith(("/", os.sep)) or text in (".", "..", "~"):
        raise ValueError(
            f"{text}: is a folder (type a file name, e.g. {text.rstrip('/' + os.sep) or '.'}/name.toml)"
        )
    path = Path(text).expanduser()
    if path.suffix:
        return path, False
    return path.with_name(path.name.rstrip(".") + ".toml"), True


def config_file() -> Path:
    """The user config file: $WORKBENCH_CONFIG, else config.toml in the platform's user config folder."""
    if os.environ.get("WORKBENCH_CONFIG"):
        return Path(os.environ["WORKBENCH_CONFIG"])
    import platformdirs

    return platformdirs.user_config_path("build-vs-buy-workbench", appauthor=False) / "config.toml"
