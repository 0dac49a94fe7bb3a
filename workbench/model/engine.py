"""The cost model of MODEL.md section 2, columnar in polars.

A scenario is flattened to one row per option (`inputs`), with every input the formulas read as a column.
A batch is any stack of such rows tagged with a `variant` number: one scenario is a batch of one; a
volume sweep, a sensitivity run or a Monte Carlo run is a larger batch that differs in some columns.
`monthly_frame` expands the batch over months and computes every cost component; `summarize` folds it
into per-option figures. The same expressions serve every caller, so no figure has a second formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from workbench.model.scenario import Scenario

COMPONENTS = ("inference", "retrieval", "review", "people", "fixed", "one_time", "retrain")
STEADY_COMPONENTS = ("inference", "retrieval", "review", "people", "fixed")
MAX_VOLUME = 1e9  # requests/day: the top of the breakeven-volume search (MODEL.md section 2)

# Every input column the formulas read, with where it comes from in the scenario (for sensitivity and
# Monte Carlo, which vary columns of this frame rather than rebuilding scenarios).
SCENARIO_COLUMNS: dict[str, str] = {
    "R0": "workload.requests_per_day",
    "g": "workload.growth_per_month",
    "D": "workload.days_per_month",
    "P": "workload.peak_to_average",
    "Tin": "workload.input_tokens",
    "Tout": "workload.output_tokens",
    "cshare": "workload.cacheable_share",
    "api_chg": "market.api_price_change_per_year",
    "gpu_chg": "market.gpu_price_change_per_year",
    "eng": "overheads.engineer_annual_cost",
    "rev_cost": "overheads.cost_per_review",
    "lab_cost": "overheads.labeling_cost_per_example",
    "lab_qa": "overheads.labeling_qa_overhead",
    "eval_setup": "overheads.eval_setup",
    "t_gpus": "training.gpus",
    "t_hours": "training.hours_per_run",
    "t_runs": "training.runs",
    "t_examples": "training.examples",
    "t_already": "training.already_labeled",
    "t_every": "training.retrain_every_months",
    "t_relabel": "training.relabel_share",
    "rag_ctx": "rag.context_tokens",
    "rag_cpq": "rag.cost_per_query",
    "rag_fixed": "rag.fixed_monthly",
}
OPTION_COLUMNS: dict[str, str] = {
    "prompt_red": "prompt_reduction",
    "output_red": "output_reduction",
    "review_rate": "review_rate",
    "ops_fte": "ops_fte",
    "fixed_monthly": "fixed_monthly",
    "setup_cost": "setup_cost",
    "tps": "tokens_per_second_per_gpu",
    "rps": "requests_per_second_per_gpu",
    "min_gpus": "min_gpus",
    "min_hours": "min_gpu_hours_per_month",
    "util": "target_utilization",
}


def _get(obj: object, dotted: str) -> float:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return float(obj)  # type: ignore[arg-type]


def inputs(s: Scenario) -> pl.DataFrame:
    """One row per option with every input of the formulas (variant 0)."""
    n = len(s.options)
    cols: dict[str, list] = {"variant": [0] * n, "opt": list(range(n))}
    for col, path in SCENARIO_COLUMNS.items():
        cols[col] = [_get(s, path)] * n
    t_gpu = s.gpu(s.training.gpu) if s.training.gpu else None
    cols["t_hourly"] = [t_gpu.hourly if t_gpu else 0.0] * n
    base = s.baseline_index()
    rows: dict[str, list] = {
        k: []
        for k in (
            "is_api", "p_in", "p_cached", "p_out", "hourly", "caching", "rag", "adapt", "distill",
            "teach_in", "teach_out", "always_on", "is_baseline",
        )
    }
    for col in OPTION_COLUMNS:
        rows[col] = []
    for i, o in enumerate(s.options):
        model = s.api_model(o.model) if o.serve == "api" else None
        gpu = s.gpu(o.gpu) if o.serve == "self_hosted" else None
        teacher = s.api_model(o.teacher) if o.distill else None
        rows["is_api"].append(o.serve == "api")
        rows["p_in"].append(model.input if model else 0.0)
        rows["p_cached"].append(model.cached_price if model else 0.0)
        rows["p_out"].append(model.output if model else 0.0)
        rows["hourly"].append(gpu.hourly if gpu else 0.0)
        rows["caching"].append(o.prompt_caching)
        rows["rag"].append(o.rag)
        rows["adapt"].append(o.adapts)
        rows["distill"].append(o.distill)
        rows["teach_in"].append(teacher.input if teacher else 0.0)
        rows["teach_out"].append(teacher.output if teacher else 0.0)
        rows["always_on"].append(o.hosting == "always_on")
        rows["is_baseline"].append(i == base)
        for col, attr in OPTION_COLUMNS.items():
            rows[col].append(float(getattr(o, attr)))
    cols.update(rows)
    schema = {k: (pl.Boolean if k in _BOOL_COLS else pl.Int64 if k in ("variant", "opt") else pl.Float64) for k in cols}
    return pl.DataFrame(cols, schema=schema)


_BOOL_COLS = {"is_api", "caching", "rag", "adapt", "distill", "always_on", "is_baseline"}


def _c(name: str) -> pl.Expr:
    return pl.col(name)


def _cost_columns(df: pl.LazyFrame | pl.DataFrame) -> list[list[pl.Expr]]:
    """The formulas, as successive with_columns stages over rows that carry a month `m`."""
    m = _c("m").cast(pl.Float64)
    stage1 = [
        (_c("R0") * (1.0 + _c("g")).pow(m - 1.0)).alias("rpd"),
        ((1.0 + _c("api_chg")).pow((m - 1.0) / 12.0)).alias("fa"),
        ((1.0 + _c("gpu_chg")).pow((m - 1.0) / 12.0)).alias("fg"),
        (_c("Tin") * (1.0 - _c("prompt_red")) + pl.when(_c("rag")).then(_c("rag_ctx")).otherwise(0.0)).alias("tin"),
        (_c("Tout") * (1.0 - _c("output_red"))).alias("tout"),
        pl.when(_c("caching")).then(_c("cshare")).otherwise(0.0).alias("c"),
        (_c("t_gpus") * _c("t_hours") * _c("t_hourly")).alias("training_run"),
    ]
    stage2 = [
        (_c("rpd") * _c("D")).alias("req"),
        (_c("c") * _c("tin")).alias("cached"),
        pl.when(_c("rps") > 0).then(_c("rps")).otherwise(_c("tps") / _c("tout")).alias("thr"),
        pl.when(_c("distill"))
        .then(_c("t_examples") * (_c("Tin") * _c("teach_in") + _c("Tout") * _c("teach_out")) / 1e6)
        .otherwise(
            (_c("t_examples") - _c("t_already")).clip(lower_bound=0.0)
            * _c("lab_cost")
            * (1.0 + _c("lab_qa"))
        )
        .alias("data"),
    ]
    peak = _c("rpd") / 86400.0 * _c("P")
    always_gpus = pl.max_horizontal(_c("min_gpus"), (peak / (_c("thr") * _c("util"))).ceil())
    stage3 = [
        pl.when(_c("is_api") | ~_c("always_on")).then(None).otherwise(always_gpus).alias("gpus"),
        pl.when(_c("is_api"))
        .then(None)
        .when(_c("always_on"))
        .then(always_gpus * 24.0 * _c("D"))
        .otherwise(
            pl.max_horizontal(_c("min_hours"), _c("req") / (_c("thr") * 3600.0 * _c("util")))
        )
        .alias("gpu_hours"),
    ]
    uncached = _c("tin") - _c("cached")
    api_inference = (
        _c("req") * _c("fa") * (uncached * _c("p_in") + _c("cached") * _c("p_cached") + _c("tout") * _c("p_out")) / 1e6
    )
    first = _c("m") == 1
    retrain_due = (
        _c("adapt") & (_c("t_every") > 0) & (_c("m") > 1) & (((m - 1.0) % _c("t_every").clip(lower_bound=1.0)) == 0)
    )
    stage4 = [
        pl.when(_c("is_api")).then(api_inference).otherwise(_c("gpu_hours") * _c("hourly") * _c("fg")).alias("inference"),
        pl.when(_c("rag")).then(_c("req") * _c("rag_cpq") + _c("rag_fixed")).otherwise(0.0).alias("retrieval"),
        (_c("req") * _c("review_rate") * _c("rev_cost")).alias("review"),
        (_c("ops_fte") * _c("eng") / 12.0).alias("people"),
        _c("fixed_monthly").alias("fixed"),
        pl.when(first)
        .then(
            _c("setup_cost")
            + pl.when(_c("adapt"))
            .then(_c("t_runs") * _c("training_run") + _c("data") + _c("eval_setup"))
            .otherwise(0.0)
        )
        .otherwise(0.0)
        .alias("one_time"),
        pl.when(retrain_due)
        .then(_c("training_run") * _c("fg") + _c("t_relabel") * _c("data"))
        .otherwise(0.0)
        .alias("retrain"),
    ]
    return [stage1, stage2, stage3, stage4]


def monthly_frame(rows: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Expand option rows over months 1..horizon and compute every component, total and cumulative."""
    k = rows.height
    lf = (
        rows.select(pl.all().gather(np.repeat(np.arange(k), horizon)))
        .with_columns(pl.Series("m", np.tile(np.arange(1, horizon + 1), k), dtype=pl.Int64))
        .lazy()
    )  # each option's months contiguous and in order: (variant, opt, m)
    for stage in _cost_columns(lf):
        lf = lf.with_columns(stage)
    lf = lf.with_columns(pl.sum_horizontal(*COMPONENTS).alias("total"))
    lf = lf.with_columns(_c("total").cum_sum().over(["variant", "opt"]).alias("cumulative"))
    lf = lf.with_columns(
        _c("cumulative").filter(_c("is_baseline")).first().over(["variant", "m"]).alias("base_cum")
    )
    return lf.collect()


def summarize(frame: pl.DataFrame) -> pl.DataFrame:
    """Per (variant, option): TCO, requests, breakeven month, GPUs and GPU-hours at the horizon."""
    return (
        frame.lazy()
        .group_by(["variant", "opt"], maintain_order=True)
        .agg(
            _c("is_baseline").first(),
            _c("total").sum().alias("tco"),
            _c("req").sum().alias("requests"),
            _c("total").first().alias("month1"),
            _c("Tin").first(),
            _c("Tout").first(),
            _c("m").filter(_c("cumulative") <= _c("base_cum")).min().alias("breakeven_month"),
            _c("gpus").last().alias("gpus_at_horizon"),
            _c("gpu_hours").last().alias("gpu_hours_at_horizon"),
        )
        .with_columns(
            pl.when(_c("is_baseline")).then(None).otherwise(_c("breakeven_month")).alias("breakeven_month"),
        )
        .collect()
    )


def steady_costs(rows: pl.DataFrame, volumes: np.ndarray) -> np.ndarray:
    """Month-1 monthly cost without one-time and retrain costs, for each option row at each volume.

    A volume sweep through the same formulas: returns an array (len(rows), len(volumes)).
    """
    n = len(volumes)
    k = rows.height
    batch = rows.select(pl.all().gather(np.repeat(np.arange(k), n))).with_columns(
        pl.Series("R0", np.tile(volumes, k), dtype=pl.Float64),
        pl.Series("variant", np.tile(np.arange(n), k), dtype=pl.Int64),
    )
    lf = batch.lazy().with_columns(pl.lit(1, dtype=pl.Int64).alias("m"))
    for stage in _cost_columns(lf):
        lf = lf.with_columns(stage)
    out = lf.select(pl.sum_horizontal(*STEADY_COMPONENTS).alias("cost")).collect()
    return out["cost"].to_numpy().reshape(k, n)


def _breakpoints(row: dict) -> tuple[np.ndarray, float]:
    """Volumes where an option's steady cost jumps or bends, and the largest jump (one more GPU-month)."""
    if row["is_api"]:
        return np.empty(0), 0.0
    tout = row["Tout"] * (1 - row["output_red"])
    thr = row["rps"] if row["rps"] > 0 else (row["tps"] / tout if tout > 0 else math.inf)
    if not math.isfinite(thr) or thr <= 0:
        return np.empty(0), 0.0
    if row["always_on"]:
        step = thr * row["util"] * 86400.0 / row["P"]
        count = int(min(MAX_VOLUME / step, 1e6)) if step > 0 else 0
        ks = np.arange(max(1, int(row["min_gpus"])), count + 1, dtype=float) * step
        return np.concatenate((ks, ks * (1 + 1e-9))), row["hourly"] * 24.0 * row["D"]
    if row["min_hours"] > 0 and row["D"] > 0:
        return np.array([row["min_hours"] * thr * 3600.0 * row["util"] / row["D"]]), 0.0
    return np.empty(0), 0.0


def _last_crossing(volumes: np.ndarray, a: np.ndarray, b: np.ndarray) -> float | None:
    """Smallest V from which a <= b at every evaluated volume above; None if a > b at the top."""
    diff = a - b
    tol = 1e-9 * (np.abs(a) + np.abs(b)) + 1e-12
    above = np.nonzero(diff > tol)[0]
    if above.size == 0:
        return 0.0
    j = int(above[-1])
    if j == len(volumes) - 1:
        return None
    v0, v1, d0, d1 = volumes[j], volumes[j + 1], diff[j], diff[j + 1]
    return float(v0 + (v1 - v0) * d0 / (d0 - d1)) if d0 != d1 else float(v1)


def breakeven_volumes(rows: pl.DataFrame) -> list[float | None]:
    """For each option, the smallest requests/day from which it is never dearer than the baseline.

    Steady state at month-1 prices, one-time and retrain costs left out (MODEL.md section 2). A log grid
    finds where the costs cross; then, only in the grid intervals where one GPU more could tip the
    difference back above zero, every GPU step is evaluated too. Between two evaluated volumes both
    costs are then linear, so the crossing is interpolated exactly.
    """
    k = rows.height
    base = next((i for i, b in enumerate(rows["is_baseline"].to_list()) if b), None)
    if base is None or k == 0:
        return [None] * k
    records = rows.to_dicts()
    grid = np.concatenate(([0.0], np.logspace(-2, math.log10(MAX_VOLUME), 400)))
    costs = steady_costs(rows, grid)
    base_bp, base_jump = _breakpoints(records[base])
    out: list[float | None] = []
    for i in range(k):
        if i == base:
            out.append(None)
            continue
        bp, jump = _breakpoints(records[i])
        points = np.concatenate((bp, base_bp))
        diff = costs[i] - costs[base]
        reach = jump + base_jump
        if points.size and reach > 0:
            near = np.maximum(diff[:-1], diff[1:]) > -reach * (1 + 1e-9)
            idx = np.searchsorted(grid, points, side="right") - 1
            keep = (idx >= 0) & (idx < len(grid) - 1)
            keep[keep] &= near[idx[keep]]
            points = points[keep] if near.any() else np.empty(0)
        else:
            points = np.empty(0)
        points = points[(points > 0) & (points < MAX_VOLUME)]
        if points.size:
            vols = np.unique(np.concatenate((grid, points)))
            pair = steady_costs(rows.select(pl.all().gather([i, base])), vols)
            out.append(_last_crossing(vols, pair[0], pair[1]))
        else:
            out.append(_last_crossing(grid, costs[i], costs[base]))
    return out


@dataclass
class OptionResult:
    """Summary figures of one option, as the report and the panes show them."""

    name: str
    index: int
    serve: str
    is_baseline: bool
    tco: float
    month1: float
    average_monthly: float
    cost_per_request: float | None
    cost_per_mtok: float | None
    breakeven_month: int | None
    breakeven_requests_per_day: float | None
    breakeven_tokens_per_day: float | None
    gpus_at_horizon: int | None
    gpu_hours_at_horizon: float | None


@dataclass
class Results:
    """What `compute` returns: the monthly frame (every component), and a summary per option."""

    scenario: Scenario
    monthly: pl.DataFrame
    options: list[OptionResult]
    baseline: str | None
    cheapest: str | None
    extra: dict = field(default_factory=dict)

    def option(self, name: str) -> OptionResult | None:
        return next((o for o in self.options if o.name == name), None)

    def series(self, option: int, column: str) -> list[float]:
        """One column of the monthly frame for one option, month 1..H (sliced, not filtered: the frame
        holds each option's months contiguously, in order)."""
        H = self.scenario.horizon_months
        return self.monthly[column].slice(option * H, H).to_list()


def compute(s: Scenario) -> Results:
    """Scenario -> Results: every formula of MODEL.md section 2, for every option and month."""
    rows = inputs(s)
    H = s.horizon_months
    if rows.height == 0:
        empty = pl.DataFrame({"opt": [], "m": []}, schema={"opt": pl.Int64, "m": pl.Int64})
        return Results(s, empty, [], None, None)
    frame = monthly_frame(rows, H)
    summary = summarize(frame).sort("opt")
    volumes = breakeven_volumes(rows)
    tokens = s.workload.input_tokens + s.workload.output_tokens
    options: list[OptionResult] = []
    for rec, vol in zip(summary.to_dicts(), volumes, strict=True):
        o = s.options[rec["opt"]]
        req = rec["requests"]
        gpus = rec["gpus_at_horizon"]
        options.append(
            OptionResult(
                name=o.name,
                index=rec["opt"],
                serve=o.serve,
                is_baseline=rec["is_baseline"],
                tco=rec["tco"],
                month1=rec["month1"],
                average_monthly=rec["tco"] / H,
                cost_per_request=rec["tco"] / req if req > 0 else None,
                cost_per_mtok=rec["tco"] / (req * tokens) * 1e6 if req > 0 and tokens > 0 else None,
                breakeven_month=rec["breakeven_month"],
                breakeven_requests_per_day=vol,
                breakeven_tokens_per_day=vol * tokens if vol is not None else None,
                gpus_at_horizon=int(gpus) if gpus is not None else None,
                gpu_hours_at_horizon=rec["gpu_hours_at_horizon"],
            )
        )
    base = s.baseline_index()
    cheapest = min(options, key=lambda r: r.tco).name
    return Results(s, frame, options, s.options[base].name if base is not None else None, cheapest)
