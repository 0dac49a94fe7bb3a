"""Editable grids generated from the schema's field metadata.

A grid never edits the scenario itself: it posts a message with the cell's path (or, to open the cell
editor, calls the `editor` its view handed down) and the view turns it into a new Scenario
(workbench.edits.edit), then calls `follow` with the result. Two shapes:
- a field grid (label / value / unit / about rows) over one or more tables of the scenario;
- a row grid over a list of tables ([[api_models]], [[gpus]], [[options]]), one column per field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from workbench.edits import edit
from workbench.model import fmt
from workbench.model import scenario as sc
from workbench.model.scenario import Scenario
from workbench.tui.textual_fixes import CellCache, CellEditor, plain_text, run_own_binding

START_EDIT_CHARS = set("0123456789.-$€£")


def label_of(name: str) -> str:
    return name.replace("_", " ")


def help_of(path: tuple) -> str:
    """Unit, bounds and description of the field at a path, for the status line: the unit and bounds
    first, since an 80-column line cuts most descriptions."""
    about = about_of(path, bounds_first=True)
    if not about:
        return ""
    return f"{where_of(path)}: {about}"


def where_of(path: tuple) -> str:
    """A cell's path as the status line names it, rows counted from 1 as on screen: options.3.rollout."""
    return ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in path)


def about_of(path: tuple, bounds_first: bool = False) -> str:
    """Description, unit and bounds of the field at a path, without the path ("" if none)."""
    try:
        model = sc.model_at(path)
    except Exception:  # not a scenario path (a risk note)
        return ""
    name = path[-1]
    if model is None or name not in model.model_fields:
        return ""
    f = model.model_fields[name]
    unit = sc.field_unit(model, name)
    bounds = sc.field_bounds(model, name)
    if _kind(path) == "shares":  # a list has no bounds of its own: say how to type it
        bounds = "each 0..100%: 5%, 25%"
    extra = ", ".join(x for x in (unit, bounds) if x)
    if bounds_first:
        return (f"[{extra}] " if extra else "") + f"{f.description}"
    return f"{f.description}" + (f" [{extra}]" if extra else "")


@dataclass(frozen=True)
class Section:
    title: str
    table: str | None  # None: top-level scenario keys
    fields: tuple[str, ...]


def sections_for(tables: list[str | None], top_fields: tuple[str, ...] = ()) -> list[Section]:
    """Field-grid sections generated from the schema: every field of each table, in schema order."""
    out = []
    for t in tables:
        if t is None:
            out.append(Section("Scenario", None, top_fields))
        else:
            model = sc.TABLES[t]
            out.append(Section(t.replace("_", " ").title(), t, tuple(model.model_fields)))
    return out


class Grid(CellCache):
    """Base: the cell under the cursor maps to a scenario path (or None for read-only cells)."""

    BINDINGS = [
        Binding(
            "enter", "edit", "Edit", tooltip="Edit the cell (Enter commits, Esc cancels)", id="grid.edit"
        ),
        Binding("e", "edit", "Edit", show=False, id="grid.edit.e"),
        Binding("space", "cycle", "Toggle", tooltip="Cycle yes/no and choice cells", id="grid.cycle"),
        Binding("h", "cursor_left", show=False),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        Binding("l", "cursor_right", show=False),
        Binding("y", "copy", "Copy", show=False, id="grid.copy"),
        Binding("p", "paste", "Paste", show=False, id="grid.paste"),
    ]

    class CellAction(Message):
        """cycle, copy, paste on a cell path."""

        def __init__(self, grid: Grid, action: str, path: tuple) -> None:
            super().__init__()
            self.grid = grid
            self.action = action
            self.path = path

    class Focused(Message):
        def __init__(self, grid: Grid, path: tuple | None) -> None:
            super().__init__()
            self.grid = grid
            self.path = path

    editor: CellEditor | None = None  # handed down by the view that owns the grid and the edit bar

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._paths: dict[tuple[int, int], tuple] = {}
        self._scenario: Scenario | None = None
        self._shown: dict[tuple[str, str], tuple[type, object]] = {}  # (row key, column key) -> value shown

    def _show(self, row_key: str, column_key: str, value: object, path: tuple) -> None:
        """Show a value in a cell, touching the table only when it differs from what is shown: any
        update invalidates the table's whole render cache, so an edit re-renders only grids it changed."""
        shown = (type(value), value)
        if self._shown.get((row_key, column_key)) != shown:
            self._shown[(row_key, column_key)] = shown
            cell = _cell(value, path)
            self.update_cell(row_key, column_key, cell)
            self._fit(row_key, column_key, cell)

    def _fit(self, row_key: str, column_key: str, cell: Text) -> None:
        """Show an edited value whole: its column widens (text up to TEXT_WIDTH), and text longer than
        that makes its row taller. Costs nothing when the value fits, which is nearly every edit."""
        column = self.columns.get(column_key)  # type: ignore[call-overload]
        if column is None or cell.cell_len <= column.width:
            return
        widen(self, column_key, _room(cell))
        lines = len(cell.wrap(self.app.console, column.width))
        row = self.rows.get(row_key)  # type: ignore[call-overload]
        if row is not None and row.height < lines:
            row.height = lines
            self._require_update_dimensions = True
            self.refresh()

    def clear(self, columns: bool = False):
        self._shown = {}  # rows re-added from scratch show what they were given
        return super().clear(columns)

    def _show_text(self, row_key: str, column_key: str, cell: Text) -> None:
        """`_show` for a cell given as Text: updated only when its text or style changed."""
        shown = (str, (cell.plain, str(cell.style), cell.justify))
        if self._shown.get((row_key, column_key)) != shown:
            self._shown[(row_key, column_key)] = shown
            self.update_cell(row_key, column_key, cell)

    # --- what is under the cursor
    def current_path(self) -> tuple | None:
        if self.row_count == 0:
            return None
        c = self.cursor_coordinate
        return self._path_at(c.row, c.column)

    def _path_at(self, row: int, column: int) -> tuple | None:
        return self._paths.get((row, column))

    def current_value_text(self) -> str:
        path = self.current_path()
        if path is None or self._scenario is None:
            return ""
        try:
            return edit.display(edit.get_value(self._scenario, path))
        except (AttributeError, IndexError, KeyError):
            return ""

    # --- actions
    def _request_edit(self, path: tuple, text: str) -> None:
        """Open the editor now, through the editor handed down (textual_fixes.CellEditor says why a call
        and not a message); a grid outside a scenario tab has none and does not edit."""
        if self.editor is not None:
            self.editor.open_editor(path, text, self)

    def _open_editor(self) -> CellEditor | None:
        """The editor, if it is open: keys that were already queued for this grid belong there."""
        return self.editor if self.editor is not None and self.editor.editing else None

    def action_edit(self) -> None:
        editor = self._open_editor()
        if editor is not None:
            editor.submit_editor()
            return
        path = self.current_path()
        if path is not None:
            self._request_edit(path, self.current_value_text())

    def action_cycle(self) -> None:
        path = self.current_path()
        if path is not None:
            self.post_message(self.CellAction(self, "cycle", path))

    def action_copy(self) -> None:
        path = self.current_path()
        if path is not None:
            self.post_message(self.CellAction(self, "copy", path))

    def action_paste(self) -> None:
        path = self.current_path()
        if path is not None:
            self.post_message(self.CellAction(self, "paste", path))

    async def on_key(self, event: events.Key) -> None:
        editor = self._open_editor()
        if editor is not None:  # typed fast (or over a slow link) before the editor took the focus
            event.stop()
            event.prevent_default()
            editor.editor_key(event)
            return
        if event.character and event.character in START_EDIT_CHARS:
            path = self.current_path()
            if path is not None and edit.field_kind(path)[0] in ("number", "int", "shares"):
                event.stop()
                event.prevent_default()
                self._request_edit(path, event.character)
                return
        # The grid's own keys (moves, Enter, space, copy, paste) act here, in the order they arrived.
        await run_own_binding(self, event)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_edit()  # a click on the highlighted cell edits it, as Enter does

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.post_message(self.Focused(self, self.current_path()))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.post_message(self.Focused(self, self.current_path()))

    def on_focus(self) -> None:
        self.post_message(self.Focused(self, self.current_path()))

    _pending: Scenario | None = None  # a scenario to show when the grid is next on screen

    def follow(self, scenario: Scenario) -> None:
        """Show the scenario now if the grid is on screen (or has never been loaded), else when it is
        next shown: an edit refreshes only what the user can see, within the same frame."""
        if self.size.width == 0 and self.row_count:
            self._pending = scenario
        else:
            self._pending = None
            self.load(scenario)

    def on_show(self) -> None:
        if self._pending is not None:
            scenario, self._pending = self._pending, None
            self.load(scenario)

    def load(self, scenario: Scenario) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


_KINDS: dict[tuple, str] = {}


def _kind(path: tuple) -> str:
    """`edit.field_kind(path)[0]`, remembered per table and field (a row's index does not change it)."""
    key = (path[0], path[-1]) if len(path) == 3 else path
    kind = _KINDS.get(key)
    if kind is None:
        kind = _KINDS[key] = edit.field_kind(path)[0]
    return kind


TEXT_WIDTH = 30  # a text column's widest: longer text (a source, a long name) wraps onto more lines


def _room(cell: Text) -> int:
    """The width a cell asks of its column: a figure (right-justified) whole, text up to TEXT_WIDTH."""
    return cell.cell_len if cell.justify == "right" else min(cell.cell_len, TEXT_WIDTH)


def widen(table: DataTable, column_key: str, width: int) -> None:
    """Widen a fixed-width column to `width` if it is narrower, so an edited value shows whole. Cheap
    (no re-measuring of every cell, unlike `update_cell(update_width=True)`); only ever widens."""
    column = table.columns.get(column_key)  # type: ignore[call-overload]
    if column is not None and column.width < width:
        column.width = width
        table._require_update_dimensions = True
        table.refresh()


def _cell(value: object, path: tuple) -> Text:
    kind = _kind(path)
    if kind == "bool":
        return Text("yes" if value else "no", style="bold" if value else "dim")
    if kind in ("number", "int") and isinstance(value, int | float):
        return Text(fmt.grouped(value), justify="right")  # one format for every number of a column
    return plain_text(edit.display(value))  # text from the file: its control characters shown


class FieldGrid(Grid):
    """label / value / unit / about rows for the fields of one or more tables."""

    def __init__(self, sections: list[Section], **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, fixed_columns=1, **kwargs)
        self.sections = sections
        self._built = False
        self._rows: list[tuple | None] = []

    def _path_at(self, row: int, column: int) -> tuple | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # Section-header rows hold no value: the cursor passes over them (typed digits there used to vanish).
    def _skip_headers(self, step: int) -> None:
        row = self.cursor_coordinate.row
        target = row
        while 0 <= target < len(self._rows) and self._rows[target] is None:
            target += step
        if not 0 <= target < len(self._rows):  # a header at the very top or bottom: the nearest field
            target = row
            while 0 <= target < len(self._rows) and self._rows[target] is None:
                target -= step
        if 0 <= target < len(self._rows) and target != row:
            self.move_cursor(row=target)

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._skip_headers(1)

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._skip_headers(-1)

    def action_page_down(self) -> None:
        super().action_page_down()
        self._skip_headers(1)

    def action_page_up(self) -> None:
        super().action_page_up()
        self._skip_headers(-1)

    def action_scroll_top(self) -> None:
        super().action_scroll_top()
        self._skip_headers(1)

    def action_scroll_bottom(self) -> None:
        super().action_scroll_bottom()
        self._skip_headers(-1)

    def load(self, scenario: Scenario) -> None:
        self._scenario = scenario
        if not self._built:
            # widths from what the rows hold: every label whole; values whole (an edit widens the column)
            paths = [
                (name,) if sec.table is None else (sec.table, name)
                for sec in self.sections
                for name in sec.fields
            ]
            label_width = max(len(sec.title) + 1 for sec in self.sections)
            label_width = max([label_width, *(len(label_of(p[-1])) + 2 for p in paths)])
            cells = {p: _cell(edit.get_value(scenario, p), p) for p in paths}
            # figures set the width; long text (a name, a source) wraps onto more lines instead of
            # pushing the unit and the figures' right edge out of an 80-column pane
            value_width = max(
                [
                    16,
                    *(c.cell_len for p, c in cells.items() if _kind(p) != "text"),
                    *(min(c.cell_len, TEXT_WIDTH) for p, c in cells.items() if _kind(p) == "text"),
                ]
            )
            self.add_column("Field", key="label", width=label_width)
            self.add_column("Value", key="value", width=value_width)
            self.add_column("Unit", key="unit", width=12)
            self.add_column("About", key="about")
            for sec in self.sections:
                self._rows.append(None)
                self.add_row(Text(f"▌{sec.title}", style="bold"), "", "", "", key=f"h:{sec.title}")
                model = sc.Scenario if sec.table is None else sc.TABLES[sec.table]
                for name in sec.fields:
                    path = (name,) if sec.table is None else (sec.table, name)
                    self._rows.append(path)
                    f = model.model_fields[name]
                    value = edit.get_value(scenario, path)
                    self._shown[(".".join(path), "value")] = (type(value), value)
                    self.add_row(
                        Text("  " + label_of(name)),
                        cells[path],
                        Text(sc.field_unit(model, name), style="dim"),
                        Text(f.description or "", style="dim"),
                        key=".".join(path),
                        height=max(1, -(-cells[path].cell_len // value_width)),
                    )
            self._built = True
            if len(self._rows) > 1:
                self.move_cursor(row=1)
            return
        for row in self._rows:
            if row is not None:
                self._show(".".join(row), "value", edit.get_value(scenario, row), row)


# Row-grid columns that the schema lists last (version 2 appended them) but that read best next to the
# column they belong with: how an option is built, then when it goes live, before what it costs.
PLACED_AFTER: dict[str, tuple[str, tuple[str, ...]]] = {
    "options": (
        "teacher",
        (
            "train_on",
            "pretrain",
            "pretrain_tokens",
            "go_live_month",
            "rollout",
            "fallback_share",
            "fallback",
        ),
    ),
}
COLUMN_WIDTHS = {"name": 22, "source": 22, "note": 22, "model": 16, "gpu": 16, "teacher": 16, "fallback": 16}
COLUMN_WIDTHS["rollout"] = 14  # "5%, 25%, 50%"


def column_order(table: str) -> list[str]:
    """The columns of a row grid: the row model's fields in schema order, some moved (PLACED_AFTER)."""
    names = list(sc.LISTS[table].model_fields)
    if table in PLACED_AFTER:
        anchor, moved = PLACED_AFTER[table]
        rest = [n for n in names if n not in moved]
        at = rest.index(anchor) + 1
        names = rest[:at] + [n for n in moved if n in names] + rest[at:]
    return names


class RowGrid(Grid):
    """One row per entry of a list table, one column per field (generated from the row model)."""

    def __init__(self, table: str, **kwargs) -> None:
        super().__init__(cursor_type="cell", fixed_columns=1, **kwargs)
        self.table = table
        self.model = sc.LISTS[table]
        self.columns_order = column_order(table)
        self._count = -1

    def load(self, scenario: Scenario) -> None:
        self._scenario = scenario
        rows = getattr(scenario, self.table)
        keep = self.cursor_coordinate
        if len(rows) != self._count:
            self._add_columns(rows)
            self.clear()
            self._paths = {}
            self._shown = {}
            for i, row in enumerate(rows):
                cells = []
                for j, name in enumerate(self.columns_order):
                    path = (self.table, i, name)
                    self._paths[(i, j)] = path
                    value = getattr(row, name)
                    self._shown[(str(i), name)] = (type(value), value)
                    cells.append(_cell(value, path))
                height = max(
                    [1]
                    + [
                        len(c.wrap(self.app.console, self.columns[name].width))  # type: ignore[index]
                        for c, name in zip(cells, self.columns_order, strict=True)
                    ]
                )
                self.add_row(*cells, key=str(i), height=height)
            self._count = len(rows)
            if rows:
                self.move_cursor(row=min(keep.row, len(rows) - 1), column=keep.column)
            return
        for i, row in enumerate(rows):
            for name in self.columns_order:
                self._show(str(i), name, getattr(row, name), (self.table, i, name))

    def _add_columns(self, rows: list) -> None:
        """Columns as wide as the widest value they hold (names and sources whole; the name column stays
        in view when the grid scrolls sideways), each header in at most two lines. Decided when rows are
        added or removed; an edit only widens a column whose value grew (`widen`)."""
        widths, heights = {}, []
        for name in self.columns_order:
            cells = [_cell(getattr(row, name), (self.table, i, name)) for i, row in enumerate(rows)]
            values = [_room(c) for c in cells]
            width = max([COLUMN_WIDTHS.get(name, 6), *values])
            lines = fmt.wrap_lines(label_of(name), 2, width)
            widths[name] = (Text("\n".join(lines)), max([width, *(len(x) for x in lines)]))
            heights.append(len(lines))
        if self.columns:
            for name, (_, width) in widths.items():
                widen(self, name, width)
            return
        self.header_height = max(heights, default=1)
        for name, (label, width) in widths.items():
            self.add_column(label, key=name, width=width)

    def current_index(self) -> int | None:
        return self.cursor_coordinate.row if self.row_count else None
