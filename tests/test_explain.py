"""Explain a number: the text comes from the engine's own formula trees and agrees with every figure."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scenarios_v2
from helpers import LOAN, ROOT, STARTER, run_cli

from workbench.edits import edit
from workbench.model import engine
from workbench.model.engine import COMPONENTS, DEFS, compute
from workbench.model.explain import SUMMARY, ExplainError, explain
from workbench.model.formula import Const, specialize
from workbench.session.document import Document
from workbench.store import files

PRESETS = sorted((ROOT / "presets").glob("*.toml"))


@pytest.fixture(scope="module")
def computed():
    """Every preset, and the version-2 scenarios of tests/scenarios_v2.py (every kind of option of
    docs/model.md section 6: rollouts with fallbacks, provider training, pre-training)."""
    out = {p.stem: compute(files.load(p)) for p in PRESETS}
    # starter and loan as version 1 (tests/helpers.py): several tests below hold their figures
    out |= {
        name: compute(files.load(path))
        for name, path in (("starter", STARTER), ("loan-underwriting-100k", LOAN))
    }
    return out | {f"v2:{name}": compute(s) for name, s in scenarios_v2.scenarios().items()}


def test_every_component_of_every_option_of_every_preset_agrees(computed):
    """The formula tree's own arithmetic on the frame row equals the engine's figure, for every
    component (fallback and pretraining included) and every intermediate column of every option, every
    month, every preset and version-2 scenario."""
    checked = 0
    for name, r in computed.items():
        H = r.scenario.horizon_months
        for o in r.options:
            for m in range(1, H + 1):
                for metric in (*COMPONENTS, "total"):
                    e = explain(r, o.name, metric, m)
                    assert e.figure == pytest.approx(r.series(o.index, metric)[m - 1], rel=1e-12, abs=1e-12)
                    assert e.agrees, (name, o.name, metric, m, e.figure, e.computed)
                    checked += 1
            for metric in DEFS:
                if metric != "steady":
                    assert explain(r, o.name, metric, H).agrees, (name, o.name, metric)
            for metric in SUMMARY:
                e = explain(r, o.name, metric)
                assert e.agrees, (name, o.name, metric, e.figure, e.computed)
    assert {"fallback", "pretraining"} <= set(COMPONENTS)
    assert any(name.startswith("v2:") for name in computed)
    assert checked > 1000


def test_summary_figures_are_the_results_figures(computed):
    r = computed["loan-underwriting-100k"]
    for o in r.options:
        assert explain(r, o.name, "tco").figure == o.tco
        assert explain(r, o.name, "month1").figure == o.month1
        assert explain(r, o.name, "cost_per_request").figure == o.cost_per_request
        assert explain(r, o.name, "breakeven_month").figure == o.breakeven_month
        assert explain(r, o.name, "breakeven_volume").figure == o.breakeven_requests_per_day


def test_the_issue_example_reads_as_promised(computed):
    e = explain(computed["loan-underwriting-100k"], "API + prompting", "inference", 1)
    text = e.text()
    assert "3,000,000 requests × (1,000 × $2.50 + 500 × $10.00) / 1M = $22,500" in text
    assert "requests/day × days/month = 100,000 req/day × 30 days = 3,000,000 requests" in text
    # Down to the inputs, with the scenario path where each is edited.
    assert "api_models[GPT-4o].input" in text and "workload.requests_per_day" in text


def test_branches_show_why(computed):
    r = computed["starter"]
    assert "not a RAG option" in explain(r, "API + prompting", "retrieval", 3).text()
    assert "one-time costs fall in month 1 only" in explain(r, 1, "one_time", 2).text()
    distilled = explain(r, "Distilled 8B, self-hosted", "one_time", 1).text()
    assert "teacher" in distilled and "distillation" in distilled
    gpus = explain(r, "Fine-tuned 8B, self-hosted", "gpu_hours", 1).text()
    assert "always on" in gpus and "max(min GPUs, ceil(" in gpus


def test_explanation_follows_an_edit():
    """There is no second copy of the formula: change an input and the text changes with the figure."""
    s = files.load(ROOT / "presets" / "loan-underwriting-100k.toml")
    s2 = edit.apply_text(s, ("api_models", 0, "output"), "12")
    e = explain(compute(s2), 1, "inference", 1)
    assert "500 × $12.00" in e.text()
    assert e.figure == pytest.approx(3_000_000 * (1000 * 2.5 + 500 * 12) / 1e6)


def test_every_formula_column_of_the_frame_comes_from_a_tree(computed):
    r = computed["starter"]
    inputs = set(engine.inputs(r.scenario).columns)
    made = set(r.monthly.columns) - inputs - {"m"}
    assert made - set(DEFS) == {"cumulative", "base_cum"}


def test_specialized_trees_compute_the_same(computed):
    """Partial evaluation (the Monte Carlo path) gives the engine's figures for the scenario as is."""
    r = computed["travel-support-bot"]
    rows = engine.inputs(r.scenario)
    totals = engine.batch_totals(rows, r.scenario.horizon_months, {})
    for o in r.options:
        assert totals[o.index, :, 0] == pytest.approx(r.series(o.index, "total"), rel=1e-12)
    rec = rows.row(0, named=True)
    folded = specialize(DEFS["people"].node, rec)
    assert isinstance(folded, Const) and folded.value == pytest.approx(r.series(0, "people")[0])


def test_unknown_option_metric_and_month_are_refused(computed):
    r = computed["starter"]
    with pytest.raises(ExplainError, match="no option"):
        explain(r, "nope", "tco")
    with pytest.raises(ExplainError, match="did you mean 'inference'"):
        explain(r, 1, "inferense")
    with pytest.raises(ExplainError, match="outside the horizon"):
        explain(r, 1, "review", 99)
    assert explain(r, "api + prompting", "per_request").metric == "cost_per_request"
    assert explain(r, "2", "one-time").option == "API + RAG + caching"


def test_cli_explain():
    loan = str(ROOT / "presets" / "loan-underwriting-100k.toml")
    out = run_cli("explain", loan, "API + prompting", "inference", "--month", "3")
    assert out.returncode == 0, out.stderr
    assert "inference, month 3" in out.stdout and "$22,500" in out.stdout
    js = run_cli("explain", loan, "2", "tco", "--format", "json")
    data = json.loads(js.stdout)
    assert data["option"] == "Fine-tuned 7B, H100 (RunPod)" and data["metric"] == "tco"
    assert data["value"] == pytest.approx(compute(files.load(loan)).options[1].tco)
    bad = run_cli("explain", loan, "Nope", "tco")
    assert bad.returncode == 1 and "no option 'Nope'" in bad.stderr and not bad.stdout


async def test_x_explains_the_results_cell_and_the_breakdown_cell():
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.panes.tables import RESULT_COLUMNS, BreakdownTable, ResultsTable
    from workbench.tui.screens.explain import ExplainScreen

    path = ROOT / "presets" / "loan-underwriting-100k.toml"
    app = WorkbenchApp([Document(files.load(path), path)])
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        view.action_pane("results")
        await pilot.pause()
        table = view.query_one(ResultsTable)
        table.focus()
        keys = [k for k, _, _ in RESULT_COLUMNS]
        if table.tall:  # one column per option, one row per figure
            table.move_cursor(row=keys.index("tco") - 1, column=1)
        else:
            table.move_cursor(row=0, column=keys.index("tco"))
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        e = app.screen.explanation
        assert e.metric == "tco" and e.option == "API + prompting" and e.agrees
        await pilot.press("escape")
        await pilot.pause()
        breakdown = view.query_one(BreakdownTable)
        breakdown.focus()
        col = [c.key.value for c in breakdown.ordered_columns].index("review")
        breakdown.move_cursor(row=4, column=col)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        e = app.screen.explanation
        assert (e.metric, e.month) == ("review", 5)
        assert "3,000,000 requests × 10% × $20.00 = $6,000,000" in e.text()
        await pilot.press("escape")
        await pilot.pause()
        view.query_one("#grid-workload").focus()
        await pilot.pause()
        await pilot.press("x")  # not a figure: the status line says what x does
        await pilot.pause()
        assert not isinstance(app.screen, ExplainScreen)
        assert "x explains a figure" in str(view.query_one("#status").render())


def test_numpy_free_values_in_json(computed):
    e = explain(computed["starter"], 3, "gpus_at_horizon")
    data = e.as_dict()
    json.dumps(data, allow_nan=False)
    assert isinstance(data["value"], float) and not isinstance(data["value"], np.floating)
