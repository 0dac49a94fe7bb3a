"""Commands that go beyond a spreadsheet: explain, sensitivity, simulate, diff.

workbench.cli.run adds their parsers (add_parsers); heavy imports stay inside the handlers.
Exit codes as everywhere: 0 success, 1 invalid input (one message on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import sys

from workbench.cli.common import command, ctrl_c_flag, fail, whole
from workbench.model import fmt

_positive_int = whole(1)
_seed = whole(0)


def _step(text: str) -> float:
    from workbench.edits.edit import EditError, parse_number

    try:
        v = parse_number(text)
    except EditError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not 0 < v < 10:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the step must be above 0 and below 10 (0.25 or 25% = ±25%)"
        )
    return v


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="show the formula behind one figure, with the scenario's numbers put in",
        description="Explain one figure of one option: the formula the engine used, with this scenario's "
        "numbers, down to the inputs and the scenario paths where they are edited. "
        "Example: workbench explain presets/loan-underwriting-100k.toml 'API + prompting' inference",
    )
    p.add_argument("file", help="scenario TOML file")
    p.add_argument("option", help="option name (or a unique prefix, or its number from 1)")
    p.add_argument(
        "metric",
        help="a component (inference, retrieval, review, people, fixed, one_time, retrain, fallback, "
        "pretraining), total, cumulative, tco, month1, average, cost_per_request, cost_per_mtok, "
        "breakeven_month, breakeven_volume, gpus_at_horizon, gpu_hours_at_horizon, or an intermediate (req, "
        "rpd, share, sreq, tin, tout, gpus, gpu_hours, pretrain_gpu_hours, pretrain_days, ...)",
    )
    p.add_argument("--month", type=_positive_int, help="month for monthly figures (default 1)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    p = sub.add_parser(
        "sensitivity",
        help="tornado: which inputs decide the comparison of two options",
        description="Move every numeric input down and up by --step (or to its [uncertainty] range) and "
        "rank the inputs by how much the horizon TCO difference between two options swings. By default "
        "the recommended option against the baseline. One batch through the engine.",
    )
    p.add_argument("file", help="scenario TOML file")
    p.add_argument(
        "--step", type=_step, default=0.25, help="relative move, e.g. 0.25 or 25%% (default ±25%%)"
    )
    p.add_argument("--option", help="option A (default: the recommended option)")
    p.add_argument("--against", help="option B (default: the baseline)")
    p.add_argument("--top", type=_positive_int, default=None, help="show only the first N inputs (table)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")

    p = sub.add_parser(
        "simulate",
        help="Monte Carlo over the scenario's [uncertainty] ranges",
        description="Draw every [uncertainty] range N times (seeded, reproducible) and run all draws "
        "through the engine as one batch: P10/P50/P90 of each option's TCO, the probability that each "
        "is the cheapest, and the spread of the breakeven month.",
    )
    p.add_argument("file", help="scenario TOML file with an [uncertainty] table")
    p.add_argument("--draws", type=_positive_int, default=10_000, help="number of draws (default 10,000)")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0); same seed, same result")
    p.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")

    p = sub.add_parser(
        "diff",
        help="inputs that differ between two scenarios, and how the results moved",
        description="Compare scenario B with scenario A: every input that differs (rows matched by name), "
        "and how TCO per option, breakeven and the recommendation moved.",
    )
    p.add_argument("a", metavar="A", help="scenario TOML file (before)")
    p.add_argument("b", metavar="B", help="scenario TOML file (after)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")


def _dump(obj: dict) -> None:
    """JSON has no infinity or NaN: a figure that overflowed is null, as in the report."""
    sys.stdout.write(fmt.json_text(fmt.json_safe(obj)) + "\n")


@command("explain")
def cmd_explain(args: argparse.Namespace) -> int:
    from workbench.model.engine import compute
    from workbench.model.explain import ExplainError, explain
    from workbench.store.files import load

    r = compute(load(args.file))
    try:
        e = explain(r, args.option, args.metric, args.month)
    except ExplainError as exc:
        return fail(f"{args.file}: {exc}")
    if args.format == "json":
        _dump(e.as_dict())
    else:
        sys.stdout.write(f"{e.title}\n\n{e.text()}\n")
    return 0


@command("sensitivity")
def cmd_sensitivity(args: argparse.Namespace) -> int:
    from workbench.model.sensitivity import SensitivityError, sensitivity
    from workbench.store.files import load

    s = load(args.file)
    try:
        res = sensitivity(s, step=args.step, option=args.option, against=args.against)
    except SensitivityError as exc:
        return fail(f"{args.file}: {exc}")
    if args.format == "json":
        _dump(res.as_dict())
        return 0
    sys.stdout.write(sensitivity_table(res, args.top))
    return 0


def sensitivity_table(res, top: int | None = None) -> str:

    cur = res.scenario.currency
    H = res.scenario.horizon_months

    def money(x: float) -> str:  # changes are rounded to cents by the model: 0 is no change
        return ("+" if x > 0 else "-" if x < 0 else "") + fmt.money(abs(x), cur)

    def month(m: int | None) -> str:
        return "never" if m is None else str(m)

    lines = [
        res.scenario.name,
        f"{res.option} against {res.against}: TCO over {H} months {fmt.money(res.tco_option, cur)} vs "
        f"{fmt.money(res.tco_against, cur)}, difference {money(res.diff)}; {res.payback}",
        f"Each input moved ±{res.step:.0%} (or to its [uncertainty] range, marked R); ranked by the swing of "
        "the TCO difference.",
        "",
    ]
    effects = res.effects[:top] if top else res.effects
    rows = []
    for n, e in enumerate(effects, 1):
        mark = "R" if e.source == "range" else " "
        be = f"{month(e.breakeven_low)}/{month(e.breakeven_high)}"
        figures = (
            f"{_num(e.base):>10} {_num(e.low) + ' → ' + _num(e.high):>23} "
            f"{money(e.change_low):>10} {money(e.change_high):>10} {be:>11}"
        )
        rows.append((f"{n:>3}{mark}", e.label, figures))
    figures_head = f"{'base':>10} {'low → high':>23} {'Δ at low':>10} {'Δ at high':>10} {'B/E mo':>11}"
    lines += labelled_rows(("  #", "input", figures_head), rows)
    if top and len(res.effects) > top:
        lines.append(f"     … {len(res.effects) - top} more (--top to show more)")
    if res.changes_neither:
        lines.append("")
        lines.append(
            f"Not listed, their moves change neither option's TCO ({len(res.changes_neither)}): "
            + ", ".join(res.changes_neither)
        )
    if res.unchanged:
        lines.append("")
        lines.append(
            f"At 0, so a relative move leaves them unchanged ({len(res.unchanged)}): "
            + ", ".join(res.unchanged)
        )
        lines.append("Give such an input a range in [uncertainty] to include it.")
    if res.not_moved:
        lines.append("")
        lines.append(f"Not moved, not ranked: validation refuses the move ({len(res.not_moved)}):")
        for m in res.not_moved:
            lines.append(f"  {m.label} ({_num(m.low)} → {_num(m.high)}): {m.reason}")
        lines.append("Give such an input a range in [uncertainty] (its ends are validated) to include it.")
    lines.append("")
    lines.append(
        "Δ = change of TCO(A) − TCO(B); negative favours A. B/E mo = A's breakeven month at low/high."
    )
    return "\n".join(lines) + "\n"


def labelled_rows(head: tuple[str, str, str], rows: list[tuple[str, str, str]]) -> list[str]:
    """A text table of (number, label, figures) rows that fits the terminal without cutting a label or a
    figure: one line a row when the whole label fits beside its figures, else the label on a line of
    its own and the figures on the next, indented."""
    import shutil

    width = shutil.get_terminal_size().columns  # COLUMNS when set
    label_width = max(len(head[1]), *(len(label) for _, label, _ in rows)) if rows else len(head[1])
    lead = max(len(n) for n, _, _ in (head, *rows))

    def line(n: str, label: str, figures: str, pad: int) -> str:
        start = f"{n:>{lead}} " if lead else ""
        return (start + f"{label:<{pad}} {figures}").rstrip()

    if lead + 1 + label_width + 1 + len(head[2]) <= width:
        return [line(*head, label_width), *(line(*row, label_width) for row in rows)]
    indent = " " * (lead + 3)
    out = [line(head[0], head[1], "", 0), indent + head[2]]
    for n, label, figures in rows:
        out += [line(n, label, "", 0), indent + figures]
    return out


def _num(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    a = abs(x)
    if a >= 100:
        return f"{x:,.1f}"
    return f"{x:.4g}"


@command("simulate")
def cmd_simulate(args: argparse.Namespace) -> int:
    from workbench.model.montecarlo import Cancelled, SimulationError, simulate
    from workbench.store.files import load

    s = load(args.file)
    if not s.uncertainty:
        return fail(
            f"{args.file}: [uncertainty]: no ranges to draw (add e.g. "
            '"workload.requests_per_day" = {low = 50000, high = 200000, dist = "lognormal"})'
        )
    meter = _Progress(args.draws)
    with ctrl_c_flag() as stop:
        try:
            sim = simulate(s, draws=args.draws, seed=args.seed, progress=meter, cancelled=stop.is_set)
        except (Exception, KeyboardInterrupt) as exc:
            meter.clear()
            # Ctrl+C stops the run at its next step (Cancelled), or polars, whose own handler sees the
            # signal too, raises KeyboardInterrupt from a query, or a garbled error from inside one
            if stop.is_set() or isinstance(exc, Cancelled | KeyboardInterrupt):
                print(
                    f"{args.file}: interrupted after {meter.done:,} of {args.draws:,} draws; nothing printed",
                    file=sys.stderr,
                )
                return 130
            if isinstance(exc, SimulationError):
                return fail(f"{args.file}: {exc}")
            raise
    meter.clear()
    if args.format == "json":
        _dump(sim.as_dict())
        return 0
    sys.stdout.write(simulation_table(sim))
    return 0


class _Progress:
    """Progress of a long run on stderr, when stderr is a terminal: one line rewritten in place, shown
    once the run has taken AFTER seconds, cleared at the end."""

    AFTER = 2.0

    def __init__(self, draws: int) -> None:
        import time

        self.draws = draws
        self.fraction = 0.0
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.shown = False
        self.last = 0.0

    @property
    def done(self) -> int:
        return int(self.draws * self.fraction)

    def __call__(self, fraction: float) -> None:
        import time

        self.fraction = fraction
        now = time.monotonic()
        elapsed = now - self.start
        if not self.tty or elapsed < self.AFTER or now - self.last < 0.1:
            return
        self.last = now
        left = f", about {elapsed / fraction - elapsed:.0f} s left" if fraction >= 0.05 else ""
        sys.stderr.write(f"\r\033[Ksimulating: {fraction:4.0%} of {self.draws:,} draws{left} (Ctrl+C stops)")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


def simulation_table(sim) -> str:

    s = sim.scenario
    cur = s.currency
    H = s.horizon_months
    lines = [s.name, f"{sim.draws:,} draws, seed {sim.seed}, {H}-month horizon ({cur})", "", "Ranges:"]
    for path, r in sim.ranges:
        extra = f", mode {r.mode:g}" if r.dist == "triangular" and r.mode is not None else ""
        lines.append(f"  {path}: {r.dist} {r.low:,.6g} .. {r.high:,.6g}{extra}")
    lines += [
        "",
    ]
    rows = []
    for o in sim.options:
        if o.is_baseline:
            be = "baseline"
        else:
            be = "/".join(
                "never" if x is None else str(x) for x in (o.breakeven_p10, o.breakeven_p50, o.breakeven_p90)
            )
            be += f" ({1 - o.never / sim.draws:.0%} pay back)"
        figures = (
            f"{fmt.money(o.p10, cur):>8} {fmt.money(o.p50, cur):>8} {fmt.money(o.p90, cur):>8} "
            f"{fmt.money(o.deterministic_tco, cur):>8} {o.p_cheapest:>8.1%}  {be}"
        )
        rows.append(("", o.name, figures))
    head = f"{'P10':>8} {'P50':>8} {'P90':>8} {'as is':>8} {'cheapest':>8}  breakeven month P10/P50/P90"
    lines += labelled_rows(("", "option", head), rows)
    lines += [
        "",
        "TCO over the horizon; 'as is' = the scenario's own values; cheapest = share of draws in which"
        " the option has the lowest TCO.",
    ]
    if sim.estimated:
        from workbench.model.montecarlo import KEEP_CELLS, PERCENTILE_ERROR

        lines.append(
            f"P10/P50/P90 estimated to within {PERCENTILE_ERROR:.3%} (options × draws over {KEEP_CELLS:,}: "
            "the TCOs were counted in bins, not kept draw by draw)."
        )
    return "\n".join(lines) + "\n"


@command("diff")
def cmd_diff(args: argparse.Namespace) -> int:
    from workbench.model.diff import diff
    from workbench.model.report import analyze
    from workbench.store.files import load

    a, b = analyze(load(args.a)), analyze(load(args.b))
    d = diff(a, b, args.a, args.b)
    if args.format == "json":
        _dump(d.as_dict())
    else:
        sys.stdout.write(d.text())
    return 0
