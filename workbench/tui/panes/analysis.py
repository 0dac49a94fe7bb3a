"""Beyond a spreadsheet, in the TUI: the Sensitivity (tornado) pane, the Uncertainty ranges grid and
the Simulation (Monte Carlo) pane.

The panes render results of workbench.model.{sensitivity, montecarlo}; the two that compute run in a
thread worker (exclusive, so a newer edit cancels a stale run) and only while they are on screen, so
typing never waits for them. They say things on their tab's status line with a `Say` message.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import get_current_worker

from workbench.edits import edit
from workbench.model import columns, fmt
from workbench.model.report import Analysis
from workbench.model.scenario import Scenario
from workbench.tui.grids.grid import Grid, widen
from workbench.tui.messages import Say
from workbench.tui.panes.plots import Chart, LegendItem, color, glyph, nice_ticks, tick_money
from workbench.tui.textual_fixes import PlainTable, ScrollsWhenShown
from workbench.tui.widgets.shown import RunsWhenShown

BLINK = 0.15  # seconds: a run that takes longer than this shows a progress bar
PANE_MIN_DRAWS, PANE_MAX_DRAWS = 1_000, 100_000  # what `-` and `+` on the Simulation pane go between


# --- Sensitivity ---------------------------------------------------------------------------------------------
def _post(widget: Widget, callback, *args) -> None:
    """From a worker thread, run `callback` on the app's thread; nothing if the app has stopped."""
    try:
        widget.app.call_from_thread(callback, *args)
    except Exception:  # the app is shutting down or the widget has gone: the result is not wanted
        pass


def _signed(x: float, cur: str) -> str:
    """+$1.2k, -$40, and $0 for no change (the model rounds changes to cents, so 0 is exact)."""
    return ("+" if x > 0 else "-" if x < 0 else "") + fmt.money(abs(x), cur)


Row = tuple[str | None, list[Text]]  # a table row's key and cells


def fit_table(
    t: DataTable, columns: Sequence[tuple[str, str]], rows: Sequence[Row], flex: int, width: int
) -> None:
    """Fill `t` with columns as wide as their widest cell, column `flex` (a name) taking what is left of
    `width` and wrapping onto more lines there, so no figure is pushed out of sight or cut."""
    widths = [
        max([len(label)] + [cells[i].cell_len for _, cells in rows]) for i, (_, label) in enumerate(columns)
    ]
    room = (
        width
        - t.styles.scrollbar_size_vertical
        - 2 * t.cell_padding * len(widths)
        - (sum(widths) - widths[flex])
    )
    widths[flex] = max(12, min(widths[flex], room))
    if [c.width for c in t.columns.values()] == widths and t.row_count == len(rows):
        return
    cursor = t.cursor_row
    t.clear(columns=True)
    for (key, label), w in zip(columns, widths, strict=True):
        t.add_column(label, key=key, width=w)
    for row_key, cells in rows:
        t.add_row(*cells, key=row_key, height=None if cells[flex].cell_len > widths[flex] else 1)
    if rows:
        t.move_cursor(row=min(cursor, len(rows) - 1))


def _month(m: int | None) -> str:
    return "never" if m is None else str(m)


def _num(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.1f}" if abs(x) >= 100 else f"{x:.4g}"


def tornado_plot(res, top: int = 10):
    """Title, draw function and legend of a tornado chart: the swing of TCO(A) − TCO(B) per input."""
    cur = res.scenario.currency
    effects = [e for e in res.effects if e.swing > 0][:top]
    title = f"Change of TCO({res.option}) − TCO({res.against}) when an input moves down / up ({cur})"
    if not effects:
        return title, None, [], "no input moves the difference"
    low_c, high_c = (0, 130, 200), (230, 25, 75)
    legend = [LegendItem("██", "input moved down", low_c), LegendItem("██", "input moved up", high_c)]

    def draw(plt, w: int, h: int) -> None:
        n = min(len(effects), max(1, h - 4))
        shown = effects[:n]
        room = max(12, min(26, w // 4))
        labels = [f"{k + 1} {_short(e.label, room - 2)}" for k, e in enumerate(shown)][::-1]
        lows = [e.change_low for e in shown][::-1]
        highs = [e.change_high for e in shown][::-1]
        width = 0.8 if n > 1 else 0.3
        plt.bar(labels, lows, orientation="h", color=low_c, width=width)
        plt.bar(labels, highs, orientation="h", color=high_c, width=width)
        lo = min(0.0, *lows, *highs)
        hi = max(0.0, *lows, *highs)
        span = max(abs(lo), abs(hi)) or 1.0
        ticks = nice_ticks(-span, span, max(3, min(7, w // 14)))
        plt.xlim(ticks[0], ticks[-1])
        plt.xticks(ticks, [tick_money(t, cur) for t in ticks])

    return title, draw, legend, ""


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class SensitivityPane(RunsWhenShown, Widget):
    """Tornado chart and table: which inputs decide option A against option B."""

    DEFAULT_CSS = """
    SensitivityPane { layout: vertical; height: 1fr; }
    SensitivityPane > #sens-head { height: auto; max-height: 3; padding: 0 1; }
    SensitivityPane > Chart { height: 1fr; min-height: 8; }
    SensitivityPane > DataTable { height: 1fr; min-height: 4; border-top: solid $primary-darken-2; }
    """
    BINDINGS = [
        Binding(
            "[", "option(-1)", "Prev A", tooltip="Sensitivity: previous option A", id="sensitivity.prev_a"
        ),
        Binding("]", "option(1)", "Next A", tooltip="Sensitivity: next option A", id="sensitivity.next_a"),
        Binding(
            "{",
            "against(-1)",
            "Prev B",
            show=False,
            tooltip="Sensitivity: previous option B",
            id="sensitivity.prev_b",
        ),
        Binding(
            "}",
            "against(1)",
            "Next B",
            show=False,
            tooltip="Sensitivity: next option B",
            id="sensitivity.next_b",
        ),
        Binding(
            "plus,equals_sign",
            "step(0.05)",
            "Step +5%",
            show=False,
            tooltip="Sensitivity: bigger step",
            id="sensitivity.step_up",
        ),
        Binding(
            "minus",
            "step(-0.05)",
            "Step -5%",
            show=False,
            tooltip="Sensitivity: smaller step",
            id="sensitivity.step_down",
        ),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.analysis: Analysis | None = None
        self.result = None
        self.step = 0.25
        self.option: str | None = None  # None: the recommended option
        self.against: str | None = None  # None: the baseline
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Sensitivity: computing…", id="sens-head")
        yield Chart(id="sens-chart")
        table: DataTable = PlainTable(id="sens-table", cursor_type="row", zebra_stripes=True)
        yield table

    COLUMNS = (
        ("n", "#"),
        ("input", "Input"),
        ("dlow", "Δ low"),
        ("dhigh", "Δ high"),
        ("range", "Low → High"),
        ("base", "Base"),
        ("be", "B/E mo"),
    )

    def on_mount(self) -> None:
        self._rows: list[Row] = []
        self._fill_table()

    def on_resize(self) -> None:
        self._fill_table()

    def _fill_table(self) -> None:
        t = self.query_one("#sens-table", DataTable)
        fit_table(t, self.COLUMNS, self._rows, 1, t.size.width or self.size.width)

    def show(self, a: Analysis) -> None:
        """A new analysis: recompute when on screen, else when next shown."""
        names = [o.name for o in a.scenario.options]
        if self.option not in names:
            self.option = None
        if self.against not in names:
            self.against = None
        super().show(a)

    def run(self) -> None:
        if self.analysis is None:
            return
        self._stale = False
        self._compute(self.analysis, self.step, self.option, self.against)

    @work(thread=True, exclusive=True, group="sensitivity")
    def _compute(self, a: Analysis, step: float, option: str | None, against: str | None) -> None:
        from workbench.model.sensitivity import SensitivityError, sensitivity

        worker = get_current_worker()
        try:
            res = sensitivity(
                a.scenario,
                a.results,
                step=step,
                option=option,
                against=against,
                recommended=a.ladder.recommendation.option,
            )
            err = None
        except SensitivityError as exc:
            res, err = None, str(exc)
        if not worker.is_cancelled:
            _post(self, self._show_result, a, res, err)

    def _show_result(self, a: Analysis, res, err: str | None) -> None:
        if a is not self.analysis or not self.is_attached:
            return  # a newer analysis is on its way, or the tab was closed
        self.result, self.error = res, err
        head = self.query_one("#sens-head", Static)
        table = self.query_one("#sens-table", DataTable)
        chart = self.query_one("#sens-chart", Chart)
        table.clear()
        self._rows = []
        if res is None:
            head.update(Text(f"Sensitivity: {err}", style="bold"))
            chart.set_plot("Sensitivity", None, [], err or "")
            return
        cur = a.scenario.currency
        H = a.scenario.horizon_months
        t = Text()
        t.append(f"{res.option}", style="bold green")
        t.append(" vs ")
        t.append(f"{res.against}", style="bold")
        t.append(f": TCO {_signed(res.diff, cur)} over {H} months, {res.payback}; inputs ±{res.step:.0%}\n")
        t.append("Decided by: ", style="bold")
        t.append("; ".join(f"{k}. {e.label}" for k, e in enumerate(res.effects[:3], 1)) or "nothing moves it")
        head.update(t)
        chart.set_plot(*tornado_plot(res))
        for k, e in enumerate(res.effects, 1):
            self._add_row(
                e.path,
                Text(f"{k}{'R' if e.source == 'range' else ''}", justify="right"),
                Text(e.label, style="bold" if k <= 3 else ""),
                Text(_signed(e.change_low, cur), justify="right"),
                Text(_signed(e.change_high, cur), justify="right"),
                Text(f"{_num(e.low)} → {_num(e.high)}", justify="right"),
                Text(_num(e.base), justify="right"),
                Text(f"{_month(e.breakeven_low)}/{_month(e.breakeven_high)}", justify="right"),
            )
        for m in res.not_moved:  # a move validation refuses: listed, not ranked
            low_bad, high_bad = "low" in m.refused, "high" in m.refused
            self._add_row(
                f"not-moved:{m.path}",
                Text("×", justify="right", style="dim"),
                Text(f"{m.label}: not moved, {m.reason}", style="dim"),
                Text("refused" if low_bad else "—", justify="right", style="dim"),
                Text("refused" if high_bad else "—", justify="right", style="dim"),
                Text(f"{_num(m.low)} → {_num(m.high)}", justify="right", style="dim"),
                Text(_num(m.base), justify="right", style="dim"),
                Text("", justify="right"),
            )
        self._fill_table()

    def _add_row(self, key: str, *cells: Text) -> None:
        self._rows.append((key, list(cells)))

    def _names(self) -> list[str]:
        return [o.name for o in self.analysis.scenario.options] if self.analysis else []

    def _cycle(self, current: str | None, fallback: str | None, delta: int) -> str | None:
        names = self._names()
        if not names:
            return None
        now = current or fallback or names[0]
        i = names.index(now) if now in names else 0
        return names[(i + delta) % len(names)]

    def action_option(self, delta: int) -> None:
        res = self.result
        self.option = self._cycle(self.option, res.option if res else None, delta)
        if res and self.option == (self.against or res.against):
            self.option = self._cycle(self.option, None, delta)
        self.run()

    def action_against(self, delta: int) -> None:
        res = self.result
        self.against = self._cycle(self.against, res.against if res else None, delta)
        if res and self.against == (self.option or res.option):
            self.against = self._cycle(self.against, None, delta)
        self.run()

    def action_step(self, delta: float) -> None:
        self.step = min(0.9, max(0.05, round(self.step + delta, 2)))
        self.run()


# --- Uncertainty ranges --------------------------------------------------------------------------------------
class UncertaintyGrid(Grid, ScrollsWhenShown):
    """One row per input of the cost formulas; Low/High/Dist/Mode cells edit its [uncertainty] range."""

    RANGE_FIELDS = ("low", "high", "dist", "mode")

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", fixed_columns=1, zebra_stripes=False, **kwargs)
        self._keys: list[str] = []

    def load(self, scenario: Scenario) -> None:
        self._scenario = scenario
        if not self.columns:
            for key, label, width in (
                ("input", "Input", 26),
                ("value", "Value", 9),
                ("low", "Low", 9),
                ("high", "High", 9),
                ("dist", "Dist", 10),
                ("mode", "Mode", 8),
                ("path", "Path", 40),
            ):
                self.add_column(label, key=key, width=width)
        keys = [str(p) for p in columns.input_paths(scenario)]
        keys += [k for k in scenario.uncertainty if k not in keys]
        if keys != self._keys:
            keep = self.cursor_coordinate
            self.clear()
            self._paths = {}
            for i, k in enumerate(keys):
                row = self._cells(scenario, k)
                widen(self, "input", row[0].cell_len)  # labels and paths name options: whole (issue 14)
                widen(self, "path", row[-1].cell_len)
                self.add_row(*row, key=k)
                for j, f in enumerate(self.RANGE_FIELDS, start=2):
                    self._paths[(i, j)] = ("uncertainty", k, f)
            self._keys = keys
            if keys:
                self.move_cursor(row=min(keep.row, len(keys) - 1), column=max(2, keep.column))
            return
        for k in keys:
            for col, cell in zip(
                ("input", "value", "low", "high", "dist", "mode"), self._cells(scenario, k), strict=False
            ):
                self._show_text(k, col, cell)  # only cells that changed (grid.py)

    def _cells(self, s: Scenario, key: str) -> list[Text]:
        try:
            p = columns.parse(key)
            label = columns.label(p)
            value = columns.value(s, p)
        except Exception:
            label, value = key, None
        r = s.uncertainty.get(key)
        mark = "● " if r is not None else "  "
        style = "bold" if r is not None else ""

        def num(x: float | None) -> Text:
            return Text("·" if x is None else edit.display(x), justify="right", style=style or "dim")

        return [
            Text(mark + label, style=style),
            Text("" if value is None else edit.display(value), justify="right"),
            num(r.low if r else None),
            num(r.high if r else None),
            Text(r.dist if r else "·", style=style or "dim"),
            num(r.mode if r and r.mode is not None else None),
            Text(key, style="dim"),
        ]

    def action_copy(self) -> None:
        path = self.current_path()
        if path is not None and self._scenario is not None and path[1] in self._scenario.uncertainty:
            super().action_copy()

    def on_focus(self) -> None:
        if self.row_count and self.cursor_coordinate.column < 2:
            self.move_cursor(column=2)  # start on Low, the first cell to type into
        super().on_focus()


# --- Simulation ------------------------------------------------------------------------------------------------
def histogram_plot(sim):
    """Title, draw function and legend: each option's TCO distribution over the draws (shared bins)."""
    from workbench.model.montecarlo import histogram

    cur = sim.scenario.currency
    title = f"TCO over {sim.scenario.horizon_months} months, share of {sim.draws:,} draws ({cur}; | = P50; P1-P99)"
    legend = [
        LegendItem(glyph(k) * 2, f"{o.name} P50 {fmt.money(o.p50, cur)}", color(k))
        for k, o in enumerate(sim.options)
    ]

    def draw(plt, w: int, h: int) -> None:
        bins = max(8, min(60, (w - 10) // 2))
        edges, counts = histogram(sim, bins)
        centers = (edges[:-1] + edges[1:]) / 2
        top = max(1, max(int(c.max()) for c in counts))
        share = 100.0 / sim.draws
        for k, c in enumerate(counts):
            nz = np.nonzero(c)[0]
            if nz.size == 0:
                continue
            span = slice(max(0, nz[0] - 1), min(len(c), nz[-1] + 2))  # the option's own support
            xs, ys = centers[span].tolist(), (c[span] * share).tolist()
            if len(xs) == 1:
                plt.scatter(xs, ys, marker=glyph(k), color=color(k))
            else:
                plt.plot(xs, ys, marker=glyph(k), color=color(k))
            p50 = sim.options[k].p50
            if edges[0] <= p50 <= edges[-1]:
                plt.vertical_line(p50, color=color(k))
        yt = nice_ticks(0.0, top * share, max(2, min(5, h // 3)))
        plt.ylim(0, yt[-1])
        plt.yticks(yt, [f"{t:g}%" for t in yt])
        xt = nice_ticks(float(edges[0]), float(edges[-1]), max(2, min(6, w // 12)))
        xt = [t for t in xt if edges[0] <= t <= edges[-1]] or [float(edges[0]), float(edges[-1])]
        plt.xlim(float(edges[0]), float(edges[-1]))
        plt.xticks(xt, [tick_money(t, cur) for t in xt])

    return title, draw, legend, ""


class SimulationPane(RunsWhenShown, Widget):
    """Monte Carlo over the [uncertainty] ranges: a histogram of TCO and a table of percentiles."""

    DEFAULT_CSS = """
    SimulationPane { layout: vertical; height: 1fr; }
    SimulationPane > #sim-head { height: auto; max-height: 3; padding: 0 1; }
    SimulationPane > ProgressBar { height: 1; padding: 0 1; }
    SimulationPane > Chart { height: 1fr; min-height: 8; }
    SimulationPane > #sim-note { height: auto; padding: 0 1; color: $text-muted; }
    SimulationPane > DataTable { height: auto; max-height: 12; border-top: solid $primary-darken-2; }
    """
    # The histogram is drawn when it gets this many rows (title, legend, and ten rows of plot); below that
    # its lines would merge into one band, and the table (P10, P50, P90) says it instead.
    HISTOGRAM_MIN_ROWS = 14
    COLUMNS = (
        ("name", "Option"),
        ("p10", "P10"),
        ("p50", "P50"),
        ("p90", "P90"),
        ("asis", "As is"),
        ("cheapest", "Cheapest"),
        ("be", "B/E P10/50/90"),
        ("pays", "Pays"),
    )
    BINDINGS = [
        Binding(
            "plus,equals_sign",
            "draws(10)",
            "More draws",
            tooltip="Simulation: ten times the draws (up to 100k, or the scenario's limit)",
            id="simulation.more",
        ),
        Binding(
            "minus",
            "draws(0.1)",
            "Fewer draws",
            tooltip="Simulation: a tenth of the draws (at least 1k)",
            id="simulation.fewer",
        ),
        Binding(
            "n",
            "reseed",
            "New seed",
            tooltip="Simulation: run again with the next seed",
            id="simulation.reseed",
        ),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.analysis: Analysis | None = None
        self.draws = 10_000
        self.seed = 0
        self.result = None
        self.running = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="sim-head")
        bar = ProgressBar(total=1.0, show_eta=False, id="sim-progress")
        bar.display = False
        yield bar
        yield Chart(id="sim-chart")
        note = Static("", id="sim-note")
        note.display = False
        yield note
        yield PlainTable(id="sim-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self._rows: list[list[Text]] = []
        self._fill_table()

    def on_resize(self) -> None:
        self._fill_table()
        self.call_after_refresh(self._fit_chart)

    def _fit_chart(self) -> None:
        """Show the histogram when it has room to be read; else say so, and the table stands for it."""
        if not self.is_attached:
            return
        head = self.query_one("#sim-head", Static)
        table = self.query_one("#sim-table", DataTable)
        bar = self.query_one("#sim-progress", ProgressBar)
        note = self.query_one("#sim-note", Static)
        room = self.size.height - head.outer_size.height - table.outer_size.height
        room -= bar.outer_size.height if bar.display else 0
        fits = room >= self.HISTOGRAM_MIN_ROWS or self.result is None
        chart = self.query_one("#sim-chart", Chart)
        if chart.display != fits:
            chart.display = fits
            note.display = not fits
            note.update(
                "Histogram hidden at this height (a taller window shows it); the table gives each "
                "option's P10, P50 and P90."
            )

    def _fill_table(self) -> None:
        t = self.query_one("#sim-table", DataTable)
        fit_table(t, self.COLUMNS, [(None, r) for r in self._rows], 0, t.size.width or self.size.width)

    def run(self) -> None:
        a = self.analysis
        if a is None:
            return
        self._stale = False
        if not a.scenario.uncertainty:
            self.workers.cancel_group(self, "simulation")
            self._finish()
            self.result = None
            self.query_one("#sim-head", Static).update(
                Text.assemble(
                    ("No uncertainty ranges yet. ", "bold"),
                    "Give inputs a low/high range in the Uncertainty grid (F11 or U): type into Low and High, or "
                    "press space on a row for ±25%. The Sensitivity pane (F9) shows which inputs matter most.",
                )
            )
            self.query_one("#sim-chart", Chart).set_plot("Monte Carlo", None, [], "no [uncertainty] ranges")
            self.query_one("#sim-table", DataTable).clear()
            self._rows = []
            self.call_after_refresh(self._fit_chart)
            return
        if self.draws > self.limit():  # the scenario grew (options, months) since the draws were set
            self.draws = self.limit()
        self.running = True
        bar = self.query_one("#sim-progress", ProgressBar)
        bar.update(progress=0.0)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(BLINK, self._show_progress)
        self.query_one("#sim-head", Static).update(
            Text(f"Simulating {self.draws:,} draws (seed {self.seed})…", style="dim")
        )
        self._simulate(a, self.draws, self.seed)

    def _show_progress(self) -> None:
        if self.running:
            self.query_one("#sim-progress", ProgressBar).display = True

    def _finish(self) -> None:
        self.running = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.query_one("#sim-progress", ProgressBar).display = False

    def _progress(self, a: Analysis, fraction: float) -> None:
        if a is self.analysis and self.running and self.is_attached:
            self.query_one("#sim-progress", ProgressBar).update(progress=fraction)

    @work(thread=True, exclusive=True, group="simulation")
    def _simulate(self, a: Analysis, draws: int, seed: int) -> None:
        from workbench.model.engine import Cancelled
        from workbench.model.montecarlo import SimulationError, simulate

        worker = get_current_worker()
        try:
            sim = simulate(
                a.scenario,
                draws,
                seed,
                progress=lambda f: _post(self, self._progress, a, f),
                cancelled=lambda: worker.is_cancelled,
            )
            err = None
        except Cancelled:
            return
        except SimulationError as exc:
            sim, err = None, str(exc)
        if not worker.is_cancelled:
            _post(self, self._show_result, a, sim, err)

    def _show_result(self, a: Analysis, sim, err: str | None) -> None:
        if a is not self.analysis or not self.is_attached:
            return
        self._finish()
        self.result = sim
        head = self.query_one("#sim-head", Static)
        table = self.query_one("#sim-table", DataTable)
        table.clear()
        self._rows = []
        if sim is None:
            head.update(Text(f"Simulation: {err}", style="bold"))
            self.call_after_refresh(self._fit_chart)
            return
        cur = a.scenario.currency
        best = max(sim.options, key=lambda o: o.p_cheapest)
        t = Text()
        t.append(f"{sim.draws:,} draws, seed {sim.seed}, {len(sim.ranges)} range(s), {sim.seconds:.2f} s. ")
        t.append(f"{best.name}", style="bold green")
        t.append(f" is cheapest in {best.p_cheapest:.0%} of draws.\n")
        t.append("+ - draws · n new seed · ranges: Uncertainty grid (F11 or U)", style="dim")
        head.update(t)
        self.query_one("#sim-chart", Chart).set_plot(*histogram_plot(sim))
        n = sim.draws
        self._rows = []
        for o in sim.options:
            if o.is_baseline:
                be, pays = "baseline", "—"
            else:
                qs = (o.breakeven_p10, o.breakeven_p50, o.breakeven_p90)
                be = "never" if all(x is None for x in qs) else "/".join(_month(x) for x in qs)
                pays = f"{1 - o.never / n:.0%}"
            self._rows.append(
                [
                    Text(o.name, style="bold green" if o is best else ""),
                    *(
                        Text(fmt.money(x, cur), justify="right")
                        for x in (o.p10, o.p50, o.p90, o.deterministic_tco)
                    ),
                    Text(f"{o.p_cheapest:.1%}", justify="right"),
                    Text(be, justify="right"),
                    Text(pays, justify="right"),
                ]
            )
        self._fill_table()
        self.call_after_refresh(self._fit_chart)

    def limit(self) -> int:
        """The most draws `+` goes to: PANE_MAX_DRAWS, or fewer where the scenario's size makes the run's
        work (draws × options × months) reach montecarlo.MAX_CELLS."""
        from workbench.model.montecarlo import max_draws

        if self.analysis is None:
            return PANE_MAX_DRAWS
        return max(PANE_MIN_DRAWS, min(PANE_MAX_DRAWS, max_draws(self.analysis.scenario) // 1_000 * 1_000))

    def _say(self, text: str) -> None:
        self.post_message(Say(text))

    def action_draws(self, factor: float) -> None:
        limit = self.limit()
        if factor > 1 and self.draws >= limit:
            from workbench.model.montecarlo import MAX_CELLS, max_draws

            s = self.analysis.scenario if self.analysis else None
            if s is not None and limit < PANE_MAX_DRAWS:
                self._say(
                    f"Simulation: {limit:,} draws is the limit for {len(s.options)} options × {s.horizon_months} "
                    f"months (a run computes at most {MAX_CELLS:,} monthly totals)"
                )
            else:
                more = f"; `workbench simulate --draws` goes to {max_draws(s):,}" if s is not None else ""
                self._say(f"Simulation: {PANE_MAX_DRAWS:,} draws is the pane's most{more}")
            return
        self.draws = int(min(limit, max(PANE_MIN_DRAWS, round(self.draws * factor))))
        self.run()

    def action_reseed(self) -> None:
        self.seed += 1
        self.run()


__all__ = [
    "SensitivityPane",
    "SimulationPane",
    "UncertaintyGrid",
    "histogram_plot",
    "tornado_plot",
]
