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
from typing import TYPE_CHECKING

from workbench.model import fmt

if TYPE_CHECKING:
    from workbench.model.report import Analysis

MISSING = "—"

__all__ = ["MISSING", "compare_rows", "differing_rows"]


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


def compare_rows(items: Sequence[tuple[str, Analysis]]) -> list[dict]:
    """Rows for the Compare tab: key inputs, then prices, then results, one value per scenario.

    Each row is a dict: group ("Inputs", "Prices", "Results", "TCO", "Month 1", "Breakeven"), key (a
    stable id such as "workload.requests_per_day" or "tco:API + prompting"), label, values (formatted
    strings, one per item, "—" where the scenario lacks the option, model or GPU) and differs (one bool
    per item: the value's text differs from the first item's; always False for the first).
    """
    items = list(items)
    if not items:
        return []
    scen = [a.scenario for _, a in items]
    res = [a.results for _, a in items]
    rows: list[dict] = []

    def add(group: str, key: str, label: str, get: Callable[[int], str]) -> None:
        rows.append(_row(group, key, label, [get(i) for i in range(len(items))]))

    # Inputs
    add("Inputs", "name", "Scenario name", lambda i: scen[i].name)
    add("Inputs", "currency", "Currency", lambda i: scen[i].currency)
    add("Inputs", "horizon_months", "Horizon", lambda i: f"{scen[i].horizon_months} months")
    w = [s.workload for s in scen]
    add(
        "Inputs",
        "workload.requests_per_day",
        "Requests/day (month 1)",
        lambda i: _exact_number(w[i].requests_per_day),
    )
    add("Inputs", "workload.input_tokens", "Input tokens/request", lambda i: _exact_number(w[i].input_tokens))
    add(
        "Inputs",
        "workload.output_tokens",
        "Output tokens/request",
        lambda i: _exact_number(w[i].output_tokens),
    )
    add(
        "Inputs", "workload.cacheable_share", "Cacheable share of input", lambda i: _pct(w[i].cacheable_share)
    )
    add("Inputs", "workload.growth_per_month", "Growth per month", lambda i: _pct(w[i].growth_per_month))
    add(
        "Inputs",
        "workload.peak_to_average",
        "Peak / average traffic",
        lambda i: _exact_number(w[i].peak_to_average) + "×",
    )
    m = [s.market for s in scen]
    add(
        "Inputs",
        "market.api_price_change_per_year",
        "API price change/year",
        lambda i: _pct(m[i].api_price_change_per_year),
    )
    add(
        "Inputs",
        "market.gpu_price_change_per_year",
        "GPU price change/year",
        lambda i: _pct(m[i].gpu_price_change_per_year),
    )
    q = [s.requirements for s in scen]
    add(
        "Inputs",
        "requirements.consistency_target",
        "Consistency target",
        lambda i: _pct(q[i].consistency_target),
    )
    add(
        "Inputs",
        "requirements.needs_proprietary_data",
        "Needs proprietary data",
        lambda i: _yes(q[i].needs_proprietary_data),
    )
    add(
        "Inputs",
        "requirements.data_must_stay_on_prem",
        "Data must stay on premises",
        lambda i: _yes(q[i].data_must_stay_on_prem),
    )
    add(
        "Inputs",
        "requirements.latency_target_ms",
        "Latency target",
        lambda i: f"{_exact_number(q[i].latency_target_ms)} ms" if q[i].latency_target_ms else "none",
    )
    ov = [s.overheads for s in scen]
    add(
        "Inputs",
        "overheads.engineer_annual_cost",
        "Engineer cost/year",
        lambda i: _exact_money(ov[i].engineer_annual_cost, scen[i].currency),
    )
    tr = [s.training for s in scen]
    add("Inputs", "training.examples", "Training examples", lambda i: _exact_number(tr[i].examples))
    add(
        "Inputs",
        "training.retrain_every_months",
        "Retrain every",
        lambda i: f"{tr[i].retrain_every_months} months" if tr[i].retrain_every_months else "never",
    )
    add("Inputs", "options", "Number of options", lambda i: str(len(scen[i].options)))
    # Every other input that differs, found by the function behind `workbench diff` (prices have their
    # own rows below).
    from workbench.model import diff

    flat = [diff.flatten(s) for s in scen]
    shown = {r["key"] for r in rows}
    for path in diff.changed_paths(scen):
        if path not in shown and not path.startswith(("api_models[", "gpus[")):
            add("Inputs", path, path, lambda i, p=path: diff.show(flat[i][p]) if p in flat[i] else MISSING)

    # Prices, matched by model / GPU name
    for name in _union([[a.name for a in s.api_models] for s in scen]):

        def api_price(i: int, name: str = name) -> str:
            model = scen[i].api_model(name)
            if model is None:
                return MISSING
            c = scen[i].currency
            return (
                f"{_exact_money(model.input, c, True)} / {_exact_money(model.output, c, True)}"
                f" / {_exact_money(model.cached_price, c, True)}"
            )

        add("Prices", f"api:{name}", f"{name} in/out/cached per 1M", api_price)
    for name in _union([[g.name for g in s.gpus] for s in scen]):

        def gpu_price(i: int, name: str = name) -> str:
            gpu = scen[i].gpu(name)
            return MISSING if gpu is None else f"{_exact_money(gpu.hourly, scen[i].currency, True)}/h"

        add("Prices", f"gpu:{name}", f"{name} per GPU-hour", gpu_price)

    # Results
    def recommendation(i: int) -> str:
        rec = items[i][1].ladder.recommendation
        return f"step {rec.step}: {rec.option}" if rec.option else f"step {rec.step}"

    add("Results", "recommendation", "Recommendation", recommendation)
    add("Results", "baseline", "Baseline", lambda i: res[i].baseline or MISSING)
    add("Results", "cheapest", "Cheapest over the horizon", lambda i: res[i].cheapest or MISSING)

    def best_tco(i: int) -> str:
        o = res[i].option(res[i].cheapest) if res[i].cheapest else None
        return fmt.money(o.tco, scen[i].currency) if o else MISSING

    add("Results", "cheapest_tco", "Lowest TCO", best_tco)

    def risks(i: int) -> str:
        flagged = [r for r in items[i][1].risks if r.flagged]
        open_ = sum(1 for r in flagged if not r.mitigated)
        return f"{len(flagged)} flagged, {open_} open"

    add("Results", "risks", "Risks", risks)

    names = _union([[o.name for o in r.options] for r in res])

    def per_option(name: str, show: Callable[[int, object], str]) -> Callable[[int], str]:
        def get(i: int) -> str:
            o = res[i].option(name)
            return MISSING if o is None else show(i, o)

        return get

    for name in names:
        add(
            "TCO",
            f"tco:{name}",
            f"TCO · {name}",
            per_option(name, lambda i, o: fmt.money(o.tco, scen[i].currency)),
        )
    for name in names:
        add(
            "Month 1",
            f"month1:{name}",
            f"Month 1 · {name}",
            per_option(name, lambda i, o: fmt.money(o.month1, scen[i].currency)),
        )
    for name in names:
        add(
            "Breakeven",
            f"breakeven_month:{name}",
            f"Pays back · {name}",
            per_option(name, lambda i, o: "baseline" if o.is_baseline else fmt.months(o.breakeven_month)),
        )
    for name in names:

        def volume(i: int, o: object) -> str:
            if o.is_baseline:
                return "baseline"
            v = o.breakeven_requests_per_day
            if v is None:
                return "never"
            return "any volume" if v == 0 else f"{fmt.count(round(v) if v >= 100 else v)}/day"

        add("Breakeven", f"breakeven_volume:{name}", f"Cheaper from · {name}", per_option(name, volume))
    return rows


def differing_rows(rows: Sequence[dict]) -> list[dict]:
    """Only the rows where some scenario differs from the first."""
    return [r for r in rows if any(r["differs"])]
