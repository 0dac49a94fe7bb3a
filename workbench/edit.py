"""Edits to a scenario, as pure functions: parse what a person typed, apply it, validate, or say why not.

An edit never mutates a Scenario: it builds a new dict and validates it whole, so cross-checks (a
dangling model name, two baselines) reject it as a file load would, and the old scenario stays intact.
Used by every grid cell of the TUI and by the fuzz tests.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from workbench import files
from workbench.model import scenario as sc
from workbench.model.scenario import Scenario

Path = tuple  # ("workload", "requests_per_day") or ("options", 2, "rag") or ("name",)

_SUFFIX = {"k": 3, "m": 6, "b": 9, "bn": 9, "t": 12}  # powers of ten
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d{1,3}))?(k|m|bn|b|t)?(%)?$", re.IGNORECASE)
_CURRENCY = "$€£¥₹"


class EditError(ValueError):
    """A value that cannot be used, worded for the status line."""


def parse_number(text: str) -> float:
    """'10k' -> 10000, '2.5M' -> 2.5e6, '$1,500' -> 1500, '35%' -> 0.35, '1e6' -> 1e6.

    Rejects anything else with a reason: no NaN, no infinity, one sign, one suffix.
    """
    raw = text
    t = text.strip().replace("_", "")
    if not t:
        raise EditError("empty: type a number")
    if len(t) > 64:
        raise EditError("too long to be a number")
    sign = ""
    if t[0] in "+-":
        sign, t = t[0], t[1:].lstrip()
    if t and t[0] in _CURRENCY:
        t = t[1:].lstrip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?([a-zA-Z%]*)", t):
        t = t.replace(",", "")
    m = _NUMBER.match(sign + t)
    if not m:
        raise EditError(f"{raw.strip()[:30]!r} is not a number (try 10k, 2.5M, $1,500, 35%, 1e6)")
    sign, digits, exp, suffix, percent = m.groups()
    # One decimal exponent for the 'e', the suffix and the percent, read by float() in one go: the
    # nearest double to what was typed. Multiplying instead gave 2.010e+02 -> 200.99999999999997 and
    # 2.01k -> 2009.9999999999998, which a whole-number cell then refused.
    power = int(exp or 0) + (_SUFFIX[suffix.lower()] if suffix else 0) - (2 if percent else 0)
    value = float(f"{digits}e{power}")
    if sign == "-":
        value = -value
    if not math.isfinite(value):
        raise EditError(f"{raw.strip()[:30]!r} is too large")
    return value


_TRUE = {"true", "yes", "y", "on", "1", "x", "✓"}
_FALSE = {"false", "no", "n", "off", "0", ""}


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise EditError(f"{text.strip()[:30]!r} is not yes or no")


def field_info(path: Path) -> tuple[type[BaseModel], str]:
    """The model and field name a cell path points at."""
    model = sc.model_at(path)
    name = path[-1]
    if model is None or not isinstance(name, str) or name not in model.model_fields:
        raise EditError(f"unknown field {'.'.join(map(str, path))}")
    return model, name


def field_kind(path: Path) -> tuple[str, tuple]:
    """('number'|'int'|'bool'|'choice'|'text', choices) for a cell path."""
    model, name = field_info(path)
    ann = model.model_fields[name].annotation
    origin = get_origin(ann)
    if origin is Literal:
        return "choice", get_args(ann)
    args = [a for a in get_args(ann) if a is not type(None)]
    base = args[0] if args and ann not in (int, float, str, bool) else ann
    if get_origin(base) is not None:  # Annotated[int, ...]
        base = get_args(base)[0]
    if base is bool:
        return "bool", ()
    if base is int:
        return "int", ()
    if base is float:
        return "number", ()
    return "text", ()


def parse_value(path: Path, text: str) -> Any:
    """Text typed into a cell -> the Python value for that field (before schema validation)."""
    kind, choices = field_kind(path)
    if kind == "bool":
        return parse_bool(text)
    if kind == "choice":
        t = text.strip().lower().replace("-", "_").replace(" ", "_")
        if t in choices:
            return t
        hits = [c for c in choices if c.startswith(t)] if t else []
        if len(hits) == 1:
            return hits[0]
        raise EditError(f"{text.strip()[:30]!r} is not one of {', '.join(choices)}")
    if kind in ("number", "int"):
        model, name = field_info(path)
        if not text.strip() and model.model_fields[name].annotation == (float | None):
            return None  # an optional price left empty: absent
        value = parse_number(text)
        if kind == "int":
            if not value.is_integer():
                raise EditError(f"{value:g} is not a whole number")
            return int(value)
        return value
    if "\x00" in text or any(ord(ch) < 32 and ch not in "\t\n" for ch in text):
        raise EditError("control characters are not allowed")
    return text.strip() if path[-1] in ("name", "model", "gpu", "teacher", "id", "currency") else text


def get_value(s: Scenario, path: Path) -> Any:
    obj: Any = s
    for part in path:
        obj = obj[part] if isinstance(part, int) or isinstance(obj, dict) else getattr(obj, part)
    return obj


def current_value(s: Scenario, path: Path) -> Any:
    """get_value for an edit: a cell whose row is gone (an undo while its editor was open) is an EditError."""
    try:
        return get_value(s, path)
    except (IndexError, KeyError, AttributeError):
        raise EditError(f"{'.'.join(map(str, path))} no longer exists (its row was removed)") from None


def _set(data: dict, path: Path, value: Any) -> None:
    obj: Any = data
    for part in path[:-1]:
        if isinstance(part, int):
            obj = obj[part]
        else:
            obj = obj.setdefault(part, {})
    if value is None:
        obj.pop(path[-1], None)
    else:
        obj[path[-1]] = value


def validated(data: dict, name: str = "edit") -> Scenario:
    """Validate an edited dict; raise EditError with the first problem, without the file prefix."""
    try:
        return files.from_dict(data, name)
    except files.ScenarioError as exc:
        first = str(exc).splitlines()[0]
        raise EditError(first.removeprefix(f"{name}: ")) from None


def _rename_refs(data: dict, table: str, old: str, new: str) -> None:
    """Renaming a model or GPU row renames every reference to it, as a spreadsheet user expects."""
    refs = {"api_models": ("model", "teacher"), "gpus": ("gpu",)}.get(table, ())
    for o in data.get("options", []):
        for key in refs:
            if o.get(key) == old:
                o[key] = new
    if table == "gpus" and data.get("training", {}).get("gpu") == old:
        data["training"]["gpu"] = new


def apply(s: Scenario, path: Path, value: Any) -> Scenario:
    """A new scenario with one field changed, validated whole; raises EditError."""
    current_value(s, path)
    data = files.to_dict(s)
    if len(path) == 3 and path[2] == "name" and path[0] in ("api_models", "gpus"):
        old = get_value(s, path)
        if isinstance(value, str) and value != old:
            _rename_refs(data, path[0], old, value)
    if len(path) == 3 and path[2] == "name" and path[0] in ("api_models", "gpus", "options"):
        from workbench.model.columns import rename_in_uncertainty

        rename_in_uncertainty(data, path[0], get_value(s, path), value)  # [uncertainty] keys name rows
    if path[-1] == "baseline" and path[0] == "options" and value is True:
        for o in data.get("options", []):
            o["baseline"] = False  # one baseline at a time, like a radio button
    _set(data, path, value)
    return validated(data)


def apply_text(s: Scenario, path: Path, text: str) -> Scenario:
    """Parse what was typed into a cell and apply it."""
    if path and path[0] == "uncertainty":  # a range of the Uncertainty grid
        from workbench import range_edits

        return range_edits.apply_text(s, path, text)
    return apply(s, path, parse_value(path, text))


def cycle(s: Scenario, path: Path) -> Scenario:
    """Space on a boolean or a choice: the next value."""
    if path and path[0] == "uncertainty":
        from workbench import range_edits

        return range_edits.cycle(s, path)
    kind, choices = field_kind(path)
    cur = current_value(s, path)
    if kind == "bool":
        return apply(s, path, not cur)
    if kind == "choice":
        return apply(s, path, choices[(choices.index(cur) + 1) % len(choices)])
    raise EditError("space cycles yes/no and choice cells; press Enter to edit this one")


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    base = re.sub(r" \(\d+\)$", "", name)
    i = 2
    while f"{base} ({i})" in taken:
        i += 1
    return f"{base} ({i})"


NEW_ROWS: dict[str, dict] = {
    "api_models": {"name": "New model", "input": 1.0, "output": 4.0},
    "gpus": {"name": "New GPU", "hourly": 2.0},
    "options": {"name": "New option", "serve": "api"},
}


def add_row(s: Scenario, table: str, after: int | None = None) -> tuple[Scenario, int]:
    """Append a new row (with a unique name, referring to existing rows) after `after`; returns its index."""
    data = files.to_dict(s)
    rows = data.setdefault(table, [])
    row = dict(NEW_ROWS[table])
    row["name"] = _unique(row["name"], {r["name"] for r in rows})
    if table == "options":
        if data.get("api_models"):
            row["model"] = data["api_models"][0]["name"]
        elif data.get("gpus"):
            row.update(serve="self_hosted", gpu=data["gpus"][0]["name"], tokens_per_second_per_gpu=1000.0)
    at = len(rows) if after is None else min(after + 1, len(rows))
    rows.insert(at, row)
    return validated(data), at


def duplicate_row(s: Scenario, table: str, index: int) -> tuple[Scenario, int]:
    data = files.to_dict(s)
    rows = data.get(table, [])
    if not 0 <= index < len(rows):
        raise EditError("no row to duplicate")
    row = dict(rows[index])
    row["name"] = _unique(row["name"] + " (copy)", {r["name"] for r in rows})
    row.pop("baseline", None)
    rows.insert(index + 1, row)
    return validated(data), index + 1


def delete_row(s: Scenario, table: str, index: int) -> Scenario:
    """Delete a row; refused (with the reason) if an option still refers to it."""
    data = files.to_dict(s)
    rows = data.get(table, [])
    if not 0 <= index < len(rows):
        raise EditError("no row to delete")
    name = rows[index].get("name")
    del rows[index]
    from workbench.model.columns import drop_from_uncertainty

    drop_from_uncertainty(data, table, name)  # ranges of the deleted row go with it
    try:
        return validated(data)
    except EditError as exc:
        raise EditError(f"cannot delete {name!r}: {exc}") from None


def move_row(s: Scenario, table: str, index: int, delta: int) -> tuple[Scenario, int]:
    data = files.to_dict(s)
    rows = data.get(table, [])
    j = index + delta
    if not (0 <= index < len(rows) and 0 <= j < len(rows)):
        raise EditError("cannot move further")
    rows[index], rows[j] = rows[j], rows[index]
    return validated(data), j


def set_risk(s: Scenario, risk_id: str, mitigated: bool | None = None, note: str | None = None) -> Scenario:
    """Tick a risk or write its note; the state is kept in the file's [[risks]] rows."""
    data = files.to_dict(s)
    rows = data.setdefault("risks", [])
    row = next((r for r in rows if r["id"] == risk_id), None)
    if row is None:
        row = {"id": risk_id, "mitigated": False, "note": ""}
        rows.append(row)
    if mitigated is not None:
        row["mitigated"] = mitigated
    if note is not None:
        if any(ord(ch) < 32 and ch not in "\t\n" for ch in note):
            raise EditError("control characters are not allowed")
        row["note"] = note
    return validated(data)


def display(value: Any) -> str:
    """A cell's value as the grid shows it (and as the editor starts with)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    return str(value)
