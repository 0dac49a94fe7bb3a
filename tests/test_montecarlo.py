"""Monte Carlo over [uncertainty] ranges: reproducible, degenerate ranges are deterministic, the ranges
validate and round-trip, and the TUI runs it in a worker."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import LOAN, STARTER, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.edits import edit
from workbench.model import columns, engine
from workbench.model.engine import Cancelled, compute
from workbench.model.montecarlo import draw, histogram, sample, simulate
from workbench.model.scenario import Range
from workbench.store import files
from workbench.store.files import ScenarioError, parse_text

LOAN_TEXT = LOAN.read_text()


def with_ranges(text: str, ranges: str):
    return parse_text(text + "\n[uncertainty]\n" + ranges, "t.toml")


def test_same_seed_same_percentiles_on_the_starter_preset():
    s = files.load(STARTER)
    assert s.uncertainty, "the starter preset ships with ranges"
    a, b = simulate(s, 10_000, seed=7), simulate(s, 10_000, seed=7)
    for x, y in zip(a.options, b.options, strict=True):
        assert (x.p10, x.p50, x.p90, x.p_cheapest) == (y.p10, y.p50, y.p90, y.p_cheapest)
        assert x.breakeven_counts == y.breakeven_counts
    c = simulate(s, 10_000, seed=8)
    assert [o.p50 for o in c.options] != [o.p50 for o in a.options]
    assert sum(o.p_cheapest for o in a.options) == pytest.approx(1.0)
    for o in a.options:
        assert o.p10 <= o.p50 <= o.p90


def test_a_range_at_the_scenario_value_gives_the_deterministic_result():
    s = with_ranges(
        LOAN_TEXT,
        '"workload.requests_per_day" = {low = 100000, high = 100000, dist = "lognormal"}\n'
        '"options[API + prompting].review_rate" = {low = 0.1, high = 0.1}\n',
    )
    sim = simulate(s, 500, seed=1)
    r = compute(s)
    for o, ro in zip(sim.options, r.options, strict=True):
        assert o.p10 == pytest.approx(ro.tco, rel=1e-12)
        assert o.p90 == pytest.approx(ro.tco, rel=1e-12)
        if not o.is_baseline:
            assert o.breakeven_p50 == ro.breakeven_month


@settings(max_examples=12, deadline=None)
@given(
    volume=st.floats(min_value=0, max_value=5e6, allow_nan=False),
    price=st.floats(min_value=0, max_value=50, allow_nan=False),
    fte=st.floats(min_value=0, max_value=3, allow_nan=False),
)
def test_degenerate_ranges_equal_the_scenario_with_those_values(volume, price, fte):
    """Property: low = high = X draws X every time, so every draw is `compute` of the scenario with X."""
    s = with_ranges(
        LOAN_TEXT,
        f'"workload.requests_per_day" = {{low = {volume!r}, high = {volume!r}}}\n'
        f'"api_models[GPT-4o].output" = {{low = {price!r}, high = {price!r}, dist = "triangular"}}\n'
        f'"options[Fine-tuned 7B, H100 (RunPod)].ops_fte" = {{low = {fte!r}, high = {fte!r}}}\n',
    )
    fixed = edit.apply(s, ("workload", "requests_per_day"), volume)
    fixed = edit.apply(fixed, ("api_models", 0, "output"), price)
    fixed = edit.apply(fixed, ("options", 1, "ops_fte"), fte)
    r = compute(fixed)
    sim = simulate(s, 64, seed=3)
    for o, ro in zip(sim.options, r.options, strict=True):
        assert o.p10 == pytest.approx(ro.tco, rel=1e-9, abs=1e-6)
        assert o.p90 == pytest.approx(ro.tco, rel=1e-9, abs=1e-6)
        if not o.is_baseline:
            assert (o.breakeven_p50 if o.never < sim.draws / 2 else None) == ro.breakeven_month


def test_each_draw_is_the_engine_on_that_draw():
    """A few draws recomputed one by one with `compute` match the batch."""
    s = with_ranges(
        LOAN_TEXT,
        '"workload.requests_per_day" = {low = 1000, high = 300000, dist = "lognormal"}\n'
        '"gpus[H100 PCIe (RunPod)].hourly" = {low = 1, high = 4}\n',
    )
    varied = sample(s, 5, seed=11)
    totals = engine.batch_totals(engine.inputs(s), s.horizon_months, varied)
    for d in range(5):
        moved = edit.apply(s, ("workload", "requests_per_day"), float(varied["R0"][d, 0]))
        moved = edit.apply(moved, ("gpus", 0, "hourly"), float(varied["hourly"][d, 1]))
        r = compute(moved)
        for o in r.options:
            assert totals[o.index, :, d] == pytest.approx(r.series(o.index, "total"), rel=1e-12)


def test_distributions():
    rng = np.random.default_rng(0)
    x = draw(Range(low=100, high=400, dist="lognormal"), 40_000, rng)
    p5, p95 = np.percentile(x, [5, 95])
    assert p5 == pytest.approx(100, rel=0.05) and p95 == pytest.approx(400, rel=0.05)
    u = draw(Range(low=1, high=2), 10_000, rng)
    assert u.min() >= 1 and u.max() <= 2
    t = draw(Range(low=0, high=10, dist="triangular", mode=9), 20_000, rng)
    counts, _ = np.histogram(t, bins=10, range=(0, 10))
    assert counts.argmax() == 8  # the bin just below the mode is the densest
    assert t.mean() == pytest.approx((0 + 9 + 10) / 3, rel=0.02)
    assert (draw(Range(low=3, high=3, dist="lognormal"), 5, rng) == 3).all()


def test_draws_are_clipped_to_the_inputs_bounds_and_whole_numbers_rounded():
    s = with_ranges(
        LOAN_TEXT,
        '"options[API + prompting].review_rate" = {low = 0.5, high = 1.0, dist = "lognormal"}\n'
        '"training.runs" = {low = 5, high = 25}\n',
    )
    v = sample(s, 5_000, seed=2)
    assert v["review_rate"][:, 0].max() <= 1.0 and v["review_rate"][:, 0].min() > 0.3
    assert (v["review_rate"][:, 1] == 0.01).all()  # the other option's review rate is not drawn
    runs = v["t_runs"][:, 0]
    assert (runs == np.round(runs)).all() and runs.min() >= 5 and runs.max() <= 25


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ('"workload.requests_per_dya" = {low = 1, high = 2}', "did you mean 'requests_per_day'"),
        ('"workload.requests_per_day" = {low = 2, high = 1}', "low 2 is above high 1"),
        ('"workload.cacheable_share" = {low = 0, high = 2}', "outside the input's bounds"),
        ('"workload.requests_per_day" = {low = 0, high = 10, dist = "lognormal"}', "needs low > 0"),
        (
            '"workload.requests_per_day" = {low = 1, high = 10, dist = "triangular", mode = 20}',
            "mode 20 is outside",
        ),
        ('"options[Nope].review_rate" = {low = 0, high = 1}', "no option named 'Nope'"),
        ('"requirements.consistency_target" = {low = 0, high = 1}', "not a number the cost formulas read"),
        ('"workload.requests_per_day" = {low = 1, hihg = 2}', "did you mean 'high'"),
        ('"workload.requests_per_day" = {low = 1, high = 2, dist = "normal"}', "is not a choice"),
    ],
)
def test_bad_ranges_are_refused_with_the_reason(ranges, message):
    with pytest.raises(ScenarioError, match="uncertainty") as err:
        with_ranges(LOAN_TEXT, ranges + "\n")
    assert message in str(err.value)


def test_ranges_round_trip_and_follow_renames(tmp_path):
    s = files.load(STARTER)
    out = tmp_path / "s.toml"
    files.save(s, out)
    assert files.load(out) == s
    renamed = edit.apply(s, ("options", 2, "name"), "FT 8B")
    assert "options[FT 8B].tokens_per_second_per_gpu" in renamed.uncertainty
    gone = edit.delete_row(renamed, "options", 2)
    assert not any(k.startswith("options[FT 8B]") for k in gone.uncertainty)


def test_grid_edits_make_and_remove_ranges():
    s = files.load(LOAN)
    key = "overheads.cost_per_review"
    s1 = edit.apply_text(s, ("uncertainty", key, "high"), "$40")
    assert s1.uncertainty[key] == Range(low=20, high=40)
    s2 = edit.apply_text(s1, ("uncertainty", key, "mode"), "25")
    assert s2.uncertainty[key].dist == "triangular"
    s3 = edit.cycle(s2, ("uncertainty", key, "dist"))
    assert s3.uncertainty[key].dist == "lognormal" and s3.uncertainty[key].mode is None
    assert key not in edit.apply_text(s3, ("uncertainty", key, "low"), "").uncertainty
    s4 = edit.cycle(s, ("uncertainty", "training.runs", "low"))  # space: ±25% around 15, whole numbers
    assert (s4.uncertainty["training.runs"].low, s4.uncertainty["training.runs"].high) == (11, 19)
    with pytest.raises(edit.EditError, match="outside"):
        edit.apply_text(s1, ("uncertainty", key, "mode"), "99")


def test_paths_name_the_cells_they_feed():
    s = files.load(STARTER)
    assert columns.cells(s, columns.parse("api_models[GPT-4o].input")) == [
        (0, "p_in"),
        (1, "p_in"),
        (3, "teach_in"),
    ]
    assert columns.cells(s, columns.parse("gpus[H100 PCIe (RunPod)].hourly")) == [
        (2, "hourly"),
        (0, "t_hourly"),
        (1, "t_hourly"),
        (2, "t_hourly"),
        (3, "t_hourly"),
    ]


def test_a_cancelled_run_stops():
    s = files.load(STARTER)
    with pytest.raises(Cancelled):
        simulate(s, 2_000, cancelled=lambda: True)
    seen: list[float] = []
    simulate(s, 2_000, progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_histogram_counts_every_draw():
    sim = simulate(files.load(STARTER), 3_000, seed=0)
    edges, counts = histogram(sim, 20)
    assert len(edges) == 21 and all(c.sum() == 3_000 for c in counts)


def test_cli_simulate():
    a = run_cli("simulate", str(STARTER), "--draws", "2000", "--seed", "5", "--format", "json")
    b = run_cli("simulate", str(STARTER), "--draws", "2000", "--seed", "5", "--format", "json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["draws"] == 2000 and data["seed"] == 5 and len(data["ranges"]) == 4
    assert {"tco_p10", "tco_p50", "tco_p90", "p_cheapest", "breakeven_month"} <= set(data["options"][0])
    table = run_cli("simulate", str(STARTER), "--draws", "1000")
    assert "P50" in table.stdout and "cheapest" in table.stdout
    none = run_cli("simulate", str(LOAN))
    assert none.returncode == 1 and "[uncertainty]" in none.stderr
    assert run_cli("simulate", str(STARTER), "--draws", "0").returncode == 2


async def test_simulation_pane_runs_in_a_worker_and_reruns_after_a_range_edit():
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.panes.analysis import SimulationPane, UncertaintyGrid

    app = WorkbenchApp([Document(files.load(STARTER), STARTER)])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        pane = view.query_one(SimulationPane)
        assert pane.result is None  # nothing runs while the pane is hidden
        await pilot.press("f10")
        for _ in range(300):
            await pilot.pause(0.02)
            if pane.result is not None:
                break
        first = pane.result
        assert first is not None and first.draws == 10_000 and len(first.ranges) == 4
        # Edit a range in the Uncertainty grid: the pane's next run uses it.
        await pilot.press("f11")
        await pilot.pause()
        grid = view.query_one(UncertaintyGrid)
        assert app.focused is grid
        row = grid._keys.index("overheads.labeling_cost_per_example")
        grid.move_cursor(row=row, column=2)
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        assert view.doc.scenario.uncertainty["overheads.labeling_cost_per_example"].low == 2
        await pilot.press("f10")
        for _ in range(300):
            await pilot.pause(0.02)
            if pane.result is not None and pane.result is not first:
                break
        assert pane.result is not first and len(pane.result.ranges) == 5


def test_a_range_below_the_throughput_floor_is_refused_in_one_line(tmp_path):
    """A drawn throughput under the floor the scenario itself must meet would need infinitely many GPUs."""
    text = STARTER.read_text().replace(
        '"options[Fine-tuned 8B, self-hosted].tokens_per_second_per_gpu" = { low = 1500, high = 4000 }',
        '"options[Fine-tuned 8B, self-hosted].tokens_per_second_per_gpu" = { low = 1e-320, high = 1e-319 }',
    )
    assert "1e-320" in text
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    with pytest.raises(files.ScenarioError) as err:
        files.load(path)
    message = str(err.value)
    assert "\n" not in message
    assert "[uncertainty].options[Fine-tuned 8B, self-hosted].tokens_per_second_per_gpu.low" in message


# --- Bounded work: chunks, limits, binned percentiles -------------------------------------------------
MIXED = (
    '"workload.requests_per_day" = {low = 20000, high = 300000, dist = "lognormal"}\n'
    '"gpus[H100 PCIe (RunPod)].hourly" = {low = 1, high = 4, dist = "triangular", mode = 1.5}\n'
    '"overheads.cost_per_review" = {low = 0.5, high = 0.5}\n'
    '"training.runs" = {low = 4, high = 30}\n'
    '"options[API + prompting].review_rate" = {low = 0.05, high = 0.3, dist = "lognormal"}\n'
    '"market.api_price_change_per_year" = {low = -0.4, high = 0.1}\n'
)


@pytest.mark.parametrize(("draws", "chunk"), [(600, 6), (3_000, 97), (3_000, 1_000)])
def test_a_run_in_chunks_gives_exactly_the_run_in_one(draws, chunk):
    """Each range's stream is set where its block starts (advanced past uniform and triangular ranges,
    drawn through past lognormal ones), so every draw, and every statistic, is the same."""
    s = with_ranges(LOAN_TEXT, MIXED)
    one = simulate(s, draws, seed=4)
    parts = simulate(s, draws, seed=4, chunk=chunk)
    assert one.chunks == 1 and parts.chunks == -(-draws // chunk) and parts.chunk <= chunk
    assert parts.as_dict() == one.as_dict()
    assert np.array_equal(parts.tco, one.tco)


def test_one_chunk_draws_what_sample_draws():
    s = with_ranges(LOAN_TEXT, MIXED)
    varied = sample(s, 500, seed=9)
    totals = engine.batch_totals(engine.inputs(s), s.horizon_months, varied)
    tco = np.cumsum(totals, axis=1)[:, -1, :]
    assert np.array_equal(simulate(s, 500, seed=9, chunk=64).tco, tco)


def test_past_the_keep_budget_percentiles_are_binned_within_the_stated_error(monkeypatch):
    from workbench.model import montecarlo

    s = with_ranges(LOAN_TEXT, MIXED)
    exact = simulate(s, 20_000, seed=2)
    monkeypatch.setattr(montecarlo, "KEEP_CELLS", 0)
    est = simulate(s, 20_000, seed=2, chunk=3_000)
    assert est.estimated and est.tco is None and not exact.estimated
    for a, b in zip(exact.options, est.options, strict=True):
        for x, y in ((a.p10, b.p10), (a.p50, b.p50), (a.p90, b.p90)):
            assert abs(x - y) <= montecarlo.PERCENTILE_ERROR * abs(x)
        assert b.mean == pytest.approx(a.mean, rel=1e-12)
        assert (b.p_cheapest, b.breakeven_counts, b.never) == (a.p_cheapest, a.breakeven_counts, a.never)
        assert (b.breakeven_p10, b.breakeven_p50, b.breakeven_p90) == (
            a.breakeven_p10,
            a.breakeven_p50,
            a.breakeven_p90,
        )
    d = est.as_dict()
    assert d["estimated_percentiles"]["relative_error"] == montecarlo.PERCENTILE_ERROR
    assert "estimated_percentiles" not in exact.as_dict()
    edges, counts = histogram(est, 20)
    assert len(edges) == 21 and all(c.sum() == 20_000 for c in counts)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=13), min_size=1, max_size=400))
def test_breakeven_percentiles_from_counts_are_numpys(months):
    from workbench.model.montecarlo import PERCENTILES, _breakeven_quantiles

    first = np.array(months)
    counts = np.bincount(first, minlength=14)
    want = np.percentile(first, PERCENTILES, method="inverted_cdf")
    assert _breakeven_quantiles(counts, len(first)) == [int(x) for x in want]


def test_the_limits_are_stated_in_one_line():
    from workbench.model import montecarlo
    from workbench.model.montecarlo import SimulationError, check_limits, max_draws

    s = files.load(STARTER)
    assert max_draws(s) == montecarlo.MAX_DRAWS  # 4 options × 24 months: the draws cap comes first
    check_limits(s, montecarlo.MAX_DRAWS)
    with pytest.raises(SimulationError, match=r"draws must be 1\.\.1,000,000 \(got 1,000,001\)"):
        check_limits(s, montecarlo.MAX_DRAWS + 1)
    big = s.model_copy(update={"horizon_months": 120, "options": s.options * 1})
    wide = big.model_copy(
        update={
            "options": [o.model_copy(update={"name": f"o{i}"}) for i in range(100) for o in s.options[:1]]
        }
    )
    assert max_draws(wide) == montecarlo.MAX_CELLS // 12_000 == 50_000
    with pytest.raises(SimulationError) as err:
        check_limits(wide, 50_001)
    assert "\n" not in str(err.value) and "at most 50,000 draws" in str(err.value)


def test_the_panes_plus_stops_at_the_limit_and_says_why():
    from types import SimpleNamespace

    from workbench.tui.panes.analysis import PANE_MAX_DRAWS, SimulationPane

    s = files.load(STARTER)
    wide = s.model_copy(
        update={
            "horizon_months": 120,
            "options": [s.options[0].model_copy(update={"name": f"o{i}"}) for i in range(100)],
        }
    )
    pane = SimulationPane()
    said: list[str] = []
    pane._say = said.append
    pane.run = lambda: said.append("ran")
    pane.analysis = SimpleNamespace(scenario=wide)
    assert pane.limit() == 50_000
    pane.draws = 10_000
    pane.action_draws(10)
    assert pane.draws == 50_000 and said == ["ran"]
    pane.action_draws(10)
    assert pane.draws == 50_000 and "50,000 draws is the limit for 100 options × 120 months" in said[-1]
    pane.analysis = SimpleNamespace(scenario=s)
    assert pane.limit() == PANE_MAX_DRAWS
