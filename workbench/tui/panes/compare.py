"""The Compare tab: a table of inputs and results, one column per scenario, above an overlay chart.

A value that differs from the first scenario's is shown in the theme's warning colour and bold, and
prefixed with "≠", so the difference reads on a terminal without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import DataTable, Static

from workbench.model.compare import compare_rows
from workbench.model.report import Analysis
from workbench.tui.panes.plots import CompareChart
from workbench.tui.textual_fixes import PlainTable

DIFF_MARK = "≠ "
MAX_SCENARIOS = 6
LABEL_WIDTH = 34
VALUE_WIDTH = 24


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class CompareView(Container):
    """Key inputs and results of 1..6 scenarios side by side, and their cumulative costs overlaid."""

    DEFAULT_CSS = """
    CompareView {
        layout: vertical;
        width: 1fr;
        height: 1fr;
    }
    CompareView > #compare-caption {
        height: 1;
        color: $text-muted;
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
        table: DataTable = PlainTable(id="compare-table", zebra_stripes=True, cursor_type="row")
        table.fixed_columns = 1
        yield table
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
        self.labels = [label for label, _ in items]
        self.rows = compare_rows(items)
        if not self._ready:  # filled in on_mount
            return
        caption = self.query_one("#compare-caption", Static)
        if not items:
            caption.update("Open two or more scenarios to compare them.")
        else:
            n_diff = sum(1 for r in self.rows if any(r["differs"]))
            caption.update(
                Text(
                    f"{DIFF_MARK}marks a value that differs from '{_fit(self.labels[0], 30)}'"
                    f" ({n_diff} of {len(self.rows)} rows differ)"
                    + (f"; only the first {MAX_SCENARIOS} scenarios are shown" if self._dropped else "")
                )
            )
        self._fill_table()
        self.chart.show(items)

    def on_mount(self) -> None:
        self._ready = True
        if self._items:
            self.show(self._items)

    _filled_label_width = 0

    def _label_width(self) -> int:
        width = self.size.width
        return LABEL_WIDTH if width <= 0 else max(14, min(LABEL_WIDTH, width // 3))

    def on_resize(self) -> None:
        # The table may have been filled before the tab was laid out (or at another width): fill it
        # again when its label column would change, so what shows depends on the width, not on timing.
        if self._ready and self._items and self._label_width() != self._filled_label_width:
            self._fill_table()

    def _fill_table(self) -> None:
        table = self.table
        table.clear(columns=True)
        try:
            warning = self.app.theme_variables.get("warning", "yellow")
        except Exception:
            warning = "yellow"
        diff_style = f"bold {warning}"
        label_width = self._filled_label_width = self._label_width()
        table.add_column("", key="label", width=label_width)
        keys: list[str] = []
        for n, label in enumerate(self.labels):
            key = f"s{n}"
            keys.append(key)
            table.add_column(_fit(label, VALUE_WIDTH), key=key, width=VALUE_WIDTH)
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
                    cells.append(Text(_fit(DIFF_MARK + value, VALUE_WIDTH), style=diff_style))
                else:
                    cells.append(Text(_fit(value, VALUE_WIDTH)))
            table.add_row(Text(_fit(row["label"], label_width)), *cells, key=row["key"])
