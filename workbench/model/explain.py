"""Explain a number: the formula behind any figure, with the scenario's own numbers put in.

The text is rendered from the engine's own formula trees (`engine.DEFS`, see workbench.model.formula)
over the very row of the monthly frame that holds the figure, so it cannot say something the engine
did not compute. Each explanation starts with the figure, then each quantity the formula used, down
to the inputs, with the scenario path where each input is edited:

    inference, month 1 = requests × (uncached input tokens × input price/1M + output tokens × ...) / 1M
                       = 3,000,000 requests × (1,000 × $2.50 + 500 × $10.00) / 1M = $22,500
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.model import engine, fmt, inputs, lookup
from workbench.model.engine import COMPONENTS, DEFS, META, WORKLOAD_TOKENS, Results
from workbench.model.formula import Ctx, fmt_value, reasons, render
from workbench.model.scenario import Scenario, fallback_of, row_name

# Summary metrics (the Results table's figures) and their aliases; every DEFS column is a metric too.
SUMMARY = (
    "tco",
    "month1",
    "average",
    "cost_per_request",
    "cost_per_mtok",
    "breakeven_month",
    "breakeven_volume",
    "gpus_at_horizon",
    "gpu_hours_at_horizon",
    "cumulative",
)
ALIASES = {
    "one-time": "one_time",
    "onetime": "one_time",
    "monthly_total": "total",
    "average_monthly": "average",
    "avg": "average",
    "per_request": "cost_per_request",
    "per_mtok": "cost_per_mtok",
    "breakeven_requests_per_day": "breakeven_volume",
    "be_month": "breakeven_month",
    "be_volume": "breakeven_volume",
    "requests": "req",
    "requests_per_day": "rpd",
    "month_1": "month1",
}
# The Results table's column keys -> metric.
TABLE_METRICS = {
    "name": "tco",
    "marks": "tco",
    "month1": "month1",
    "average": "average",
    "tco": "tco",
    "per_request": "cost_per_request",
    "per_mtok": "cost_per_mtok",
    "breakeven_month": "breakeven_month",
    "breakeven_volume": "breakeven_volume",
    "gpus": "gpus_at_horizon",
}
DERIVED = set(DEFS)
WIDTH = 100  # a line longer than this puts the numbers under the formula
REL = 1e-9  # how closely the tree's own arithmetic must agree with the engine's figure


class ExplainError(ValueError):
    """An option or metric that does not exist; the message lists what does."""


def metrics() -> list[str]:
    """Every metric name `explain` accepts (aliases aside)."""
    return [*COMPONENTS, "total", *SUMMARY, *(n for n in DEFS if n not in COMPONENTS and n != "total")]


@dataclass
class Line:
    """One formula with its numbers: `label = symbolic = values = result`."""

    name: str
    label: str
    symbolic: str
    values: str
    result: str
    depth: int = 0
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        pad = "  " * self.depth
        head = f"{pad}{self.label} = "
        tail = ""
        if self.values and self.values != self.symbolic and not self.result.startswith(self.values + " "):
            tail = self.values
        if self.result and self.result != (tail or self.symbolic):
            tail = f"{tail} = {self.result}" if tail else self.result
        one = f"{head}{self.symbolic} = {tail}" if tail else head + self.symbolic
        if len(one) <= WIDTH or not tail or not self.values or self.values == self.symbolic:
            out = one
        else:
            out = f"{head}{self.symbolic}\n{' ' * len(head)}= {tail}"
        for n in self.notes:
            out += f"\n{pad}    ({n})"
        return out

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "formula": self.symbolic,
            "values": self.values,
            "result": self.result,
            "depth": self.depth,
            "notes": self.notes,
        }


@dataclass
class Explanation:
    option: str
    metric: str
    month: int | None
    figure: float | None  # the engine's figure
    computed: float | None  # the same figure from the formula tree's own arithmetic (a check)
    lines: list[Line]
    inputs: list[tuple[str, str, str]]  # (label, scenario path, value)
    title: str = ""

    @property
    def agrees(self) -> bool:
        a, b = self.figure, self.computed
        if a is None or b is None:
            return a is None and b is None
        if not (math.isfinite(a) and math.isfinite(b)):
            return a == b or (math.isnan(a) and math.isnan(b))
        return math.isclose(a, b, rel_tol=REL, abs_tol=1e-9)

    def text(self) -> str:
        parts = [line.text() for line in self.lines]
        if self.inputs:
            parts.append("inputs:")
            width = max(len(label) for label, _, _ in self.inputs)
            for label, path, value in self.inputs:
                parts.append(f"  {label:<{width}}  {value:>14}   {path}")
        return "\n".join(parts)

    def as_dict(self) -> dict:
        return {
            "option": self.option,
            "metric": self.metric,
            "month": self.month,
            "value": _num(self.figure),
            "lines": [line.as_dict() for line in self.lines],
            "inputs": [{"label": a, "path": b, "value": c} for a, b, c in self.inputs],
            "text": self.text(),
        }


def _num(x: Any) -> float | None:
    """A figure as a float for the JSON output (a whole number too: 3.0), null where it has none."""
    return None if x is None else fmt.json_number(float(x))


# ------------------------------------------------------------------------------------------------


def resolve_option(r: Results, option: str | int) -> int:
    """An option by exact name, number from 1, name ignoring case, or unique prefix (model.lookup)."""
    try:
        return lookup.resolve([o.name for o in r.options], option)
    except lookup.LookupFailed as exc:
        raise ExplainError(str(exc)) from None


def resolve_metric(metric: str) -> str:
    m = metric.strip().lower().replace(" ", "_")
    m = ALIASES.get(m, m)
    if m in DERIVED or m in SUMMARY:
        return m
    import difflib

    hint = difflib.get_close_matches(m, metrics(), n=1)
    raise ExplainError(
        f"no metric {metric!r}"
        + (f" (did you mean {hint[0]!r}?)" if hint else "")
        + f"; metrics: {', '.join(metrics())}"
    )


def _row(r: Results, opt: int, month: int) -> dict:
    H = r.scenario.horizon_months
    return r.monthly.row(opt * H + month - 1, named=True)


def _source(s: Scenario, opt: int, col: str) -> str:
    """Where an input column is edited in the scenario (workbench.model.inputs)."""
    if col == "m":
        return "(the month)"
    inp = inputs.BY_COL.get(col)
    if inp is None:
        return col
    if inp.source == "scenario":
        return inp.field
    o = s.options[opt]
    if inp.source in ("option", "flag", "baseline"):
        return f"options[{o.name}].{inp.edited or inp.field}"
    if inp.source == "training_gpu" and not s.training.gpu:
        return "training.gpu (none: 0)"
    if inp.source == "pretraining_gpu" and not s.pretraining.gpu:
        return "pretraining.gpu (none: 0)"
    if inp.source in ("fallback_option", "fallback_model"):
        f = fallback_of(s, o)
        if f is None:
            return "(no API fallback: 0)"
        if inp.source == "fallback_option":
            return f"options[{f.name}].{inp.field}"
    name = row_name(s, o, inp.source, always=True)
    field = inp.field
    if field == "cached_input":
        m = s.api_model(name)
        field = "cached_input" if m is not None and m.cached_input is not None else "input (no cached_input)"
    return f"{inputs.ROW_TABLES[inp.source]}[{name}].{field}"


class _Builder:
    """Collects lines and inputs for one explanation."""

    def __init__(self, r: Results, opt: int) -> None:
        self.r = r
        self.s = r.scenario
        self.opt = opt
        self.cur = self.s.currency
        self.lines: list[Line] = []
        self.inputs: dict[str, tuple[str, str, str]] = {}
        self.done: set[tuple[str, Any]] = set()

    def money(self, x: Any) -> str:
        return fmt_value(x, "money", "", self.cur)

    def value_of(self, name: str, x: Any) -> str:
        meta = META.get(name)
        return fmt_value(x, meta.kind if meta else "number", meta.unit if meta else "", self.cur)

    def formula(
        self, name: str, row: dict, label: str, depth: int, key: Any = None, expand: bool = True
    ) -> Any:
        """Add the line of one formula column for a row, then the lines of what it used."""
        if (name, key) in self.done:
            return None
        self.done.add((name, key))
        d = DEFS[name]
        ctx = Ctx(row, META, self.cur, DERIVED)
        symbolic, with_values = render(d, ctx)
        result = self.value_of(name, row[name])
        notes = reasons(d.node, row)
        # A quantity that is just an input here (requests/day without growth) needs no line of its own:
        # the input is listed at the end with the path where it is edited.
        passthrough = (
            depth > 0 and not notes and not ctx.met and len(ctx.leaves) == 1 and with_values == result
        )
        if not passthrough:
            self.lines.append(Line(name, label, symbolic, with_values, result, depth, notes))
        for leaf in ctx.leaves:
            if leaf not in self.inputs and leaf != "m":
                meta = META.get(leaf)
                self.inputs[leaf] = (
                    meta.label if meta else leaf,
                    _source(self.s, int(row["opt"]), leaf),
                    self.value_of(leaf, row[leaf]),
                )
        if expand:
            for used in ctx.met:
                self.formula(used, row, f"{META[used].label}", depth + 1, key)
        return d.node.eval(row)

    def add(
        self,
        name: str,
        label: str,
        symbolic: str,
        values: str,
        result: str,
        depth: int = 0,
        notes: list[str] | None = None,
    ) -> None:
        self.lines.append(Line(name, label, symbolic, values, result, depth, notes or []))

    def done_explanation(
        self, metric: str, month: int | None, figure: Any, computed: Any, title: str
    ) -> Explanation:
        return Explanation(
            self.r.options[self.opt].name,
            metric,
            month,
            _num(figure),
            _num(computed),
            self.lines,
            list(self.inputs.values()),
            title,
        )


def explain(r: Results, option: str | int, metric: str, month: int | None = None) -> Explanation:
    """The explanation of one figure of one option (`month` for monthly figures; default month 1)."""
    if not r.options:
        raise ExplainError("the scenario has no options")
    opt = resolve_option(r, option)
    metric = resolve_metric(metric)
    H = r.scenario.horizon_months
    if month is not None and not 1 <= month <= H:
        raise ExplainError(f"month {month} is outside the horizon (1-{H})")
    b = _Builder(r, opt)
    o = r.options[opt]
    name = o.name
    if metric in DERIVED and metric != "steady":
        m = month or 1
        row = _row(r, opt, m)
        label = f"{META[metric].label}, month {m}"
        computed = b.formula(metric, row, label, 0)
        return b.done_explanation(metric, m, row[metric], computed, f"{label} · {name}")
    if metric == "steady":
        metric = "breakeven_volume"
    return _SUMMARIES[metric](b, month)


# --- Summary figures ------------------------------------------------------------------------------


def _sum(r: Results, opt: int, col: str, upto: int | None = None) -> float:
    vals = r.series(opt, col)
    vals = vals[:upto] if upto else vals
    return float(sum(v for v in vals if v is not None))


def _tco(b: _Builder, month: int | None, depth: int = 0) -> Explanation:
    r, opt, H = b.r, b.opt, b.s.horizon_months
    o = r.options[opt]
    sums = {c: _sum(r, opt, c) for c in COMPONENTS}
    shown = [c for c in COMPONENTS if sums[c] != 0] or ["inference"]
    b.add(
        "tco",
        f"TCO over {H} months",
        f"Σ total, months 1-{H} = " + " + ".join(f"Σ {c.replace('_', '-')}" for c in shown),
        " + ".join(b.money(sums[c]) for c in shown),
        b.money(o.tco),
        depth,
    )
    _month_total(b, month or 1, depth + 1)
    total = float(np.sum(np.asarray(r.series(opt, "total"), dtype=float)))
    return b.done_explanation("tco", None, o.tco, total, f"TCO · {o.name}")


def _month_total(b: _Builder, m: int, depth: int) -> Any:
    row = _row(b.r, b.opt, m)
    return b.formula("total", row, f"total, month {m}", depth)


def _month1(b: _Builder, month: int | None) -> Explanation:
    o = b.r.options[b.opt]
    computed = _month_total(b, 1, 0)
    return b.done_explanation("month1", 1, o.month1, computed, f"month-1 cost · {o.name}")


def _average(b: _Builder, month: int | None) -> Explanation:
    o, H = b.r.options[b.opt], b.s.horizon_months
    b.add(
        "average",
        "average monthly cost",
        f"TCO / {H} months",
        f"{b.money(o.tco)} / {H}",
        b.money(o.average_monthly),
    )
    _tco(b, month, 1)
    return b.done_explanation(
        "average", None, o.average_monthly, o.tco / H, f"average monthly cost · {o.name}"
    )


def _requests_line(b: _Builder, depth: int) -> float:
    H = b.s.horizon_months
    req = _sum(b.r, b.opt, "req")
    b.add(
        "requests",
        f"requests over {H} months",
        f"Σ requests, months 1-{H}",
        "",
        fmt_value(req, "count", "requests"),
        depth,
    )
    b.formula("req", _row(b.r, b.opt, 1), "requests, month 1", depth + 1)
    return req


def _per_request(b: _Builder, month: int | None) -> Explanation:
    o = b.r.options[b.opt]
    req = _sum(b.r, b.opt, "req")
    b.add(
        "cost_per_request",
        "cost per request",
        "TCO / requests over the horizon",
        f"{b.money(o.tco)} / {fmt_value(req, 'count')}",
        b.money(o.cost_per_request),
    )
    _tco(b, month, 1)
    _requests_line(b, 1)
    computed = o.tco / req if req > 0 else None
    return b.done_explanation(
        "cost_per_request", None, o.cost_per_request, computed, f"cost per request · {o.name}"
    )


def _per_mtok(b: _Builder, month: int | None) -> Explanation:
    o, w = b.r.options[b.opt], b.s.workload
    req = _sum(b.r, b.opt, "req")
    tok = float(WORKLOAD_TOKENS.node.eval(_row(b.r, b.opt, 1)))
    b.add(
        "cost_per_mtok",
        "cost per 1M workload tokens",
        "TCO / (requests × (input tokens + output tokens)) × 1M",
        f"{b.money(o.tco)} / ({fmt_value(req, 'count')} × ({fmt_value(w.input_tokens)} + {fmt_value(w.output_tokens)})) × 1M",
        b.money(o.cost_per_mtok),
        notes=["the workload's own tokens, so options compare fairly"],
    )
    _tco(b, month, 1)
    _requests_line(b, 1)
    computed = o.tco / (req * tok) * 1e6 if req > 0 and tok > 0 else None
    return b.done_explanation(
        "cost_per_mtok", None, o.cost_per_mtok, computed, f"cost per 1M tokens · {o.name}"
    )


def _baseline_index(b: _Builder) -> int | None:
    return next((i for i, o in enumerate(b.r.options) if o.is_baseline), None)


def _breakeven_month(b: _Builder, month: int | None) -> Explanation:
    r, opt, H = b.r, b.opt, b.s.horizon_months
    o = r.options[opt]
    base = _baseline_index(b)
    title = f"breakeven month · {o.name}"
    if base is None or base == opt:
        b.add("breakeven_month", "breakeven month", "the baseline is what others are compared with", "", "—")
        return b.done_explanation("breakeven_month", None, None, None, title)
    mine = r.series(opt, "cumulative")
    theirs = r.series(base, "cumulative")
    bname = r.options[base].name
    first = next((m + 1 for m in range(H) if mine[m] <= theirs[m]), None)
    b.add(
        "breakeven_month",
        "breakeven month",
        f"the first month m with cumulative({o.name}, m) ≤ cumulative({bname}, m)",
        "",
        "never" if first is None else f"month {first}",
    )
    show = [first - 1, first] if first is not None else [H]
    for m in show:
        if m is None or m < 1:
            continue
        rel = "≤" if mine[m - 1] <= theirs[m - 1] else ">"
        b.add(
            "cumulative",
            f"month {m}",
            f"cumulative {b.money(mine[m - 1])} {rel} baseline {b.money(theirs[m - 1])}",
            "",
            "",
            1,
        )
    if first is not None:
        _month_total(b, first, 1)
    return b.done_explanation("breakeven_month", first, o.breakeven_month, first, title)


def _breakeven_volume(b: _Builder, month: int | None) -> Explanation:
    r, opt = b.r, b.opt
    o = r.options[opt]
    base = _baseline_index(b)
    title = f"breakeven volume · {o.name}"
    v = o.breakeven_requests_per_day
    if base is None or base == opt:
        b.add(
            "breakeven_volume", "breakeven volume", "the baseline is what others are compared with", "", "—"
        )
        return b.done_explanation("breakeven_volume", None, None, None, title)
    bname = r.options[base].name
    what = (
        f"the smallest requests/day from which {o.name}'s steady monthly cost is never above {bname}'s "
        f"(month-1 prices, no one-time or retraining costs; searched up to {engine.MAX_VOLUME:,.0f}/day)"
    )
    result = "never" if v is None else ("0 (never dearer)" if v == 0 else fmt_value(v, "count", "req/day"))
    b.add("breakeven_volume", "breakeven volume", what, "", result)
    at = engine.MAX_VOLUME if v is None else v
    rows = engine.inputs(b.s)[[opt, base]]
    frame = engine.steady_frame(rows, np.array([at]))
    mine, theirs = frame.row(0, named=True), frame.row(1, named=True)
    where = fmt_value(at, "count", "req/day")
    b.formula("steady", mine, f"{o.name} at {where}", 1, key="mine")
    b.formula("steady", theirs, f"{bname} at {where}", 1, key="theirs")
    if "R0" in b.inputs:  # at the breakeven volume, not the scenario's own requests/day
        b.inputs["R0"] = (
            "requests/day",
            "(the breakeven volume, in place of workload.requests_per_day)",
            where,
        )
    return b.done_explanation("breakeven_volume", None, v, v, title)


def _at_horizon(col: str, metric: str, label: str):
    def run(b: _Builder, month: int | None) -> Explanation:
        H = b.s.horizon_months
        o = b.r.options[b.opt]
        row = _row(b.r, b.opt, H)
        computed = b.formula(col, row, f"{label}, month {H} (the horizon)", 0)
        figure = o.gpus_at_horizon if metric == "gpus_at_horizon" else o.gpu_hours_at_horizon
        return b.done_explanation(metric, H, figure, computed, f"{label} at the horizon · {o.name}")

    return run


def _cumulative(b: _Builder, month: int | None) -> Explanation:
    m = month or 1
    o = b.r.options[b.opt]
    totals = b.r.series(b.opt, "total")[:m]
    cum = b.r.series(b.opt, "cumulative")[m - 1]
    if m <= 4:
        values = " + ".join(b.money(t) for t in totals)
    else:
        values = f"{b.money(b.r.series(b.opt, 'cumulative')[m - 2])} + {b.money(totals[-1])}"
    sym = f"Σ total, months 1-{m}" if m <= 4 else f"cumulative, month {m - 1} + total, month {m}"
    b.add("cumulative", f"cumulative, month {m}", sym, values, b.money(cum))
    _month_total(b, m, 1)
    return b.done_explanation(
        "cumulative", m, cum, float(np.sum(np.asarray(totals, dtype=float))), f"cumulative · {o.name}"
    )


_SUMMARIES = {
    "tco": _tco,
    "month1": _month1,
    "average": _average,
    "cost_per_request": _per_request,
    "cost_per_mtok": _per_mtok,
    "breakeven_month": _breakeven_month,
    "breakeven_volume": _breakeven_volume,
    "gpus_at_horizon": _at_horizon("gpus", "gpus_at_horizon", "GPUs"),
    "gpu_hours_at_horizon": _at_horizon("gpu_hours", "gpu_hours_at_horizon", "GPU-hours"),
    "cumulative": _cumulative,
}
