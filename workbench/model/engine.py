"""The cost model of docs/model.md section 2, columnar in polars.

A scenario is flattened to one row per option (`inputs`), with every input the formulas read as a column.
A batch is any stack of such rows tagged with a `variant` number: one scenario is a batch of one; a
volume sweep, a sensitivity run or a Monte Carlo run is a larger batch that differs in some columns.
`monthly_frame` expands the batch over months and computes every cost component; `summarize` folds it
into per-option figures. The same expressions serve every caller, so no figure has a second formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from workbench.model import capacity, pretrain
from workbench.model import inputs as input_table
from workbench.model._polars import pl
from workbench.model.capacity import CAPACITY, THR, TOUT
from workbench.model.fmt import json_number
from workbench.model.formula import (
    Ceil,
    ClipLow,
    Col,
    Const,
    Def,
    Eq,
    Ge,
    Gt,
    Max,
    Meta,
    Node,
    Pick,
    SumH,
    When,
    specialize,
)
from workbench.model.scenario import Scenario, Serve, input_values

COMPONENTS = (
    "inference",
    "retrieval",
    "review",
    "people",
    "fixed",
    "one_time",
    "retrain",
    "fallback",
    "pretraining",
)
STEADY_COMPONENTS = ("inference", "retrieval", "review", "people", "fixed", "fallback")
MAX_VOLUME = 1e9  # requests/day: the top of the breakeven-volume search (docs/model.md section 2)
STEADY_ROWS = 200_000  # (option, volume) pairs `steady_costs` evaluates at once: about 70 MB of columns


def input_arrays(s: Scenario) -> dict[str, np.ndarray]:
    """One row per option with every input of the formulas (variant 0), as numpy columns.

    The columns are the rows of `workbench.model.inputs.INPUTS` (bool or float64); `variant` and `opt` are int64."""
    n = len(s.options)
    cols = {"variant": np.zeros(n, dtype=np.int64), "opt": np.arange(n, dtype=np.int64)}
    values = input_values(s)
    for inp in input_table.INPUTS:
        if inp.kind == "list":
            cols[inp.col] = _padded(values[inp.col])
        else:
            cols[inp.col] = np.array(values[inp.col], dtype=bool if inp.kind == "bool" else np.float64)
    return cols


def _padded(lists: list[list[float]]) -> np.ndarray:
    """Lists of numbers as one 2-D float array, padded with NaN (at least one column wide)."""
    out = np.full((len(lists), max([1, *(len(v) for v in lists)])), np.nan)
    for i, v in enumerate(lists):
        out[i, : len(v)] = v
    return out


def to_frame(cols: dict[str, np.ndarray]) -> pl.DataFrame:
    """numpy columns as a polars frame (bool, int64 and float64 keep their types); NaN in a
    float column is null (an API option's GPUs)."""
    return pl.DataFrame([pl.Series(k, v, nan_to_null=v.dtype.kind == "f") for k, v in cols.items()])


def inputs(s: Scenario) -> pl.DataFrame:
    """One row per option with every input of the formulas (variant 0), as a polars frame."""
    return to_frame(input_arrays(s))


def _c(name: str) -> pl.Expr:
    return pl.col(name)


# --- The formulas of docs/model.md section 2, each written once ------------------------------------------
# Each `Def` is a column and its expression tree (workbench.model.formula): the tree compiles to the
# polars expression below and renders the explanation of any figure (workbench.model.explain), so the
# text a user reads and the number the engine computes come from the same definition.

C = Col
_m = Col("m", cast_float=True)  # the month as a float, for exponents and modulo


def _money(label: str) -> Meta:
    return Meta(label, "money")


INPUT_META: dict[str, Meta] = {"m": Meta("month", "number")} | {
    i.col: i.meta for i in input_table.INPUTS if i.col != "is_baseline"
}


def _retrain_why(r) -> str:
    if not r["adapt"]:
        return "no retraining: the option trains no model"
    if r["t_every"] <= 0:
        return "no retraining: retrain_every_months = 0"
    if r["m"] == 1:
        return "no retraining in month 1 (development runs are one-time)"
    return f"month {r['m']} is not a retrain month (every {r['t_every']:g} months)"


_always_gpus = Max(C("min_gpus"), Ceil(C("peak") / CAPACITY.node))
_first = Eq(Col("m"), Const(1))
_live = Ge(_m, C("go_live"))  # docs/model.md 6.1: live(o, m)
_retrain_due = (
    C("adapt")
    & Gt(C("t_every"), Const(0))
    & Gt(Col("m"), Const(1))
    & Eq((_m - 1.0) % ClipLow(C("t_every"), 1.0), Const(0))
)
_api_inference = (
    C("sreq")
    * C("fa")
    * (C("uncached") * C("p_in") + C("cached") * C("p_cached") + C("tout") * C("p_out"))
    / Const(1e6, "1M")
)


def _not_live(r) -> str:
    return f"not live yet: goes live in month {r['go_live']:g}"


# Successive with_columns stages over rows that carry a month `m`: a stage reads only columns of the
# inputs and of earlier stages.
STAGES: list[list[Def]] = [
    [
        Def("rpd", C("R0") * (1.0 + C("g")) ** (_m - 1.0), Meta("requests/day", "count", "req/day")),
        Def("fa", (1.0 + C("api_chg")) ** ((_m - 1.0) / 12.0), Meta("API price factor", "factor")),
        Def("fg", (1.0 + C("gpu_chg")) ** ((_m - 1.0) / 12.0), Meta("GPU price factor", "factor")),
        Def(
            "tin",
            C("Tin") * (1.0 - C("prompt_red")) + When(C("rag"), C("rag_ctx"), 0.0, why_else="no RAG context"),
            Meta("input tokens/request", "number"),
        ),
        TOUT,
        Def(
            "c",
            When(C("caching"), C("cshare"), 0.0, why_else="no prompt caching: nothing billed as cached"),
            Meta("cached share", "share"),
        ),
        Def(
            "share",
            When(
                _live,
                Pick("rollout", _m - C("go_live"), 1.0 - C("fb_share"), "rollout"),
                0.0,
                why_then="live: the rollout's share for this month, else all but the fallback share",
                why_else=_not_live,
            ),
            Meta("share of traffic served", "share"),
        ),
        Def(
            "ex_tokens",
            When(
                Gt(C("t_tok_ex"), Const(0)),
                C("t_tok_ex"),
                C("Tin") + C("Tout"),
                why_else="tokens_per_example = 0: the workload's input + output tokens",
            ),
            Meta("tokens/example", "number"),
        ),
        Def(
            "fb_tin",
            C("Tin") * (1.0 - C("fb_prompt_red"))
            + When(C("fb_rag"), C("rag_ctx"), 0.0, why_else="the fallback sends no RAG context"),
            Meta("fallback input tokens/request", "number"),
        ),
        Def(
            "fb_tout",
            C("Tout") * (1.0 - C("fb_output_red")),
            Meta("fallback output tokens/request", "number"),
        ),
        Def(
            "fb_c",
            When(C("fb_caching"), C("cshare"), 0.0, why_else="the fallback caches nothing"),
            Meta("fallback cached share", "share"),
        ),
        pretrain.TOKENS,
    ],
    [
        Def("req", C("rpd") * C("D"), Meta("requests", "count", "requests")),
        Def("srpd", C("share") * C("rpd"), Meta("requests/day served", "count", "req/day")),
        Def("cached", C("c") * C("tin"), Meta("cached input tokens", "number")),
        THR,
        Def(
            "data",
            When(
                C("distill"),
                C("t_examples") * (C("Tin") * C("teach_in") + C("Tout") * C("teach_out")) / Const(1e6, "1M"),
                ClipLow(C("t_examples") - C("t_already")) * C("lab_cost") * (1.0 + C("lab_qa")),
                why_then="distillation: the teacher model's bill for the examples",
                why_else="labeling the examples not yet labeled, plus QA",
            ),
            _money("data bill"),
        ),
        Def(
            "training_run",
            When(
                C("provider"),
                C("t_examples") * C("ex_tokens") * C("t_epochs") * C("p_train_mtok") / Const(1e6, "1M")
                + C("t_hours") * C("p_train_hour"),
                C("t_gpus") * C("t_hours") * C("t_hourly"),
                why_then="trained by the provider: billed per training token and hour",
                why_else="trained on the [training] GPUs",
            ),
            _money("one training run"),
        ),
        Def("fb_cached", C("fb_c") * C("fb_tin"), Meta("fallback cached input tokens", "number")),
        pretrain.GPU_HOURS,
    ],
    [
        Def("sreq", C("share") * C("req"), Meta("requests served", "count", "requests")),
        Def("peak", C("srpd") / 86400.0 * C("P"), Meta("peak requests/s", "number", "req/s")),
        Def("uncached", C("tin") - C("cached"), Meta("uncached input tokens", "number")),
        Def("fb_uncached", C("fb_tin") - C("fb_cached"), Meta("fallback uncached input tokens", "number")),
        Def(
            "pretrain_days",
            C("pretrain_gpu_hours") / C("pt_gpus") / 24.0,
            Meta("pre-training days", "number", "days"),
        ),
    ],
    [
        Def(
            "gpus",
            When(
                C("is_api") | ~C("always_on"),
                None,
                When(_live, _always_gpus, 0.0, why_else=_not_live),
                why_then="no always-on GPUs (API or on-demand)",
                why_else="always on: enough GPUs for peak",
            ),
            Meta("GPUs", "number", "GPUs"),
        ),
        Def(
            "fb_unit",
            C("fa")
            * (
                C("fb_uncached") * C("fb_p_in")
                + C("fb_cached") * C("fb_p_cached")
                + C("fb_tout") * C("fb_p_out")
            )
            / Const(1e6, "1M")
            + When(C("fb_rag"), C("rag_cpq"), 0.0, why_else="the fallback has no retrieval")
            + C("fb_review_rate") * C("rev_cost"),
            _money("fallback cost/request"),
        ),
    ],
    [
        Def(
            "gpu_hours",
            When(
                C("is_api"),
                None,
                When(
                    C("always_on"),
                    C("gpus") * 24.0 * C("D"),
                    When(
                        _live,
                        Max(C("min_hours"), C("sreq") / (C("thr") * 3600.0 * C("util"))),
                        0.0,
                        why_else=_not_live,
                    ),
                    why_then="always on: every GPU billed 24 h a day",
                    why_else="on demand: the hours the requests need",
                ),
                why_then="API option: no GPU-hours",
            ),
            Meta("GPU-hours", "number", "GPU-h"),
        ),
        Def(
            "load",
            When(
                C("is_api") | ~C("always_on"),
                None,
                When(
                    Gt(C("gpus") * C("thr"), Const(0)) & Gt(Const(math.inf, "∞"), C("thr")),
                    C("srpd") / 86400.0 / (C("gpus") * C("thr")),
                    0.0,
                    why_then="average requests/s over what the GPUs serve",
                    why_else="no GPUs running, or no finite throughput to load",
                ),
                why_then="no always-on GPUs (API or on-demand)",
            ),
            Meta("average GPU load", "share"),
        ),
    ],
    [
        Def(
            "inference",
            When(C("is_api"), _api_inference, C("gpu_hours") * C("hourly") * C("fg")),
            _money("inference"),
        ),
        Def(
            "retrieval",
            When(
                C("rag"),
                C("sreq") * C("rag_cpq") + When(_live, C("rag_fixed"), 0.0, why_else=_not_live),
                0.0,
                why_else="not a RAG option",
            ),
            _money("retrieval"),
        ),
        Def("review", C("sreq") * C("review_rate") * C("rev_cost"), _money("review")),
        Def("people", C("ops_fte") * C("eng") / 12.0, _money("people")),
        Def("fixed", When(_live, C("fixed_monthly"), 0.0, why_else=_not_live), _money("fixed")),
        Def(
            "one_time",
            When(
                _first,
                C("setup_cost")
                + When(
                    C("adapt"),
                    C("t_runs") * C("training_run") + C("data") + C("eval_setup"),
                    0.0,
                    why_then="fine-tune/distill: development runs, data and eval harness",
                    why_else="no training: setup cost only",
                ),
                0.0,
                why_else="one-time costs fall in month 1 only",
            ),
            _money("one-time"),
        ),
        Def(
            "retrain",
            When(
                _retrain_due,
                C("training_run")
                * When(C("provider"), C("fa"), C("fg"), why_then="a provider's price drifts with API prices")
                + C("t_relabel") * C("data"),
                0.0,
                why_else=_retrain_why,
            ),
            _money("retrain"),
        ),
        Def(
            "fallback",
            (1.0 - C("share")) * C("req") * C("fb_unit"),
            _money("fallback"),
        ),
        Def(
            "pretraining",
            When(
                C("pretrains") & _first,
                C("pretrain_gpu_hours") * C("pt_hourly"),
                0.0,
                why_else="no pre-training: the option pre-trains no model, or not in month 1",
            ),
            _money("pre-training"),
        ),
    ],
]
# The workload's own tokens per request, before any option changes them: cost per 1M tokens and the
# breakeven tokens/day count these, so every option is measured against the same work.
WORKLOAD_TOKENS = Def("workload_tokens", C("Tin") + C("Tout"), Meta("workload tokens/request", "number"))
# Version 1's components are summed first, then version 2's: polars adds a long sum_horizontal as a tree,
# so appending terms to one sum would move the last bits of every version-1 total.
_V1 = 7
TOTAL = Def(
    "total", SumH(SumH(*(C(c) for c in COMPONENTS[:_V1])), *(C(c) for c in COMPONENTS[_V1:])), _money("total")
)
STEADY = Def(
    "steady",
    SumH(SumH(*(C(c) for c in STEADY_COMPONENTS[:-1])), C("fallback")),
    _money("steady monthly cost (month-1 prices)"),
)
DEFS: dict[str, Def] = {d.name: d for stage in STAGES for d in stage} | {"total": TOTAL, "steady": STEADY}
META: dict[str, Meta] = INPUT_META | {name: d.meta for name, d in DEFS.items()}
_COMPILED: list[list[pl.Expr]] | None = None


def _cost_columns(df: pl.LazyFrame | pl.DataFrame | None = None) -> list[list[pl.Expr]]:
    """The formulas, compiled once, as successive with_columns stages over rows that carry a month `m`."""
    global _COMPILED
    if _COMPILED is None:
        _COMPILED = [[d.expr() for d in stage] for stage in STAGES]
    return _COMPILED


def monthly_frame(rows: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Expand option rows over months 1..horizon and compute every component, total and cumulative.

    Runs eagerly: for the frames of one scenario (options x months) the lazy optimizer costs more than
    it saves. Large batches that need only a few columns go through `monthly_totals` instead.
    """
    k = rows.height
    df = rows.select(pl.all().gather(np.repeat(np.arange(k), horizon))).with_columns(
        pl.Series("m", np.tile(np.arange(1, horizon + 1), k), dtype=pl.Int64)
    )  # each option's months contiguous and in order: (variant, opt, m)
    for stage in _cost_columns():
        df = df.with_columns(stage)
    # The total stays in the lazy engine: polars' eager sum_horizontal may round differently.
    return (
        df.lazy()
        .with_columns(TOTAL.expr())
        .with_columns(_c("total").cum_sum().over(["variant", "opt"]).alias("cumulative"))
        .with_columns(
            _c("cumulative").filter(_c("is_baseline")).first().over(["variant", "m"]).alias("base_cum")
        )
        .collect()
    )


Rows = dict[str, np.ndarray]  # option rows as numpy columns (`input_arrays`), one element per row


def _as_arrays(rows: pl.DataFrame | Rows) -> Rows:
    return rows if isinstance(rows, dict) else {c: rows[c].to_numpy() for c in rows.columns}


def _evaluate(env: dict[str, np.ndarray], defs: list[Def], n: int) -> None:
    """Add each formula's column to `env` (numpy, `Node.arr`), in order: a formula reads earlier ones."""
    for d in defs:
        v = d.node.arr(env)
        env[d.name] = v if np.shape(v) == (n,) else np.broadcast_to(np.asarray(v, dtype=np.float64), (n,))


_ORDERED_DEFS = [d for stage in STAGES for d in stage]


def _needed(target: Def) -> list[Def]:
    """The formulas `target` reads, directly or through others, in evaluation order."""
    need = set(target.node.columns())
    for d in reversed(_ORDERED_DEFS):
        if d.name in need:
            need |= d.node.columns()
    return [d for d in _ORDERED_DEFS if d.name in need]


_STEADY_DEFS = _needed(STEADY)  # the steady cost reads no one-time, retraining or pre-training formula
_STEADY_READS = set().union(*(d.node.columns() for d in [*_STEADY_DEFS, STEADY]))


def monthly_arrays(rows: pl.DataFrame | Rows, horizon: int) -> Rows:
    """`monthly_frame` over numpy: the same formula trees, the same columns in the same order.

    For one scenario (a few options x months) this is the engine's path: polars' fixed cost per query
    (0.3-0.8 ms, a dozen queries) is most of a compute at this size, numpy's per operation is microseconds.
    `tests/test_engine_numpy.py` holds it to the polars path on every preset and on random scenarios.
    """
    rows = _as_arrays(rows)
    k = len(rows["opt"])
    n = k * horizon
    idx = np.repeat(np.arange(k), horizon)
    env = {c: v[idx] for c, v in rows.items()}  # each option's months contiguous: (variant, opt, m)
    env["m"] = np.tile(np.arange(1, horizon + 1, dtype=np.int64), k)
    with np.errstate(all="ignore"):
        _evaluate(env, [*_ORDERED_DEFS, TOTAL], n)
    cum = np.cumsum(env["total"].reshape(k, horizon), axis=1)
    env["cumulative"] = cum.reshape(n)
    base_cum = np.full((k, horizon), np.nan)
    variant = rows["variant"]
    for i in np.flatnonzero(rows["is_baseline"]):
        base_cum[variant == variant[i]] = cum[i]
    env["base_cum"] = base_cum.reshape(n)
    return env


def option_figures(s: Scenario, k: int, month: int = 1) -> dict[str, float]:
    """Every formula column of option k in one month (tokens per request, throughput, GPUs, ...), from the
    engine's own trees over that option's row alone: for a dialog that needs a figure of the scenario
    being edited without a full compute. With `Results` at hand, `Results.series` reads the same."""
    env = {c: v[k : k + 1] for c, v in input_arrays(s).items()}
    env["m"] = np.array([month], dtype=np.int64)
    with np.errstate(all="ignore"):
        _evaluate(env, _ORDERED_DEFS, 1)
    return {d.name: float(env[d.name][0]) for d in _ORDERED_DEFS}


EQUAL_REL = 1e-12
EQUAL_ABS = 1e-9
"""Two costs a and b are equal when |a - b| <= EQUAL_REL * (|a| + |b|) + EQUAL_ABS (docs/model.md 6.0):
costs summed in another order differ in the last bits."""


def at_most(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a <= b, or equal to it in the sense of docs/model.md 6.0; False where either is NaN."""
    with np.errstate(invalid="ignore"):
        return a - b <= EQUAL_REL * (np.abs(a) + np.abs(b)) + EQUAL_ABS


def summary_arrays(frame: Rows, horizon: int) -> Rows:
    """`summarize` over numpy, for a frame of `monthly_arrays` (NaN where `summarize` has null)."""
    n = len(frame["opt"]) // horizon if horizon else 0
    shape = (n, horizon)
    first = np.arange(n) * horizon
    last = first + horizon - 1
    cum, base = frame["cumulative"].reshape(shape), frame["base_cum"].reshape(shape)
    with np.errstate(invalid="ignore"):
        met = at_most(cum, base)  # NaN (no baseline) compares False
    is_base = frame["is_baseline"][first]
    found = met.any(axis=1) & ~is_base
    return {
        "variant": frame["variant"][first],
        "opt": frame["opt"][first],
        "is_baseline": is_base,
        "tco": frame["total"].reshape(shape).sum(axis=1),
        "requests": frame["req"].reshape(shape).sum(axis=1),
        "month1": frame["total"][first],
        "breakeven_month": np.where(found, met.argmax(axis=1) + 1, 0),  # 0 where there is none
        "gpus_at_horizon": frame["gpus"][last],
        "gpu_hours_at_horizon": frame["gpu_hours"][last],
    }


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
            _c("m")
            .filter(
                _c("cumulative") - _c("base_cum")
                <= EQUAL_REL * (_c("cumulative").abs() + _c("base_cum").abs()) + EQUAL_ABS
            )
            .min()
            .alias("breakeven_month"),
            _c("gpus").last().alias("gpus_at_horizon"),
            _c("gpu_hours").last().alias("gpu_hours_at_horizon"),
        )
        .with_columns(
            pl.when(_c("is_baseline")).then(None).otherwise(_c("breakeven_month")).alias("breakeven_month"),
        )
        .collect()
    )


def _steady_lazy(rows: pl.DataFrame, volumes: np.ndarray) -> pl.LazyFrame:
    """Option rows (option-major) x volumes, at month 1, with every formula column (lazy)."""
    n = len(volumes)
    k = rows.height
    batch = rows.select(pl.all().gather(np.repeat(np.arange(k), n))).with_columns(
        pl.Series("R0", np.tile(volumes, k), dtype=pl.Float64),
        pl.Series("variant", np.tile(np.arange(n), k), dtype=pl.Int64),
    )
    lf = batch.lazy().with_columns(
        pl.lit(1, dtype=pl.Int64).alias("m"),
        pl.lit(1.0).alias("go_live"),
        pl.col("rollout").arr.eval(pl.element() * float("nan"), as_list=False).alias("rollout")
        if "rollout" in batch.columns
        else pl.lit(None),
    )
    for stage in _cost_columns():
        lf = lf.with_columns(stage)
    return lf


def _rolled_out(env: dict[str, np.ndarray], n: int) -> None:
    """The steady state compares options rolled out (docs/model.md 6.1): live from month 1, no rollout
    entries, so each option serves all but its fallback share."""
    env["go_live"] = np.ones(n)
    env["rollout"] = np.full((n, 1), np.nan)


def steady_arrays(rows: pl.DataFrame | Rows, volumes: np.ndarray) -> Rows:
    """Option rows (option-major) x volumes at month 1, the formula columns `steady` reads, and `steady`
    (numpy)."""
    rows = _as_arrays(rows)
    volumes = np.asarray(volumes, dtype=np.float64)
    n, k = len(volumes), len(rows["opt"])
    idx = np.repeat(np.arange(k), n)
    env = {c: v[idx] for c, v in rows.items() if c in _STEADY_READS}  # only what the formulas read
    _rolled_out(env, k * n)
    env["R0"] = np.tile(volumes, k)
    env["variant"] = np.tile(np.arange(n, dtype=np.int64), k)
    env["m"] = np.ones(k * n, dtype=np.int64)
    with np.errstate(all="ignore"):
        _evaluate(env, [*_STEADY_DEFS, STEADY], k * n)
    return env


def steady_costs(rows: pl.DataFrame | Rows, volumes: np.ndarray) -> np.ndarray:
    """Month-1 monthly cost without one-time and retrain costs, for each option row at each volume.

    A volume sweep through the same formulas: returns an array (len(rows), len(volumes)). Evaluated
    STEADY_ROWS (option, volume) pairs at a time, so its memory does not grow with the volumes (the
    breakeven search may evaluate millions of GPU steps); every figure is computed on its own, so the
    parts give the same numbers as one evaluation.
    """
    rows = _as_arrays(rows)
    volumes = np.asarray(volumes, dtype=np.float64)
    k = len(rows["opt"])
    per = max(1, STEADY_ROWS // max(1, k))
    if len(volumes) <= per:
        return steady_arrays(rows, volumes)["steady"].reshape(k, len(volumes))
    parts = [
        steady_arrays(rows, volumes[j : j + per])["steady"].reshape(k, -1)
        for j in range(0, len(volumes), per)
    ]
    return np.concatenate(parts, axis=1)


def steady_frame(rows: pl.DataFrame, volumes: np.ndarray) -> pl.DataFrame:
    """`steady_costs` with every column kept (for explanations): one row per option and volume (polars)."""
    return _steady_lazy(rows, volumes).with_columns(STEADY.expr()).collect()


class Cancelled(Exception):
    """A batch stopped because its caller no longer wants the result (a newer edit came in)."""


def _fold(stages: list[list[tuple[str, Node]]], consts: dict) -> list[list[tuple[str, Node]]]:
    """Specialize each formula with the known constants; formulas that fold become constants too."""
    out = []
    for stage in stages:
        keep = []
        for name, node in stage:
            n = specialize(node, consts)
            if isinstance(n, Const):
                consts[name] = n.value
            else:
                keep.append((name, n))
        out.append(keep)
    return out


@dataclass
class BatchPlan:
    """A batch of variants partially evaluated once (`plan_batch`), then run on any number of chunks.

    For option i, `columns[i]` are the input columns that vary over the variants; every other input is
    a constant put into the formula trees. `constants[i]` holds (month index, total) for the months whose
    total folded to a number; `jobs[i]` holds (month index, with_columns stages) for the rest.
    """

    horizon: int
    columns: list[list[str]]
    constants: list[list[tuple[int, float]]]
    jobs: list[list[tuple[int, list[list[pl.Expr]]]]]


def plan_batch(
    rows: pl.DataFrame,
    horizon: int,
    columns: list[list[str]],
    overrides: list[dict[str, float]] | None = None,
) -> BatchPlan:
    """Specialize the formulas for each option and month: `columns[i]` vary for option i, every other
    input is the row's value or, where `overrides[i]` gives one, that constant."""
    k, H = rows.height, horizon
    base_stages = [[(d.name, d.node) for d in stage] for stage in [*STAGES, [TOTAL]]]
    constants: list[list[tuple[int, float]]] = []
    jobs: list[list[tuple[int, list[list[pl.Expr]]]]] = []
    for i in range(k):
        rec = rows.row(i, named=True)
        varying = set(columns[i])
        consts = {c: v for c, v in rec.items() if c not in varying}
        consts.update(overrides[i] if overrides else {})
        consts.pop("m", None)
        opt_stages = _fold(base_stages, consts)
        folded: list[tuple[int, float]] = []
        planned: list[tuple[int, list[list[pl.Expr]]]] = []
        for m in range(1, H + 1):
            mc = dict(consts, m=m)
            month_stages = _fold(opt_stages, mc)
            if "total" in mc:
                folded.append((m - 1, mc["total"]))
            else:
                planned.append(
                    (m - 1, [[node.expr().alias(name) for name, node in st] for st in month_stages if st])
                )
        constants.append(folded)
        jobs.append(planned)
    return BatchPlan(H, [list(c) for c in columns], constants, jobs)


def run_option(plan: BatchPlan, i: int, data: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Monthly totals (months, n) of option i over n variants; `data[c]` holds the n values of each of
    the option's varying columns. Every month that did not fold runs in one `collect_all`."""
    out = np.empty((plan.horizon, n))
    for j, total in plan.constants[i]:
        out[j, :] = total
    jobs = plan.jobs[i]
    if not jobs:
        return out
    frame = pl.DataFrame({c: np.asarray(data[c], dtype=float) for c in plan.columns[i]})
    lfs = []
    for _, stages in jobs:
        lf = frame.lazy()
        for exprs in stages:
            lf = lf.with_columns(exprs)
        lfs.append(lf.select(_c("total").cast(pl.Float64)))
    for (j, _), res in zip(jobs, pl.collect_all(lfs), strict=True):
        out[j, :] = res["total"].to_numpy()
    return out


def batch_totals(
    rows: pl.DataFrame,
    horizon: int,
    varied: dict[str, np.ndarray],
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> np.ndarray:
    """Monthly totals of N variants of the option rows that differ only in some input columns.

    `varied[col]` is an (N, options) array of that column's values. Returns an array
    (options, months, N). This is the engine's formulas (the same `STAGES`) as one batch: for each
    option and month every input that does not vary is a constant, so the formula trees are partially
    evaluated (`formula.specialize`, once: `plan_batch`) and polars computes, over the N variants, only
    what depends on a varied input; each option's months go through one `collect_all` (`run_option`),
    after which `progress` is told and `cancelled` asked. The Monte Carlo runs the same plan chunk by
    chunk instead (workbench.model.montecarlo), so its memory does not grow with N.
    """
    k = rows.height
    n = next(iter(varied.values())).shape[0] if varied else 1
    columns: list[list[str]] = []
    overrides: list[dict[str, float]] = []
    for i in range(k):
        columns.append([c for c, v in varied.items() if not np.all(v[:, i] == v[0, i])])
        overrides.append({c: float(v[0, i]) for c, v in varied.items() if c not in columns[i]})
    plan = plan_batch(rows, horizon, columns, overrides)
    out = np.empty((k, horizon, n))
    for i in range(k):
        if cancelled is not None and cancelled():
            raise Cancelled()
        out[i] = run_option(plan, i, {c: varied[c][:, i] for c in columns[i]}, n)
        if progress is not None:
            progress((i + 1) / k)
    return out


# The inputs `_kinks` reads: its own, and the ones the capacity formulas read.
_BREAK_COLS = (
    "is_api",
    "always_on",
    "P",
    "min_gpus",
    "hourly",
    "D",
    "min_hours",
    "fb_share",
    *capacity.READS,
)


@dataclass(frozen=True)
class _Kinks:
    """Where an option's steady cost is not linear in the volume: GPU steps (always on) or a bend."""

    step: float = 0.0  # requests/day one more GPU serves (always on); 0 for none
    kmin: int = 0  # the first step: the GPU count the floor already pays for
    kmax: int = 0
    jump: float = 0.0  # the cost of one step: one more GPU-month
    bends: np.ndarray = field(default_factory=lambda: np.empty(0))  # where an on-demand floor ends

    def points(self, grid: np.ndarray, near: np.ndarray) -> np.ndarray:
        """The GPU steps that fall in the grid intervals marked `near` (both sides of each), and the bends."""
        if self.step <= 0 or not near.any():
            return self.bends
        j = np.flatnonzero(near)
        lo = np.maximum(np.ceil(grid[j] / self.step), self.kmin)
        hi = np.minimum(np.floor(grid[j + 1] / self.step), self.kmax)
        n = np.maximum(hi - lo + 1, 0).astype(np.int64)
        total = int(n.sum())
        if total == 0:
            return self.bends
        start = np.repeat(lo - (np.cumsum(n) - n), n)  # k = lo of its interval + position within it
        v = (start + np.arange(total)) * self.step
        # ceil() may already step at k*step in floating point: evaluate both sides of each jump.
        return np.concatenate((v * (1 - 1e-9), v, v * (1 + 1e-9), self.bends))


def _kinks(row: dict) -> _Kinks:
    """`row`: one option's inputs with the engine's own throughput and capacity (capacity.evaluate)."""
    if row["is_api"]:
        return _Kinks()
    thr = row["thr"]
    served = 1.0 - row["fb_share"]  # rolled out, the option serves all but its fallback share
    if not math.isfinite(thr) or thr <= 0 or served <= 0:
        return _Kinks()
    if row["always_on"]:
        step = row["capacity"] * 86400.0 / row["P"] / served  # requests/day where the GPU count steps up
        if not step > 0 or not math.isfinite(step):
            return _Kinks()
        count = int(min(MAX_VOLUME / step, 1e6))
        return _Kinks(step, max(1, int(row["min_gpus"])), count, row["hourly"] * 24.0 * row["D"])
    if row["min_hours"] > 0 and row["D"] > 0:
        return _Kinks(bends=np.array([row["min_hours"] * thr * 3600.0 * row["util"] / row["D"] / served]))
    return _Kinks()


def _dearer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Indices where cost a is above cost b: not at most b in docs/model.md 6.0's sense."""
    return np.flatnonzero(~at_most(a, b))


def _last_crossing(volumes: np.ndarray, a: np.ndarray, b: np.ndarray) -> float | None:
    """Smallest V from which a <= b at every evaluated volume above; None if a > b at the top."""
    diff = a - b
    above = _dearer(a, b)
    if above.size == 0:
        return 0.0
    j = int(above[-1])
    if j == len(volumes) - 1:
        return None
    v0, v1, d0, d1 = volumes[j], volumes[j + 1], diff[j], diff[j + 1]
    return float(v0 + (v1 - v0) * d0 / (d0 - d1)) if d0 != d1 else float(v1)


def breakeven_volumes(rows: pl.DataFrame | Rows) -> list[float | None]:
    """For each option, the smallest requests/day from which it is never dearer than the baseline.

    Steady state at month-1 prices, one-time and retrain costs left out (docs/model.md section 2). A log grid
    finds where the costs cross; then, only in the grid intervals where one GPU more could tip the
    difference back above zero, every GPU step is evaluated too, and so is the volume where an
    on-demand option's floor of GPU-hours ends. Between two evaluated volumes both costs are then
    linear, so the crossing is interpolated exactly.
    """
    rows = _as_arrays(rows)
    k = len(rows["opt"])
    base = next((i for i, b in enumerate(rows["is_baseline"]) if b), None)
    if base is None or k == 0:
        return [None] * k
    sized = capacity.evaluate({c: rows[c] for c in _BREAK_COLS})
    kinks = [_kinks({c: v[i].item() for c, v in sized.items()}) for i in range(k)]
    grid = np.concatenate(([0.0], np.logspace(-2, math.log10(MAX_VOLUME), 400)))
    costs = steady_costs(rows, grid)
    out: list[float | None] = []
    for i in range(k):
        if i == base:
            out.append(None)
            continue
        diff = costs[i] - costs[base]
        dearer = _dearer(costs[i], costs[base])
        if dearer.size and dearer[-1] == len(grid) - 1:
            out.append(None)  # dearer at the top of the search: no step between grid volumes changes that
            continue
        reach = kinks[i].jump + kinks[base].jump
        near = np.maximum(diff[:-1], diff[1:]) > -reach * (1 + 1e-9) if reach > 0 else np.zeros(0, bool)
        if dearer.size:
            near[: dearer[-1]] = False  # below the last grid volume where it is dearer, nothing matters
        points = np.concatenate((kinks[i].points(grid, near), kinks[base].points(grid, near)))
        points = points[(points > 0) & (points < MAX_VOLUME)]
        if points.size:
            # np.unique's values (finite, sorted, each once) without np.unique, whose first call imports
            # numpy.ma (20-30 ms of the first frame of a scenario that gets here)
            vols = np.sort(np.concatenate((grid, points)))
            vols = vols[np.concatenate(([True], vols[1:] != vols[:-1]))]
            pair = steady_costs({c: v[[i, base]] for c, v in rows.items()}, vols)
            out.append(_last_crossing(vols, pair[0], pair[1]))
        else:
            out.append(_last_crossing(grid, costs[i], costs[base]))
    return out


@dataclass
class OptionResult:
    """Summary figures of one option, as the report and the panes show them."""

    name: str
    index: int
    serve: Serve
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
    go_live_month: int = 1
    pretrain_gpu_hours: float | None = None  # options that pre-train (docs/model.md 6.3)
    pretrain_days: float | None = None


@dataclass
class Results:
    """What `compute` returns: the monthly frame (every component), and a summary per option.

    The frame is kept as numpy columns (`arrays`); `monthly` is the same frame in polars, built the
    first time something asks for it (the CSV export, the JSON report, explanations).
    """

    scenario: Scenario
    arrays: Rows
    options: list[OptionResult]
    baseline: str | None
    cheapest: str | None
    _frame: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def monthly(self) -> pl.DataFrame:
        if self._frame is None:
            self._frame = to_frame(self.arrays)
        return self._frame

    def option(self, name: str) -> OptionResult | None:
        return next((o for o in self.options if o.name == name), None)

    def series(self, option: int, column: str) -> list:
        """One column of the monthly frame for one option, month 1..H (sliced: the frame holds each
        option's months contiguously, in order). A null (an API option's GPUs) is None."""
        H = self.scenario.horizon_months
        values = self.arrays[column][option * H : (option + 1) * H]
        if values.dtype.kind == "f" and np.isnan(values).any():
            return [None if math.isnan(v) else v for v in values.tolist()]
        return values.tolist()


def _per(total: float, amount: float, scale: float = 1.0) -> float | None:
    """total / amount * scale; None where the amount is 0 or so small (1e-300 requests) the ratio overflows."""
    if not amount > 0:
        return None
    value = total / amount * scale
    return value if math.isfinite(value) else None


def compute(s: Scenario) -> Results:
    """Scenario -> Results: every formula of docs/model.md section 2, for every option and month."""
    rows = input_arrays(s)
    H = s.horizon_months
    if len(rows["opt"]) == 0:
        empty = {"opt": np.empty(0, dtype=np.int64), "m": np.empty(0, dtype=np.int64)}
        return Results(s, empty, [], None, None)
    frame = monthly_arrays(rows, H)
    summary = summary_arrays(frame, H)
    volumes = breakeven_volumes(rows)
    with np.errstate(all="ignore"):
        workload_tokens = WORKLOAD_TOKENS.node.arr(rows)
    options: list[OptionResult] = []
    for i, (o, vol) in enumerate(zip(s.options, volumes, strict=True)):
        tokens = float(workload_tokens[i])
        tco = float(summary["tco"][i])
        req = float(summary["requests"][i])
        gpus = json_number(float(summary["gpus_at_horizon"][i]))
        be = int(summary["breakeven_month"][i])
        options.append(
            OptionResult(
                name=o.name,
                index=i,
                serve=o.serve,
                is_baseline=bool(summary["is_baseline"][i]),
                tco=tco,
                month1=float(summary["month1"][i]),
                average_monthly=tco / H,
                cost_per_request=_per(tco, req),
                cost_per_mtok=_per(tco, req * tokens, 1e6),
                breakeven_month=be or None,
                breakeven_requests_per_day=vol,
                breakeven_tokens_per_day=vol * tokens if vol is not None else None,
                gpus_at_horizon=int(gpus) if gpus is not None else None,
                gpu_hours_at_horizon=json_number(float(summary["gpu_hours_at_horizon"][i])),
                go_live_month=o.go_live_month,
                pretrain_gpu_hours=json_number(float(frame["pretrain_gpu_hours"][i * H]))
                if o.pretrains
                else None,
                pretrain_days=json_number(float(frame["pretrain_days"][i * H])) if o.pretrains else None,
            )
        )
    base = s.baseline_index()
    cheapest = min(options, key=lambda r: r.tco).name
    return Results(s, frame, options, s.options[base].name if base is not None else None, cheapest)
