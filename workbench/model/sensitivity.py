"""Sensitivity (tornado): which inputs decide the comparison of two options.

Option A (by default the recommended one) is compared with option B (by default the baseline; when the
recommendation is the baseline, the cheapest other option). Every numeric input of the cost formulas
that matters to A or B is moved down and up by a step (default ±25%), or to its [uncertainty] range
where the scenario gives one, and the horizon TCO difference (A − B) and A's breakeven month against B
are measured. A move is made only to a value the scenario's validation accepts (the field's bounds and
the cross-checks, such as a self-hosted option's throughput floor): each moved scenario is validated as
an edit would be, and an input whose low or high move is refused is listed apart (`not_moved`, with the
reason), not ranked. All the moves are one batch through the engine: each is a variant of A's and B's
option rows that differs in the column(s) the input feeds (workbench.model.columns), and
`engine.monthly_frame` and `engine.summarize` compute them together. The batch is bounded by the schema:
at most 86 inputs enter two options' costs (29 scenario fields, 12 per option, 16 prices of their models
and teachers, 3 fields and 3 prices of each one's fallback, 5 GPU fields), so at most 173 variants ×
2 options × 120 months = 41,520 rows (about 24 MB of columns).
Inputs are ranked by the swing of the TCO difference. The changes are rounded to the currency's cents (a
sum in another order differs in the 11th digit, which is no change), and an input whose moves change
neither A's TCO nor B's is not listed (`changes_neither`): it feeds neither option (a fine-tuning cost
when neither is fine-tuned), or its move is absorbed (throughput or utilization while the GPU count
stays at the option's minimum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from workbench.model import columns, engine, lookup, problems
from workbench.model.engine import Results
from workbench.model.scenario import CrossCheckError, Scenario, ValidationError, validate

DEFAULT_STEP = 0.25

# Digits after the point of a currency's smallest unit (ISO 4217); 2 for any other.
MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2, "KWD": 3, "BHD": 3}


def cents(x: float, currency: str = "USD") -> float:
    """`x` rounded to the currency's smallest unit (cents; yen for JPY), with -0.0 made 0.0."""
    return round(x, MINOR_UNITS.get(currency.upper(), 2)) + 0.0


def payback(month: int | None) -> str:
    """A's breakeven against B in words: "pays back in month 3", or "does not pay back"."""
    return "does not pay back" if month is None else f"pays back in month {month}"


class SensitivityError(ValueError):
    """Options that cannot be compared; worded for the user."""


@dataclass
class Effect:
    """One input moved down and up, and what the comparison did."""

    path: str
    label: str
    base: float
    low: float
    high: float
    source: str  # "step" or "range"
    diff_low: float  # TCO(A) − TCO(B) with the input at low
    diff_high: float
    breakeven_low: int | None
    breakeven_high: int | None
    integer: bool = False
    change_low: float = 0.0  # diff_low − the scenario's difference, rounded to the currency's cents
    change_high: float = 0.0

    @property
    def swing(self) -> float:
        return abs(self.change_high - self.change_low)

    def as_dict(self, base_diff: float) -> dict:
        return {
            "path": self.path,
            "label": self.label,
            "base": self.base,
            "low": self.low,
            "high": self.high,
            "source": self.source,
            "tco_difference_low": self.diff_low,
            "tco_difference_high": self.diff_high,
            "change_low": self.change_low,
            "change_high": self.change_high,
            "swing": self.swing,
            "breakeven_month_low": self.breakeven_low,
            "breakeven_month_high": self.breakeven_high,
        }


@dataclass
class Sensitivity:
    scenario: Scenario
    option: str
    against: str
    step: float
    tco_option: float
    tco_against: float
    breakeven: int | None
    effects: list[Effect]  # ranked, largest swing first
    unchanged: list[str] = field(default_factory=list)  # inputs at 0 (a ±step move leaves them at 0)
    not_moved: list[NotMoved] = field(default_factory=list)  # a move validation refuses: not ranked
    changes_neither: list[str] = field(default_factory=list)  # moves that change neither option's TCO

    @property
    def diff(self) -> float:
        return self.tco_option - self.tco_against

    def as_dict(self) -> dict:
        return {
            "name": self.scenario.name,
            "currency": self.scenario.currency,
            "horizon_months": self.scenario.horizon_months,
            "option": self.option,
            "against": self.against,
            "step": self.step,
            "tco_option": self.tco_option,
            "tco_against": self.tco_against,
            "tco_difference": self.diff,
            "breakeven_month": self.breakeven,
            "inputs": [e.as_dict(self.diff) for e in self.effects],
            "unchanged_at_zero": self.unchanged,
            "not_moved": [m.as_dict() for m in self.not_moved],
            "changes_neither": self.changes_neither,
        }

    @property
    def payback(self) -> str:
        return payback(self.breakeven)


@dataclass
class NotMoved:
    """An input whose low or high move would make a scenario validation refuses, and why."""

    path: str
    label: str
    base: float
    low: float
    high: float
    refused: list[str]  # "low", "high" or both: the moves validation refuses
    reason: str

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "label": self.label,
            "base": self.base,
            "low": self.low,
            "high": self.high,
            "refused": self.refused,
            "reason": self.reason,
        }


def default_pair(s: Scenario, results: Results, recommended: str | None) -> tuple[int, int]:
    """(A, B): the recommended option against the baseline, or the cheapest other one."""
    names = [o.name for o in s.options]
    base = s.baseline_index() or 0
    a = names.index(recommended) if recommended in names else None
    if a is None or a == base:
        others = [o for o in results.options if o.index != base]
        if not others:
            raise SensitivityError("sensitivity needs two options to compare")
        if a is None:
            a = min(others, key=lambda o: o.tco).index
        else:
            return a, min(others, key=lambda o: o.tco).index
    return a, base


def _moves(s: Scenario, p: columns.Path, step: float) -> tuple[float, float, float, str] | None:
    """(base, low, high, source) for one input, or None when neither move changes it."""
    base = columns.value(s, p)
    key = str(p)
    rng = s.uncertainty.get(key)
    b = columns.bounds(p)
    if rng is not None:
        low, high, source = rng.low, rng.high, "range"
    else:
        low, high, source = base * (1 - step), base * (1 + step), "step"
        if b.integer:
            low, high = math.floor(low + 0.5), math.floor(high + 0.5)
            if low == base:
                low = base - 1
            if high == base:
                high = base + 1
        low, high = b.clamp(low), b.clamp(high)
        if low > high:
            low, high = high, low
    if low == base and high == base:
        return None
    return base, float(low), float(high), source


def _stack(v: np.ndarray, n: int) -> np.ndarray:
    """n copies of a column one after another (a list column's rows stay rows)."""
    return np.tile(v, (n,) + (1,) * (v.ndim - 1))


def sensitivity(
    s: Scenario,
    results: Results | None = None,
    step: float = DEFAULT_STEP,
    option: str | int | None = None,
    against: str | int | None = None,
    recommended: str | None = None,
) -> Sensitivity:
    """Move every input of A's and B's costs down and up, in one engine batch, and rank the inputs."""
    if not 0 < step < 10:
        raise SensitivityError(f"step must be above 0 and below 10 (got {step:g}); 0.25 means ±25%")
    if len(s.options) < 2:
        raise SensitivityError("sensitivity needs two options to compare")
    r = results or engine.compute(s)
    if recommended is None and (option is None or against is None):
        from workbench.model.ladder import build

        recommended = build(s, r).recommendation.option
    a, b = default_pair(s, r, recommended)
    if option is not None:
        a = _index(s, option)
    if against is not None:
        b = _index(s, against)
    elif option is not None and a == b:
        b = default_pair(s, r, s.options[a].name)[1]
    if a == b:
        raise SensitivityError(f"pick two different options (both are {s.options[a].name!r})")

    rows = engine.inputs(s)[[a, b]].with_columns(
        pl.Series("opt", [0, 1], dtype=pl.Int64), pl.Series("is_baseline", [False, True])
    )
    moves: list[tuple[columns.Path, float, float, float, str]] = []
    unchanged: list[str] = []
    not_moved: list[NotMoved] = []
    check = _Validator(s)
    for p in columns.input_paths(s, [a, b]):
        if not any(opt in (a, b) for opt, _ in columns.cells(s, p)):
            continue
        m = _moves(s, p, step)
        if m is None:
            unchanged.append(str(p))
            continue
        base, low, high, _src = m
        refused = [
            (end, f"{end} {_show(v)}: {why}")
            for end, v in (("low", low), ("high", high))
            if v != base and (why := check(p, v)) is not None
        ]
        if refused:
            not_moved.append(
                NotMoved(
                    str(p),
                    columns.label(p),
                    base,
                    low,
                    high,
                    [e for e, _ in refused],
                    "; ".join(r for _, r in refused),
                )
            )
        else:
            moves.append((p, *m))
    # An option that serves all its traffic carries zeros for its fallback's prices; moving its go-live
    # month or fallback share sends traffic there, so its row gets them (its own figures are unchanged:
    # the fallback's share of its traffic is 0 until a move makes it more).
    shares = {
        f"options[{s.options[k].name}].{f}" for k in (a, b) for f in ("go_live_month", "fallback_share")
    }
    if any(str(p) in shares for p, *_ in moves):
        fill = {k: columns.fallback_cells(s, k) for k in (a, b)}
        rows = rows.with_columns(
            pl.Series(
                col, [fill[a].get(col, rows[col][0]), fill[b].get(col, rows[col][1])], dtype=rows[col].dtype
            )
            for col in set(fill[a]) | set(fill[b])
        )
    # The batch: variant 0 is the scenario; variants 2j+1 and 2j+2 move input j down and up.
    n = 1 + 2 * len(moves)
    data = {c: _stack(rows[c].to_numpy(), n) for c in rows.columns}
    data["variant"] = np.repeat(np.arange(n), 2)
    index = {a: 0, b: 1}
    for j, (p, _base, low, high, _src) in enumerate(moves):
        for opt, col in columns.cells(s, p):
            if opt in index:
                data[col][(2 * j + 1) * 2 + index[opt]] = low
                data[col][(2 * j + 2) * 2 + index[opt]] = high
    batch = pl.DataFrame(data, schema=rows.schema)
    summary = engine.summarize(engine.monthly_frame(batch, s.horizon_months)).sort(["variant", "opt"])
    tco = summary["tco"].to_numpy().reshape(n, 2)
    be = summary["breakeven_month"].to_list()[0::2]
    diff = tco[:, 0] - tco[:, 1]
    cur = s.currency

    def feeds(j: int) -> bool:
        return any(cents(tco[v, i] - tco[0, i], cur) != 0 for v in (2 * j + 1, 2 * j + 2) for i in (0, 1))

    fed = [feeds(j) for j in range(len(moves))]

    effects = [
        Effect(
            path=str(p),
            label=columns.label(p),
            base=base,
            low=low,
            high=high,
            source=src,
            diff_low=float(diff[2 * j + 1]),
            diff_high=float(diff[2 * j + 2]),
            breakeven_low=be[2 * j + 1],
            breakeven_high=be[2 * j + 2],
            integer=columns.bounds(p).integer,
            change_low=cents(diff[2 * j + 1] - diff[0], cur),
            change_high=cents(diff[2 * j + 2] - diff[0], cur),
        )
        for j, (p, base, low, high, src) in enumerate(moves)
        if fed[j]
    ]
    changes_neither = [str(p) for (p, *_), f in zip(moves, fed, strict=True) if not f]
    be0 = be[0]
    effects.sort(key=lambda e: (-e.swing, -_be_shift(e, be0), e.path))
    return Sensitivity(
        s,
        s.options[a].name,
        s.options[b].name,
        step,
        float(tco[0, 0]),
        float(tco[0, 1]),
        be0,
        effects,
        unchanged,
        not_moved,
        changes_neither,
    )


def _show(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) and abs(x) < 1e15 else f"{x:.6g}"


class _Validator:
    """Whether the scenario with one input set to a value passes validation, as the same edit typed
    into its cell would (the field's bounds, then every cross-check); None, or the first problem, worded
    as the edit's status line would word it (workbench.model.problems)."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.data = s.model_dump(exclude_none=True)

    def loc(self, p: columns.Path) -> tuple:
        if p.row is None:
            return (p.table, p.field)
        rows = getattr(self.s, p.table)
        return (p.table, next(i for i, r in enumerate(rows) if r.name == p.row), p.field)

    def __call__(self, p: columns.Path, value: float) -> str | None:
        *parents, key = self.loc(p)
        obj = self.data
        for part in parents:
            obj = obj[part]
        missing = object()
        old = obj.get(key, missing)
        obj[key] = int(value) if columns.bounds(p).integer else float(value)
        try:
            validate(self.data)
            return None
        except (ValidationError, CrossCheckError) as exc:
            return problems.first_problem(exc, self.data)
        finally:
            if old is missing:
                del obj[key]
            else:
                obj[key] = old


def _be_shift(e: Effect, base: int | None) -> int:
    """How far the breakeven month moves (never counts as one month past the horizon)."""
    far = 10_000

    def v(x: int | None) -> int:
        return far if x is None else x

    return max(abs(v(e.breakeven_low) - v(base)), abs(v(e.breakeven_high) - v(base)))


def _index(s: Scenario, option: str | int) -> int:
    try:
        return lookup.resolve([o.name for o in s.options], option)
    except lookup.LookupFailed as exc:
        raise SensitivityError(str(exc)) from None
