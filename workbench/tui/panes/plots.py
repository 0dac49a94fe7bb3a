"""Plots of one analysis (cumulative cost, cost against volume, monthly breakdown) and of several.

`Chart` is a textual-plotext `PlotextPlot` whose content is a draw function plus a legend. It draws its
own title line and legend (below the plot, so the legend never covers data, and with a glyph per series
so it reads without colour), catches plotext failures at tiny sizes, and caches the rendered text per
size, so a refresh that changes nothing costs nothing. `show()` on the panes only swaps the draw
function and refreshes: no widget is rebuilt after an edit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from plotext._dict import themes as plotext_themes
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Resize
from textual.widget import Widget
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from workbench.model import fmt
from workbench.model import sizing as sz
from workbench.model.engine import COMPONENTS
from workbench.model.report import Analysis
from workbench.model.sweep import volume_sweep

RGB = tuple[int, int, int]

# Colours that read on dark and light backgrounds and that stay eight different colours on a 16-colour
# terminal (TEXTUAL_COLOR_SYSTEM=standard: rich maps them to bright blue, bright red, green, yellow,
# magenta, cyan, bright magenta, red), and one glyph per series so that lines stay apart under NO_COLOR.
PALETTE: tuple[RGB, ...] = (
    (0, 110, 230),
    (230, 25, 75),
    (0, 150, 0),
    (220, 150, 0),
    (160, 0, 200),
    (0, 160, 160),
    (240, 50, 230),
    (150, 40, 0),
)
GLYPHS: tuple[str, ...] = ("•", "+", "x", "o", "*", "#", "=", "%")
NEUTRAL: RGB = (128, 128, 128)
BREAKEVEN_GLYPH = "◆"
GO_LIVE_GLYPH = "▲"  # an option's go-live month on the cumulative plot (docs/model.md 6.1)

COMPONENT_LABELS = {
    "inference": "inference",
    "retrieval": "retrieval",
    "review": "review",
    "people": "people",
    "fixed": "fixed",
    "one_time": "one-time",
    "retrain": "retrain",
    "fallback": "fallback API",
    "pretraining": "pre-training",
}
COMPONENT_COLORS: dict[str, RGB] = {
    "inference": (0, 130, 200),
    "retrieval": (60, 180, 75),
    "review": (245, 130, 48),
    "people": (145, 30, 180),
    "fixed": (128, 128, 0),
    "one_time": (230, 25, 75),
    "retrain": (0, 160, 160),
    "fallback": (240, 50, 230),
    "pretraining": (170, 110, 40),
}
# Fill glyphs for the stacked bars when there is no colour to tell the components apart.
COMPONENT_FILLS = {
    "inference": "█",
    "retrieval": "▓",
    "review": "▒",
    "people": "░",
    "fixed": "#",
    "one_time": "=",
    "retrain": ":",
    "fallback": "~",
    "pretraining": "^",
}

# The y axes by name: plotext takes "left"/"right", though textual-plotext's hints say a number.
LEFT: Any = "left"
RIGHT: Any = "right"

SPIKE = 5  # the breakdown cuts a month's bar only when it is over 5x the steady months' highest
MIN_PLOT_WIDTH = 24
MIN_PLOT_HEIGHT = 5

Draw = Callable[[Plot, int, int], None]


def color(i: int) -> RGB:
    return PALETTE[i % len(PALETTE)]


def glyph(i: int) -> str:
    return GLYPHS[i % len(GLYPHS)]


# ---------------------------------------------------------------------------------------------------------
# Ticks in units people read


def _symbol(currency: str) -> str:
    return fmt._SYMBOLS.get(currency, "")


def tick_number(x: float) -> str:
    """1, 250, 1k, 2.5k, 10M: the shortest exact-looking label for a round tick value."""
    a = abs(x)
    if a >= 999.5e12:  # past 999T: 3e+60, not 3e+48T
        return f"{x:.2g}"
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div * 0.9995:
            return f"{x / div:.3g}{suffix}"
    if a == 0:
        return "0"
    return f"{x:.3g}"


def tick_money(x: float, currency: str = "USD") -> str:
    """$0, $25k, $1.2M; currencies without a symbol get bare numbers (the title names the currency)."""
    sign = "-" if x < 0 else ""
    return f"{sign}{_symbol(currency)}{tick_number(abs(x))}"


def volume(v: float) -> str:
    """Requests/day for a legend: 219, 68.1k, 1.2M."""
    return tick_number(round(v) if v >= 100 else v)


def nice_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Round tick values covering lo..hi (1, 2, 2.5, 5 x 10^k steps), at most max_ticks of them."""
    max_ticks = max(2, max_ticks)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) if lo else 1.0)
    span = hi - lo
    raw = span / (max_ticks - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = 10 * mag
    for m in (1, 2, 2.5, 5, 10):
        if span / (m * mag) <= max_ticks - 1 + 1e-9:
            step = m * mag
            break
    start = math.floor(lo / step + 1e-9) * step
    ticks = [start]
    while ticks[-1] < hi - 1e-9 * step:
        ticks.append(ticks[-1] + step)
    return ticks


def month_ticks(horizon: int, width: int) -> list[int]:
    """Whole months, spaced so labels do not collide (1, 6, 12, 18, 24 ...)."""
    room = max(2, width // 6)
    for step in (1, 2, 3, 6, 12, 24, 60):
        if horizon / step <= room:
            break
    ticks = [1] + list(range(step, horizon + 1, step)) if step > 1 else list(range(1, horizon + 1))
    if len(ticks) > 2 and ticks[1] - ticks[0] <= step / 2:
        ticks.pop(1)
    return ticks


def log_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Decades (and 2x, 5x within them when the range is short) between lo and hi, lo > 0."""
    d0, d1 = math.floor(math.log10(lo) + 1e-9), math.ceil(math.log10(hi) - 1e-9)
    decades = [10.0**d for d in range(d0, d1 + 1)]
    ticks = [t for t in decades if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
    if len(ticks) * 3 <= max_ticks:
        ticks = sorted(
            t * m for t in decades for m in (1, 2, 5) if lo * (1 - 1e-9) <= t * m <= hi * (1 + 1e-9)
        )
    if len(ticks) < 2:
        ticks = sorted({lo, hi, *ticks})
    while len(ticks) > max(2, max_ticks):
        ticks = ticks[::2]
    return ticks


# ---------------------------------------------------------------------------------------------------------
# The chart widget


@dataclass(frozen=True)
class LegendItem:
    glyph: str
    label: str
    color: RGB | None = None


class Chart(PlotextPlot):
    """One plot: a title line, the plotext canvas, a legend below; short text when there is no room."""

    DEFAULT_CSS = """
    Chart {
        width: 1fr;
        height: 1fr;
        min-height: 3;
    }
    """

    def __init__(
        self, title: str = "", *, name: str | None = None, id: str | None = None, classes: str | None = None
    ):
        super().__init__(name=name, id=id, classes=classes)
        self.chart_title = title
        self.prefix = ""
        self.message = "nothing to plot yet"
        self.legend: list[LegendItem] = []
        self._draw: Draw | None = None
        self._version = 0
        self._cache: tuple[tuple, Text] | None = None
        self._pending: Callable[[], tuple[str, Draw | None, Sequence[LegendItem], str]] | None = None
        self.last_error: str | None = None

    def set_plot(
        self, title: str, draw: Draw | None, legend: Sequence[LegendItem] = (), message: str = ""
    ) -> None:
        """Replace what is drawn (cheap: the plot is built on the next render, at the widget's size)."""
        self.chart_title = title
        self._draw = draw
        self.legend = list(legend)
        self.message = message or "nothing to plot"
        self._pending = None
        self._version += 1
        self.refresh()

    def set_plot_later(
        self, title: str, build: Callable[[], tuple[str, Draw | None, Sequence[LegendItem], str]]
    ) -> None:
        """Like `set_plot(*build())`, but `build` runs when the chart is next rendered: a plot whose data
        costs an engine run (the volume sweep) costs nothing while it is not on screen."""
        self.chart_title = title
        self._pending = build
        self._version += 1
        self.refresh()

    def resolve(self) -> None:
        """Run a pending `set_plot_later` build now."""
        if self._pending is not None:
            build, self._pending = self._pending, None
            title, draw, legend, message = build()
            self.chart_title = title
            self._draw = draw
            self.legend = list(legend)
            self.message = message or "nothing to plot"

    def set_prefix(self, prefix: str) -> None:
        if prefix != self.prefix:
            self.prefix = prefix
            self.refresh()

    def _register_theme(self, app_theme_name: str) -> None:
        """textual-plotext gives plotext the theme's surface and foreground as RGB; an ANSI theme's are
        `ansi_default`, which reads as black for both, so the axes and ticks were black on black (and so
        in an exported SVG). For those themes the plot keeps the terminal's own default colours."""
        theme = self.app.available_themes.get(app_theme_name)
        ansi = theme is not None and any(
            str(c).startswith("ansi_") for c in (theme.foreground, theme.background, theme.surface) if c
        )
        if self.theme == "auto" and ansi:
            plotext_themes[self._get_plotext_theme_name(app_theme_name)] = (
                "default",
                "default",
                "default",
                "default",
                list(PALETTE),
            )
            self.refresh()
            return
        super()._register_theme(app_theme_name)

    @property
    def no_color(self) -> bool:
        try:
            return bool(self.app.no_color)
        except Exception:
            return False

    def _legend_lines(self, width: int) -> list[Text]:
        """The legend in full, items packed onto lines of `width`; an item longer than a line wraps onto
        the next ones (indented), so no name is cut and nothing is left out."""
        if not self.legend or width <= 0:
            return []
        lines: list[Text] = []
        line = Text()
        for item in self.legend:
            piece = Text()
            piece.append(item.glyph, style=Style(color=_rich_color(item.color)) if item.color else "")
            piece.append(" " + fmt.shown(item.label))  # a name, or a tab named after a file
            sep = 3 if line.plain else 0
            if line.plain and len(line) + sep + len(piece) > width:
                lines.append(line)
                line, sep = Text(), 0
            line.append(" " * sep)
            line.append_text(piece)
            while len(line) > width:  # one item wider than the line: break it at a space
                cut = line.plain.rfind(" ", 0, width + 1)
                cut = cut if cut > len(item.glyph) else width
                head, tail = line.divide([cut])
                lines.append(head)
                line = Text("   " + tail.plain.lstrip(" "))  # the label's rest (the glyph is on head)
        if line.plain:
            lines.append(line)
        return lines

    def render(self) -> Text:
        self.resolve()
        width, height = self.size.width, self.size.height
        theme = self._get_plotext_theme_name(self.app.theme)
        key = (width, height, self._version, theme, self.prefix, self.no_color)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        text = self._render_text(width, height, theme)
        self._cache = (key, text)
        return text

    def _render_text(self, width: int, height: int, theme: str) -> Text:
        title = Text(
            fmt.shown(self.prefix + self.chart_title), style="bold", no_wrap=True, overflow="ellipsis"
        )
        title.truncate(max(1, width), overflow="ellipsis")
        if height <= 1:
            return title
        if self._draw is None:
            return Text.assemble(title, "\n", Text(fmt.shown(self.message), style="dim"))
        legend = self._legend_lines(width)
        plot_height = height - 1 - len(legend)
        if width < MIN_PLOT_WIDTH or plot_height < MIN_PLOT_HEIGHT:
            out = Text.assemble(title, "\n", Text("(enlarge to see the plot)", style="dim"))
            for line in legend[: max(0, height - 2)]:
                out.append("\n")
                out.append_text(line)
            return out
        try:
            plt = self._plot
            plt.clear_figure()
            plt.theme(theme)
            plt.plotsize(width, plot_height)
            plt._set_size(width, plot_height)
            self._draw(plt, width, plot_height)
            canvas = Text.from_ansi(plt.build().rstrip("\n"), no_wrap=True)
            self.last_error = None
        except Exception as error:  # plotext fails on some degenerate sizes and data
            self.last_error = f"{type(error).__name__}: {error}"
            return Text.assemble(title, "\n", Text("(plot unavailable at this size)", style="dim"))
        out = Text(no_wrap=True, overflow="crop")
        out.append_text(title)
        out.append("\n")
        out.append_text(canvas)
        for line in legend:
            out.append("\n")
            out.append_text(line)
        return out


def _rich_color(c: RGB | None) -> str:
    return f"rgb({c[0]},{c[1]},{c[2]})" if c else "default"


# ---------------------------------------------------------------------------------------------------------
# The plots of one analysis, as draw functions (pure over their data)


LOG_RATIO = 20  # series whose tops differ by more than this get a log money axis (the small ones vanish)


def wants_log(tops: Sequence[float]) -> bool:
    """Whether series topping out at `tops` need a log money axis: the largest over 20x the smallest."""
    positive = [t for t in tops if t > 0]
    return len(positive) > 1 and max(positive) > LOG_RATIO * min(positive)


def interleave(plt: Plot, lines: Sequence[tuple[Sequence[float], Sequence[float], int]], width: int) -> None:
    """Where lines run on the same rows the last drawn hides the others: over them, each line's glyph at
    its own turn of evenly spaced points (line 0 at the first, line 1 at the second ...), so every line
    shows along its length ("•+x•+x"), in colour or not. `lines`: (xs, ys, series number)."""
    n = len(lines)
    if n < 2:
        return
    for turn, (xs, ys, k) in enumerate(lines):
        count = len(xs)
        points = max(n, min(count, width // 2))  # about one mark every two columns, over all lines
        picks = sorted({round(i * (count - 1) / max(1, points - 1)) for i in range(points) if i % n == turn})
        if picks:
            plt.scatter([xs[i] for i in picks], [ys[i] for i in picks], marker=glyph(k), color=color(k))


def _round_125(x: float, up: bool) -> float:
    """The nearest of 1, 2, 5 x 10^k at or above `x` (or at or below it)."""
    d = 10 ** math.floor(math.log10(x))
    steps = [m * d for m in (1, 2, 5, 10)]
    if up:
        return next(v for v in steps if v >= x * (1 - 1e-9))
    return max(v for v in steps if v <= x * (1 + 1e-9))


class MoneyAxis:
    """A money y axis, linear from 0 or log10 between the smallest positive value and the top (a floor
    at a millionth of the top), with round ticks; `y()` maps a value to where plotext draws it. plotext's
    own `yscale("log")` fails on a 0 (a cumulative cost starts at 0 for an option not yet live)."""

    def __init__(self, values: Sequence[float], log: bool, rows: int, currency: str):
        top = max(values, default=0.0)
        positive = [v for v in values if v > 0]
        self.log = log and bool(positive) and top > min(positive)
        self.currency = currency
        n_ticks = max(2, min(6, rows // 3))
        if self.log:  # from a round value under the smallest to a round value over the top, both labelled
            self.floor = _round_125(max(min(positive), top / 1e6), up=False)
            top = _round_125(top, up=True)
            self.ticks = log_ticks(self.floor, top, n_ticks)
            self.lo, self.hi = math.log10(self.floor), math.log10(top)
        else:
            self.floor = 0.0
            self.ticks = nice_ticks(0.0, top if top > 0 else 1.0, n_ticks)
            self.lo, self.hi = self.ticks[0], self.ticks[-1]

    def y(self, v: float) -> float:
        return math.log10(max(v, self.floor)) if self.log else v

    def apply(self, plt: Plot) -> None:
        plt.ylim(self.lo, self.hi)
        plt.yticks([self.y(t) for t in self.ticks], [tick_money(t, self.currency) for t in self.ticks])


def _cumulative_plot(a: Analysis, log: bool | None = None) -> tuple[str, Draw | None, list[LegendItem], str]:
    """`log`: a log money axis (None: when the options' totals differ by more than LOG_RATIO)."""
    r, cur = a.results, a.scenario.currency
    H = a.scenario.horizon_months
    months = list(range(1, H + 1))
    series = {o.index: r.series(o.index, "cumulative") for o in r.options}
    if log is None:
        log = wants_log([max(v, default=0.0) for v in series.values()])
    scale = "log scale" if log else "linear scale"
    title = f"Cumulative cost, every option ({cur}, {scale}; {BREAKEVEN_GLYPH} = pays back vs baseline)"
    if not r.options:
        return title, None, [], "no options in this scenario"
    legend = []
    for k, o in enumerate(r.options):
        label = f"{o.name} {fmt.money(o.tco, cur)}"
        if o.go_live_month > 1:
            label += f" {GO_LIVE_GLYPH}go-live m{o.go_live_month}"
        if o.is_baseline:
            label += " (baseline)"
        elif o.breakeven_month is not None:
            label += f" {BREAKEVEN_GLYPH}m{o.breakeven_month}"
        legend.append(LegendItem(glyph(k) * 2, label, color(k)))
    # Go-live months (6.1): a vertical line in each option's colour, labelled once per month.
    live: dict[int, int] = {}  # month -> the first option (by position) that goes live then
    for k, o in enumerate(r.options):
        if 1 < o.go_live_month <= H:
            live.setdefault(o.go_live_month, k)

    def draw(plt: Plot, w: int, h: int) -> None:
        axis = MoneyAxis([v for ys in series.values() for v in ys], bool(log), h, cur)
        row = (axis.hi - axis.lo) / max(1, h - 3)
        for k, o in enumerate(r.options):  # under the curves, which are drawn over them
            if 1 < o.go_live_month <= H:
                plt.vertical_line(o.go_live_month, color=color(k))
        for n, (g, k) in enumerate(sorted(live.items())):
            plt.text(
                f"{GO_LIVE_GLYPH}go-live",
                g,
                axis.hi - row * (n % max(1, h - 4)),
                color=color(k),
                alignment="left" if g <= H / 2 else "right",
            )
        # The largest first, so where lines meet the smaller ones (drawn last) stay visible.
        order = sorted(range(len(r.options)), key=lambda k: -max(series[r.options[k].index], default=0.0))
        drawn = []
        for k in order:
            ys = [axis.y(v) for v in series[r.options[k].index]]
            drawn.append((months, ys, k))
            if H == 1:
                plt.scatter(months, ys, marker=glyph(k), color=color(k))
            else:
                plt.plot(months, ys, marker=glyph(k), color=color(k))
        interleave(plt, drawn, w)
        for k, o in enumerate(r.options):
            bm = o.breakeven_month
            if o.is_baseline or bm is None:
                continue
            y = axis.y(series[o.index][bm - 1])
            plt.scatter([bm], [y], marker=BREAKEVEN_GLYPH, color=color(k))
            align: Literal["left", "right", "center"] = (
                "left" if bm <= H / 4 else "right" if bm >= H * 3 / 4 else "center"
            )
            plt.text(f"m{bm}", bm, min(axis.hi, y + row * 1.2), color=color(k), alignment=align)
        axis.apply(plt)
        plt.xlim(*((0.5, 1.5) if H == 1 else (1, H)))
        xt = month_ticks(H, w)
        plt.xticks(cast(list[float], xt), [str(t) for t in xt])
        if h >= 12:
            plt.xlabel("month")

    return title, draw, legend, ""


def _sweep_title(a: Analysis) -> str:
    return f"Monthly cost vs requests/day, log-log ({a.scenario.currency}; steady state at month-1 prices)"


def _sweep_plot(a: Analysis) -> tuple[str, Draw | None, list[LegendItem], str]:
    s, r, cur = a.scenario, a.results, a.scenario.currency
    title = _sweep_title(a)
    if not r.options:
        return title, None, [], "no options in this scenario"
    sw = volume_sweep(s, results=r)
    vols = sw["volumes"]
    costs = sw["costs"]
    positive = costs[costs > 0]
    if positive.size == 0:
        return title, None, [], "every option costs nothing at every volume"
    y_hi = float(positive.max())
    y_lo = max(float(positive.min()), y_hi / 1e6)
    today = sw["today"]
    lx = [math.log10(v) for v in vols]
    v_lo, v_hi = float(vols[0]), float(vols[-1])
    legend = []
    marks: list[tuple[float, str, RGB]] = []
    for k, o in enumerate(r.options):
        be = sw["breakeven"].get(o.name)
        label = o.name
        if o.is_baseline:
            label += " (baseline)"
        elif be is None:
            label += ": never cheaper"
        elif be == 0:
            label += ": cheaper at any volume"
        else:
            label += f": cheaper from {volume(be)}/day"
            if v_lo <= be <= v_hi:
                marks.append((be, f"{glyph(k)}{tick_number(be)}", color(k)))
        legend.append(LegendItem(glyph(k) * 2, label, color(k)))

    def draw(plt: Plot, w: int, h: int) -> None:
        ly_lo, ly_hi = math.log10(y_lo), math.log10(y_hi)
        if ly_hi - ly_lo < 1e-9:
            ly_lo, ly_hi = ly_lo - 0.5, ly_hi + 0.5
        drawn = []
        for k in range(len(r.options)):
            ys = [math.log10(max(float(c), y_lo)) for c in costs[k]]
            plt.plot(lx, ys, marker=glyph(k), color=color(k))
            drawn.append((lx, ys, k))
        interleave(plt, drawn, w)
        row = (ly_hi - ly_lo) / max(1, h - 3)
        if v_lo <= today <= v_hi:
            plt.vertical_line(math.log10(today), color=NEUTRAL)
            plt.text(
                f"today {volume(today)}",
                math.log10(today),
                ly_lo + row * 0.5,
                alignment="left" if today < v_hi / 10 else "right",
            )
        for n, (v, label, c) in enumerate(sorted(marks)):
            x = math.log10(v)
            plt.vertical_line(x, color=c)
            plt.text(
                label,
                x,
                ly_hi - row * (n % max(1, h - 4)),
                color=c,
                alignment="left" if v < v_hi / 10 else "right",
            )
        yt = log_ticks(10**ly_lo, 10**ly_hi, max(2, min(6, h // 3)))
        plt.ylim(ly_lo, ly_hi)
        plt.yticks([math.log10(t) for t in yt], [tick_money(t, cur) for t in yt])
        xt = log_ticks(v_lo, v_hi, max(2, w // 8))
        plt.xlim(lx[0], lx[-1])
        plt.xticks([math.log10(t) for t in xt], [tick_number(t) for t in xt])
        if h >= 12:
            plt.xlabel("requests/day")

    return title, draw, legend, ""


def _breakdown_plot(
    a: Analysis, focus: int, no_color: bool
) -> tuple[str, Draw | None, list[LegendItem], str]:
    r, cur = a.results, a.scenario.currency
    if not r.options:
        return "Monthly cost by component", None, [], "no options in this scenario"
    focus = min(max(0, focus), len(r.options) - 1)
    o = r.options[focus]
    title = f"Monthly cost by component: {o.name} ({cur})"
    H = a.scenario.horizon_months
    data = {c: r.series(o.index, c) for c in COMPONENTS}
    used = [c for c in COMPONENTS if any(v > 0 for v in data[c])]
    if not used:
        return title, None, [], f"{o.name} costs nothing"
    totals = [sum(data[c][m] for c in used) for m in range(H)]
    steady = [totals[m] - data["one_time"][m] - data["pretraining"][m] for m in range(H)]
    peak = max(totals)
    cap = max(steady) * 1.3 if max(steady) > 0 else peak
    # Bars are drawn whole; only a one-time spike over SPIKE times the steady months (pre-training), which
    # would flatten every other month to a row, is cut, with its total written above it.
    clipped = max(steady) > 0 and peak > SPIKE * max(steady)
    top_value = cap if clipped else peak
    legend = [
        LegendItem(COMPONENT_FILLS[c] * 2 if no_color else "██", COMPONENT_LABELS[c], COMPONENT_COLORS[c])
        for c in used
    ]
    if clipped:
        legend.append(LegendItem("↑", "bar cut off: total shown above it", None))

    def draw(plt: Plot, w: int, h: int) -> None:
        # Bars are painted column by column (plotext's own bars round their edges unevenly, so some
        # neighbours merge): with xlim (0.5, H + 0.5) plotext puts column i of C at 0.5 + i * H / (C - 1).
        yt = nice_ticks(0.0, top_value, max(2, min(6, h // 3)))
        labels = [tick_money(t, cur) for t in yt]
        with_xlabel = h >= 12
        rows = h - 3 - (1 if with_xlabel else 0)
        cols = w - max(len(t) for t in labels) - 2
        if rows < 2 or cols < 2:
            raise ValueError("no room for bars")
        y_lo, y_hi = yt[0], yt[-1]
        row_step = (y_hi - y_lo) / (rows - 1)
        x_step = H / (cols - 1)
        slot = (cols - 1) / H  # columns per month
        bar_cols: list[tuple[float, int]] = []
        if slot >= 2:  # bars of equal width with at least one blank column between them
            width = max(1, min(math.floor(slot) - 1, round(slot * 0.65)))
            for m in range(H):
                centre = math.floor((m + 0.5) * slot + 0.5)  # not round(): 4.5 -> 4 would pair bars
                for i in range(centre - (width - 1) // 2, centre + width // 2 + 1):
                    if 0 <= i < cols:
                        bar_cols.append((0.5 + i * x_step, m))
        else:  # too many months for gaps: each column shows its nearest month
            for i in range(cols):
                x = 0.5 + i * x_step
                bar_cols.append((x, min(H, max(1, round(x))) - 1))
        bottom = [0.0] * H
        for n, c in enumerate(used):
            xs: list[float] = []
            ys: list[float] = []
            for x, m in bar_cols:
                v = data[c][m]
                if v <= 0:
                    continue
                a, b = bottom[m], min(bottom[m] + v, y_hi)
                r0 = round((a - y_lo) / row_step) + (1 if n and a > 0 else 0)
                r1 = round((b - y_lo) / row_step)
                for r in range(r0, r1 + 1):
                    xs.append(x)
                    ys.append(y_lo + r * row_step)
            for m in range(H):
                bottom[m] += max(0.0, data[c][m])
            if xs:
                mark = COMPONENT_FILLS[c] if no_color else "█"
                plt.scatter(xs, ys, marker=mark, color=COMPONENT_COLORS[c])
        plt.xlim(0.5, H + 0.5)
        plt.ylim(y_lo, y_hi)
        plt.yticks(yt, labels)
        if clipped:
            for m in range(H):
                if totals[m] > y_hi:
                    plt.text(f"↑{fmt.money(totals[m], cur)}", m + 1, y_hi, alignment="left")
        xt = month_ticks(H, w)
        plt.xticks(cast(list[float], xt), [str(t) for t in xt])
        if with_xlabel:
            plt.xlabel("month")

    return title, draw, legend, ""


def _sizing_title(name: str = "") -> str:
    return f"Sizing sweep: {name}, by concurrency" if name else "Sizing sweep"


def _sizing_plot(a: Analysis, focus: int) -> tuple[str, Draw | None, list[LegendItem], str]:
    """Throughput and latency against concurrency for the focused self-hosted option, from the sizing its
    throughput_source records; in the chart's place, how to get one when it has none."""
    options = a.scenario.options
    if not options:
        return _sizing_title(), None, [], "no options in this scenario"
    o = options[min(max(0, focus), len(options) - 1)]
    title = _sizing_title(o.name)
    if not o.is_self_hosted:
        return (
            title,
            None,
            [],
            f"{o.name!r} is served by an API: the sweep is for a self-hosted option. Focus one "
            "(Options, F4) and size it with S",
        )
    sizing = sz.Sizing.from_source(o.throughput_source)
    if sizing is None:
        why = (
            "was never sized"
            if not o.throughput_source
            else f"has its throughput from elsewhere ({o.throughput_source})"
        )
        return title, None, [], f"{o.name!r} {why}: size it with S (on its row in Options, F4)"
    try:
        points = [e for e in sizing.sweep() if e.fits]
        filled = sizing.estimate()
    except (sz.SizingError, ValueError, OverflowError) as exc:
        return title, None, [], f"cannot sweep {o.name!r}: {exc}"
    if not points:
        return title, None, [], f"{o.name!r} does not fit as sized: size it again with S"
    ttft = sizing.max_ttft_ms is not None and sizing.max_tpot_ms is None  # the limit that was asked
    return title, *_sizing_draw(points, filled, ttft, sizing.max_ttft_ms if ttft else sizing.max_tpot_ms)


def _sizing_draw(
    points: Sequence[sz.Estimate], filled: sz.Estimate, ttft: bool, limit: float | None
) -> tuple[Draw, list[LegendItem], str]:
    """The sweep's two curves (tok/s per GPU on the left axis, TPOT or TTFT on the right) and the batch
    the option was filled at."""
    what = "TTFT" if ttft else "TPOT"
    xs = [float(e.batch) for e in points]
    tps = [e.tokens_per_second_per_gpu for e in points]
    lat = [e.ttft_ms if ttft else e.tpot_ms for e in points]
    log_x = xs[-1] / max(1.0, xs[0]) > 16  # 1 to 400 sequences: the small batches would be one column

    def fx(x: float) -> float:
        return math.log10(x) if log_x else x

    b = filled.batch
    at = next((e for e in points if e.batch == b), filled)
    legend = [
        LegendItem(
            glyph(0) * 2, f"tok/s per GPU (left) {at.tokens_per_second_per_gpu:,.0f} at {b}", color(0)
        ),
        LegendItem(
            glyph(1) * 2,
            f"{what} ms (right) {at.ttft_ms if ttft else at.tpot_ms:,.0f} at {b}"
            + (f"; --- limit {limit:g}" if limit else ""),
            color(1),
        ),
        LegendItem("│", f"filled at batch {b} of {points[-1].batch} that fit", NEUTRAL),
    ]

    def draw(plt: Plot, w: int, h: int) -> None:
        n_ticks = max(2, min(6, h // 3))
        yl = nice_ticks(0.0, max(tps) or 1.0, n_ticks)
        yr = nice_ticks(0.0, max([*lat, (limit or 0.0) * 1.1]) or 1.0, n_ticks)  # the limit inside
        x_lo, x_hi = fx(xs[0]), fx(xs[-1])
        if x_hi - x_lo < 1e-9:
            x_lo, x_hi = x_lo - 0.5, x_hi + 0.5
        plt.vertical_line(fx(b), color=NEUTRAL)
        tx = [fx(x) for x in xs]
        plt.plot(tx, tps, marker=glyph(0), color=color(0), yside="left")
        plt.plot(tx, lat, marker=glyph(1), color=color(1), yside="right")
        if limit:  # a series, not horizontal_line: plotext draws that on the left axis's scale
            plt.plot([x_lo, x_hi], [limit, limit], marker="-", color=color(1), yside="right")
        plt.text(
            f"batch {b}",
            fx(b),
            yl[-1],
            alignment="left" if fx(b) <= (x_lo + x_hi) / 2 else "right",
        )
        plt.ylim(yl[0], yl[-1], yside=LEFT)
        plt.yticks(yl, [tick_number(t) for t in yl], yside=LEFT)
        plt.ylim(yr[0], yr[-1], yside=RIGHT)
        plt.yticks(yr, [f"{tick_number(t)}ms" for t in yr], yside=RIGHT)
        plt.xlim(x_lo, x_hi)
        if log_x:
            xt = log_ticks(xs[0], xs[-1], max(2, w // 8))
        else:
            xt = nice_ticks(xs[0], xs[-1], max(2, w // 8))
            xt = [t for t in xt if xs[0] <= t <= xs[-1]] or [xs[0], xs[-1]]
        plt.xticks([fx(t) for t in xt], [tick_number(t) for t in xt])
        if h >= 12:
            plt.xlabel("concurrent sequences (batch)")

    return draw, legend, ""


# ---------------------------------------------------------------------------------------------------------
# The panes


class PlotsPane(Widget, can_focus=True):
    """Four plots of one analysis (the last, the focused option's sizing sweep); one at a time on a small
    pane (`[` and `]` switch), all on a big one."""

    BINDINGS = [
        Binding("[", "previous_plot", "Prev plot", id="plots.previous", tooltip="Show the previous plot"),
        Binding("]", "next_plot", "Next plot", id="plots.next", tooltip="Show the next plot"),
        Binding(
            "l",
            "toggle_log",
            "Log/linear",
            id="plots.log",
            tooltip="Cumulative plot: switch the money axis between log and linear scale",
        ),
    ]

    DEFAULT_CSS = """
    PlotsPane {
        layout: vertical;
        width: 1fr;
        height: 1fr;
    }
    PlotsPane > Chart {
        width: 1fr;
        height: 1fr;
    }
    PlotsPane.-single > Chart {
        display: none;
    }
    PlotsPane.-single > Chart.-current {
        display: block;
    }
    PlotsPane.-grid {
        layout: grid;
        grid-size: 2 2;
        grid-columns: 1fr 1fr;
        grid-rows: 1fr 1fr;
        grid-gutter: 0 2;
    }
    """

    PLOT_IDS = ("plot-cumulative", "plot-sweep", "plot-breakdown", "plot-sizing")
    GRID_MIN = (140, 30)  # width, height from which the four plots share a 2x2 grid
    STACK_MIN_HEIGHT = 60  # height from which they are stacked (about 15 rows each)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self._ready = False  # set in on_mount: show() before then is drawn on mount
        self.current = 0
        self.mode = "single"
        self.analysis: Analysis | None = None
        self.focus_index = 0
        self.log_money: bool | None = None  # the cumulative plot's money axis: None = log when needed
        self.add_class("-single")

    def compose(self):
        for n, pid in enumerate(self.PLOT_IDS):
            yield Chart(id=pid, classes="-current" if n == self.current else "")

    @property
    def charts(self) -> list[Chart]:
        return [self.query_one(f"#{pid}", Chart) for pid in self.PLOT_IDS]

    def show(self, analysis: Analysis, focus: int = 0) -> None:
        """(Re)draw the plots for `analysis`; `focus` is the option whose breakdown and sizing are shown."""
        self.analysis = analysis
        self.focus_index = focus
        if not self._ready:  # drawn in on_mount
            return
        cumulative, sweep, breakdown, sizing = self.charts
        cumulative.set_plot(*_cumulative_plot(analysis, self.log_money))
        sweep.set_plot_later(_sweep_title(analysis), lambda: _sweep_plot(analysis))
        breakdown.set_plot(*_breakdown_plot(analysis, focus, breakdown.no_color))
        sizing.set_plot_later(_sizing_title(), lambda: _sizing_plot(analysis, focus))
        self._update_prefixes()

    def on_mount(self) -> None:
        self._ready = True
        if self.analysis is not None:
            self.show(self.analysis, self.focus_index)

    def on_resize(self, event: Resize) -> None:
        self._apply_mode(event.size.width, event.size.height)

    def _apply_mode(self, width: int, height: int) -> None:
        if width >= self.GRID_MIN[0] and height >= self.GRID_MIN[1]:
            mode = "grid"
        elif height >= self.STACK_MIN_HEIGHT:
            mode = "stack"
        else:
            mode = "single"
        if mode != self.mode:
            self.mode = mode
            for m in ("single", "grid", "stack"):
                self.set_class(m == mode, f"-{m}")
            self._update_prefixes()
            self.refresh_bindings()

    def _update_prefixes(self) -> None:
        single = self.mode == "single"
        for n, chart in enumerate(self.charts):
            chart.set_class(n == self.current, "-current")
            chart.set_prefix(f"{n + 1}/{len(self.PLOT_IDS)} " if single else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_plot", "previous_plot"):
            return self.mode == "single"
        return True

    def action_toggle_log(self) -> None:
        """Switch the cumulative plot's money axis between log and linear (and show that plot)."""
        chart = self.charts[0]
        self.log_money = "log scale" not in chart.chart_title
        if self.mode == "single":
            self.switch(0)
        if self.analysis is not None:
            chart.set_plot(*_cumulative_plot(self.analysis, self.log_money))

    def action_next_plot(self) -> None:
        self.switch(self.current + 1)

    def action_previous_plot(self) -> None:
        self.switch(self.current - 1)

    def switch(self, index: int) -> None:
        """Show plot `index` (wraps around) when the pane shows one plot at a time."""
        self.current = index % len(self.PLOT_IDS)
        self._update_prefixes()


class CompareChart(Chart):
    """Cumulative cost of each scenario's recommended option and baseline, overlaid: one colour per
    scenario, one glyph per line (the legend says which glyph is which)."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(
            "Cumulative cost: recommended option and baseline", name=name, id=id, classes=classes
        )

    def show(self, items: Sequence[tuple[str, Analysis]]) -> None:
        """Overlay the scenarios' recommended and baseline cumulative costs; items are (label, analysis)."""
        self.set_plot(*_compare_plot(list(items)))


def _compare_plot(items: list[tuple[str, Analysis]]) -> tuple[str, Draw | None, list[LegendItem], str]:
    currencies = {a.scenario.currency for _, a in items}
    cur = items[0][1].scenario.currency if items else "USD"
    unit = cur if len(currencies) <= 1 else "mixed currencies!"
    title = f"Cumulative cost, recommended and baseline per scenario ({unit}"
    lines: list[tuple[list[float], int, str]] = []  # (cumulative, scenario number, glyph)
    legend: list[LegendItem] = []
    for k, (label, a) in enumerate(items):
        r = a.results
        rec_name = a.ladder.recommendation.option if a.ladder and a.ladder.recommendation else None
        rec = r.option(rec_name) if rec_name else None
        base = r.option(r.baseline) if r.baseline else None
        money = a.scenario.currency
        if rec is not None:
            g = glyph(len(lines))
            lines.append((r.series(rec.index, "cumulative"), k, g))
            also = ", also the baseline" if base is not None and base.index == rec.index else ""
            legend.append(
                LegendItem(
                    g * 2, f"{label}: {rec.name} (recommended{also}) {fmt.money(rec.tco, money)}", color(k)
                )
            )
        if base is not None and (rec is None or base.index != rec.index):
            g = glyph(len(lines))
            lines.append((r.series(base.index, "cumulative"), k, g))
            legend.append(
                LegendItem(g * 2, f"{label}: {base.name} (baseline) {fmt.money(base.tco, money)}", color(k))
            )
    if not lines:
        return title + ")", None, [], "no scenarios to compare" if not items else "no options to compare"
    horizon = max(len(ys) for ys, _, _ in lines)
    # Scenarios of very different size would flatten the small ones to the floor: use a log scale then.
    log_scale = wants_log([max(ys, default=0.0) for ys, _, _ in lines])
    title += ", log scale)" if log_scale else ")"

    def draw(plt: Plot, w: int, h: int) -> None:
        axis = MoneyAxis([v for ys, _, _ in lines for v in ys], log_scale, h, cur)
        for ys, k, g in sorted(lines, key=lambda line: -max(line[0], default=0.0)):  # small ones on top
            xs = list(range(1, len(ys) + 1))
            ty = [axis.y(v) for v in ys]
            if len(ys) == 1:
                plt.scatter(xs, ty, marker=g, color=color(k))
            else:
                plt.plot(xs, ty, marker=g, color=color(k))
        axis.apply(plt)
        plt.xlim(*((0.5, 1.5) if horizon == 1 else (1, horizon)))
        xt = month_ticks(horizon, w)
        plt.xticks(cast(list[float], xt), [str(t) for t in xt])
        if h >= 12:
            plt.xlabel("month")

    return title, draw, legend, ""
