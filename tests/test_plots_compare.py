"""The plots pane, the compare view, the volume sweep and the compare rows.

Pilot tests mount the widgets in a tiny host app at several terminal sizes and read what they render.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from helpers import STARTER, changed
from textual.app import App, ComposeResult

from workbench.model.compare import MISSING, compare_rows, differing_rows
from workbench.model.report import Analysis, analyze
from workbench.model.scenario import Scenario, validate
from workbench.model.sweep import default_volumes, volume_sweep
from workbench.store import files
from workbench.tui.panes.compare import DIFF_MARK, CompareView
from workbench.tui.panes.plots import (
    CompareChart,
    PlotsPane,
    log_ticks,
    month_ticks,
    nice_ticks,
    tick_money,
    tick_number,
)


def scenario(**changes) -> Scenario:
    """A small self-contained scenario: an API baseline, a fine-tuned self-hosted option that pays back."""
    data = {
        "name": "Loan",
        "horizon_months": 12,
        "workload": {"requests_per_day": 100000, "input_tokens": 1000, "output_tokens": 500},
        "overheads": {"cost_per_review": 20.0, "eval_setup": 5000.0},
        "training": {"gpu": "H100", "retrain_every_months": 6},
        "api_models": [{"name": "GPT-4o", "input": 2.5, "output": 10.0, "cached_input": 1.25}],
        "gpus": [{"name": "H100", "hourly": 1.99}],
        "options": [
            {"name": "API", "model": "GPT-4o", "review_rate": 0.1},
            {
                "name": "FT 7B",
                "serve": "self_hosted",
                "gpu": "H100",
                "fine_tune": True,
                "requests_per_second_per_gpu": 200.0,
                "review_rate": 0.01,
                "ops_fte": 0.5,
                "setup_cost": 20000.0,
            },
        ],
    }
    return validate(changed(data, {k.replace("__", "."): v for k, v in changes.items()}))


@pytest.fixture(scope="module")
def loan() -> Analysis:
    return analyze(scenario())


@pytest.fixture(scope="module")
def starter() -> Analysis:
    return analyze(files.load(STARTER))


# ----------------------------------------------------------------------------------------------- sweep


def test_sweep_spans_two_decades_each_side_and_matches_month_one(loan: Analysis) -> None:
    s = loan.scenario
    sw = volume_sweep(s, results=loan.results)
    vols = sw["volumes"]
    assert vols[0] <= 1000 and vols[-1] == pytest.approx(1e7)  # widened to take in the breakeven (219/day)
    assert len(vols) >= 100 and np.all(np.diff(vols) > 0)
    assert sw["costs"].shape == (2, len(vols))
    assert sw["baseline"] == "API" and sw["today"] == 100000
    # At today's volume the sweep gives month 1's cost without one-time and retrain costs.
    at_today = volume_sweep(s, volumes=[100000.0])["by_name"]
    for o in loan.results.options:
        m1 = loan.results.monthly.filter((pl.col("opt") == o.index) & (pl.col("m") == 1)).row(0, named=True)
        steady = m1["total"] - m1["one_time"] - m1["retrain"]
        assert at_today[o.name][0] == pytest.approx(steady)


def test_sweep_breakeven_is_the_results_figure_and_is_in_range(loan: Analysis) -> None:
    sw = volume_sweep(loan.scenario, results=loan.results)
    be = sw["breakeven"]["FT 7B"]
    assert be == loan.results.option("FT 7B").breakeven_requests_per_day
    assert sw["volumes"][0] <= be <= sw["volumes"][-1]
    assert volume_sweep(loan.scenario)["breakeven"]["FT 7B"] == pytest.approx(be, rel=1e-6)
    # At the breakeven the two costs meet.
    at = volume_sweep(loan.scenario, volumes=[be * 1.001])["costs"][:, 0]
    assert at[1] <= at[0]


def test_default_volumes_are_bounded() -> None:
    v = default_volumes(0)
    assert v[0] == pytest.approx(1) and v[-1] == pytest.approx(1e5)
    v = default_volumes(5e9)
    assert v[-1] == pytest.approx(1e9) and v[0] >= 1
    v = default_volumes(10)
    assert v[0] == pytest.approx(1) and v[-1] == pytest.approx(1000)
    # A breakeven far from today widens the range to take it in.
    v = default_volumes(1000, [5e6, None, 0.0])
    assert v[-1] >= 5e6


# ----------------------------------------------------------------------------------------------- ticks


def test_ticks_read_as_money_and_volumes() -> None:
    assert tick_money(25000) == "$25k"
    assert tick_money(1_200_000) == "$1.2M"
    assert tick_money(0) == "$0"
    assert tick_money(2500, "CHF") == "2.5k"
    assert [tick_number(t) for t in (1, 1000, 100000, 1e6)] == ["1", "1k", "100k", "1M"]
    assert nice_ticks(0, 380000, 5) == [0, 100000, 200000, 300000, 400000]
    assert log_ticks(200, 2e6, 8) == [1000, 10000, 100000, 1e6]
    assert month_ticks(24, 80)[0] == 1 and month_ticks(24, 80)[-1] == 24


# ----------------------------------------------------------------------------------------------- compare rows


def test_compare_rows_flag_what_differs(loan: Analysis) -> None:
    other = analyze(scenario(workload__requests_per_day=20000))
    rows = {r["key"]: r for r in compare_rows([("a", loan), ("b", other)])}
    rpd = rows["workload.requests_per_day"]
    assert rpd["values"] == ["100,000", "20,000"]
    assert rpd["differs"] == [False, True]
    assert rows["workload.input_tokens"]["differs"] == [False, False]
    assert rows["tco:API"]["differs"] == [False, True]
    assert rows["api:GPT-4o"]["values"][0] == "$2.50 / $10.00 / $1.25"
    assert rows["recommendation"]["values"][0].startswith("step ")
    assert all(not r["differs"][0] for r in rows.values())
    assert {r["key"] for r in differing_rows(list(rows.values()))} >= {"workload.requests_per_day", "tco:API"}


def test_compare_rows_small_input_change_is_visible(loan: Analysis) -> None:
    other = analyze(scenario(workload__requests_per_day=100001))
    rows = {r["key"]: r for r in compare_rows([("a", loan), ("b", other)])}
    assert rows["workload.requests_per_day"]["differs"] == [False, True]


def test_compare_rows_missing_option_shows_a_dash(loan: Analysis) -> None:
    s = scenario()
    renamed = s.model_copy(
        update={"options": [s.options[0], s.options[1].model_copy(update={"name": "Distilled"})]}
    )
    other = analyze(renamed)
    rows = {r["key"]: r for r in compare_rows([("a", loan), ("b", other), ("c", loan)])}
    assert rows["tco:FT 7B"]["values"][1] == MISSING
    assert rows["tco:FT 7B"]["differs"] == [False, True, False]
    assert rows["tco:Distilled"]["values"][0] == MISSING
    assert rows["tco:Distilled"]["differs"] == [False, True, False]


def test_compare_rows_one_and_none(loan: Analysis) -> None:
    assert compare_rows([]) == []
    rows = compare_rows([("only", loan)])
    assert rows and all(r["differs"] == [False] for r in rows)


# ----------------------------------------------------------------------------------------------- pilot


class PlotsHost(App):
    def __init__(self, analysis: Analysis, focus: int = 0):
        super().__init__()
        self.analysis = analysis
        self.focus_option = focus

    def compose(self) -> ComposeResult:
        yield PlotsPane()

    def on_mount(self) -> None:
        pane = self.query_one(PlotsPane)
        pane.show(self.analysis, self.focus_option)
        pane.focus()


def visible_text(pane: PlotsPane) -> list[str]:
    return [c.render().plain for c in pane.charts if c.display]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (40, 12), (100, 30), (20, 6), (160, 50), (100, 50)])
async def test_plots_render_at_every_size(loan: Analysis, size: tuple[int, int]) -> None:
    app = PlotsHost(loan, focus=1)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        pane = app.query_one(PlotsPane)
        texts = visible_text(pane)
        assert texts and all(t.strip() for t in texts)
        for chart in pane.charts:
            assert chart.last_error is None, chart.last_error
        if size[0] >= 40 and size[1] >= 12:
            assert any("$" in t for t in texts)


async def test_small_pane_switches_plots_with_brackets(loan: Analysis) -> None:
    app = PlotsHost(loan)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one(PlotsPane)
        assert pane.mode == "single"
        shown = [c for c in pane.charts if c.display]
        assert [c.id for c in shown] == ["plot-cumulative"]
        assert shown[0].render().plain.startswith("1/4 Cumulative cost")
        await pilot.press("]")
        await pilot.pause()
        shown = [c for c in pane.charts if c.display]
        assert [c.id for c in shown] == ["plot-sweep"]
        text = shown[0].render().plain
        assert text.startswith("2/4 Monthly cost vs requests/day")
        assert "requests/day" in text and "today 100k" in text and "1M" in text
        await pilot.press("[", "[")
        await pilot.pause()
        shown = [c for c in pane.charts if c.display]
        assert [c.id for c in shown] == ["plot-sizing"]
        assert shown[0].render().plain.startswith("4/4 Sizing sweep")
        await pilot.press("[")
        await pilot.pause()
        shown = [c for c in pane.charts if c.display]
        assert [c.id for c in shown] == ["plot-breakdown"]
        text = shown[0].render().plain
        assert text.startswith("3/4 Monthly cost by component: API")
        assert "inference" in text and "review" in text


async def test_big_pane_shows_all_four(loan: Analysis) -> None:
    app = PlotsHost(loan, focus=1)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(PlotsPane)
        assert pane.mode == "grid"
        assert all(c.display for c in pane.charts)
        cumulative, sweep, breakdown, _ = (c.render().plain for c in pane.charts)
        assert "API" in cumulative and "FT 7B" in cumulative and "◆" in cumulative  # FT 7B pays back
        assert "cheaper from" in sweep
        assert "FT 7B" in breakdown and "one-time" in breakdown
        await pilot.press("]")  # one plot per screen only on small panes: nothing to switch
        assert pane.current == 0


async def test_redraw_after_edit_reuses_widgets(loan: Analysis) -> None:
    app = PlotsHost(loan)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pane = app.query_one(PlotsPane)
        before = [id(c) for c in pane.charts]
        first = pane.charts[0].render().plain
        pane.show(analyze(scenario(workload__requests_per_day=300000)), 0)
        await pilot.pause()
        assert [id(c) for c in pane.charts] == before
        assert pane.charts[0].render().plain != first


async def test_no_color_uses_glyphs(loan: Analysis, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TEXTUAL_COLOR_SYSTEM", "standard")
    app = PlotsHost(loan, focus=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pane = app.query_one(PlotsPane)
        pane.switch(2)
        await pilot.pause()
        text = pane.charts[2].render().plain
        assert "░░ people" in text and "▒▒ review" in text
        assert pane.charts[2].last_error is None


async def test_empty_scenario_shows_a_message() -> None:
    app = PlotsHost(analyze(validate({"name": "empty"})))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "no options" in app.query_one(PlotsPane).charts[0].render().plain


class CompareHost(App):
    def __init__(self, items: list[tuple[str, Analysis]]):
        super().__init__()
        self.items = items

    def compose(self) -> ComposeResult:
        yield CompareView()

    def on_mount(self) -> None:
        self.query_one(CompareView).show(self.items)


@pytest.mark.parametrize("n", [1, 2, 6])
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (40, 12)])
async def test_compare_view(loan: Analysis, n: int, size: tuple[int, int]) -> None:
    variants = [analyze(scenario(workload__requests_per_day=100000 * (k + 1))) for k in range(n)]
    items = [(f"v{k}", a) for k, a in enumerate(variants)]
    app = CompareHost(items)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        view = app.query_one(CompareView)
        table = view.table
        assert len(table.columns) == n + 1
        row = table.get_row("workload.requests_per_day")
        assert str(row[1]) == "100,000"
        if n > 1:
            assert str(row[2]).startswith(DIFF_MARK)
        chart = app.query_one(CompareChart)
        assert chart.last_error is None
        if size[1] >= 40:
            assert "v0: API" in chart.render().plain


async def test_compare_chart_marks_baseline_and_recommendation(loan: Analysis, starter: Analysis) -> None:
    app = CompareHost([("loan", loan), ("starter", starter)])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = app.query_one(CompareChart).render().plain
        rec = loan.ladder.recommendation.option
        assert f"loan: {rec}" in text
        assert "starter: API + prompting" in text
        assert "log scale" in text  # $500k next to $70M: a linear axis would hide the small one


async def test_show_before_mount_is_drawn_on_mount(loan: Analysis) -> None:
    class Early(App):
        def compose(self) -> ComposeResult:
            pane = PlotsPane()
            pane.show(loan, 1)
            yield pane
            view = CompareView()
            view.show([("a", loan), ("b", loan)])
            yield view

    app = Early()
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.pause()
        assert "FT 7B" in app.query_one(PlotsPane).charts[2].chart_title
        assert len(app.query_one(CompareView).table.columns) == 3
