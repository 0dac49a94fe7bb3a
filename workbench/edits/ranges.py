"""Edits to the [uncertainty] table, as pure functions (the Uncertainty grid's cells).

A cell path is ("uncertainty", INPUT_PATH, FIELD). Typing into Low or High of an input without a range
creates one around the input's own value; clearing Low or High removes the range; a Mode makes the
range triangular. `workbench.edits.edit.apply_text` and `edit.cycle` send such paths here, so the grid edits
through the same edit bar, undo history and validation as every other cell.
"""

from __future__ import annotations

from workbench.edits.values import EditError, parse_value, validated
from workbench.model import columns
from workbench.model.scenario import Scenario
from workbench.store import files

DISTS = ("uniform", "triangular", "lognormal")
DEFAULT_SPREAD = 0.25  # space on an input without a range: ±25% around its value


def _input(s: Scenario, key: str) -> tuple[columns.Path, float]:
    try:
        p = columns.check(s, key)
    except columns.PathError as exc:
        raise EditError(str(exc)) from None
    return p, columns.value(s, p)


def default_range(s: Scenario, key: str) -> dict:
    """±25% around the input's value, inside its bounds (whole numbers for whole-number inputs)."""
    p, v = _input(s, key)
    b = columns.bounds(p)
    low, high = b.clamp(v * (1 - DEFAULT_SPREAD)), b.clamp(v * (1 + DEFAULT_SPREAD))
    if b.integer:
        low, high = float(round(low)), float(round(high))
        if high == v:
            high = b.clamp(v + 1)
    low, high = min(low, high), max(low, high)
    return {"low": low, "high": high, "dist": "uniform"}


def apply_text(s: Scenario, path: tuple, text: str) -> Scenario:
    """Set one field of a range from what was typed."""
    _, key, field = path
    data = files.to_dict(s)
    ranges = data.setdefault("uncertainty", {})
    current = ranges.get(key)
    t = text.strip()
    if not t and field in ("low", "high"):
        if current is None:
            raise EditError("no range to remove: type a number to make one")
        del ranges[key]
        return validated(data)
    if not t and field == "mode":
        if current is None:
            raise EditError("type a number: the most likely value")
        current.pop("mode", None)
        return validated(data)
    value = parse_value(path, text)
    if current is None:
        _, v = _input(s, key)
        current = {"low": v, "high": v, "dist": "uniform"}
    current[field] = value
    if field == "low" and current["high"] < value:
        current["high"] = value
    if field == "high" and current["low"] > value:
        current["low"] = value
    if field == "mode" and current.get("dist", "uniform") != "triangular":
        current["dist"] = "triangular"
    if field == "dist" and value != "triangular":
        current.pop("mode", None)
    ranges[key] = current
    return validated(data)


def cycle(s: Scenario, path: tuple) -> Scenario:
    """Space: on an input without a range, add ±25%; on Dist, the next distribution."""
    _, key, field = path
    data = files.to_dict(s)
    ranges = data.setdefault("uncertainty", {})
    current = ranges.get(key)
    if current is None:
        ranges[key] = default_range(s, key)
        return validated(data)
    if field != "dist":
        raise EditError("type a number (an empty Low or High removes the range); space on Dist cycles it")
    nxt = DISTS[(DISTS.index(current.get("dist", "uniform")) + 1) % len(DISTS)]
    current["dist"] = nxt
    if nxt != "triangular":
        current.pop("mode", None)
    return validated(data)


def remove(s: Scenario, key: str) -> Scenario:
    data = files.to_dict(s)
    if key not in data.get("uncertainty", {}):
        raise EditError("no range on this input")
    del data["uncertainty"][key]
    return validated(data)
