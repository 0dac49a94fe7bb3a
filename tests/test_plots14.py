"""Issue 14, plots that show every line: every series visible (a log money axis when they differ over
20x, `l` toggles it), colours that stay apart on 16 colours, the legend in full, the component bars
whole and apart, the Compare plot's legend true, the Monte Carlo pane readable at 24 rows, and every
exported SVG legible under every theme Textual ships."""

from __future__ import annotations

import html
import re

import pytest
from helpers import PRESETS, make_app, until
from rich.color import Color, ColorSystem
from textual.app import App, ComposeResult

from workbench.model.report import Analysis, analyze
from workbench.store import files
from workbench.tui.panes.plots import (
    GLYPHS,
    PALETTE,
    Chart,
    CompareChart,
    LegendItem,
    PlotsPane,
    _breakdown_plot,
)

TWO_M = "two-million-tokens-a-day"
SIZES = [(80, 24), (160, 45)]


def analysis(name: str) -> Analysis:
    return analyze(files.load(PRESETS / f"{name}.toml"))


def canvas(text: str) -> str:
    """The plot's inside: the lines between its frame's top and bottom (not the title or legend)."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left = lines[top].index("┌")
    return "\n".join(line[left + 1 :] for line in lines[top + 1 : bottom])


async def plots_pane(pilot, app) -> PlotsPane:
    await pilot.press("f7")
    pane = app.active_view().query_one(PlotsPane)
    await until(pilot, lambda: pane.charts[0].size.height > 0 and pane.charts[0]._draw is not None)
    await pilot.pause()
    return pane


# ------------------------------------------------------------------------------------------ every line


@pytest.mark.parametrize("size", SIZES)
async def test_every_option_of_two_million_tokens_shows_on_the_cumulative_plot(size):
    """Three API lines under $21k vanished on a $1M axis: each option's glyph must be on the canvas."""
    app = make_app(TWO_M)
    async with app.run_test(size=size) as pilot:
        pane = await plots_pane(pilot, app)
        chart = pane.charts[0]
        text = chart.render().plain
        assert "log scale" in text.splitlines()[0]
        inside = canvas(text)
        for k, o in enumerate(pane.analysis.results.options):
            assert GLYPHS[k] in inside, f"{o.name} ({GLYPHS[k]}) is hidden:\n{text}"
            assert o.name in text  # and named in the legend, in full
        assert "more" not in text
        pane.switch(1)  # the sweep (log-log): API lines within a fifth of a row of each other
        await pilot.pause()
        sweep = pane.charts[1]
        await until(pilot, lambda: sweep._draw is not None and "┌" in sweep.render().plain)
        inside = canvas(sweep.render().plain)
        for k, o in enumerate(pane.analysis.results.options):
            assert GLYPHS[k] in inside, f"{o.name} ({GLYPHS[k]}) is hidden on the sweep"


async def test_l_toggles_the_money_axis_between_log_and_linear():
    app = make_app(TWO_M)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await plots_pane(pilot, app)
        chart = pane.charts[0]
        pane.focus()
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert "linear scale" in chart.render().plain.splitlines()[0]
        await pilot.press("l")
        await pilot.pause()
        assert "log scale" in chart.render().plain.splitlines()[0]


def test_series_colours_stay_apart_on_a_16_colour_terminal():
    standard = [Color.from_rgb(*c).downgrade(ColorSystem.STANDARD).number for c in PALETTE]
    assert len(set(standard)) == len(PALETTE), standard
    assert len(set(GLYPHS)) == len(GLYPHS)  # and without colour, a glyph each


class Host(App):
    def __init__(self, chart: Chart):
        super().__init__()
        self.chart = chart

    def compose(self) -> ComposeResult:
        yield self.chart


async def test_a_long_legend_is_shown_in_full_on_extra_lines():
    names = [f"Option number {k} with a long descriptive name, {k * 1111} requests" for k in range(9)]
    chart = Chart()
    app = Host(chart)
    async with app.run_test(size=(60, 30)) as pilot:
        chart.set_plot(
            "t",
            lambda plt, w, h: plt.plot([1, 2], [1, 2]),
            [LegendItem("••", n, (0, 0, 0)) for n in names],
        )
        await pilot.pause()
        text = chart.render().plain
        flat = " ".join(line.strip() for line in text.splitlines())
        assert "more" not in text
        for n in names:
            assert n in flat, n


async def test_compare_plot_legend_is_whole_and_promises_no_line_style():
    items = [(f"scenario {k}", analysis(name)) for k, name in enumerate(["starter", TWO_M, "10k-extraction"])]
    chart = CompareChart()
    app = Host(chart)
    async with app.run_test(size=(80, 24)) as pilot:
        chart.show(items)
        await pilot.pause()
        text = chart.render().plain
        assert "solid" not in text and "dotted" not in text and "more" not in text
        glyphs = [item.glyph for item in chart.legend]
        assert len(set(glyphs)) == len(glyphs)  # each line its own glyph, named in the legend
        inside = canvas(text)
        for g in glyphs:
            assert g[0] in inside


async def test_component_bars_are_whole_and_apart():
    """Starter's month-1 bars were cut at 80x24 and round()'s banker's rounding paired neighbours."""
    a = analysis("starter")
    chart = Chart()
    app = Host(chart)
    async with app.run_test(size=(80, 18)) as pilot:
        for k, o in enumerate(a.results.options):
            chart.set_plot(*_breakdown_plot(a, k, False))
            await pilot.pause()
            text = chart.render().plain
            assert "↑" not in text, f"{o.name}: a bar is cut\n{text}"
            bottom = canvas(text).splitlines()[-1]
            assert len(re.findall("█+", bottom)) == a.scenario.horizon_months, f"{o.name}\n{text}"


# ------------------------------------------------------------------------------------------ Monte Carlo


async def simulation(pilot, app):
    from workbench.tui.panes.analysis import SimulationPane

    await pilot.press("f10")
    pane = app.active_view().query_one(SimulationPane)
    await until(pilot, lambda: pane.result is not None)
    for _ in range(5):
        await pilot.pause()
    return pane


@pytest.mark.parametrize("size", SIZES)
async def test_monte_carlo_table_shows_every_column_whole(size):
    from textual.widgets import DataTable

    app = make_app("starter")
    async with app.run_test(size=size) as pilot:
        pane = await simulation(pilot, app)
        table = pane.query_one("#sim-table", DataTable)
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.scrollable_content_region.width, "the last columns (B/E, Pays) are cut"
        be = table.columns[next(k for k in table.columns if k.value == "be")]
        values = [str(table.get_row_at(r)[6]) for r in range(table.row_count)]
        assert be.width >= max(len(v) for v in [*values, "B/E P10/50/90"])


async def test_monte_carlo_histogram_is_tall_enough_or_replaced():
    from textual.widgets import Static

    for size, shown in (((80, 24), False), ((160, 45), True)):
        app = make_app("starter")
        async with app.run_test(size=size) as pilot:
            pane = await simulation(pilot, app)
            chart = pane.query_one("#sim-chart", Chart)
            note = pane.query_one("#sim-note", Static)
            assert chart.display == shown and note.display != shown, size
            if shown:
                rows = canvas(chart.render().plain).splitlines()
                assert len(rows) >= 10


# ------------------------------------------------------------------------------------------ SVG under every theme


def _luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


PAGE = re.compile(r'<rect fill="(#[0-9a-f]{6})" stroke=')  # the window: the default background
RECT = re.compile(r'<rect fill="(#[0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+"')
LINE_HEIGHT = 24.4  # Rich's export: a line every 24.4 units, from y = 1.5
TEXT = re.compile(
    r'<text class="([^"]+)" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>'
)
STYLE = re.compile(r"\.([\w-]+) \{ ([^}]*) \}")
AXIS = re.compile(r"[┤┌└┬┐┘]|\$\d")  # the plot's frame, ticks and money labels


def axis_contrasts(svg: str) -> list[tuple[float, str, str, str]]:
    """(contrast, text, fill, background) of every piece of the plot's axes in a Rich SVG export."""
    fills = {k: re.search(r"fill: (#[0-9a-f]{6})", v) for k, v in STYLE.findall(svg)}
    page = PAGE.search(svg).group(1)  # type: ignore[union-attr]
    rows: dict[int, list[tuple[str, float, float]]] = {}
    for f, x, y, w in RECT.findall(svg):
        rows.setdefault(round((float(y) - 1.5) / LINE_HEIGHT), []).append((f, float(x), float(w)))
    out = []
    for cls, x, length, line, content in TEXT.findall(svg):
        text = html.unescape(content)
        m = fills.get(cls)
        if not AXIS.search(text) or m is None:
            continue
        mid = float(x) + float(length) / 2
        bg = next((f for f, rx, rw in rows.get(int(line), []) if rx <= mid < rx + rw), page)
        out.append((contrast(m.group(1), bg), text, m.group(1), bg))
    return out


async def test_exported_svg_axes_are_legible_under_every_theme():
    app = make_app(TWO_M)
    async with app.run_test(size=(100, 30)) as pilot:
        await plots_pane(pilot, app)
        themes = sorted(app.available_themes)
        assert "ansi-light" in themes
        for theme in themes:
            app.theme = theme
            for _ in range(3):
                await pilot.pause()
            pieces = axis_contrasts(app.export_screenshot())
            assert pieces, theme
            worst = min(pieces)
            assert worst[0] >= 3, f"{theme}: {worst[1]!r} is {worst[2]} on {worst[3]}"
