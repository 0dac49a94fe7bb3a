"""The Aids pane: the guides' executive decision matrix and radar of qualities, evaluated on the scenario
(workbench/model/aids.py computes both; this pane only draws them). `[` and `]` switch between the two."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from workbench.model import aids
from workbench.model.report import Analysis
from workbench.tui.widgets.shown import RunsWhenShown

VIEWS = ("matrix", "radar")
# One colour per option in the radar's bars (16-colour names); the name beside each bar says which is which.
SERIES = ("blue", "magenta", "cyan", "green", "yellow", "red")
HOLDS_MARK = {True: ("✔ yes", "bold green"), False: ("✖ no", "dim"), None: ("? undecided", "yellow")}


def bar(score: int | None, top: int = aids.TOP) -> str:
    """A score as a bar of `top` cells: filled, then empty; unknown is a row of dots."""
    if score is None:
        return "·" * top
    return "█" * score + "░" * (top - score)


def matrix_view(a: Analysis) -> RenderableType:
    m = aids.matrix(a.scenario, a.results, a.ladder)
    head = Text()
    head.append("Executive decision matrix", style="bold")
    head.append(" (a published guide) · [ ] radar\n", style="dim")
    head.append(m.summary(), style="bold")
    parts: list[RenderableType] = [head]
    for x in m.rows:
        mark, style = HOLDS_MARK[x.holds]
        title = Text()
        title.append(f"\n{x.row.n}. {x.row.situation}? ", style="bold" if x.holds else "")
        title.append(mark, style=style)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=2)
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(ratio=1, overflow="fold")
        advice = Text(x.row.advice, style="bold" if x.holds else "dim")
        if x.options:
            more = f" (the cheapest of {len(x.options)})" if len(x.options) > 1 else ""
            advice.append(f" Points to {x.options[0]!r}{more}.")
        else:
            advice.append(" No option in this scenario follows it.", style="dim")
        if x.agrees is True:
            advice.append(" Agrees with the ladder.", style="green")
        elif x.agrees is False:
            advice.append(f" The ladder picks {m.picked!r}.", style="yellow")
        grid.add_row("", "rule", x.row.rule)
        grid.add_row("", "here", x.here)
        grid.add_row("", "→", advice)
        parts += [title, grid]
    return Group(*parts)


def radar_view(a: Analysis, focus: int = 0, width: int = 80) -> RenderableType:
    """The scores table, then one group of bars per quality with its rule; `width` (the pane's) lets the
    bars' name column take the longest name whole where it fits."""
    r = aids.radar(a.scenario, a.results)
    head = Text()
    head.append("Radar of qualities", style="bold")
    head.append(f" (a published guide), 0-{aids.TOP}, higher is better · [ ] matrix", style="dim")
    parts: list[RenderableType] = [head]
    if not r.options:
        parts.append(Text("No options to score; add one in the Options grid."))
        return Group(*parts)
    overview = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False)
    overview.add_column("Option", ratio=1, overflow="fold")
    for q in r.qualities:
        overview.add_column(q.title.replace(" ", "\n", 1), justify="center", no_wrap=True)
    for i, name in enumerate(r.options):
        style = "bold" if i == focus else ""
        cells = [str(row[i][0]) if row[i][0] is not None else "?" for row in r.scores]
        overview.add_row(Text(name, style=style), *cells)
    parts.append(overview)
    for q, row in zip(r.qualities, r.scores, strict=True):
        title = Text()
        title.append(f"\n{q.title}", style="bold")
        title.append(f": {q.rule}", style="dim")
        parts.append(title)
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1), show_edge=False)
        longest = max(len(name) for name in r.options)
        table.add_column("Option", width=min(longest, max(12, width - 24)), overflow="fold")
        table.add_column("Bar", no_wrap=True)
        table.add_column("From", ratio=1, overflow="fold")
        for i, (name, (score, why)) in enumerate(zip(r.options, row, strict=True)):
            colour = SERIES[i % len(SERIES)]
            table.add_row(
                Text(name, style="bold" if i == focus else ""),
                Text(f"{bar(score)} {'?' if score is None else score}", style=colour),
                Text(why, style="dim"),
            )
        parts.append(table)
    return Group(*parts)


class AidsPane(RunsWhenShown, VerticalScroll):
    """The decision matrix or the radar of the latest analysis, drawn when on screen (RunsWhenShown)."""

    can_focus = True

    BINDINGS = [
        Binding("[", "switch(-1)", "Prev aid", id="aids.previous", tooltip="Matrix / radar"),
        Binding("]", "switch(1)", "Next aid", id="aids.next", tooltip="Radar / matrix"),
    ]

    view = "matrix"
    focus_option = 0

    def compose(self):
        yield Static(id="aids-text")

    def show(self, a: Analysis, focus_option: int = 0) -> None:
        self.focus_option = focus_option
        super().show(a)

    def on_resize(self) -> None:
        if self._on_screen and self.view == "radar":
            self.run()  # the names' column follows the width

    def action_switch(self, step: int) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + step) % len(VIEWS)]
        self.scroll_home(animate=False)
        self.run()

    def run(self) -> None:
        if self.analysis is None:
            return
        body = (
            matrix_view(self.analysis)
            if self.view == "matrix"
            else radar_view(self.analysis, self.focus_option)
        )
        self.query_one("#aids-text", Static).update(body)
