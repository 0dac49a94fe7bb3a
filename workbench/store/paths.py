"""Where presets, saves, recovery copies, the config file and logs live.

Presets ship inside the package (`workbench.presets`, the repository's presets/ folder) and are only ever
read. The user's files go in the platform's folders (platformdirs: ~/.local/share, ~/.local/state and
~/.config on Linux), except that a saves/ folder in the current directory is used when there is one (as
in the repository), and the WORKBENCH_* variables override each. Nothing is written under the installed
package.

Also where a file may be written or read from the TUI: in a served session (`workbench serve` sets
WORKBENCH_SERVED=1 in every app it starts) only inside the saves and presets folders, plus the files named
on the command line; the person at the browser may not be the person who started the server.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import platformdirs

from workbench.store import reading

APP = "build-vs-buy-workbench"
"""The platform folders' name: the distribution's, as `workbench` alone belongs to another project."""

# Where each folder came from, as `workbench paths` says it.
FROM_ENV = "from {}"
PLATFORM = "platform default"
SHIPPED = "shipped with the package"


def _env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def presets_where() -> tuple[Path, str]:
    """The presets folder and why: WORKBENCH_PRESETS, else the package's own (a real folder on disk in an
    editable install, where it is the repository's presets/, and in a wheel)."""
    if (env := _env("WORKBENCH_PRESETS")) is not None:
        return env, FROM_ENV.format("WORKBENCH_PRESETS")
    try:
        return Path(str(resources.files("workbench.presets"))), SHIPPED
    except ModuleNotFoundError:  # a source tree on PYTHONPATH that was never installed
        return Path(__file__).resolve().parents[2] / "presets", "the source tree's presets/"


def presets_dir() -> Path:
    return presets_where()[0]


def data_dir() -> Path:
    """The user data folder (~/.local/share/build-vs-buy-workbench on Linux); not created here."""
    return platformdirs.user_data_path(APP, appauthor=False)


def state_dir() -> Path:
    """The user state folder (~/.local/state/build-vs-buy-workbench on Linux); not created here."""
    return platformdirs.user_state_path(APP, appauthor=False)


def log_dir() -> Path:
    """The user log folder (~/.local/state/build-vs-buy-workbench/log on Linux); not created here."""
    return platformdirs.user_log_path(APP, appauthor=False)


def config_where() -> tuple[Path, str]:
    if (env := _env("WORKBENCH_CONFIG")) is not None:
        return env, FROM_ENV.format("WORKBENCH_CONFIG")
    return platformdirs.user_config_path(APP, appauthor=False) / "config.toml", PLATFORM


def config_file() -> Path:
    """The user config file: $WORKBENCH_CONFIG, else config.toml in the user config folder."""
    return config_where()[0]


def saves_where() -> tuple[Path, str]:
    """The saves folder and why. Reading never creates it (`make_saves_dir` does, before a write)."""
    if (env := _env("WORKBENCH_SAVES")) is not None:
        return env, FROM_ENV.format("WORKBENCH_SAVES")
    from workbench.store import config  # here, not at the top: config is read only when asked

    if (folder := config.current(config_file()).saves_folder) is not None:
        return folder, f"saves_folder in {config_file()}"
    here = Path("saves")
    if here.is_dir():
        return here.absolute(), "./saves exists here"
    return data_dir() / "saves", PLATFORM


def saves_dir() -> Path:
    """Where saves and exports go: $WORKBENCH_SAVES, else the user config's saves folder, else ./saves when
    the current directory has one, else saves/ in the user data folder."""
    return saves_where()[0]


def make_saves_dir() -> Path:
    """The saves folder, created (with its parents) if missing: called just before writing into it."""
    folder = saves_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recovery_where() -> tuple[Path, str]:
    if (env := _env("WORKBENCH_RECOVERY")) is not None:
        return env, FROM_ENV.format("WORKBENCH_RECOVERY")
    return state_dir() / "recovery", PLATFORM


def recovery_dir() -> Path:
    """Recovery copies of unsaved tabs: $WORKBENCH_RECOVERY, else recovery/ in the user state folder."""
    return recovery_where()[0]


def locations() -> list[tuple[str, Path, str]]:
    """(key, folder or file, why that one) for `workbench paths`: presets, saves, recovery, exports,
    config, logs."""
    saves, why_saves = saves_where()
    return [
        ("presets", *presets_where()),
        ("saves", saves, why_saves),
        ("recovery", *recovery_where()),
        ("exports", saves, "the saves folder"),
        ("config", *config_where()),
        ("logs", log_dir(), PLATFORM),
    ]


def default_preset() -> Path:
    return presets_dir() / "starter.toml"


def preset_or_file(arg: str) -> str:
    """A scenario argument as given, or the shipped preset it names: `starter` or `starter.toml` that is
    not a file here means presets/starter.toml (so `workbench report starter` works from any folder)."""
    if os.path.lexists(arg) or "/" in arg or os.sep in arg:
        return arg
    preset = presets_dir() / (arg if arg.endswith(".toml") else f"{arg}.toml")
    return str(preset) if preset.is_file() else arg


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
            data = tomllib.loads(reading.read_regular(p, reading.SCENARIO_BYTES)[1].decode("utf-8"))
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
    """A path as the user reads it: relative to the working folder when it is below it, else from ~ when
    it is below the home folder, else whole."""
    try:
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            return rel
        home = Path.home()
        if Path(path).is_relative_to(home):  # ~/.local/share/... rather than /home/me/.local/share/...
            return str(Path("~") / Path(path).relative_to(home))
        return str(path)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: no home folder can be found
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
