"""Numbers at the edges (issue 7, part 7).

Zero volume, zero tokens, one month, 120 months, 50%/month growth for 120 months, prices of 0 and of
1e6, and everything at its bound at once: the engine gives finite results (checked everywhere: monthly
frame, summaries, JSON report, reasons) or a validation error chosen on purpose; the TUI shows such a
scenario at 80x24 without a figure overflowing its column.
"""

from __future__ import annotations

import math

import pytest
from fuzzing import assert_finite
from helpers import changed

from workbench.model import fmt, report
from workbench.model.report import analyze
from workbench.session.document import Document
from workbench.store import files

BASE = {
    "name": "edges",
    "horizon_months": 24,
    "workload": {
        "requests_per_day": 100_000,
        "input_tokens": 1000,
        "output_tokens": 500,
        "cacheable_share": 0.5,
    },
    "training": {"gpu": "G", "retrain_every_months": 3, "examples": 2000},
    "api_models": [{"name": "M", "input": 2.5, "output": 10.0, "cached_input": 1.25}],
    "gpus": [{"name": "G", "hourly": 2.0}],
    "options": [
        {"name": "API", "model": "M", "baseline": True},
        {"name": "Cached RAG", "model": "M", "prompt_caching": True, "rag": True},
        {
            "name": "Fine-tuned",
            "serve": "self_hosted",
            "gpu": "G",
            "fine_tune": True,
            "tokens_per_second_per_gpu": 800.0,
        },
        {
            "name": "Distilled",
            "serve": "self_hosted",
            "gpu": "G",
            "distill": True,
            "teacher": "M",
            "hosting": "on_demand",
            "requests_per_second_per_gpu": 2.0,
            "min_gpu_hours_per_month": 10.0,
        },
    ],
}


def variant(**changes) -> dict:
    """BASE with dotted keys changed: variant(**{"workload.requests_per_day": 0})."""
    return changed(BASE, changes)


def prices(value: float) -> dict:
    return {
        "api_models.0.input": value,
        "api_models.0.output": value,
        "api_models.0.cached_input": value,
        "gpus.0.hourly": value,
    }


EDGES = {
    "zero volume": variant(**{"workload.requests_per_day": 0}),
    "zero tokens": variant(**{"workload.input_tokens": 0, "workload.output_tokens": 0}),
    "zero tokens, no RAG context": variant(
        **{"workload.input_tokens": 0, "workload.output_tokens": 0, "rag.context_tokens": 0}
    ),
    "one month": variant(horizon_months=1),
    "120 months": variant(horizon_months=120),
    "growth 50%/month for 120 months": variant(horizon_months=120, **{"workload.growth_per_month": 0.5}),
    "prices 0": variant(**prices(0.0)),
    "prices 1e6": variant(**prices(1e6)),
    "everything at its upper bound": variant(
        horizon_months=120,
        **prices(1e7),
        **{
            "workload.requests_per_day": 1e10,
            "workload.growth_per_month": 1.0,
            "workload.peak_to_average": 100,
            "workload.input_tokens": 1e7,
            "workload.output_tokens": 1e7,
            "workload.days_per_month": 31,
            "market.api_price_change_per_year": 10,
            "market.gpu_price_change_per_year": 10,
            "rag.context_tokens": 1e7,
            "rag.cost_per_query": 1e6,
            "options.2.tokens_per_second_per_gpu": 1e-9 * 1e7 / 0.7 * 1.0001,
        },
    ),
    "shrinking to nothing": variant(
        horizon_months=120,
        **{
            "workload.growth_per_month": -0.999999,
            "market.api_price_change_per_year": -0.999999,
            "market.gpu_price_change_per_year": -0.999999,
        },
    ),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edges_give_finite_results(name):
    s = files.from_dict(EDGES[name], name)
    a = analyze(s)
    assert_finite(a)
    assert len(a.results.series(0, "total")) == s.horizon_months
    for row in report.option_rows(a):
        for key in ("month1", "average", "tco", "per_request", "per_mtok", "gpus"):
            assert len(row[key]) <= 9, (key, row[key])  # fits the results table's columns


def test_what_the_edges_mean():
    zero = analyze(files.from_dict(EDGES["zero volume"]))
    api = zero.results.option("API")
    assert api.tco == 0 and api.cost_per_request is None and api.cost_per_mtok is None
    assert zero.results.option("Fine-tuned").gpus_at_horizon == 1  # the always-on floor still bills
    no_tokens = analyze(files.from_dict(EDGES["zero tokens, no RAG context"]))
    assert no_tokens.results.option("API").tco == 0
    assert no_tokens.results.option("API").cost_per_mtok is None
    one = analyze(files.from_dict(EDGES["one month"]))
    assert all(len(one.results.series(i, "cumulative")) == 1 for i in range(4))
    grow = analyze(files.from_dict(EDGES["growth 50%/month for 120 months"]))
    rpd = grow.results.series(0, "rpd")
    assert math.isclose(rpd[-1], 100_000 * 1.5**119, rel_tol=1e-9)
    free = analyze(files.from_dict(EDGES["prices 0"]))
    assert sum(free.results.series(0, "inference")) == 0
    dear = analyze(files.from_dict(EDGES["prices 1e6"]))
    req = dear.results.series(0, "req")[0]
    assert math.isclose(dear.results.series(0, "inference")[0], req * (1000 + 500) * 1e6 / 1e6, rel_tol=1e-9)


@pytest.mark.parametrize(
    "changes, where",
    [
        ({"horizon_months": 0}, "horizon_months"),
        ({"horizon_months": 121}, "horizon_months"),
        ({"workload.growth_per_month": 1.5}, "growth_per_month"),
        ({"workload.growth_per_month": -1.0}, "growth_per_month"),
        ({"api_models.0.input": 1e8}, "input"),
        ({"gpus.0.hourly": -1.0}, "hourly"),
        ({"options.2.target_utilization": 0.0}, "target_utilization"),
        ({"options.2.tokens_per_second_per_gpu": 1e-12}, "throughput × target_utilization"),
        ({"options.3.requests_per_second_per_gpu": 5e-324}, "requests_per_second_per_gpu"),
        ({"workload.requests_per_day": float("inf")}, "finite"),
    ],
)
def test_deliberate_validation_errors(changes, where):
    with pytest.raises(files.ScenarioError) as exc:
        files.from_dict(variant(**changes), "edge.toml")
    msg = str(exc.value)
    assert where in msg and 1 <= len(msg.splitlines()) <= 3, msg


def test_huge_figures_format_narrow():
    for x in (1e15, 1.5e75, 9.9e307):
        assert len(fmt.money(x)) <= 9 and "e+" in fmt.money(x)
        assert "e+" in fmt.money_full(x) and len(fmt.money_full(x)) < 20
    assert fmt.money(22_500) == "$22.5k" and fmt.money(999e12) == "$999T"


async def test_tui_shows_the_edges_at_80x24_without_overflow(tmp_path, monkeypatch):
    """Every pane renders the largest figures; no rendered line is wider than the terminal."""
    from test_terminals import render_screen, visit_everything

    from workbench.tui.app import WorkbenchApp

    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path))
    docs = [
        Document(files.from_dict(EDGES[n]), None, n[:20])
        for n in ("everything at its upper bound", "zero volume")
    ]
    app = WorkbenchApp(docs)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await visit_everything(app, pilot)  # the largest figures, on every pane and dialog
        view = app.views()[1]
        app.query_one("#tabs").active = view.parent.id
        for pane in ("results", "plots", "ladder"):  # and the zero-volume tab's results
            view.action_pane(pane)
            await pilot.pause()
            render_screen(app)
        assert app.is_running
    for doc in docs:
        a = doc.analysis()
        breakdown = [
            fmt.money(v, "USD") for i in range(len(a.results.options)) for v in a.results.series(i, "total")
        ]
        assert max(len(t) for t in breakdown) <= 9  # the breakdown table's columns are 9 wide
