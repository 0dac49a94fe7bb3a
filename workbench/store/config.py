"""The user's config file: the theme, the saves folder, the default currency and key overrides.

A TOML file (`paths.config_file()`), optional: without it every value is its default. It is read with
tomllib and checked as strictly as a scenario: an unknown key, a wrong type, a theme Textual does not
have or a binding id the app does not have is refused with one line per problem,
`FILE: [table].key: what is wrong (what was expected)`.

This module only reads, checks and rewrites text: callers pass the file's path (paths.config_file()) and
write with files.write_atomic, so that paths and files may ask it for values without an import circle.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.model.problems import join_problems, shown_value, toml_syntax_problem
from workbench.model.scenario import Label, Scenario
from workbench.store import reading
from workbench.store.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000

# Textual 8.2.8's built-in themes (tests/test_config.py holds this to textual.theme.BUILTIN_THEMES): the
# store does not load Textual to check a theme's name.
THEMES = (
    "ansi-dark",
    "ansi-light",
    "atom-one-dark",
    "atom-one-light",
    "catppuccin-frappe",
    "catppuccin-latte",
    "catppuccin-macchiato",
    "catppuccin-mocha",
    "dracula",
    "flexoki",
    "gruvbox",
    "monokai",
    "nord",
    "rose-pine",
    "rose-pine-dawn",
    "rose-pine-moon",
    "solarized-dark",
    "solarized-light",
    "textual-dark",
    "textual-light",
    "tokyo-night",
)
DEFAULT_THEME = "textual-dark"  # Textual's own default (TEXTUAL_THEME overrides it)

# Every binding id of the app (tests/test_config.py holds this to the app's Binding(id=...) declarations).
BINDING_IDS = (
    "aids.next",
    "aids.previous",
    "app.close_tab",
    "app.compare",
    "app.duplicate_tab",
    "app.export",
    "app.help",
    "app.new_tab",
    "app.next_tab",
    "app.open_file",
    "app.prev_tab",
    "app.quit",
    "app.redo",
    "app.rename_tab",
    "app.save",
    "app.save_as",
    "app.split",
    "app.split_left",
    "app.undo",
    "editor.cancel",
    "grid.copy",
    "grid.cycle",
    "grid.edit",
    "grid.edit.e",
    "grid.paste",
    "pane.aids",
    "pane.aids.letter",
    "pane.ladder",
    "pane.ladder.letter",
    "pane.options",
    "pane.options.letter",
    "pane.overheads",
    "pane.overheads.letter",
    "pane.plots",
    "pane.plots.letter",
    "pane.pricing",
    "pane.pricing.letter",
    "pane.results",
    "pane.results.letter",
    "pane.risks",
    "pane.risks.letter",
    "pane.sensitivity",
    "pane.sensitivity.letter",
    "pane.simulation",
    "pane.simulation.letter",
    "pane.uncertainty",
    "pane.uncertainty.letter",
    "pane.workload",
    "pane.workload.letter",
    "plots.log",
    "plots.next",
    "plots.previous",
    "risks.note",
    "risks.toggle",
    "row.add",
    "row.delete",
    "row.duplicate",
    "row.rename",
    "sensitivity.next_a",
    "sensitivity.next_b",
    "sensitivity.prev_a",
    "sensitivity.prev_b",
    "sensitivity.step_down",
    "sensitivity.step_up",
    "simulation.fewer",
    "simulation.more",
    "simulation.reseed",
    "view.explain",
    "view.import_usage",
    "view.other_half",
    "view.price_catalog",
    "view.size_gpu",
)

# One key as Textual names it: modifiers, then a lowercase key name (f5, enter, question_mark) or one
# printable character (x, S, ?). Several keys are separated by commas.
_KEY = re.compile(r"(?:(?:ctrl|alt|shift|meta|super|hyper)\+)*(?:[a-z][a-z0-9_]+|[^\s,])")
KEY_EXPECTED = "a key such as 'ctrl+s', 'f2', 'x' or 'question_mark'; several separated by commas"


def default_currency() -> str:
    """The label a scenario gets when neither its file nor the config sets one."""
    return str(Scenario.model_fields["currency"].default)


class _File(BaseModel):
    """The file's layout: what TOML must hold before the names in it are checked."""

    model_config = ConfigDict(extra="forbid", strict=True)

    theme: str | None = Field(None, min_length=1)
    saves_folder: str | None = Field(None, min_length=1)
    currency: Annotated[Label, Field(min_length=1, max_length=12)] | None = None
    keys: dict[str, Any] = {}


KNOWN_KEYS = tuple(_File.model_fields)


@dataclass(frozen=True)
class Config:
    """What the file sets (None: not set, the default applies) and where it was read from."""

    path: Path
    exists: bool = False
    theme: str | None = None
    saves_folder: Path | None = None
    currency: str | None = None
    keys: dict[str, str] = field(default_factory=dict)


# --- reading -----------------------------------------------------------------------------------------


def load(path: Path) -> Config:
    """The config at `path`; a missing file gives every default. Raises ConfigError."""
    text = read_text(path)
    return Config(path) if text is None else parse(text, path)


def read_text(path: Path) -> str | None:
    """The config file's text (a byte-order mark removed), None when there is none. Only a regular file
    of at most MAX_CONFIG_BYTES is read (store.reading). Raises ConfigError."""
    name = str(path)
    try:
        raw = reading.read_regular(path, MAX_CONFIG_BYTES)[1]
    except FileNotFoundError:
        return None
    except reading.NotRegularFile as exc:
        raise ConfigError(f"{name}: {exc} (a config.toml file)") from None
    except reading.FileTooLarge as exc:
        raise ConfigError(f"{name}: {exc} (a config file under {MAX_CONFIG_BYTES:,} bytes)") from None
    except PermissionError:
        raise ConfigError(f"{name}: permission denied (a readable file)") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror or exc} (a readable file)") from None
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name}: not a text file: invalid UTF-8 at byte {exc.start} (UTF-8 TOML)"
        ) from None


def parse(text: str, path: Path) -> Config:
    """Check the text of the config file at `path` (relative saves folders are relative to its folder)."""
    name = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: {toml_syntax_problem(exc)}") from None
    except (RecursionError, ValueError):
        raise ConfigError(f"{name}: (file): not a config file (a short TOML file)") from None
    try:
        checked = _File.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        raise ConfigError(join_problems(f"{name}: ", problems)) from None
    problems = []
    if checked.theme is not None and checked.theme not in THEMES:
        problems.append(
            ("theme", f"{shown_value(checked.theme)} is not a theme", _choices(checked.theme, THEMES))
        )
    keys, key_problems = _keys(checked.keys)
    problems += key_problems
    if problems:
        raise ConfigError(join_problems(f"{name}: ", problems))
    saves = None
    if checked.saves_folder is not None:
        saves = Path(checked.saves_folder).expanduser()
        if not saves.is_absolute():
            saves = path.parent / saves
    return Config(path, True, checked.theme, saves, checked.currency, keys)


def _choices(got: str, known: tuple[str, ...]) -> str:
    hint = difflib.get_close_matches(got, known, n=1, cutoff=0.6)
    return f"did you mean {hint[0]!r}?" if hint else "one of " + ", ".join(known)


def _shown_id(binding_id: str) -> str:
    return (
        f"[keys].{binding_id}"
        if re.fullmatch(r"[A-Za-z0-9_-]+", binding_id)
        else f"[keys]{_quoted(binding_id)}"
    )


def _quoted(binding_id: str) -> str:
    return '."' + binding_id.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _keys(table: dict[str, Any]) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The [keys] table as binding id -> key string. Ids may be quoted ("app.save" = "f2") or written as
    dotted keys (app.save = "f2"), which TOML reads as nested tables: both give the same id."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat[prefix] = value

    walk("", table)
    keys: dict[str, str] = {}
    problems = []
    for binding_id, value in flat.items():
        where = _shown_id(binding_id)
        if binding_id not in BINDING_IDS:
            problems.append((where, "unknown binding id", _choices(binding_id, BINDING_IDS)))
        elif not isinstance(value, str):
            problems.append(
                (where, f"wrong type: {shown_value(value)} is a {type(value).__name__}", KEY_EXPECTED)
            )
        elif not all(_KEY.fullmatch(k.strip()) for k in value.split(",")):
            problems.append((where, f"{shown_value(value)} is not a key", KEY_EXPECTED))
        else:
            keys[binding_id] = ",".join(k.strip() for k in value.split(","))
    return keys, problems


_WANTED = {
    "theme": "a theme name in quotes, e.g. 'nord'",
    "saves_folder": "a folder in quotes, e.g. '~/scenarios'",
    "currency": "a label in quotes of 1 to 12 characters, e.g. 'EUR'",
    "keys": "a [keys] table of binding id = key",
}


def _describe(err: Any) -> tuple[str, str, str]:
    """One pydantic error of the file's layout -> (location, problem, expected)."""
    loc = tuple(err.get("loc", ()))
    key = str(loc[0]) if loc else ""
    where = key or "(file)"
    kind = err.get("type", "")
    value = err.get("input")
    if kind == "extra_forbidden":
        return where, "unknown key", _choices(key, KNOWN_KEYS)
    if kind in ("string_too_short", "too_short"):  # (too_short: a Label, checked after its validator)
        return where, "is empty", _WANTED.get(key, "a non-empty text")
    if kind in ("string_too_long", "too_long"):
        return where, f"{shown_value(value)} is too long", _WANTED.get(key, "a shorter text")
    if kind in ("dict_type", "model_type"):
        return where, f"expected a table, got {shown_value(value)}", _WANTED.get(key, "a [table]")
    if kind == "control_character":
        return where, err.get("msg", ""), "plain text without control characters"
    return where, f"wrong type: {shown_value(value)} is a {type(value).__name__}", _WANTED.get(key, "")


# --- the config of this process -------------------------------------------------------------------

_current: dict[Path, Config] = {}


def current(path: Path) -> Config:
    """The config at `path`, read once per process (a session keeps the values it started with).
    Raises ConfigError, every time it is asked, while the file is broken."""
    if path not in _current:
        _current[path] = load(path)
    return _current[path]


def forget() -> None:
    """Read the file again on the next `current` (tests, and after the app rewrites it)."""
    _current.clear()


# --- writing --------------------------------------------------------------------------------------

STARTER = """\
# The workbench's user config. Every key is optional; `workbench config` shows the values in effect
# and where each comes from. Delete a line to go back to its default.

# A Textual theme (the command palette's "Change theme" saves its choice here).
# theme = "nord"

# Where saves and exports go (~ is your home; a relative path is relative to this file's folder).
# WORKBENCH_SAVES, when set, wins over this.
# saves_folder = "~/scenarios"

# The currency label of a scenario whose file does not set `currency`.
# currency = "EUR"

[keys]
# Key overrides by binding id (the ids are listed in the README); several keys separated by commas.
# "app.save" = "ctrl+s,f2"
"""


_COMMENTED_THEME = re.compile(r'^# ?theme = "[^"\n]*"$', re.MULTILINE)


def with_theme(text: str | None, theme: str) -> str:
    """The config text with `theme` set, the rest (comments, blank lines, order) as it was. `text` None:
    a new file. Raises ConfigError when the text is not TOML (it was edited since the app started)."""
    if text is None:
        return f'# The workbench\'s user config ("Configuration" in the README).\ntheme = "{theme}"\n'
    import tomlkit  # here: needed only when a theme is remembered, not to read the config

    try:
        doc = tomlkit.parse(text)
    except Exception as exc:  # tomlkit's parse errors share no public base class
        raise ConfigError(f"not valid TOML any more: {exc}") from None
    if "theme" not in doc:  # the starter's commented-out example becomes the line
        line = f'theme = "{theme}"'
        filled = _COMMENTED_THEME.sub(line, text, count=1)
        if filled != text and tomllib.loads(filled).get("theme") == theme:
            return filled
    doc["theme"] = theme
    return tomlkit.dumps(doc)
