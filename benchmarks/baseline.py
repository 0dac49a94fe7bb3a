"""The cost model of MODEL.md section 2, written the obvious way: plain Python, one loop per option and month.

This is what a person would write without the workbench, and it serves twice:
- as the benchmark's point of comparison (`python_baseline_ratio`: the same Monte Carlo run as a plain
  loop over draws, divided by the engine's time);
- as an independent implementation: tests/test_baseline.py checks that the engine's TCO equals this
  file's on every preset. It does not import the engine, the columns map or anything else of the cost
  model; it reads only the parsed scenario, as a plain nested dict (`Scenario.model_dump()`).

A scenario here is that dict: {"workload": {...}, "market": {...}, ..., "api_models": [...], ...}.
"""

from __future__ import annotations

import math
import random
import re

# --- the formulas ---------------------------------------------------------------------------------------


def _row(rows: list[dict], name: str) -> dict | None:
    for r in rows:
        if r["name"] == name:
            return r
    return None


def baseline_index(d: dict) -> int | None:
    for i, o in enumerate(d["options"]):
        if o["baseline"]:
            return i
    return 0 if d["options"] else None


def _share(o: dict, m: int) -> float:
    """s(o, m) of MODEL.md 6.1: the share of the workload the option serves in month m."""
    live = o.get("go_live_month", 1)
    rollout = o.get("rollout", [])
    if m < live:
        return 0.0
    if m - live < len(rollout):
        return rollout[m - live]
    return 1.0 - o.get("fallback_share", 0.0)


def _unit(d: dict, f: dict, m: int) -> float:
    """unit(f, m) of MODEL.md 6.1: one request served by the API option f."""
    w, rag, ov = d["workload"], d["rag"], d["overheads"]
    c = w["cacheable_share"] if f["prompt_caching"] else 0.0
    tin = w["input_tokens"] * (1 - f["prompt_reduction"]) + (rag["context_tokens"] if f["rag"] else 0.0)
    tout = w["output_tokens"] * (1 - f["output_reduction"])
    a = _row(d["api_models"], f["model"])
    p_cached = a["input"] if a["cached_input"] is None else a["cached_input"]
    fa = (1 + d["market"]["api_price_change_per_year"]) ** ((m - 1.0) / 12.0)
    tokens = fa * ((tin - c * tin) * a["input"] + c * tin * p_cached + tout * a["output"]) / 1e6
    return tokens + (rag["cost_per_query"] if f["rag"] else 0.0) + f["review_rate"] * ov["cost_per_review"]


def _gpu_count(q: float) -> int:
    """MODEL.md 6.0: a quotient a hair above a whole number is that number."""
    n = round(q)
    return n if n >= 1 and abs(q - n) <= 1e-12 * n else math.ceil(q)


def option_months(d: dict, o: dict) -> list[float]:
    """Monthly totals of one option, months 1..H (MODEL.md sections 2 and 6, line by line)."""
    w, mk, ov, t, rag = d["workload"], d["market"], d["overheads"], d["training"], d["rag"]
    H = d["horizon_months"]
    R0, g, D, P = w["requests_per_day"], w["growth_per_month"], w["days_per_month"], w["peak_to_average"]
    Tin, Tout = w["input_tokens"], w["output_tokens"]

    c = w["cacheable_share"] if o["prompt_caching"] else 0.0
    tin = Tin * (1 - o["prompt_reduction"]) + (rag["context_tokens"] if o["rag"] else 0.0)
    tout = Tout * (1 - o["output_reduction"])
    cached = c * tin
    uncached = tin - cached

    api = _row(d["api_models"], o["model"]) if o["serve"] == "api" else None
    gpu = _row(d["gpus"], o["gpu"]) if o["serve"] == "self_hosted" else None
    if api is not None:
        p_in, p_out = api["input"], api["output"]
        p_cached = api["input"] if api["cached_input"] is None else api["cached_input"]
    u = o["target_utilization"]
    if o["requests_per_second_per_gpu"] > 0:
        thr = o["requests_per_second_per_gpu"]
    elif tout > 0:
        thr = o["tokens_per_second_per_gpu"] / tout
    else:
        thr = math.inf

    t_gpu = _row(d["gpus"], t["gpu"]) if t["gpu"] else None
    training_run = t["gpus"] * t["hours_per_run"] * t_gpu["hourly"] if t_gpu else 0.0
    provider = o.get("train_on", "gpu") == "provider"
    if provider:  # MODEL.md 6.2: billed by the option's model row, drifting with API prices
        ex = t.get("tokens_per_example", 0) or (Tin + Tout)
        training_run = t["examples"] * ex * t.get("epochs", 3) * api.get("training_per_mtok", 0.0) / 1e6 + t[
            "hours_per_run"
        ] * api.get("training_per_hour", 0.0)
    pretraining = 0.0
    if o.get("pretrain", "none") != "none":  # MODEL.md 6.3
        pt = d["pretraining"]
        kp = _row(d["gpus"], pt["gpu"])
        tokens = o.get("pretrain_tokens", 0) or 20 * pt["params"]
        hours = pt["attempts"] * 6 * pt["params"] * tokens / (kp["bf16_tflops"] * 1e12 * pt["mfu"]) / 3600
        pretraining = hours * kp["hourly"]
    fallback = d["options"][baseline_index(d)]
    if o.get("fallback"):
        fallback = _row(d["options"], o["fallback"])
    adapts = o["fine_tune"] or o["distill"]
    if o["distill"]:
        teacher = _row(d["api_models"], o["teacher"])
        data = t["examples"] * (Tin * teacher["input"] + Tout * teacher["output"]) / 1e6
    else:
        labeling = max(0.0, t["examples"] - t["already_labeled"])
        data = labeling * ov["labeling_cost_per_example"] * (1 + ov["labeling_qa_overhead"])
    every = t["retrain_every_months"]

    out = []
    for m in range(1, H + 1):
        rpd = R0 * (1 + g) ** (m - 1.0)
        req = rpd * D
        fa = (1 + mk["api_price_change_per_year"]) ** ((m - 1.0) / 12.0)
        fg = (1 + mk["gpu_price_change_per_year"]) ** ((m - 1.0) / 12.0)
        s = _share(o, m)
        live = m >= o.get("go_live_month", 1)
        sreq = s * req
        if api is not None:
            inference = sreq * fa * (uncached * p_in + cached * p_cached + tout * p_out) / 1e6
        elif not live:
            inference = 0.0
        else:
            if o["hosting"] == "always_on":
                peak = s * rpd / 86400.0 * P
                gpus = max(o["min_gpus"], _gpu_count(peak / (thr * u)))
                hours = gpus * 24.0 * D
            else:
                hours = max(o["min_gpu_hours_per_month"], sreq / (thr * 3600.0 * u))
            inference = hours * gpu["hourly"] * fg
        retrieval = (
            sreq * rag["cost_per_query"] + (rag["fixed_monthly"] if live else 0.0) if o["rag"] else 0.0
        )
        review = sreq * o["review_rate"] * ov["cost_per_review"]
        people = o["ops_fte"] * ov["engineer_annual_cost"] / 12.0
        fixed = o["fixed_monthly"] if live else 0.0
        fall = (1 - s) * req * _unit(d, fallback, m) if s < 1 else 0.0
        one_time = 0.0
        if m == 1:
            one_time = o["setup_cost"]
            if adapts:
                one_time += t["runs"] * training_run + data + ov["eval_setup"]
        retrain = 0.0
        if adapts and every > 0 and m > 1 and (m - 1) % every == 0:
            retrain = training_run * (fa if provider else fg) + t["relabel_share"] * data
        pre = pretraining if m == 1 else 0.0
        out.append(inference + retrieval + review + people + fixed + one_time + retrain + fall + pre)
    return out


def monthly_totals(d: dict) -> list[list[float]]:
    return [option_months(d, o) for o in d["options"]]


def tcos(d: dict) -> list[float]:
    """Horizon TCO of every option, in scenario order."""
    return [sum(months) for months in monthly_totals(d)]


def breakeven_months(totals: list[list[float]], base: int | None) -> list[int | None]:
    """First month an option's cumulative cost is at most the baseline's (None for the baseline)."""
    if base is None:
        return [None] * len(totals)
    base_cum, acc = [], 0.0
    for v in totals[base]:
        acc += v
        base_cum.append(acc)
    out: list[int | None] = []
    for i, months in enumerate(totals):
        if i == base:
            out.append(None)
            continue
        acc, found = 0.0, None
        for m, v in enumerate(months):
            acc += v
            if acc <= base_cum[m]:
                found = m + 1
                break
        out.append(found)
    return out


# --- Monte Carlo, one draw at a time -----------------------------------------------------------------------
# The [uncertainty] ranges of MODEL.md's extension (README): uniform(low, high), triangular(low, mode,
# high), lognormal with low/high as 5th/95th percentiles; draws clipped to the input's schema bounds and
# rounded for whole-number inputs. Statistics as `workbench simulate` reports them.

_PATH = re.compile(r"^(?P<table>[a-z_]+)(?:\[(?P<row>[^\]]+)\])?\.(?P<field>[a-z_]+)$")
LOGNORMAL_Z = 1.6448536269514722  # the 95th percentile of the standard normal


def _split(path: str) -> tuple[str, str | None, str]:
    m = _PATH.match(path.strip())
    if m is None:
        raise ValueError(f"not an input path: {path!r}")
    return m["table"], (m["row"].strip() if m["row"] else None), m["field"]


def set_path(d: dict, path: str, value: float) -> None:
    """Set the input a path names: `workload.requests_per_day`, `options[NAME].review_rate`,
    `api_models[NAME].input`, `gpus[NAME].hourly`."""
    table, row, field = _split(path)
    if row is None:
        d[table][field] = value
    else:
        r = _row(d[table], row)
        if r is None:
            raise ValueError(f"{path!r}: no row {row!r} in {table}")
        r[field] = value


def bounds(path: str) -> tuple[float, float, bool]:
    """(lowest, highest, whole number) a path's field accepts, from the schema's field metadata."""
    from workbench.model import scenario as sc

    table, row, field = _split(path)
    model = sc.TABLES[table] if row is None else sc.LISTS[table]
    f = model.model_fields[field]
    lo, hi = -math.inf, math.inf
    for meta in f.metadata:
        if getattr(meta, "ge", None) is not None:
            lo = float(meta.ge)
        if getattr(meta, "gt", None) is not None:
            lo = float(meta.gt) + max(abs(float(meta.gt)), 1.0) * 1e-9
        if getattr(meta, "le", None) is not None:
            hi = float(meta.le)
        if getattr(meta, "lt", None) is not None:
            hi = float(meta.lt) - max(abs(float(meta.lt)), 1.0) * 1e-9
    ann = str(f.annotation)
    return lo, hi, "int" in ann and "float" not in ann


def draw(rng: random.Random, spec: dict) -> float:
    """One draw from {low, high, dist[, mode]}."""
    low, high = float(spec["low"]), float(spec["high"])
    dist = spec.get("dist") or "uniform"
    if low == high:
        return low
    if dist == "uniform":
        return rng.uniform(low, high)
    if dist == "triangular":
        mode = spec.get("mode")
        return rng.triangular(low, high, (low + high) / 2 if mode is None else float(mode))
    if dist == "lognormal":
        mu = (math.log(low) + math.log(high)) / 2
        sigma = (math.log(high) - math.log(low)) / (2 * LOGNORMAL_Z)
        return rng.lognormvariate(mu, sigma)
    raise ValueError(f"unknown distribution {dist!r}")


def _percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    n = len(sorted_values)
    pos = (n - 1) * q
    lo = int(math.floor(pos))
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _percentile_rank(sorted_values: list[int], q: float) -> int:
    """The smallest value with at least a share q of the values at or below it (inverted CDF)."""
    n = len(sorted_values)
    return sorted_values[max(0, math.ceil(q * n) - 1)]


def monte_carlo(d: dict, draws: int, seed: int = 0, values: list[dict] | None = None) -> dict:
    """Every draw: set the uncertain inputs of `d["uncertainty"]`, compute every option's months, tally.

    `values`, when given, is the list of draws to use ({path: value} per draw) instead of sampling, so a
    test can feed the engine's own draws in and compare the figures. Returns, per option, P10/P50/P90
    and the mean of the TCO, the probability of being the cheapest, and the breakeven month (counts per
    month, draws that never pay back, P10/P50/P90 with "never" as None).
    """
    rng = random.Random(seed)
    ranges = d.get("uncertainty") or {}
    limits = {path: bounds(path) for path in ranges}
    names = [o["name"] for o in d["options"]]
    H = d["horizon_months"]
    base = baseline_index(d)
    tco_samples: list[list[float]] = [[] for _ in names]
    cheapest = [0] * len(names)
    first_months: list[list[int]] = [[] for _ in names]
    n = len(values) if values is not None else draws
    for k in range(n):
        if values is not None:
            sample = values[k]
        else:
            sample = {}
            for path, spec in ranges.items():
                lo, hi, whole = limits[path]
                v = draw(rng, spec)
                if whole:
                    v = math.floor(v + 0.5)
                sample[path] = min(max(v, lo), hi)
        for path, v in sample.items():
            set_path(d, path, v)
        totals = monthly_totals(d)
        tco = [sum(t) for t in totals]
        for i, x in enumerate(tco):
            tco_samples[i].append(x)
        cheapest[min(range(len(tco)), key=tco.__getitem__)] += 1
        for i, bm in enumerate(breakeven_months(totals, base)):
            if i != base:
                first_months[i].append(H + 1 if bm is None else bm)
    out: dict = {"draws": n, "options": {}}
    for i, name in enumerate(names):
        xs = sorted(tco_samples[i])
        st = {
            "p10": _percentile(xs, 0.10),
            "p50": _percentile(xs, 0.50),
            "p90": _percentile(xs, 0.90),
            "mean": sum(xs) / n,
            "p_cheapest": cheapest[i] / n,
            "breakeven_month": None,
        }
        if i != base and base is not None:
            months = sorted(first_months[i])
            counts = [0] * H
            for mth in months:
                if mth <= H:
                    counts[mth - 1] += 1
            q = [_percentile_rank(months, x) for x in (0.10, 0.50, 0.90)]
            st["breakeven_month"] = {
                "p10": q[0] if q[0] <= H else None,
                "p50": q[1] if q[1] <= H else None,
                "p90": q[2] if q[2] <= H else None,
                "never": n - sum(counts),
                "counts": counts,
            }
        out["options"][name] = st
    return out
