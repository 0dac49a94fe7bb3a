"""Where each input column of the engine comes from in a scenario, and the paths that name them.

The engine flattens a scenario into one row per option with every input as a column (`engine.inputs`).
Sensitivity and Monte Carlo vary those columns directly, in a batch of variants, instead of building
scenarios; this module maps a scenario input, named by a path, to the (option row, column) cells it
feeds. Paths:

    workload.requests_per_day            a field of a scenario table (every option's row)
    options[Fine-tuned 8B].review_rate   a field of one option (that option's row)
    api_models[GPT-4o].input             a price (the rows of options that use the model)
    gpus[H100 PCIe].hourly               a GPU price (options served on it, and training on it)

No polars here, so the schema can validate `[uncertainty]` keys without importing the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel

    from workbench.model.scenario import Scenario

# Every input column the formulas read that comes from one scenario field (same value on every row).
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
# Input columns that come from a field of the option itself.
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
OPTION_FIELDS = {v: k for k, v in OPTION_COLUMNS.items()}
API_FIELDS = ("input", "output", "cached_input")
GPU_FIELDS = ("hourly",)

_PATH = re.compile(r"^(?P<table>[a-z_]+)(?:\[(?P<row>[^\]]+)\])?\.(?P<field>[a-z_]+)$")


class PathError(ValueError):
    """A path that names no input of the cost formulas; the message says what would."""


@dataclass(frozen=True)
class Path:
    table: str  # "workload", ..., "options", "api_models", "gpus"
    row: str | None  # the row's name for list tables
    field: str

    def __str__(self) -> str:
        return (
            f"{self.table}[{self.row}].{self.field}" if self.row is not None else f"{self.table}.{self.field}"
        )


def parse(path: str) -> Path:
    m = _PATH.match(path.strip())
    if not m:
        raise PathError(
            f"{path!r} is not an input path (like workload.requests_per_day, options[NAME].review_rate, "
            "api_models[NAME].input or gpus[NAME].hourly)"
        )
    return Path(m["table"], m["row"].strip() if m["row"] else None, m["field"])


def field_model(p: Path) -> type[BaseModel]:
    from workbench.model import scenario as sc

    if p.row is None:
        if p.table in sc.TABLES:
            return sc.TABLES[p.table]
    elif p.table in ("options", "api_models", "gpus"):
        return sc.LISTS[p.table]
    raise PathError(f"{str(p)!r}: no table {p.table!r} with rows named like that")


def check(s: Scenario, path: str) -> Path:
    """Parse a path and check that it names a numeric input of the cost formulas in this scenario."""
    p = parse(path)
    model = field_model(p)
    if p.field not in model.model_fields:
        import difflib

        hint = difflib.get_close_matches(p.field, list(model.model_fields), n=1)
        raise PathError(f"{path!r}: no field {p.field!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    if p.row is None:
        if str(p) not in SCENARIO_COLUMNS.values():
            raise PathError(f"{path!r} is not a number the cost formulas read")
        return p
    if p.table == "options":
        if s.options and not any(o.name == p.row for o in s.options):
            raise PathError(f"{path!r}: no option named {p.row!r}")
        if p.field not in OPTION_FIELDS:
            raise PathError(f"{path!r}: {p.field} is not a number the cost formulas read")
    elif p.table == "api_models":
        if s.api_model(p.row) is None:
            raise PathError(f"{path!r}: no [[api_models]] row named {p.row!r}")
        if p.field not in API_FIELDS:
            raise PathError(f"{path!r}: {p.field} is not a price")
    elif p.table == "gpus":
        if s.gpu(p.row) is None:
            raise PathError(f"{path!r}: no [[gpus]] row named {p.row!r}")
        if p.field not in GPU_FIELDS:
            raise PathError(f"{path!r}: {p.field} is not a price")
    return p


def value(s: Scenario, p: Path) -> float:
    """The scenario's own value of an input (a cached price left absent reads as the input price)."""
    if p.row is None:
        return float(getattr(getattr(s, p.table), p.field))
    if p.table == "options":
        return float(getattr(next(o for o in s.options if o.name == p.row), p.field))
    if p.table == "api_models":
        m = s.api_model(p.row)
        return float(m.cached_price if p.field == "cached_input" else getattr(m, p.field))
    return float(s.gpu(p.row).hourly)


def cells(s: Scenario, p: Path) -> list[tuple[int, str]]:
    """The (option index, column) cells of `engine.inputs(s)` that this input feeds."""
    n = len(s.options)
    if p.row is None:
        col = next(c for c, path in SCENARIO_COLUMNS.items() if path == str(p))
        return [(i, col) for i in range(n)]
    if p.table == "options":
        return [(i, OPTION_FIELDS[p.field]) for i, o in enumerate(s.options) if o.name == p.row]
    out: list[tuple[int, str]] = []
    if p.table == "api_models":
        model = s.api_model(p.row)
        for i, o in enumerate(s.options):
            if o.serve == "api" and o.model == p.row:
                if p.field == "input":
                    out.append((i, "p_in"))
                    if model.cached_input is None:
                        out.append((i, "p_cached"))  # an absent cached price is the input price
                elif p.field == "output":
                    out.append((i, "p_out"))
                else:
                    out.append((i, "p_cached"))
            if o.distill and o.teacher == p.row:
                if p.field == "input":
                    out.append((i, "teach_in"))
                elif p.field == "output":
                    out.append((i, "teach_out"))
        return out
    for i, o in enumerate(s.options):
        if o.serve == "self_hosted" and o.gpu == p.row:
            out.append((i, "hourly"))
    if s.training.gpu == p.row:
        out += [(i, "t_hourly") for i in range(n)]
    return out


@dataclass(frozen=True)
class Bounds:
    low: float | None
    high: float | None
    low_open: bool
    high_open: bool
    integer: bool

    def clamp(self, x: float) -> float:
        if self.low is not None:
            floor = self.low if not self.low_open else self.low + max(abs(self.low), 1.0) * 1e-9
            x = max(x, floor)
        if self.high is not None:
            ceiling = self.high if not self.high_open else self.high - max(abs(self.high), 1.0) * 1e-9
            x = min(x, ceiling)
        return x

    def contains(self, x: float) -> bool:
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        if self.high is not None and (x > self.high or (self.high_open and x == self.high)):
            return False
        return True

    def text(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '<='} {self.high:g}")
        return ", ".join(parts)


def bounds(p: Path) -> Bounds:
    """The schema's bounds of the field a path names (for clamping varied values)."""
    model = field_model(p)
    f = model.model_fields[p.field]
    low = high = None
    low_open = high_open = False
    for meta in f.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            v = getattr(meta, attr, None)
            if v is None:
                continue
            if attr in ("ge", "gt"):
                low, low_open = float(v), attr == "gt"
            else:
                high, high_open = float(v), attr == "lt"
    ann = str(f.annotation)
    integer = "int" in ann and "float" not in ann
    return Bounds(low, high, low_open, high_open, integer)


SCENARIO_LABELS: dict[str, str] = {
    "workload.requests_per_day": "requests/day",
    "workload.growth_per_month": "growth/month",
    "workload.days_per_month": "days/month",
    "workload.peak_to_average": "peak/average traffic",
    "workload.input_tokens": "input tokens/request",
    "workload.output_tokens": "output tokens/request",
    "workload.cacheable_share": "cacheable share",
    "market.api_price_change_per_year": "API price change/year",
    "market.gpu_price_change_per_year": "GPU price change/year",
    "overheads.engineer_annual_cost": "engineer cost/year",
    "overheads.cost_per_review": "cost per review",
    "overheads.labeling_cost_per_example": "labeling cost/example",
    "overheads.labeling_qa_overhead": "labeling QA overhead",
    "overheads.eval_setup": "eval harness setup",
    "training.gpus": "training GPUs/run",
    "training.hours_per_run": "training hours/run",
    "training.runs": "training runs",
    "training.examples": "training examples",
    "training.already_labeled": "examples already labeled",
    "training.retrain_every_months": "retrain every (months)",
    "training.relabel_share": "relabel share",
    "rag.context_tokens": "RAG context tokens",
    "rag.cost_per_query": "retrieval cost/query",
    "rag.fixed_monthly": "retrieval fixed/month",
}
OPTION_LABELS: dict[str, str] = {
    "prompt_reduction": "prompt reduction",
    "output_reduction": "output reduction",
    "review_rate": "review rate",
    "ops_fte": "ops FTE",
    "fixed_monthly": "fixed/month",
    "setup_cost": "setup cost",
    "tokens_per_second_per_gpu": "tokens/s per GPU",
    "requests_per_second_per_gpu": "requests/s per GPU",
    "min_gpus": "min GPUs",
    "min_gpu_hours_per_month": "min GPU-hours/month",
    "target_utilization": "target utilization",
}


def label(p: Path) -> str:
    """A short human name: 'requests/day', 'review rate (API + prompting)', 'GPT-4o input price'."""
    if p.table == "options":
        return f"{OPTION_LABELS.get(p.field, p.field.replace('_', ' '))} ({p.row})"
    if p.table == "api_models":
        return f"{p.row} " + {
            "input": "input price",
            "output": "output price",
            "cached_input": "cached price",
        }.get(p.field, p.field)
    if p.table == "gpus":
        return f"{p.row} price/GPU-hour"
    return SCENARIO_LABELS.get(str(p), p.field.replace("_", " "))


def relevant_option_fields(o) -> list[str]:
    """The option fields that enter its costs (a throughput field of an API option does not)."""
    out = ["prompt_reduction", "output_reduction", "review_rate", "ops_fte", "fixed_monthly", "setup_cost"]
    if o.serve == "self_hosted":
        out += (
            ["requests_per_second_per_gpu"]
            if o.requests_per_second_per_gpu > 0
            else ["tokens_per_second_per_gpu"]
        )
        out += ["min_gpus"] if o.hosting == "always_on" else ["min_gpu_hours_per_month"]
        out.append("target_utilization")
    return out


def input_paths(s: Scenario, options: list[int] | None = None) -> list[Path]:
    """Every numeric input of the cost formulas that matters for the given options (default: all)."""
    idx = list(range(len(s.options))) if options is None else options
    chosen = [s.options[i] for i in idx]
    out = [parse(p) for p in SCENARIO_COLUMNS.values()]
    for o in chosen:
        out += [Path("options", o.name, f) for f in relevant_option_fields(o)]
    seen: set[str] = set()
    for o in chosen:
        for model, fields in (
            (o.model if o.serve == "api" else None, ("input", "output", "cached_input")),
            (o.teacher if o.distill else None, ("input", "output")),
        ):
            if model and s.api_model(model) is not None:
                for f in fields:
                    if f == "cached_input" and (
                        not o.prompt_caching or s.api_model(model).cached_input is None
                    ):
                        continue
                    key = f"{model}.{f}"
                    if key not in seen:
                        seen.add(key)
                        out.append(Path("api_models", model, f))
        if o.serve == "self_hosted" and o.gpu and f"gpu:{o.gpu}" not in seen:
            seen.add(f"gpu:{o.gpu}")
            out.append(Path("gpus", o.gpu, "hourly"))
    if s.training.gpu and f"gpu:{s.training.gpu}" not in seen and any(o.adapts for o in chosen):
        out.append(Path("gpus", s.training.gpu, "hourly"))
    return out


__all__ = [
    "OPTION_COLUMNS",
    "Path",
    "PathError",
    "SCENARIO_COLUMNS",
    "bounds",
    "cells",
    "check",
    "input_paths",
    "label",
    "parse",
    "value",
]


# --- [uncertainty] ------------------------------------------------------------------------------------

LOGNORMAL_Z = 1.6448536269514722  # low and high of a lognormal range are its 5th and 95th percentiles


def uncertainty_problems(s: Scenario) -> list[tuple[tuple, str, str]]:
    """Cross-checks of the [uncertainty] table: each key names an input, each range is well formed."""
    out: list[tuple[tuple, str, str]] = []
    for key, r in s.uncertainty.items():
        loc = ("uncertainty", key)
        try:
            p = check(s, key)
        except PathError as exc:
            out.append((loc, str(exc), "an input path such as workload.requests_per_day"))
            continue
        b = bounds(p)
        for name in ("low", "high", "mode"):
            v = getattr(r, name)
            if v is not None and not b.contains(v):
                out.append(((*loc, name), f"{v:g} is outside the input's bounds", b.text()))
        if r.low > r.high:
            out.append(((*loc, "low"), f"low {r.low:g} is above high {r.high:g}", "low <= high"))
        elif r.mode is not None and not r.low <= r.mode <= r.high:
            out.append(
                ((*loc, "mode"), f"mode {r.mode:g} is outside low..high", f"{r.low:g} <= mode <= {r.high:g}")
            )
        if r.dist == "lognormal" and r.low <= 0:
            out.append(((*loc, "low"), "a lognormal range needs low > 0", "low > 0, or dist = 'uniform'"))
    out.extend(_capacity_problems(s))
    return out


# Inputs whose range can lower a self-hosted GPU's capacity, and the end of the range that lowers it.
_CAPACITY_INPUTS = {
    "tokens_per_second_per_gpu": "low",
    "requests_per_second_per_gpu": "low",
    "target_utilization": "low",
    "output_reduction": "low",
}


def _capacity_problems(s: Scenario) -> list[tuple[tuple, str, str]]:
    """A range may not take a self-hosted option below the throughput floor the scenario itself must meet
    (scenario.MIN_CAPACITY): a draw there would need an infinite number of GPUs."""
    from workbench.model.scenario import MIN_CAPACITY, _capacity

    out: list[tuple[tuple, str, str]] = []
    ranges = s.uncertainty
    w_key = "workload.output_tokens"
    workload = s.workload
    if w_key in ranges:
        workload = workload.model_copy(update={"output_tokens": ranges[w_key].high})
    for o in s.options:
        if o.serve != "self_hosted":
            continue
        worst, keys = {}, []
        for field, end in _CAPACITY_INPUTS.items():
            key = f"options[{o.name}].{field}"
            if key in ranges:
                worst[field] = getattr(ranges[key], end)
                keys.append((key, end))
        if w_key in ranges:
            keys.append((w_key, "high"))
        if not keys or _capacity(o.model_copy(update=worst), workload) >= MIN_CAPACITY:
            continue
        for key, end in keys:
            out.append(
                (
                    ("uncertainty", key, end),
                    f"at its {end} end, {o.name!r} serves under one request per GPU in 30 years",
                    f"a range that keeps throughput × target_utilization at least {MIN_CAPACITY:g} requests/s per GPU",
                )
            )
    return out


def rename_in_uncertainty(data: dict, table: str, old: str, new: str) -> None:
    """Renaming an option, model or GPU row renames the [uncertainty] keys that name it."""
    ranges = data.get("uncertainty")
    if not ranges or old == new or not isinstance(new, str):
        return
    prefix, renamed = f"{table}[{old}].", {}
    for key, value in ranges.items():
        renamed[f"{table}[{new}]." + key[len(prefix) :] if key.startswith(prefix) else key] = value
    data["uncertainty"] = renamed


def drop_from_uncertainty(data: dict, table: str, name: str) -> None:
    """Deleting a row deletes the [uncertainty] ranges that name it (they describe nothing any more)."""
    ranges = data.get("uncertainty")
    if ranges and isinstance(name, str):
        prefix = f"{table}[{name}]."
        data["uncertainty"] = {k: v for k, v in ranges.items() if not k.startswith(prefix)}
