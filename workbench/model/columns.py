"""Where each input column of the engine comes from in a scenario, and the paths that name them.

The engine flattens a scenario into one row per option with every input as a column (`engine.inputs`).
Sensitivity and Monte Carlo vary those columns directly, in a batch of variants, instead of building
scenarios; this module maps a scenario input, named by a path, to the (option row, column) cells it
feeds. Paths:

    workload.requests_per_day            a field of a scenario table (every option's row)
    options[Fine-tuned 8B].review_rate   a field of one option (that option's row)
    api_models[GPT-4o].input             a price (the rows of options that use the model)
    gpus[H100 PCIe].hourly               a GPU price (options served on it, and training on it)

The columns themselves are rows of workbench.model.inputs; parsing and checking a path is part of the
schema (workbench.model.scenario), which validates the `[uncertainty]` keys with it.
"""

from __future__ import annotations

from workbench.model import inputs
from workbench.model.inputs import API_FIELDS, GPU_FIELDS, OPTION_COLUMNS, SCENARIO_COLUMNS
from workbench.model.scenario import (
    LOGNORMAL_Z,
    Bounds,
    Option,
    Path,
    PathError,
    Scenario,
    bounds,
    check,
    field_model,
    parse,
    row_name,
)

OPTION_FIELDS = {v: k for k, v in OPTION_COLUMNS.items()}


def value(s: Scenario, p: Path) -> float:
    """The scenario's own value of an input (a cached price left absent reads as the input price)."""
    if p.row is None:
        return float(getattr(getattr(s, p.table), p.field))
    if p.table == "options":
        return float(getattr(next(o for o in s.options if o.name == p.row), p.field))
    if p.table == "api_models":
        m = s.api_model(p.row)
        if m is not None:
            return float(m.cached_price if p.field == "cached_input" else getattr(m, p.field))
    elif (g := s.gpu(p.row)) is not None:
        return float(g.hourly)
    raise PathError(f"{str(p)!r}: no [[{p.table}]] row named {p.row!r}")


def cells(s: Scenario, p: Path) -> list[tuple[int, str]]:
    """The (option index, column) cells of `engine.inputs(s)` that this input feeds."""
    n = len(s.options)
    if p.row is None:
        col = next(c for c, path in SCENARIO_COLUMNS.items() if path == str(p))
        return [(i, col) for i in range(n)]
    if p.table == "options":
        return [(i, OPTION_FIELDS[p.field]) for i, o in enumerate(s.options) if o.name == p.row]
    model = s.api_model(p.row) if p.table == "api_models" else None
    # An absent cached price is the input price: the input then feeds the cached column too.
    absent_cached = model is not None and model.cached_input is None
    out: list[tuple[int, str]] = []
    # The option's own rows first (model, teacher, GPU), then the training GPU every option pays for.
    for rows in ([i for i in inputs.INPUTS if i.source != "training_gpu"], inputs.FROM_TRAINING_GPU):
        for k, o in enumerate(s.options):
            for i in rows:
                if inputs.ROW_TABLES.get(i.source) != p.table or row_name(s, o, i.source) != p.row:
                    continue
                if i.field == p.field or (i.field == "cached_input" and p.field == "input" and absent_cached):
                    out.append((k, i.col))
    return out


def label(p: Path) -> str:
    """A short human name: 'requests/day', 'review rate (API + prompting)', 'GPT-4o input price'."""
    if p.table == "options":
        return f"{inputs.path_label(p.table, p.field) or p.field.replace('_', ' ')} ({p.row})"
    if p.table in ("api_models", "gpus"):
        return f"{p.row} {inputs.path_label(p.table, p.field) or p.field}"
    return inputs.path_label(p.table, p.field) or p.field.replace("_", " ")


def relevant_option_fields(o: Option) -> list[str]:
    """The option fields that enter its costs (a throughput field of an API option does not)."""
    out = ["prompt_reduction", "output_reduction", "review_rate", "ops_fte", "fixed_monthly", "setup_cost"]
    if o.rolls_out:
        out += ["go_live_month", "fallback_share"]
    if o.pretrains:
        out.append("pretrain_tokens")
    if o.is_self_hosted:
        out += (
            ["requests_per_second_per_gpu"]
            if o.requests_per_second_per_gpu > 0
            else ["tokens_per_second_per_gpu"]
        )
        out += ["min_gpus"] if o.always_on else ["min_gpu_hours_per_month"]
        out.append("target_utilization")
    return out


def _scenario_path_matters(path: str, chosen: list[Option]) -> bool:
    """Version-2 tables feed only the options that use them: provider training reads [training].epochs
    and tokens_per_example; pre-training reads [pretraining] (whose `gpus` sets only the wall clock)."""
    if path in ("training.epochs", "training.tokens_per_example"):
        return any(o.by_provider and o.adapts for o in chosen)
    if path == "pretraining.gpus":
        return False
    if path.startswith("pretraining."):
        return any(o.pretrains for o in chosen)
    return True


def input_paths(s: Scenario, options: list[int] | None = None) -> list[Path]:
    """Every numeric input of the cost formulas that matters for the given options (default: all)."""
    idx = list(range(len(s.options))) if options is None else options
    chosen = [s.options[i] for i in idx]
    out = [parse(p) for p in SCENARIO_COLUMNS.values() if _scenario_path_matters(p, chosen)]
    for o in chosen:
        out += [Path("options", o.name, f) for f in relevant_option_fields(o)]
    seen: set[str] = set()
    for o in chosen:
        sources: tuple[inputs.Source, ...] = ("api_model", "teacher")
        for source in sources:
            model = row_name(s, o, source)
            row = s.api_model(model)
            if not model or row is None:
                continue
            for f in (i.field for i in inputs.INPUTS if i.source == source):
                if f == "cached_input" and (not o.prompt_caching or row.cached_input is None):
                    continue
                if f.startswith("training_per_") and not (source == "api_model" and o.by_provider):
                    continue
                key = f"{model}.{f}"
                if key not in seen:
                    seen.add(key)
                    out.append(Path("api_models", model, f))
        if o.is_self_hosted and o.gpu and f"gpu:{o.gpu}" not in seen:
            seen.add(f"gpu:{o.gpu}")
            out.append(Path("gpus", o.gpu, "hourly"))
    if s.training.gpu and f"gpu:{s.training.gpu}" not in seen and any(o.adapts for o in chosen):
        out.append(Path("gpus", s.training.gpu, "hourly"))
    return out


__all__ = [
    "API_FIELDS",
    "GPU_FIELDS",
    "LOGNORMAL_Z",
    "OPTION_COLUMNS",
    "Bounds",
    "Path",
    "PathError",
    "SCENARIO_COLUMNS",
    "bounds",
    "cells",
    "check",
    "field_model",
    "input_paths",
    "label",
    "parse",
    "value",
]


# --- [uncertainty] keys follow the rows they name ------------------------------------------------------


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
