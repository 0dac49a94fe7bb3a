"""What a person typed into a cell, parsed against the schema, and an edited scenario validated whole.

The base of every edit (cells, ranges, data dialogs): no edit here changes a scenario.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from workbench.model import scenario as sc
from workbench.model.scenario import Scenario
from workbench.store import files

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


def parse_count(text: str) -> float:
    """'8e9', '8B', '70b', '1.5T', '8,000,000,000' -> a number of parameters (model sizes, where
    a bare "B" means billions; cells use parse_number)."""
    t = text.strip().lower().replace(",", "").replace("_", "")
    m = re.fullmatch(r"(\d+(?:\.\d*)?(?:e[+-]?\d+)?)\s*([kmbt]?)", t)
    if not m:
        raise ValueError(f"{text!r} is not a number of parameters (try 8e9 or 8B)")
    return float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[m.group(2)]


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
    """('number'|'int'|'bool'|'choice'|'shares'|'text', choices) for a cell path; 'shares' is a list of
    shares 0..1 (an option's rollout), typed and shown as percentages."""
    model, name = field_info(path)
    ann = model.model_fields[name].annotation
    origin = get_origin(ann)
    if origin is Literal:
        return "choice", get_args(ann)
    if origin is list:
        return "shares", ()
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


def cell_name(path: Path) -> str:
    """A cell as the schema's messages name it: [[options]][3].rollout, [workload].input_tokens."""
    if len(path) == 3 and isinstance(path[1], int):
        return f"[[{path[0]}]][{path[1] + 1}].{path[2]}"
    return f"[{path[0]}].{path[1]}" if len(path) == 2 else ".".join(map(str, path))


_SHARES_HINT = "type 0..100% each: 5%, 25%, 50%"


def parse_shares(path: Path, text: str) -> list[float]:
    """'5%, 25%, 50%', '0.05, 0.25' or '[0.05, 0.25]' -> [0.05, 0.25, 0.5]; empty (or []) -> [].

    Each entry is a share of traffic, 0..1: a bad one is refused in one line naming the cell and the entry."""
    t = text.strip()
    if t.startswith("[") and t.endswith("]"):
        t = t[1:-1]
    out = []
    for p in (p for p in re.split(r"[,;\s]+", t) if p):
        try:
            v = parse_number(p)
        except EditError:
            raise EditError(f"{cell_name(path)}: {p[:20]!r} is not a share ({_SHARES_HINT})") from None
        if not 0 <= v <= 1:
            what = p[:20] if p.endswith("%") else f"{p[:20]} = {display_share(v)}"
            side = "above 100%" if v > 1 else "below 0%"
            raise EditError(f"{cell_name(path)}: {what} is {side} ({_SHARES_HINT})")
        out.append(v)
    return out


def display_share(v: float) -> str:
    """0.05 -> '5%', 0.125 -> '12.5%' (six significant digits, as number cells show)."""
    return f"{v * 100:.6g}%"


def parse_value(path: Path, text: str) -> Any:
    """Text typed into a cell -> the Python value for that field (before schema validation)."""
    kind, choices = field_kind(path)
    if kind == "shares":
        return parse_shares(path, text)
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
    if isinstance(value, list):  # a rollout: shares as percentages, as typed
        return ", ".join(display_share(v) for v in value)
    return str(value)
