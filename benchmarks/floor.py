"""The floor the workbench's speed is held to: a bare Textual app of the same shape, doing the same kind of
edit with nothing of the workbench in it.

    python benchmarks/floor.py [--inputs N] [--options N] [--months N]

Left, an input table (field, value, unit; `--inputs` rows, the first holding a volume). Right, a results
table of nine rows by `--options` columns and a monthly table of `--months` rows by five columns: the
shape of the workbench's Results pane for a scenario of that many options and months (`--months 0`: no
monthly table, only the two tables issue 15 names). Below, a status
line and a footer. Enter on a value opens an edit bar over the status line (Textual's Input, on an
overlay layer); Enter in it parses the number, writes it into the input table, recomputes every figure
with trivial arithmetic (`figure()`), updates the cells of both result tables, closes the edit bar and
gives the focus back to the input table. Escape cancels. ctrl+q quits.

Nothing is cached and nothing is deferred beyond what Textual does by itself: the point is Textual's own
cost for this work, measured by benchmarks/run.py from outside the process on a pseudo-terminal.

`--scenario FILE` makes it the floor *plus the model*: before the app starts it reads and validates FILE
with the workbench's store (pydantic) and computes it with the workbench's engine (`report.analyze`,
numpy), and the results table shows that analysis's figures (`report.option_rows`). What this costs over
the bare floor at start-up is the part of the workbench's cold start no TUI work can remove: the first
frame has to show figures, and figures need the scenario validated and computed.
"""

from __future__ import annotations

import argparse

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Static

ROWS = ("Month 1", "Avg/mo", "TCO", "/request", "/1M tok", "B/E mo", "B/E vol", "GPUs", "marks")
MONTH_COLUMNS = ("Month", "total", "cumulative", "inference", "one-time")


def figure(volume: float, row: int, column: int) -> float:
    """The trivial arithmetic every result cell shows: proportional to the volume."""
    return volume * 0.21 * (row + 1) * (column + 1)


def money(x: float) -> str:
    return f"${x:,.0f}"


def tco_text(volume: float) -> str:
    """What the TCO cell of the first option reads after an edit to `volume` (the benchmark waits for it)."""
    return money(figure(volume, ROWS.index("TCO"), 0))


class FloorApp(App):
    CSS = """
    #inputs { width: 1fr; }
    #right { width: 1fr; }
    #results { height: auto; max-height: 12; }
    #monthly { height: 1fr; }
    #status { height: 1; dock: bottom; }
    #edit { dock: bottom; height: 1; border: none; padding: 0 1; layer: overlay; display: none; }
    """
    BINDINGS = [Binding("ctrl+q", "quit", "Quit"), Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(
        self, inputs: int, options: int, months: int, volume: float, shown: list[list[str]] | None = None
    ) -> None:
        super().__init__()
        self.n_inputs, self.n_options, self.n_months = inputs, options, months
        self.volume = volume
        self.shown = shown  # --scenario: per option, the figures of the workbench's analysis, in ROWS order

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield DataTable(id="inputs", cursor_type="cell")
            with Vertical(id="right"):
                yield DataTable(id="results", cursor_type="none")
                if self.n_months:  # --months 0: the two tables of issue 15's own floor, no monthly table
                    yield DataTable(id="monthly", cursor_type="none")
        yield Input(id="edit")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        inputs = self.query_one("#inputs", DataTable)
        inputs.add_columns("Field", "Value", "Unit")
        inputs.add_row("requests per day", f"{self.volume:,.0f}", "req/day")
        for k in range(1, self.n_inputs):
            inputs.add_row(f"field {k}", f"{k:,}", "unit")
        results = self.query_one("#results", DataTable)
        results.add_column("")
        self.option_keys = [results.add_column(f"option {c + 1}") for c in range(self.n_options)]
        self.result_keys = [
            results.add_row(name, *(self._result(r, c) for c in range(self.n_options)))
            for r, name in enumerate(ROWS)
        ]
        self.month_keys: list = []
        self.month_rows: list = []
        if self.n_months:
            monthly = self.query_one("#monthly", DataTable)
            self.month_keys = [monthly.add_column(name) for name in MONTH_COLUMNS]
            self.month_rows = [
                monthly.add_row(str(m + 1), *(money(figure(self.volume, m, c) / 24) for c in range(4)))
                for m in range(self.n_months)
            ]
        inputs.move_cursor(row=0, column=1)
        inputs.focus()

    def _result(self, row: int, column: int) -> str:
        if self.shown is None:
            return money(figure(self.volume, row, column))
        return self.shown[column][row] if column < len(self.shown) else ""

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        edit = self.query_one("#edit", Input)
        edit.value = str(event.value).replace(",", "")
        edit.display = True
        edit.focus()
        self.editing = event.coordinate

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            value = float(event.value)
        except ValueError:
            self.query_one("#status", Static).update(f"not a number: {event.value!r}")
            return
        inputs = self.query_one("#inputs", DataTable)
        inputs.update_cell_at(self.editing, f"{value:,.0f}")
        if self.editing.row == 0:
            self.volume = value
            results = self.query_one("#results", DataTable)
            for r, row_key in enumerate(self.result_keys):
                for c, column_key in enumerate(self.option_keys):
                    results.update_cell(row_key, column_key, money(figure(value, r, c)))
            if self.month_rows:
                monthly = self.query_one("#monthly", DataTable)
                for m, row_key in enumerate(self.month_rows):
                    for c, column_key in enumerate(self.month_keys[1:]):
                        monthly.update_cell(row_key, column_key, money(figure(value, m, c) / 24))
        self.query_one("#status", Static).update(f"requests per day = {value:g}")
        self.action_cancel()

    def action_cancel(self) -> None:
        edit = self.query_one("#edit", Input)
        if edit.display:
            edit.display = False
            self.query_one("#inputs", DataTable).focus()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=25)
    parser.add_argument("--options", type=int, default=4)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--volume", type=float, default=20000)
    parser.add_argument("--scenario", help="read, validate and compute this scenario file first")
    args = parser.parse_args()
    shown = None
    if args.scenario:
        from workbench.model.report import FIGURE_COLUMNS, analyze, option_rows
        from workbench.store.files import load

        keys = (*FIGURE_COLUMNS, "marks")  # the order of ROWS
        shown = [[row[k] for k in keys] for row in option_rows(analyze(load(args.scenario)))]
    FloorApp(args.inputs, args.options, args.months, args.volume, shown).run()


if __name__ == "__main__":
    main()
