"""The Compare tab: a table of inputs and results, one column per scenario, above an overlay chart.

A value that differs from the first scenario's is shown in the theme's warning colour and bold, and
prefixed with "≠", so the difference reads on a terminal without colour too. Nothing is cut: a long
label or value wraps onto more lines of its row, the line under the table repeats the cursor row whole,
and Enter shows the row in a small dialog.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.widgets import DataTable, Static

from workbench.model.compare import compare_rows
from workbench.model.fmt import shown
from workbench.model.report import Analysis
from workbench.tui.panes.plots import CompareChart
from workbench.tui.screens.dialogs import TextScreen
from workbench.tui.textual_fixes import PlainTable

DIFF_MARK = "≠ "
MAX_SCENARIOS = 6
LABEL_WIDTH = 34
VALUE_WIDTH = 24
MIN_VALUE_WIDTH = 12


class CompareTable(PlainTable):
    """The Compare table: j/k move as in the grids; Enter (the table's own select) shows the row whole."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class CompareView(Container):
    """Key inputs and results of 1..6 scenarios side by side, and their cumulative costs overlaid."""

    DEFAULT_CSS = """
    CompareView {
        layout: vertical;
        width: 1fr;
        height: 1fr;
    }
    CompareView > #compare-caption {
        height: auto;
        max-height: 2;
        color: $text-muted;
    }
    CompareView > #compare-detail {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $boost;
    }
    CompareView > DataTable {
        height: 1fr;
        min-height: 4;
    }
    CompareView > CompareChart {
        height: 1fr;
        min-height: 6;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.rows: list[dict] = []
        self.labels: list[str] = []
        self._items: list[tuple[str, Analysis]] = []
        self._ready = False  # set in on_mount: show() before then is drawn on mount
        self._dropped = 0

    def compose(self) -> ComposeResult:
        yield Static("Open two or more scenarios to compare them.", id="compare-caption")
        table: DataTable = CompareTable(id="compare-table", zebra_stripes=True, cursor_type="row")
        table.fixed_columns = 1
        yield table
        yield Static("", id="compare-detail")
        yield CompareChart(id="compare-chart")

    @property
    def table(self) -> DataTable:
        return self.query_one("#compare-table", DataTable)

    @property
    def chart(self) -> CompareChart:
        return self.query_one("#compare-chart", CompareChart)

    def show(self, items: Sequence[tuple[str, Analysis]]) -> None:
        """Fill the table and the chart for `items` (label, analysis); only the first 6 are shown."""
        dropped = max(0, len(items) - MAX_SCENARIOS)
        items = list(items)[:MAX_SCENARIOS]
        self._items = items
        self._dropped = dropped
        self.labels = [shown(label) for label, _ in items]  # tab titles: file names may hold controls
        self.rows = compare_rows(items)
        if not self._ready:  # filled in on_mount
            return
        caption = self.query_one("#compare-caption", Static)
        if not items:
            caption.update("Open two or more scenarios to compare them.")
        else:
            n_diff = sum(1 for r in self.rows if any(r["differs"]))
            # Short first (an 80-column line holds it), then the first scenario's whole name, which wraps.
            caption.update(
                Text(
                    f"{n_diff} of {len(self.rows)} rows differ · j/k move · Enter shows a row whole · "
                    f"{DIFF_MARK}differs from {self.labels[0]}"
                    + (f" · only the first {MAX_SCENARIOS} scenarios are shown" if self._dropped else "")
                )
            )
        self._fill_table()
        self.chart.show(items)

    def on_mount(self) -> None:
        self._ready = True
        if self._items:
            self.show(self._items)

    def _label_width(self) -> int:
        width = self.size.width
        return LABEL_WIDTH if width <= 0 else max(14, min(LABEL_WIDTH, width // 3))

    def _value_width(self) -> int:
        """Each scenario's column: the room left beside the labels, shared (wrapped text needs no more)."""
        width = self.size.width
        n = max(1, len(self.labels))
        if width <= 0:
            return VALUE_WIDTH
        room = (width - self._label_width() - 2 * (n + 1) - 2) // n
        return max(MIN_VALUE_WIDTH, min(VALUE_WIDTH, room))

    def on_resize(self) -> None:
        # The table may have been filled before the tab was laid out (or at another width): fill it
        # again when its columns would change, so what shows depends on the width, not on timing.
        if self._ready and self._items and self._widths() != self._filled_widths:
            self._fill_table()

    _filled_widths: tuple[int, int] = (0, 0)

    def _widths(self) -> tuple[int, int]:
        return self._label_width(), self._value_width()

    def row_at_cursor(self) -> dict | None:
        """The compare row under the table's cursor (None on a group's header)."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if r["key"] == key), None)

    def row_text(self, row: dict) -> Text:
        """A row whole: its label, then each scenario's name and value."""
        t = Text()
        label = row["label"]
        t.append(label if label.startswith(row["group"]) else f"{row['group']} · {label}", style="bold")
        for name, value, differs in zip(self.labels, row["values"], row["differs"], strict=True):
            t.append(f"\n{name}: ", style="dim")
            t.append((DIFF_MARK if differs else "") + value, style="bold" if differs else "")
        return t

    @on(DataTable.RowHighlighted, "#compare-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.row_at_cursor()
        detail = self.query_one("#compare-detail", Static)
        if row is None:
            detail.update(Text("a group of rows: j/k or the arrows move to its rows", style="dim"))
            return
        t = Text()
        t.append(row["label"], style="bold")
        t.append(": ")
        for n, (name, value) in enumerate(zip(self.labels, row["values"], strict=True)):
            t.append(("" if n == 0 else " │ ") + f"{name} ")
            t.append(value, style="bold")
        detail.update(t)

    @on(DataTable.RowSelected, "#compare-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        row = self.row_at_cursor()
        if row is not None:
            self.app.push_screen(TextScreen(self.row_text(row)))

    def _fill_table(self) -> None:
        table = self.table
        table.clear(columns=True)
        try:
            warning = self.app.theme_variables.get("warning", "yellow")
        except Exception:
            warning = "yellow"
        diff_style = f"bold {warning}"
        label_width, value_width = self._filled_widths = self._widths()
        table.add_column("", key="label", width=label_width)
        keys: list[str] = []
        for n, label in enumerate(self.labels):
            key = f"s{n}"
            keys.append(key)
            table.add_column(Text(label), key=key, width=value_width)
        # The scenarios' names wrap in a header as tall as the longest needs (up to 3 lines).
        table.header_height = min(3, max((_lines(label, value_width) for label in self.labels), default=1))
        group = None
        for n, row in enumerate(self.rows):
            if row["group"] != group:
                group = row["group"]
                table.add_row(
                    Text(group, style="bold underline"), *["" for _ in keys], key=f"group:{group}:{n}"
                )
            cells: list[Text] = []
            for value, differs in zip(row["values"], row["differs"], strict=True):
                if differs:
                    cells.append(Text(DIFF_MARK + value, style=diff_style))
                else:
                    cells.append(Text(value))
            # Wrapped, not cut: the row is as tall as its longest label or value needs.
            lines = max(
                _lines(c.plain, w)
                for c, w in [(Text(row["label"]), label_width)] + [(c, value_width) for c in cells]
            )
            table.add_row(Text(row["label"]), *cells, key=row["key"], height=lines)


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped at `width` (as Rich wraps it, at spaces where it can)."""
    return max(1, len(Text(text).wrap(_CONSOLE, max(1, width))))


_CONSOLE = Console(width=200)
