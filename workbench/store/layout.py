"""Saving over a file the user wrote: its comments, blank lines and order stay, only changed values move.

`keep_layout(base, data)` reads the file's text with tomlkit (which keeps a TOML document's layout) and
brings it to mean `data` (what `files.to_dict` gives), touching as little as it can:

- a changed value is replaced where it stands, keeping its line's comment (and the comment's column
  when there is room) and the style of its number (an integer stays one, `2.50` becomes `2.75`);
- a key is added only when its value differs from what its absence means (the schema's default), next
  to the keys that come before it in the schema; a key whose meaning is gone (a cleared cached price)
  is removed with its continuation comments;
- rows of [[api_models]], [[gpus]], [[options]] and [[risks]] are matched by name (id for risks), then
  a renamed row by its place among the rows that kept their names; a new row goes where the scenario
  has it, among the rows of its table, and a deleted row goes with the comments written above it.

It raises whatever tomlkit raises on a layout it cannot edit; `files.dump_text` then checks the result
loads back to the same scenario and writes a fresh file when it does not.
"""

from __future__ import annotations

import re
from typing import Any

import tomlkit
from pydantic import BaseModel
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, Float, InlineTable, Integer, Item, Null, String, Table, Whitespace

from workbench.model import scenario as sc

_REQUIRED = object()  # a field without a default: always written
ROW_KEYS = {"api_models": "name", "gpus": "name", "options": "name", "risks": "id"}


def keep_layout(base: str, data: dict, absent: dict | None = None) -> str:
    """The text `base` edited to mean `data`, with its layout kept. `absent`: what a top-level key the
    file leaves out means when that is not the schema's default (the user config's currency)."""
    doc = tomlkit.parse(base)
    scalars = [n for n in sc.Scenario.model_fields if n not in sc.TABLES and n not in sc.LISTS]
    scalars.remove("uncertainty")
    _update(doc, data, sc.Scenario, scalars, absent or {})
    for name, model in sc.TABLES.items():
        _update_table(doc, name, data.get(name, {}), model)
    for name in sc.LISTS:
        _update_rows(doc, name, data.get(name, []))
    _update_ranges(doc, data.get("uncertainty", {}))
    text = doc.as_string()
    if "\r\n" in base:  # lines added in a file of Windows line ends get them too
        text = re.sub(r"(?<!\r)\n", "\r\n", text)
    return text


# --- values ------------------------------------------------------------------------------------------


def _default(model: type[BaseModel], name: str) -> Any:
    """What a key means when the file does not have it."""
    field = model.model_fields[name]
    if field.is_required():
        return _REQUIRED
    value = field.get_default(call_default_factory=True)
    return value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value


def _item(box: Any, name: str) -> Item | None:
    """The tomlkit item of a key (`box[name]` gives a plain bool for a boolean)."""
    found = box.item(name)
    return found if isinstance(found, Item) else None


def _plain(value: Any) -> Any:
    return value.unwrap() if isinstance(value, Item) else value


def _same(a: Any, b: Any) -> bool:
    """Equal as the scenario reads them: 2 and 2.0 are, True and 1 are not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is not _REQUIRED and b is not _REQUIRED and a == b


def _number_text(value: int | float, old: Item | None) -> str:
    """A number written in the style of the one it replaces: an integer stays one, a float keeps its
    decimals when the new value fits them (2.50 -> 2.75, 10.00 -> 12.00), 1_000 keeps its underscores."""
    raw = old.as_string().strip() if isinstance(old, (Integer, Float)) else ""
    if isinstance(value, int) and not isinstance(old, Float):
        return f"{value:_}" if "_" in raw else str(value)
    as_float = float(value)
    if as_float != value:  # an integer too large for a float stays an integer
        return str(value)
    decimals = re.fullmatch(r"[+-]?[0-9_]+\.([0-9]+)", raw)
    if decimals:
        text = f"{as_float:.{len(decimals.group(1))}f}"
        if float(text) == as_float:
            return text
    return repr(as_float)


def _string(value: str, old: Item | None) -> Item:
    raw = old.as_string() if isinstance(old, String) else ""
    multiline = raw.startswith(('"""', "'''")) or "\n" in value
    made = None
    if raw.startswith("'"):
        try:
            made = tomlkit.string(value, literal=True, multiline=multiline)
        except ValueError:  # a quote or control character a literal string cannot hold
            pass
    if made is None:
        made = tomlkit.string(value, multiline=multiline)
    text = made.as_string()
    if raw[3:4] in ("\n", "\r") and multiline and text[3:4] != "\n":
        # the text started on the line after the quotes (TOML drops that first line break): so again
        return tomlkit.value(text[:3] + "\n" + text[3:])
    return made


def _styled(value: Any, old: Item | None = None) -> Item:
    """A tomlkit item for a value, in the style of the item it replaces."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return tomlkit.value(_number_text(value, old))
    if isinstance(value, str):
        return _string(value, old)
    return tomlkit.item(value)


def _replace(box: Any, name: str, value: Any) -> None:
    """A new value where the old one stands; its comment stays in its column when the value's length
    leaves room."""
    old = _item(box, name)
    new = _styled(value, old)
    if old is not None and old.trivia.comment:
        grow = len(new.as_string()) - len(old.as_string())
        new.trivia.comment_ws = " " * max(1, len(old.trivia.comment_ws) - grow)
    box[name] = new


# --- keys --------------------------------------------------------------------------------------------


def _container(box: Any) -> Container:
    return box if isinstance(box, Container) else box.value


def _continues(entry: tuple) -> bool:
    """An indented comment line under a key's line: the rest of that key's comment."""
    key, item = entry
    return key is None and (
        isinstance(item, Null) or (isinstance(item, Comment) and item.trivia.indent != "")
    )


def _update(
    box: Any, new: dict, model: type[BaseModel], names: list[str] | None = None, absent: dict | None = None
) -> None:
    """Bring the plain keys of one table (or the top of the file) to `new`."""
    for name in names if names is not None else list(model.model_fields):
        default = absent[name] if absent and name in absent else _default(model, name)
        want = new.get(name, default)
        present = name in box
        if _same(_plain(box[name]) if present else default, want):
            continue
        if name not in new:
            _remove(box, name)
        elif present:
            _replace(box, name, want)
        else:
            _insert(_container(box), name, _styled(want), list(model.model_fields))


def _remove(box: Any, name: str) -> None:
    """Remove a key with the indented comment lines under it."""
    entries = _container(box).body
    at = next(i for i, (k, _) in enumerate(entries) if k is not None and k.key == name)
    del box[name]
    while at + 1 < len(entries) and _continues(entries[at + 1]):
        entries[at + 1] = (None, Null())
        at += 1


def _insert(body: Container, name: str, item: Item, order: list[str]) -> None:
    """Add a key next to the keys the schema puts before it (after their continuation comments), or
    before the first key it puts after it; tables after the plain keys, plain keys before the tables."""
    entries = body.body
    where = {k.key: i for i, (k, _) in enumerate(entries) if k is not None}
    at = order.index(name)
    earlier = [n for n in order[:at] if n in where]
    later = [n for n in order[at + 1 :] if n in where]
    if earlier:
        idx = where[earlier[-1]] + 1
        while idx < len(entries) and _continues(entries[idx]):
            idx += 1
    elif later:
        idx = where[later[0]]
        above = idx
        while above > 0 and entries[above - 1][0] is None and isinstance(entries[above - 1][1], Comment):
            above -= 1
        if above > 0:  # above the comment written over that key, unless it opens the file
            idx = above
    else:
        idx = len(entries)
    tables = [i for i, (k, v) in enumerate(entries) if k is not None and isinstance(v, (Table, AoT))]
    if isinstance(item, (Table, AoT)):
        plain = [i for i, (k, v) in enumerate(entries) if k is not None and i not in tables]
        idx = max([idx, *(i + 1 for i in plain)])
    elif tables:
        idx = min(idx, tables[0])
    if idx >= len(entries):
        body.append(name, item)
    else:
        body._insert_at(idx, name, item)


# --- tables ------------------------------------------------------------------------------------------


def _fresh(new: dict, model: type[BaseModel]) -> Table:
    """A table of the keys of `new` that differ from their defaults, in the schema's order."""
    table = tomlkit.table()
    for name in model.model_fields:
        if name in new and not _same(new[name], _default(model, name)):
            table.add(name, _styled(new[name]))
    return table


def _fresh_rows(rows: list[dict], model: type[BaseModel], name: str) -> AoT:
    """Rows the file did not have, a blank line between them."""
    tables = [_fresh(row, model) for row in rows]
    for table in tables[:-1]:
        table.value.body.append((None, Whitespace("\n")))
    return AoT(tables, name=name, parsed=True)


def _update_table(doc: Container, name: str, new: dict, model: type[BaseModel]) -> None:
    if name in doc:
        _update(doc[name], new, model)
        return
    table = _fresh(new, model)
    if table.value.body:
        _add_table(doc, name, table)


def _add_table(doc: Container, name: str, item: Table | AoT) -> None:
    """A table or array of tables the file did not have, in the schema's order among the others. The
    comments that stood above the next table stay above it."""
    order = list(sc.Scenario.model_fields)
    at = order.index(name)
    earlier = [n for n in order[:at] if n in doc and isinstance(doc.item(n), (Table, AoT))]
    rows = item.body if isinstance(item, AoT) else [item]
    last = _container(rows[-1])
    if earlier:
        before = doc.item(earlier[-1])
        prev = _container(before.body[-1] if isinstance(before, AoT) else before)
        tail = _take_tail(prev)
        prev.body.append((None, Whitespace("\n")))
        last.body.extend(tail or [])
    else:  # before every other table: a blank line either side
        rows[0].trivia.indent = "\n"
        last.body.append((None, Whitespace("\n")))
    _insert(doc, name, item, order)


def _take_tail(body: Container) -> list[tuple]:
    """Remove and return what follows a table's last key: the blank lines and comments above the next
    header (tomlkit keeps them in this table). Indented comments right under the last key stay: they
    continue its comment."""
    entries = body.body
    idx = max((i for i, (k, v) in enumerate(entries) if k is not None), default=-1) + 1
    while idx < len(entries) and _continues(entries[idx]):
        idx += 1
    tail = entries[idx:]
    del entries[idx:]
    return tail


# --- rows --------------------------------------------------------------------------------------------


def _pair(old: list[Any], new: list[Any]) -> list[int | None]:
    """For each new row, the old row it continues: the one of the same name, else (a renamed row) the
    first unmatched old row after the same matched row; None for a row the file did not have."""
    index = {name: i for i, name in reversed(list(enumerate(old)))}
    pairs: list[int | None] = [index.get(name) for name in new]
    named = {p for p in pairs if p is not None}
    if len(named) != len([p for p in pairs if p is not None]):
        raise ValueError("two rows of one name")
    gaps: dict[int, list[int]] = {}
    anchor = -1
    for i in range(len(old)):
        if i in named:
            anchor = i
        else:
            gaps.setdefault(anchor, []).append(i)
    anchor = -1
    for j, p in enumerate(list(pairs)):
        if p is not None:
            anchor = p
        elif gaps.get(anchor):
            pairs[j] = gaps[anchor].pop(0)
    return pairs


def _update_rows(doc: Container, name: str, new: list[dict]) -> None:
    model = sc.LISTS[name]
    key = ROW_KEYS[name]
    if name not in doc:
        if new:
            _add_table(doc, name, _fresh_rows(new, model, name))
        return
    aot = doc.item(name)
    if not isinstance(aot, AoT):  # an inline array (`options = []`, as a fresh file writes no rows)
        was = _plain(aot)
        if not isinstance(was, list) or not all(isinstance(r, dict) for r in was):
            raise ValueError(f"{name} is not a list of tables")
        if not _same([_filled(r, model) for r in was], [_filled(r, model) for r in new]):
            _remove(doc, name)
            if new:
                _add_table(doc, name, _fresh_rows(new, model, name))
        return
    old = list(aot.body)
    pairs = _pair([_plain(t.get(key)) for t in old], [row.get(key) for row in new])
    tails = [_take_tail(t.value) for t in old]
    if not new:  # the comments above the next table stay, at the end of the table before
        at = next(i for i, (k, v) in enumerate(doc.body) if v is aot)
        before = [v for k, v in doc.body[:at] if k is not None and isinstance(v, (Table, AoT))]
        _remove(doc, name)
        if before:  # what stood above the first row goes with the rows
            last = before[-1]
            prev = _container(last.body[-1] if isinstance(last, AoT) else last)
            _take_tail(prev)
            prev.body.extend(tails[-1])
        return
    rows: list[Table] = []
    for j, row in enumerate(new):
        p = pairs[j]
        if p is None:
            rows.append(_fresh(row, model))
        else:
            _update(old[p], row, model)
            rows.append(old[p])
    for j, table in enumerate(rows):
        if j + 1 == len(rows):
            tail = tails[-1]
        else:
            nxt = pairs[j + 1]
            # the lines above a row are the tail of the row before it in the file
            tail = tails[nxt - 1] if nxt else [(None, Whitespace("\n"))]
        table.value.body.extend(tail)
    while len(aot):
        del aot[0]
    for table in rows:
        aot.append(table)


# --- uncertainty -------------------------------------------------------------------------------------


def _update_ranges(doc: Container, new: dict[str, dict]) -> None:
    """[uncertainty]: one range per input; a changed range is rewritten whole (an inline table is one
    line), keeping the keys the file wrote and its comment."""
    if "uncertainty" not in doc:
        if new:
            table = tomlkit.table()
            for path, rng in new.items():
                table.add(path, _inline(rng, None))
            _add_table(doc, "uncertainty", table)
        return
    table = doc["uncertainty"]
    for path in [p for p in table if p not in new]:
        _remove(table, path)
    tail = _take_tail(_container(table))  # new ranges go after the last one, above what follows it
    for path, rng in new.items():
        if path not in table:
            table.add(path, _inline(rng, None))
            continue
        old = table[path]
        if _same(_filled(_plain(old), sc.Range), _filled(rng, sc.Range)):
            continue
        if isinstance(old, InlineTable):
            _replace(table, path, _inline(rng, old))
        else:
            _update(old, rng, sc.Range)
    _container(table).body.extend(tail)


def _filled(row: dict, model: type[BaseModel]) -> dict:
    """A row with its absent keys at their defaults: what it means."""
    return {name: row.get(name, _default(model, name)) for name in model.model_fields}


def _inline(rng: dict, old: InlineTable | None) -> InlineTable:
    """A range as an inline table: the keys the old one wrote, and those away from their defaults; with
    spaces inside the braces unless the old one had none."""
    parts = []
    for name in sc.Range.model_fields:
        kept = old is not None and name in old
        if name in rng and (kept or not _same(rng[name], _default(sc.Range, name))):
            value = _styled(rng[name], _item(old, name) if old is not None and kept else None)
            parts.append(f"{name} = {value.as_string()}")
    pad = "" if old is not None and not old.as_string().startswith("{ ") else " "
    made = tomlkit.value("{" + pad + ", ".join(parts) + pad + "}")
    assert isinstance(made, InlineTable)
    return made
