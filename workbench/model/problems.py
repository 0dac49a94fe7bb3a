"""Validation problems worded for people: `[[options]][2] "Fine-tuned 8B".gpu: 'X' is not a [[gpus]] row
(did you mean ...?)`.

A pydantic error or a cross-check becomes (location, problem, expected) triples, and those become short
lines. The file loader prefixes them with the file's name; an edit or a sensitivity move shows the first.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from workbench.model import fmt
from workbench.model import scenario as sc
from workbench.model.scenario import CrossCheckError


def _shown_key(key: object) -> str:
    """A key as TOML writes it: bare when it can be, quoted when empty, padded or holding control characters."""
    k = str(key)
    if isinstance(key, int) or (k and k == k.strip() and k.isprintable()):
        return k
    return json.dumps(k)


def format_loc(loc: tuple, data: Any = None) -> str:
    """('options', 1, 'gpu') -> '[[options]][2] "Fine-tuned 8B".gpu'; ('workload', 'x') -> '[workload].x'."""
    loc = tuple(p for p in loc if p != "[key]")  # pydantic's mark of a dict key's own error: the key names it
    if not loc:
        return "(file)"
    head, rest = loc[0], loc[1:]
    if head in sc.LISTS or (rest and isinstance(rest[0], int)):
        if rest and isinstance(rest[0], int):
            idx = rest[0]
            label = f"[[{head}]][{idx + 1}]"
            try:
                row = data[head][idx]
                row_name = row.get("name") or row.get("id")
                if isinstance(row_name, str) and row_name and fmt.first_control(row_name) is None:
                    label += f' "{row_name}"'
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
            rest = rest[1:]
        else:
            label = f"[[{head}]]"
    elif head in sc.TABLES or rest:
        label = f"[{head}]"
    else:
        return _shown_key(head)
    # an entry of a list value (a rollout share) is counted from 1, as rows are: rollout[2]
    return label + "".join(f"[{p + 1}]" if isinstance(p, int) else f".{_shown_key(p)}" for p in rest)


def shown_value(value: Any) -> str:
    """A value as a message quotes it: its repr, cut at 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected_for(loc: tuple) -> str:
    if len(loc) >= 2 and isinstance(loc[-1], int) and loc[-2] == "rollout":
        return "each share 0..1, e.g. 0.05 for 5%"  # an entry of a list of shares
    model = sc.model_at(loc)
    name = loc[-1] if loc else None
    if model is None or not isinstance(name, str) or name not in model.model_fields:
        return ""
    bounds = sc.field_bounds(model, name)
    unit = sc.field_unit(model, name)
    return ", ".join(p for p in (bounds, unit) if p)


def describe_error(err: Mapping[str, Any], data: Any) -> tuple[str, str, str]:
    """One pydantic error -> (location, problem, expected)."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    where = format_loc(loc, data)
    if kind == "extra_forbidden":
        known = sc.known_keys(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        expected = f"did you mean {hint[0]!r}?" if hint else "known keys: " + ", ".join(known[:12])
        return where, "unknown key", expected
    if kind == "missing":
        return where, "is missing", "a value"
    if kind == "finite_number":
        return (
            where,
            f"must be a finite number (got {shown_value(value)})",
            _expected_for(loc) or "a finite number",
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return where, f"out of range (got {shown_value(value)})", _expected_for(loc)
    if kind in ("float_type", "int_type", "bool_type", "string_type", "int_from_float"):
        want = {
            "float_type": "a number",
            "int_type": "a whole number",
            "int_from_float": "a whole number",
            "bool_type": "true or false",
            "string_type": "a text in quotes",
        }[kind]
        got = type(value).__name__
        return where, f"wrong type: {shown_value(value)} is a {got}", want
    if kind == "literal_error":
        return where, f"{shown_value(value)} is not a choice", f"one of {ctx.get('expected', '')}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return where, f"expected a table, got {shown_value(value)}", "a [table]"
    if kind == "list_type":
        return where, f"expected a list of tables, got {shown_value(value)}", "[[table]] rows"
    if kind == "control_character":  # scenario.Label: a name or label, shown as it is
        return (
            where,
            f"contains a control character ({ctx.get('name', '')})",
            "plain text without control characters",
        )
    if kind in ("string_too_short",):
        return where, "is empty", "a non-empty text"
    if kind in ("string_too_long", "too_long"):
        return where, "is too long", str(ctx.get("max_length", "shorter"))
    return where, err.get("msg", "is invalid"), ""


def problems_of(exc: Exception, data: Any) -> list[tuple[str, str, str]]:
    """Turn a validation failure into (location, problem, expected) triples, cross-checks included."""
    out: list[tuple[str, str, str]] = []
    if isinstance(exc, CrossCheckError):
        return [(format_loc(loc, data), p, e) for loc, p, e in exc.problems]
    if isinstance(exc, ValidationError):
        for err in exc.errors():
            inner = (err.get("ctx") or {}).get("error")
            if isinstance(inner, CrossCheckError):
                out.extend((format_loc(loc, data), p, e) for loc, p, e in inner.problems)
            else:
                out.append(describe_error(err, data))
        return out
    return [("(file)", str(exc), "")]


def _tidy_text(text: str, limit: int) -> str:
    """One short line: control and line-break characters escaped, the middle of long text elided."""
    text = fmt.escaped(text)
    if len(text) > limit:
        text = text[: limit * 2 // 3] + "…" + text[-(limit // 3 - 1) :]
    return text


def join_problems(prefix: str, problems: list[tuple[str, str, str]], limit: int = 3) -> str:
    lines = []
    for where, problem, expected in problems[:limit]:
        # A file may hold huge keys or names with newlines; the message stays one short line each.
        where, problem, expected = _tidy_text(where, 100), _tidy_text(problem, 120), _tidy_text(expected, 160)
        line = f"{prefix}{where}: {problem}"
        if expected:
            line += f" ({expected})"
        lines.append(line)
    if len(problems) > limit:
        lines[-1] += f" (+{len(problems) - limit} more)"
    return "\n".join(lines)


def first_problem(exc: Exception, data: Any) -> str:
    """The first problem of a validation failure as one line, as an edit's status line shows it."""
    return join_problems("", problems_of(exc, data)).splitlines()[0]


_LINE_COL = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_syntax_problem(exc: ValueError) -> str:
    """tomllib's syntax error as `line L, column C: TOML syntax error: what (valid TOML)`: the place first,
    as every other problem names its key first (scenario files and the user config alike)."""
    msg = str(exc)
    m = _LINE_COL.search(msg)
    where = f"line {m.group(1)}, column {m.group(2)}" if m else "TOML"
    return f"{where}: TOML syntax error: {_LINE_COL.sub('', msg).strip()} (valid TOML)"
