"""Result panes: they render an Analysis and never compute anything themselves."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from workbench.model import fmt
from workbench.model.engine import COMPONENTS
from workbench.model.ladder import NONE_MEETS, Verdict
from workbench.model.report import MARKS, VERDICT_MARK, Analysis, because, headline, option_rows
from workbench.tui.grids.grid import widen
from workbench.tui.textual_fixes import CellCache
from workbench.tui.widgets.shown import RunsWhenShown

VERDICT_STYLE: dict[Verdict, str] = {
    "go": "bold green",
    "not needed": "dim",
    "not yet": "yellow",
    "blocked": "bold red",
}
FLASH = "reverse"

RESULT_COLUMNS = (
    ("name", "Option", 22),
    ("marks", "", 3),
    ("month1", "Month 1", 8),
    ("average", "Avg/mo", 8),
    ("tco", "TCO", 8),
    ("per_request", "/request", 9),
    ("per_mtok", "/1M tok", 8),
    ("breakeven_month", "B/E mo", 6),
    ("breakeven_volume", "B/E vol", 9),
    ("gpus", "GPUs", 5),
)


# Breakdown column headers, at most 9 characters (the column width); the other components use their name.
BREAKDOWN_HEADERS = {"one_time": "one-time", "pretraining": "pre-train"}

TALL_BELOW = 106  # pane columns: below this, options become columns and figures become rows


NAME_LINES = 3  # an option's name in a column header: up to three lines, every word whole
FIGURE_WIDTH = 9  # room for any short figure (fmt.money: "-$0.0075", "68.1k/d") without a re-measure


def header(name: str, min_width: int) -> tuple[Text, int, int]:
    """An option's name as a column header, whole, in at most three lines: (label, width, lines)."""
    lines = fmt.wrap_lines(name, NAME_LINES, min_width)
    return Text("\n".join(lines)), max([min_width, *(len(line) for line in lines)]), len(lines)


class ResultsTable(CellCache):
    """One row per option (wide terminals) or one column per option (narrow ones); cells that moved
    since the last edit are flashed for a moment."""

    BINDINGS = [
        Binding("h", "cursor_left", show=False),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        Binding("l", "cursor_right", show=False),
    ]

    class OptionFocused(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", fixed_columns=1, **kwargs)
        self._last: list[dict] = []
        self._analysis: Analysis | None = None
        self.flashed: set[tuple[int, str]] = set()
        self.tall = False
        self._width = 0  # the pane width the columns were last fitted to
        self._inner = 0  # and the width inside its scrollbars then (0: not laid out yet)
        self._cells: dict[tuple[int, str], tuple[str, str]] = {}  # what each cell shows: (text, style)

    def _set(self, i: int, key: str, cell: Text) -> None:
        """Update a cell only when what it shows changes (any update re-renders the whole table)."""
        shown = (cell.plain, str(cell.style))
        if self._cells.get((i, key)) != shown:
            self._cells[(i, key)] = shown
            row_key, column_key = self._key(i, key)
            self.update_cell(row_key, column_key, cell)
            widen(self, column_key, cell.cell_len)

    def _want_tall(self) -> bool:
        """Options as columns when the pane (not the terminal) is too narrow for one row per option."""
        return self._pane_width() < TALL_BELOW

    def on_resize(self) -> None:
        width = self._pane_width()
        refit = self.tall and (width != self._width or self.scrollable_content_region.width != self._inner)
        if self._analysis is not None and (self._want_tall() != self.tall or refit):
            self._last = []
            self.show(self._analysis)

    def _key(self, i: int, metric: str) -> tuple[str, str]:
        return (metric, str(i)) if self.tall else (str(i), metric)

    def _rebuild(self, rows: list[dict], rec: str | None, a: Analysis) -> None:
        self.tall = self._want_tall()
        self._width = self._pane_width()
        self.clear(columns=True)
        self._cells = {}

        def cell(i: int, key: str) -> Text:
            out = self._cell_text(rows[i], key, rec, a, False)
            self._cells[(i, key)] = (out.plain, str(out.style))
            return out

        # Widths are decided here, when the options change, so every name and figure shows whole; an edit
        # then only widens a column whose figure grew (`widen`).
        if self.tall:
            headers = [
                header(row["name"], max(FIGURE_WIDTH, *(len(row[k]) for k, _, _ in RESULT_COLUMNS[1:])))
                for row in rows
            ]
            self.header_height = max((lines for _, _, lines in headers), default=1)
            label_width = max(len(label) for _, label, _ in RESULT_COLUMNS)
            self.add_column("", key="label", width=label_width)
            widths = self._whole_columns(label_width, [width for _, width, _ in headers])
            for i, ((name_label, _, _), width) in enumerate(zip(headers, widths, strict=True)):
                self.add_column(name_label, key=str(i), width=width)
            for key, label, _ in RESULT_COLUMNS[1:]:
                self.add_row(
                    Text(label or "marks", style="bold"),
                    *(cell(i, key) for i in range(len(rows))),
                    key=key,
                )
        else:
            self.header_height = 1
            for key, label, width in RESULT_COLUMNS:
                width = max(width, len(label), *(len(row[key]) for row in rows)) if rows else width
                self.add_column(label, key=key, width=width)
            for i in range(len(rows)):
                self.add_row(*(cell(i, key) for key, _, _ in RESULT_COLUMNS), key=str(i))

    def _whole_columns(self, label_width: int, widths: list[int]) -> list[int]:
        """Option columns that do not all fit are scrolled to; the last one that fits whole takes the
        rest of the width, so the first screen never shows a column cut at its right edge (a cut "$161k"
        read as "$161")."""
        # the width inside the scrollbars once laid out; before that, the pane's less a scrollbar's 2
        self._inner = self.scrollable_content_region.width
        inner = self._inner or self._pane_width() - 2
        room = inner - (label_width + 2 * self.cell_padding)
        used, fit = 0, 0
        for width in widths:
            if used + width + 2 * self.cell_padding > room:
                break
            used += width + 2 * self.cell_padding
            fit += 1
        if 0 < fit < len(widths):
            widths = list(widths)
            widths[fit - 1] += room - used
        return widths

    def _pane_width(self) -> int:
        return self.size.width or (self.app.size.width // (2 if self.app.size.width >= 120 else 1))

    def show(self, a: Analysis) -> None:
        self._analysis = a
        rows = option_rows(a)
        rec = a.ladder.recommendation.option
        same_shape = (
            self._want_tall() == self.tall
            and len(rows) == len(self._last)
            and all(r["name"] == o["name"] for r, o in zip(rows, self._last, strict=True))
        )
        changed: set[tuple[int, str]] = set()
        if same_shape:
            for i, (new, old) in enumerate(zip(rows, self._last, strict=True)):
                for key, _, _ in RESULT_COLUMNS:
                    if self.tall and key == "name":
                        continue
                    if new[key] != old[key]:
                        changed.add((i, key))
                    self._set(i, key, self._cell_text(new, key, rec, a, (i, key) in changed))
        else:
            keep = self.cursor_coordinate
            self._rebuild(rows, rec, a)
            if self.row_count:
                self.move_cursor(row=min(keep.row, self.row_count - 1), column=keep.column)
        self._last = rows
        self.flashed = changed
        if changed:
            self.set_timer(1.2, lambda: self._unflash(rows))

    def _unflash(self, rows: list[dict]) -> None:
        if rows is not self._last or self._analysis is None:
            return
        rec = self._analysis.ladder.recommendation.option
        for i, key in self.flashed:
            self._set(i, key, self._cell_text(rows[i], key, rec, self._analysis, False))
        self.flashed = set()

    @staticmethod
    def _cell_text(row: dict, key: str, rec: str | None, a: Analysis, flash: bool) -> Text:
        style = ""
        if row["name"] == rec:
            style = "bold green" if a.ladder.recommendation.meets_requirements else "bold yellow"
        elif row["name"] == a.results.cheapest:
            style = "bold"
        if flash:
            style = (style + " " + FLASH).strip()
        value = row[key]
        return Text(value, style=style, justify="left" if key in ("name", "marks") else "right")

    def focused_cell(self) -> tuple[int, str] | None:
        """(option index, metric key) under the cursor."""
        if not self._last or self.row_count == 0:
            return None
        c = self.cursor_coordinate
        if self.tall:
            if c.column == 0:
                return None
            return c.column - 1, RESULT_COLUMNS[c.row + 1][0]
        return c.row, RESULT_COLUMNS[c.column][0]

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        cell = self.focused_cell()
        if cell is not None:
            self.post_message(self.OptionFocused(cell[0]))

    def full_precision(self) -> str:
        """The focused cell's figure at full precision, for the status line."""
        a = self._analysis
        cell = self.focused_cell()
        if a is None or cell is None or cell[0] >= len(a.results.options):
            rec = a.ladder.recommendation if a is not None else None
            if a is not None and rec is not None and rec.option is not None and not rec.meets_requirements:
                return f"{headline(a)} (☆) · B baseline · $ cheapest · a figure shows here in full"
            return "B baseline · $ cheapest · ★ recommended · a figure shows here in full"
        index, key = cell
        o = a.results.options[index]
        cur = a.scenario.currency
        values = {
            "month1": ("month-1 cost", fmt.money_full(o.month1, cur)),
            "average": ("average monthly cost", fmt.money_full(o.average_monthly, cur)),
            "tco": (f"TCO over {a.scenario.horizon_months} months", fmt.money_full(o.tco, cur)),
            "per_request": ("cost per request", fmt.money_full(o.cost_per_request, cur)),
            "per_mtok": ("cost per 1M workload tokens", fmt.money_full(o.cost_per_mtok, cur)),
            "breakeven_month": (
                "first month its cumulative cost is at most the baseline's",
                str(o.breakeven_month),
            ),
            "breakeven_volume": (
                "never dearer than the baseline from (month-1 prices)",
                "—"
                if o.breakeven_requests_per_day is None
                else f"{o.breakeven_requests_per_day:,.1f} req/day = {o.breakeven_tokens_per_day:,.0f} tokens/day",
            ),
            "gpus": (
                "GPUs at the horizon",
                f"{o.gpus_at_horizon} GPUs, {o.gpu_hours_at_horizon or 0:,.1f} GPU-hours/month",
            ),
        }
        if key in values:
            what, v = values[key]
            return f"{o.name}: {what} = {v}"
        row = self._last[index]
        if "☆" in row["marks"]:  # said before the name, as everywhere the closest option is named
            return f"{NONE_MEETS}; closest: {o.name} ({o.serve})"
        tags = ", ".join(MARKS[m] for m in row["marks"] if m in MARKS)
        return f"{o.name} ({o.serve})" + (f": {tags}" if tags else "")


class BreakdownTable(CellCache):
    """Monthly breakdown by component of the focused option (components that are zero throughout are
    left out, the largest first). Total and cumulative come first and stay when the table scrolls
    sideways: at 80 columns five components pushed the cumulative cost, which says when an option pays
    back, off screen."""

    def __init__(self, **kwargs) -> None:
        # a cell cursor, so `x` can explain any figure; Month, total and cumulative stay in view
        super().__init__(cursor_type="cell", fixed_columns=3, **kwargs)
        self._shown: tuple = ()
        self._texts: dict[str, list[str]] = {}  # column key -> the text of each month's cell
        self._title = ""  # the border title's plain text

    def show(self, a: Analysis, index: int) -> None:
        if not a.results.options:
            self.clear(columns=True)
            return
        index = max(0, min(index, len(a.results.options) - 1))
        cur = a.scenario.currency
        cols = {c: a.results.series(index, c) for c in (*COMPONENTS, "total", "cumulative")}
        # The largest over the horizon first: at 80 columns four components are in view, and a rollout's
        # fallback (listed last by the engine) is often the second largest cost.
        used = tuple(sorted((c for c in COMPONENTS if any(cols[c])), key=lambda c: -sum(map(abs, cols[c]))))
        months = a.results.series(index, "m")
        texts = {
            **{c: [fmt.money(v, cur) if v else "·" for v in cols[c]] for c in used},
            "total": [fmt.money(v, cur) for v in cols["total"]],
            "cumulative": [fmt.money(v, cur) for v in cols["cumulative"]],
        }
        if used == self._shown and self.columns and self.row_count == len(months):
            # Same shape: touch only the cells whose text changed, so the table keeps its rows, its
            # scroll position and (when nothing changed) its render cache.
            for key, values in texts.items():
                before = self._texts.get(key, [])
                for i, text in enumerate(values):
                    if i >= len(before) or before[i] != text:
                        self.update_cell(str(i), key, self._text(key, text))
        else:
            self.clear(columns=used != self._shown)
            if used != self._shown or not self.columns:
                self.add_column("Month", key="m", width=5)
                self.add_column("total", key="total", width=9)
                self.add_column("cumulative", key="cumulative", width=10)
                for c in used:
                    self.add_column(BREAKDOWN_HEADERS.get(c, c), key=c, width=9)
                self._shown = used
            for i, m in enumerate(months):
                self.add_row(
                    Text(str(m), justify="right"),
                    *(self._text(key, texts[key][i]) for key in ("total", "cumulative", *used)),
                    key=str(i),
                )
        self._texts = texts
        title = f"Monthly breakdown: {a.results.options[index].name}"
        if self._title != title:
            self._title = title
            self.border_title = Content(
                fmt.shown(title)
            )  # the option's name is text from the file, not markup

    @staticmethod
    def _text(key: str, text: str) -> Text:
        return Text(text, justify="right", style="bold" if key == "total" else "")


class LadderView(RunsWhenShown, VerticalScroll):
    """The recommendation, the six steps with verdicts and reasons, and the two rungs above them."""

    can_focus = True

    def compose(self):
        yield Static(id="ladder-text")

    def run(self) -> None:
        """The ladder of the latest analysis, drawn when on screen (RunsWhenShown): an update re-lays
        the screen out, and a layout pass on every edit pushed the results into a later frame."""
        if self.analysis is None:
            return
        text = ladder_text(self.analysis)
        if text != self._text:  # only when the words changed
            self._text = text
            self.query_one("#ladder-text", Static).update(text)

    _text: Text | None = None


def ladder_text(a: Analysis) -> Text:
    rec = a.ladder.recommendation
    t = Text()
    t.append("★ Recommendation: " if rec.meets_requirements else "☆ Recommendation: ", style="bold")
    t.append(f"{headline(a)}\n", style="bold green" if rec.meets_requirements else "bold yellow")
    t.append(f"  {because(a)}\n\n")
    for st in a.ladder.steps:
        mark = VERDICT_MARK[st.verdict]
        t.append(f"{mark} {st.step}. {st.title}  ", style="bold")
        t.append(f"[{st.verdict}]\n", style=VERDICT_STYLE[st.verdict])
        for reason in st.reasons:
            t.append(f"     {reason}\n", style="" if st.verdict != "not needed" else "dim")
    t.append("\nAbove the ladder\n", style="bold")
    for st in a.ladder.rungs:
        t.append(f"{VERDICT_MARK[st.verdict]} {st.step}. {st.title}  ", style="bold")
        t.append(f"[{st.verdict}]\n", style=VERDICT_STYLE[st.verdict])
        for reason in st.reasons:
            t.append(f"     {reason}\n", style="" if st.verdict != "not needed" else "dim")
    t.append("\n✔ go  – not needed  … not yet  ✖ blocked", style="dim")
    return t


class RiskTable(CellCache):
    """Every catalog risk, flagged ones first; space toggles mitigated, Enter edits the note."""

    BINDINGS = [
        Binding("space", "toggle_mitigated", "Mitigated", tooltip="Toggle mitigated", id="risks.toggle"),
        Binding("enter", "note", "Note", tooltip="Edit the risk's note", id="risks.note"),
        Binding("e", "note", show=False),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]

    class Toggle(Message):
        def __init__(self, risk_id: str) -> None:
            super().__init__()
            self.risk_id = risk_id

    class Focused(Message):
        def __init__(self, risk) -> None:
            super().__init__()
            self.risk = risk

    class EditNote(Message):
        def __init__(self, risk_id: str, note: str) -> None:
            super().__init__()
            self.risk_id = risk_id
            self.note = note

    def __init__(self, **kwargs) -> None:
        # flag, done and title stay in view when the reasons scroll sideways
        super().__init__(cursor_type="row", fixed_columns=3, **kwargs)
        self._order: list = []
        self._shown_rows: list[tuple] = []

    def on_mount(self) -> None:
        self.add_column("", key="flag", width=2)
        self.add_column("Done", key="done", width=4)
        self.add_column("Risk", key="title", width=4)
        self.add_column("Why / note", key="why")

    def show(self, a: Analysis) -> None:
        keep = self.cursor_coordinate.row if self.row_count else 0
        current = self._order[keep].id if self._order and keep < len(self._order) else None
        # Flagged first, then catalog order: ticking a risk mitigated does not move it (the list used to
        # re-sort under the cursor, so the next tick landed on another risk).
        order = sorted(a.risks, key=lambda x: not x.flagged)
        shown = [(x.id, x.flagged, x.mitigated, x.title, x.why, x.note) for x in order]
        if shown == self._shown_rows and self.row_count == len(order):
            self._order = order  # same rows: rebuilding them would only cost a layout and a repaint
            return
        self._shown_rows = shown
        widen(self, "title", max((len(x.title) for x in order), default=0))  # every title whole
        self.clear()
        for x in order:
            flag = (
                Text("⚑", style="bold red")
                if x.flagged and not x.mitigated
                else Text("⚑" if x.flagged else "·", style="dim")
            )
            done = Text("[x]" if x.mitigated else "[ ]", style="green" if x.mitigated else "")
            why = x.why + (f" — note: {x.note}" if x.note else "")
            self.add_row(flag, done, Text(x.title, style="bold" if x.flagged else "dim"), Text(why), key=x.id)
        self._order = order
        if current is not None:
            idx = next((i for i, x in enumerate(order) if x.id == current), 0)
            self.move_cursor(row=idx)

    def current(self):
        if not self._order or not self.row_count:
            return None
        return self._order[self.cursor_coordinate.row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        x = self.current()
        if x is not None:
            self.post_message(self.Focused(x))

    def action_toggle_mitigated(self) -> None:
        x = self.current()
        if x is not None:
            self.post_message(self.Toggle(x.id))

    def action_note(self) -> None:
        x = self.current()
        if x is not None:
            self.post_message(self.EditNote(x.id, x.note))


def risk_detail(x) -> Text:
    """The full text of one risk: flag, reason, the source's reasoning and the user's note."""
    t = Text()
    t.append(f"{x.title} ({x.id}): ", style="bold")
    if x.flagged:
        t.append(
            "FLAGGED" + (", mitigated" if x.mitigated else ", open"),
            style="bold red" if not x.mitigated else "green",
        )
    else:
        t.append("not flagged", style="dim")
    t.append(f"\n{x.why}\n")
    t.append(x.reasoning, style="dim")
    t.append("\nNote: ", style="bold")
    t.append(fmt.shown(x.note, lines=True) or "(none: Enter writes one)")
    return t
