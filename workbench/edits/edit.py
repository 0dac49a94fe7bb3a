"""Edits to a scenario, as pure functions: parse what a person typed, apply it, validate, or say why not.

An edit never mutates a Scenario: it builds a new dict and validates it whole, so cross-checks (a
dangling model name, two baselines) reject it as a file load would, and the old scenario stays intact.
Used by every grid cell of the TUI and by the fuzz tests.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.edits import ranges as range_edits
from workbench.edits.values import (  # noqa: F401  (callers use edit.EditError, edit.display, ...)
    EditError,
    Path,
    _set,
    current_value,
    display,
    field_kind,
    get_value,
    parse_number,
    parse_value,
    validated,
)
from workbench.model.scenario import FIRST_VERSION, Scenario, model_at, version_of_field
from workbench.store import files


def _rename_refs(data: dict, table: str, old: str, new: str) -> None:
    """Renaming a model or GPU row renames every reference to it, as a spreadsheet user expects."""
    refs = {"api_models": ("model", "teacher"), "gpus": ("gpu",), "options": ("fallback",)}.get(table, ())
    for o in data.get("options", []):
        for key in refs:
            if o.get(key) == old:
                o[key] = new
    for t in ("training", "pretraining") if table == "gpus" else ():
        if data.get(t, {}).get("gpu") == old:
            data[t]["gpu"] = new


def apply(s: Scenario, path: Path, value: Any) -> Scenario:
    """A new scenario with one field changed, validated whole; raises EditError."""
    current_value(s, path)
    data = files.to_dict(s)
    if len(path) == 3 and path[2] == "name" and path[0] in ("api_models", "gpus", "options"):
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
    raise_version(data, path, value)
    _forget_sizing(data, path, value, get_value(s, path))
    return validated(data)


THROUGHPUT_KEYS = ("tokens_per_second_per_gpu", "requests_per_second_per_gpu")


def _forget_sizing(data: dict, path: Path, value: Any, old: Any) -> None:
    """A throughput typed over one the GPU sizing filled is no longer that estimate: its sizing record and
    the estimated mark go, so the Plots pane does not draw a sweep for a figure that is not its own."""
    if len(path) != 3 or path[0] != "options" or path[2] not in THROUGHPUT_KEYS or value == old:
        return
    row = data["options"][path[1]]
    from workbench.model.sizing import Sizing

    if Sizing.from_source(row.get("throughput_source", "")) is not None:
        row.pop("throughput_source", None)
        row.pop("throughput_estimated", None)


def raise_version(data: dict, path: Path, value: Any) -> None:
    """Setting a key of a later schema version away from its default makes the scenario that version
    (docs/model.md section 6): the tab then says so (the caller compares the versions)."""
    model = model_at(tuple(path))
    name = path[-1]
    if model is None or not isinstance(name, str) or name not in model.model_fields:
        return
    need = version_of_field(model, name)
    if need > data.get("schema_version", FIRST_VERSION) and value != model.model_fields[name].default:
        data["schema_version"] = need


def apply_text(s: Scenario, path: Path, text: str) -> Scenario:
    """Parse what was typed into a cell and apply it."""
    if path and path[0] == "uncertainty":  # a range of the Uncertainty grid
        return range_edits.apply_text(s, path, text)
    return apply(s, path, parse_value(path, text))


def cycle(s: Scenario, path: Path) -> Scenario:
    """Space on a boolean or a choice: the next value."""
    if path and path[0] == "uncertainty":
        return range_edits.cycle(s, path)
    kind, choices = field_kind(path)
    cur = current_value(s, path)
    if kind == "bool":
        return apply(s, path, not cur)
    if kind == "choice":  # the next choice the scenario accepts (a version-2 choice may need other keys)
        at = choices.index(cur)
        first: EditError | None = None
        for step in range(1, len(choices)):
            try:
                return apply(s, path, choices[(at + step) % len(choices)])
            except EditError as exc:
                first = first or exc
        raise first or EditError("no other choice")
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
