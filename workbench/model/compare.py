"""Side-by-side comparison of several analysed scenarios: the rows of the Compare tab.

Each row is one fact (an input or a result) with one formatted value per scenario and a flag per value
saying whether it differs from the first scenario's. A value differs when its displayed text differs:
inputs are formatted exactly (20,000 not 20k; $2.50 not $2.5), so a change in an input always shows,
while results are shown in short money ($102k) and flagged only when the difference is visible.
Options, API models and GPUs are matched by name; a name missing from a scenario shows "—".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from workbench.model import fmt, inputs

if TYPE_CHECKING:
    from workbench.model.engine import OptionResult
    from workbench.model.report import Analysis
    from workbench.model.scenario import Scenario

MISSING = "—"

__all__ = ["MISSING", "compare_rows", "differing_rows", "title"]


def _exact_number(x: float) -> str:
    """20,000 / 1,500 / 0.5 / 2.75: exact enough that different inputs never look the same."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6f}".rstrip("0").rstrip(".")


def _exact_money(x: float | None, currency: str, cents: bool = False) -> str:
    """$250,000 / $2.50 / $0.0005: an input price, shown as entered (`cents`: $10.00, not $10)."""
    if x is None or not math.isfinite(x):
        return MISSING
    sym = fmt._SYMBOLS.get(currency, "")
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a == int(a) and not cents:
        body = f"{int(a):,}"
    elif a >= 0.01 and round(a, 2) == a:
        body = f"{a:,.2f}"
    else:
        body = f"{a:,.6f}".rstrip("0").rstrip(".")
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"


def _pct(x: float) -> str:
    v = x * 100
    return f"{v:.6f}".rstrip("0").rstrip(".") + "%"


def _yes(b: bool) -> str:
    return "yes" if b else "no"


def _row(group: str, key: str, label: str, values: list[str]) -> dict:
    first = values[0] if values else None
    return {
        "group": group,
        "key": key,
        "label": label,
        "values": values,
        "differs": [i > 0 and v != first for i, v in enumerate(values)],
    }


def _union(lists: Sequence[Sequence[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for names in lists:
        for n in names:
            seen.setdefault(n, None)
    return list(seen)


Show = Callable[[int], str]  # the value of a row for scenario i, formatted


def compare_rows(items: Sequence[tuple[str, Analysis]]) -> list[dict]:
    """Rows for the Compare tab: key inputs, then prices, then results, one value per scenario.

    Each row is a dict: group ("Inputs", "Prices", "Results", "TCO", "Month 1", "Breakeven", "Pre-training"
    where an option pre-trains), key (a
    stable id such as "workload.requests_per_day" or "tco:API + prompting"), label, values (formatted
    strings, one per item, "—" where the scenario lacks the option, model or GPU) and differs (one bool
    per item: the value's text differs from the first item's; always False for the first).
    """
    analyses = [a for _, a in items]
    if not analyses:
        return []
    scen = [a.scenario for a in analyses]
    specs = _key_inputs(scen)
    shown = {key for _, key, _, _ in specs}
    specs += _other_inputs(scen, shown)
    specs += _prices(scen)
    specs += _results(analyses)
    specs += _per_option(analyses)
    return [_row(group, key, label, [show(i) for i in range(len(scen))]) for group, key, label, show in specs]


Spec = tuple[str, str, str, Show]  # (group, key, label, value of scenario i)


def title(path: str) -> str:
    """A scenario field's title: what explanations and sensitivity call it (workbench.model.inputs), else
    its name in words ('Consistency target' for requirements.consistency_target)."""
    table, name = path.split(".")
    label = inputs.path_label(table, name)
    if label is None:
        label = name.removesuffix("_ms").replace("_", " ")
    label = label.split(" (")[0]  # "retrain every (months)": the value says its unit
    return label[0].upper() + label[1:]


def _key_inputs(scen: list[Scenario]) -> list[Spec]:
    """The inputs a reader compares first, each formatted exactly."""

    def field(path: str, show: Callable[[Any, Scenario], str]) -> Spec:
        table, name = path.split(".")
        return ("Inputs", path, title(path), lambda i: show(getattr(getattr(scen[i], table), name), scen[i]))

    def number(x: float, s: Scenario) -> str:
        return _exact_number(x)

    def share(x: float, s: Scenario) -> str:
        return _pct(x)

    def yes(x: bool, s: Scenario) -> str:
        return _yes(x)

    def money(x: float, s: Scenario) -> str:
        return _exact_money(x, s.currency)

    return [
        ("Inputs", "name", "Scenario name", lambda i: scen[i].name),
        ("Inputs", "currency", "Currency", lambda i: scen[i].currency),
        ("Inputs", "horizon_months", "Horizon", lambda i: f"{scen[i].horizon_months} months"),
        field("workload.requests_per_day", number),
        field("workload.input_tokens", number),
        field("workload.output_tokens", number),
        field("workload.cacheable_share", share),
        field("workload.growth_per_month", share),
        field("workload.peak_to_average", lambda x, s: _exact_number(x) + "×"),
        field("market.api_price_change_per_year", share),
        field("market.gpu_price_change_per_year", share),
        field("requirements.consistency_target", share),
        field("requirements.needs_proprietary_data", yes),
        field("requirements.data_must_stay_on_prem", yes),
        field(
            "requirements.latency_target_ms",
            lambda x, s: f"{_exact_number(x)} ms" if x else "none",
        ),
        field("overheads.engineer_annual_cost", money),
        field("training.examples", number),
        field("training.retrain_every_months", lambda x, s: f"{x} months" if x else "never"),
        ("Inputs", "options", "Number of options", lambda i: str(len(scen[i].options))),
    ]


def _other_inputs(scen: list[Scenario], shown: set[str]) -> list[Spec]:
    """Every other input that differs, found by the function behind `workbench diff` (prices have their
    own rows)."""
    from workbench.model import diff

    flat = [diff.flatten(s) for s in scen]

    def value(path: str) -> Show:
        return lambda i: diff.show(flat[i][path]) if path in flat[i] else MISSING

    def priced(path: str) -> bool:  # a price the Prices rows show
        return (
            path.startswith("api_models[")
            and path.endswith(("].input", "].output", "].cached_input"))
            or (path.startswith("gpus[") and path.endswith("].hourly"))
        )

    # A row added or removed as a whole shows in Prices; its other fields (training prices, a GPU's BF16
    # peak) are inputs like any other.
    return [
        ("Inputs", path, path, value(path))
        for path in diff.changed_paths(scen)
        if path not in shown
        and not priced(path)
        and not (path.startswith(("api_models[", "gpus[")) and path.endswith("]"))
    ]


def _prices(scen: list[Scenario]) -> list[Spec]:
    """API model and GPU prices, matched by row name."""

    def api_price(i: int, name: str) -> str:
        model = scen[i].api_model(name)
        if model is None:
            return MISSING
        c = scen[i].currency
        return (
            f"{_exact_money(model.input, c, True)} / {_exact_money(model.output, c, True)}"
            f" / {_exact_money(model.cached_price, c, True)}"
        )

    def gpu_price(i: int, name: str) -> str:
        gpu = scen[i].gpu(name)
        return MISSING if gpu is None else f"{_exact_money(gpu.hourly, scen[i].currency, True)}/h"

    models = _union([[a.name for a in s.api_models] for s in scen])
    gpus = _union([[g.name for g in s.gpus] for s in scen])
    return [
        *(
            ("Prices", f"api:{n}", f"{n} in/out/cached per 1M", lambda i, n=n: api_price(i, n))
            for n in models
        ),
        *(("Prices", f"gpu:{n}", f"{n} per GPU-hour", lambda i, n=n: gpu_price(i, n)) for n in gpus),
    ]


def _results(analyses: list[Analysis]) -> list[Spec]:
    """The headline results: recommendation, baseline, cheapest option and its TCO, risks."""

    def recommendation(i: int) -> str:
        rec = analyses[i].ladder.recommendation
        return f"step {rec.step}: {rec.option}" if rec.option else f"step {rec.step}"

    def best_tco(i: int) -> str:
        r = analyses[i].results
        o = r.option(r.cheapest) if r.cheapest else None
        return fmt.money(o.tco, analyses[i].scenario.currency) if o else MISSING

    def risks(i: int) -> str:
        flagged = [r for r in analyses[i].risks if r.flagged]
        open_ = sum(1 for r in flagged if not r.mitigated)
        return f"{len(flagged)} flagged, {open_} open"

    return [
        ("Results", "recommendation", "Recommendation", recommendation),
        ("Results", "baseline", "Baseline", lambda i: analyses[i].results.baseline or MISSING),
        (
            "Results",
            "cheapest",
            "Cheapest over the horizon",
            lambda i: analyses[i].results.cheapest or MISSING,
        ),
        ("Results", "cheapest_tco", "Lowest TCO", best_tco),
        ("Results", "risks", "Risks", risks),
    ]


def _volume(o: OptionResult) -> str:
    if o.is_baseline:
        return "baseline"
    v = o.breakeven_requests_per_day
    if v is None:
        return "never"
    return "any volume" if v == 0 else f"{fmt.count(round(v) if v >= 100 else v)}/day"


def _per_option(analyses: list[Analysis]) -> list[Spec]:
    """One row per option name (matched across the scenarios) for TCO, month 1 and the breakevens."""
    currency = [a.scenario.currency for a in analyses]
    figures: list[tuple[str, str, str, Callable[[int, OptionResult], str]]] = [
        ("TCO", "tco", "TCO", lambda i, o: fmt.money(o.tco, currency[i])),
        ("Month 1", "month1", "Month 1", lambda i, o: fmt.money(o.month1, currency[i])),
        (
            "Breakeven",
            "breakeven_month",
            "Pays back",
            lambda i, o: "baseline" if o.is_baseline else fmt.months(o.breakeven_month),
        ),
        ("Breakeven", "breakeven_volume", "Cheaper from", lambda i, o: _volume(o)),
    ]
    names = _union([[o.name for o in a.results.options] for a in analyses])
    # Pre-training compute (docs/model.md 6.3), for the options that pre-train in some scenario.
    pretrained = [
        n
        for n in names
        if any((o := a.results.option(n)) is not None and o.pretrain_gpu_hours is not None for a in analyses)
    ]

    def hours(i: int, o: OptionResult) -> str:
        return "none" if o.pretrain_gpu_hours is None else f"{o.pretrain_gpu_hours:,.0f} GPU-h"

    def value(name: str, show: Callable[[int, OptionResult], str]) -> Show:
        def get(i: int) -> str:
            o = analyses[i].results.option(name)
            return MISSING if o is None else show(i, o)

        return get

    return [
        (group, f"{key}:{name}", f"{label} · {name}", value(name, show))
        for group, key, label, show in figures
        for name in names
    ] + [
        ("Pre-training", f"pretrain_gpu_hours:{n}", f"Pre-training · {n}", value(n, hours))
        for n in pretrained
    ]


def differing_rows(rows: Sequence[dict]) -> list[dict]:
    """Only the rows where some scenario differs from the first."""
    return [r for r in rows if any(r["differs"])]
