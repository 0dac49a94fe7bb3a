"""Scenario files: tomllib in; out, the user's own text edited in place (tomlkit) or a fresh file (tomli-w);
atomic replace, and one clear message per problem.

Every failure becomes a `ScenarioError` whose text reads `FILE: [table].key: what is wrong (what was
expected)`; callers print it and never show a traceback.
"""

from __future__ import annotations

import glob
import math
import os
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.model import scenario as sc
from workbench.model.problems import join_problems, problems_of, shown_value, toml_syntax_problem
from workbench.model.scenario import SCHEMA_VERSION, CrossCheckError, Scenario
from workbench.store import config, paths, reading
from workbench.store.errors import ScenarioError
from workbench.store.reading import FileTooLarge, NotRegularFile, read_regular

MAX_FILE_BYTES = reading.SCENARIO_BYTES
HEADER = "# A workbench scenario. Every key is described in the README.\n"
BOM = "\ufeff"  # a UTF-8 byte-order mark, as some Windows editors write one


# --- Locations and messages ------------------------------------------------------------------------


def shown_path(path: str | os.PathLike) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (a name from another system) are shown as
    `\\xff` instead of ending the program with an encoding error on a strict UTF-8 terminal."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


# --- Loading ---------------------------------------------------------------------------------------


def parse_text(text: str, name: str = "<text>") -> Scenario:
    """Parse TOML text into a validated Scenario, or raise ScenarioError with one short message."""
    try:
        data = tomllib.loads(text.removeprefix(BOM))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{name}: {toml_syntax_problem(exc)}") from None
    except RecursionError:
        raise ScenarioError(f"{name}: (file): nested too deeply (a flat scenario file)") from None
    except ValueError:  # Python refuses to read integers of more than 4,300 digits
        raise ScenarioError(
            f"{name}: (file): a number has too many digits (a number of at most 4,300 digits)"
        ) from None
    return from_dict(data, name)


def from_dict(data: dict, name: str = "<scenario>") -> Scenario:
    if isinstance(data, dict) and "currency" not in data:  # the user config's default currency
        data = {**data, "currency": _default_currency()}
    version = data.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ScenarioError(
            f"{name}: schema_version: {shown_value(version)} is newer than this workbench reads "
            f"({SCHEMA_VERSION} or lower; update the workbench)"
        )
    try:
        return sc.validate(data)
    except (ValidationError, CrossCheckError) as exc:
        raise ScenarioError(join_problems(f"{name}: ", problems_of(exc, data))) from None
    except RecursionError:
        raise ScenarioError(f"{name}: (file): nested too deeply (a flat scenario file)") from None


def _default_currency() -> str:
    """The currency of a scenario that does not set one: the user config's, else the schema's."""
    try:
        chosen = config.current(paths.config_file()).currency
    except config.ConfigError as exc:
        raise ScenarioError(str(exc)) from None
    return chosen or config.default_currency()


def load(path: str | os.PathLike) -> Scenario:
    """Read and validate one scenario file (a regular file of at most MAX_FILE_BYTES: store.reading)."""
    return load_with_text(path)[0]


def load_with_text(path: str | os.PathLike) -> tuple[Scenario, str]:
    """The validated scenario and the text it was read from (a leading byte-order mark removed): the
    text is the layout a save keeps and what tells whether the file changed on disk since."""
    text = read_text(path)
    return parse_text(text, shown_path(path)), text


def read_text(path: str | os.PathLike) -> str:
    """A scenario file's text, or ScenarioError saying why it cannot be read. Only a regular file is
    read, and at most MAX_FILE_BYTES of it (store.reading): a FIFO, a device or a symlink to /dev/zero is
    refused in one line. A UTF-8 byte-order mark (written by some Windows editors) is removed; a save does
    not write it back."""
    name = shown_path(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES)[1]
    except NotRegularFile as exc:
        raise ScenarioError(f"{name}: {exc} (a .toml scenario file)", "not-regular") from None
    except FileTooLarge as exc:
        raise ScenarioError(
            f"{name}: {exc} (a scenario file under {MAX_FILE_BYTES:,} bytes)", "too-large"
        ) from None
    except FileNotFoundError:
        raise ScenarioError(f"{name}: no such file (a path to a .toml scenario)", "missing") from None
    except PermissionError:
        raise ScenarioError(f"{name}: permission denied (a readable file)", "unreadable") from None
    except OSError as exc:
        raise ScenarioError(
            f"{name}: cannot read: {exc.strerror or exc} (a readable file)", "unreadable"
        ) from None
    except ValueError:  # a NUL byte in the path
        raise ScenarioError(f"{name}: not a valid path (a path to a .toml scenario)", "bad-path") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{name}: not a text file: invalid UTF-8 at byte {exc.start} (a UTF-8 TOML scenario file)"
        ) from None
    if "\x00" in text:
        raise ScenarioError(f"{name}: not a text file: it contains NUL bytes (a UTF-8 TOML scenario file)")
    return text.removeprefix(BOM)


# --- Saving ----------------------------------------------------------------------------------------


def _tidy(value: Any) -> Any:
    """Whole floats are written as integers (100000, not 100000.0); they load back as equal floats."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def to_dict(scenario: Scenario) -> dict:
    """The scenario as a plain dict, as it is written to TOML (None values left out). A file of an older
    schema version is written without the later versions' keys (they are at their defaults, or it would
    not have validated), so it stays a file of its version."""
    data = scenario.model_dump(exclude_none=True)
    if scenario.schema_version < sc.SCHEMA_VERSION:
        _drop_newer(scenario, data)
    return _tidy(data)


def _drop_newer(scenario: Scenario, data: dict) -> None:
    def drop(model: type[sc.Table], row: dict) -> None:
        for name in list(row):
            if name in model.model_fields and sc.version_of_field(model, name) > scenario.schema_version:
                del row[name]

    for table, model in sc.TABLES.items():
        drop(model, data[table])
        if not data[table]:  # a table of later keys only ([pretraining])
            del data[table]
    for table in ("api_models", "gpus", "options"):
        for row in data[table]:
            drop(sc.LISTS[table], row)


def dump_text(scenario: Scenario, base: str | None = None) -> str:
    """The scenario as TOML text. With `base` (the text of the file it was read from), that text edited in
    place: comments, blank lines and order stay and only the changed values' lines move
    (workbench.store.layout). Without it, or when the edited text would not load back to this very
    scenario, a fresh file: the header and every key."""
    data = to_dict(scenario)
    if base is not None:
        from workbench.store import layout  # here: tomlkit is needed to save, not to read or report

        try:
            text = layout.keep_layout(base.removeprefix(BOM), data, {"currency": _default_currency()})
        except Exception:  # a layout tomlkit cannot edit (or reads differently): a fresh file is still right
            text = None
        if text is not None and _means(text, scenario):
            return text
    import tomli_w  # only a save writes TOML

    return HEADER + tomli_w.dumps(data, multiline_strings=True)


def _means(text: str, scenario: Scenario) -> bool:
    """The text loads back to this scenario: a kept layout never writes a file that means something else."""
    try:
        return parse_text(text) == scenario
    except ScenarioError:
        return False


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(
    path: str | os.PathLike, text: str, through_links: bool = True, mode: int | None = None
) -> None:
    """Write text to path so that a crash leaves either the old file or the new one, never half of one.

    The new text goes to a temporary file in the same folder, which then replaces the file by a rename.
    So, with the default `through_links`:
    - `path` a symbolic link: the save writes through it. The file it points to is replaced (in its own
      folder, atomically, its permissions kept) and the link stays a link to it. A link to a file not
      there yet creates that file.
    - `path` one of several hard links to a file: the name saved becomes a file of its own with the new
      text; the other names keep the old text (a rename cannot update a shared file atomically, and
      writing it in place could leave half a file after a crash).
    `through_links=False` (recovery copies) replaces a link itself with the file instead of following it.
    `mode`: the new file's permissions (recovery copies: 0o600); by default an existing file's are kept,
    and a new file gets 0o666 less the umask.
    """
    p = Path(path)
    if through_links and p.is_symlink():
        p = Path(os.path.realpath(p))
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise ScenarioError(f"{path}: folder {str(folder)!r} does not exist (an existing folder)")
    data = text.encode("utf-8")
    fd = None
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fd = None
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(p) if mode is None else mode)
        os.replace(tmp, p)
        tmp = None
        try:
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass
        _remove_stale_temps(folder, p.name)
    except PermissionError:
        raise ScenarioError(f"{path}: permission denied (a folder you can write to)") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(f"{path}: cannot save: {reason} (free space and a writable folder)") from None
    finally:
        discard_temp(fd, tmp)


def discard_temp(fd: int | None, tmp: str | None) -> None:
    """Close a temporary file's descriptor and remove the file, whichever of them is still there (None:
    already closed, or renamed into place)."""
    if fd is not None:
        os.close(fd)
    if tmp is not None:
        try:
            os.unlink(tmp)
        except OSError:
            pass


STALE_TEMP_SECONDS = 60.0


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Temporary files of earlier saves of this file that a killed process left behind. Only those older
    than a minute: a younger one may be another process's save in progress."""
    now = time.time()
    for leftover in folder.glob(f".{glob.escape(name)}.*.tmp"):
        try:
            if now - leftover.stat().st_mtime > STALE_TEMP_SECONDS:
                leftover.unlink()
        except OSError:
            pass


def save(scenario: Scenario, path: str | os.PathLike, base: str | None = None) -> str:
    """Atomically save a scenario as TOML, keeping the layout of `base` (the text the file was read from)
    when given; returns the text written."""
    text = dump_text(scenario, base)
    write_atomic(path, text)
    return text
