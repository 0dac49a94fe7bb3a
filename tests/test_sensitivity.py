"""Sensitivity (tornado): one engine batch, ranked inputs, and the same answer as editing each input."""

from __future__ import annotations

import json

import pytest
from helpers import LOAN, ROOT, STARTER, run_cli

from workbench.edits import edit
from workbench.model import columns
from workbench.model.engine import compute
from workbench.model.sensitivity import SensitivityError, sensitivity
from workbench.store import files


def cell_path(s, p: columns.Path) -> tuple:
    """The edit path (as a grid cell) of an input path."""
    if p.row is None:
        return (p.table, p.field)
    rows = getattr(s, p.table)
    return (p.table, next(i for i, r in enumerate(rows) if r.name == p.row), p.field)


def test_loan_is_decided_by_review_rate_and_cost_per_review():
    res = sensitivity(files.load(LOAN))
    assert res.option == "Fine-tuned 7B, H100 (RunPod)" and res.against == "API + prompting"
    top = [e.path for e in res.effects[:3]]
    assert "options[API + prompting].review_rate" in top
    assert "overheads.cost_per_review" in top
    swings = [e.swing for e in res.effects]
    assert swings == sorted(swings, reverse=True)


@pytest.mark.parametrize("preset", [LOAN, STARTER], ids=lambda p: p.stem)
def test_the_batch_gives_what_editing_each_input_gives(preset):
    """Each row of the one-batch tornado equals a full recompute of the scenario with that input moved."""
    s = files.load(preset)
    res = sensitivity(s)
    a = next(o.name for o in s.options if o.name == res.option)
    b = next(o.name for o in s.options if o.name == res.against)
    assert len(res.effects) >= 10
    for e in res.effects:
        p = columns.parse(e.path)
        for value, diff, be in (
            (e.low, e.diff_low, e.breakeven_low),
            (e.high, e.diff_high, e.breakeven_high),
        ):
            v = int(value) if e.integer else value
            moved = edit.apply(s, cell_path(s, p), v)
            r = compute(moved)
            assert r.option(a).tco - r.option(b).tco == pytest.approx(diff, rel=1e-9, abs=1e-6), e.path
            if b == r.baseline:
                assert r.option(a).breakeven_month == be, e.path


def test_ranges_replace_the_step_and_zero_inputs_are_listed():
    s = files.load(LOAN)
    s = edit.apply_text(s, ("uncertainty", "workload.requests_per_day", "low"), "50k")
    s = edit.apply_text(s, ("uncertainty", "workload.requests_per_day", "high"), "300k")
    res = sensitivity(s, step=0.1)
    e = next(e for e in res.effects if e.path == "workload.requests_per_day")
    assert (e.source, e.low, e.high) == ("range", 50_000, 300_000)
    other = next(e for e in res.effects if e.path == "overheads.cost_per_review")
    assert (other.source, other.low, other.high) == ("step", pytest.approx(18), pytest.approx(22))
    assert "workload.growth_per_month" in res.unchanged  # 0 ± 10% is 0


def test_moves_stay_inside_the_schema_bounds():
    res = sensitivity(files.load(LOAN), step=0.5)
    for e in res.effects:
        b = columns.bounds(columns.parse(e.path))
        assert b.contains(e.low) and b.contains(e.high), e.path
    days = next(e for e in res.effects if e.path == "workload.days_per_month")
    assert days.high == 31  # 30 + 50% is clamped to the schema's 31


def test_two_chosen_options_and_errors():
    s = files.load(STARTER)
    res = sensitivity(s, option="Distilled 8B, self-hosted", against="Fine-tuned 8B, self-hosted")
    assert (res.option, res.against) == ("Distilled 8B, self-hosted", "Fine-tuned 8B, self-hosted")
    r = compute(s)
    assert res.diff == pytest.approx(r.option(res.option).tco - r.option(res.against).tco)
    with pytest.raises(SensitivityError, match="two different options"):
        sensitivity(s, option=1, against=1)
    with pytest.raises(SensitivityError, match="no option"):
        sensitivity(s, option="nope")
    with pytest.raises(SensitivityError, match="step"):
        sensitivity(s, step=0)
    single = edit.delete_row(edit.delete_row(edit.delete_row(s, "options", 3), "options", 2), "options", 1)
    with pytest.raises(SensitivityError, match="two options"):
        sensitivity(single)


def test_cli_sensitivity_table_and_json():
    out = run_cli("sensitivity", str(LOAN), "--top", "5")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    ranked = [line for line in lines if line[:4].strip().rstrip("R").isdigit()]
    assert len(ranked) == 5 and "review rate (API + prompting)" in ranked[0] + ranked[1] + ranked[2]
    data = json.loads(run_cli("sensitivity", str(LOAN), "--step", "10%", "--format", "json").stdout)
    assert data["step"] == pytest.approx(0.1)
    assert {"path", "low", "high", "change_low", "change_high", "swing"} <= set(data["inputs"][0])
    bad = run_cli("sensitivity", str(LOAN), "--step", "0")
    assert bad.returncode == 2 and "step" in bad.stderr


async def test_sensitivity_pane_ranks_and_follows_an_edit():
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.panes.analysis import SensitivityPane

    app = WorkbenchApp([Document(files.load(LOAN), LOAN)])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        await pilot.press("f9")
        pane = view.query_one(SensitivityPane)
        for _ in range(200):
            await pilot.pause(0.02)
            if pane.result is not None:
                break
        assert pane.result is not None
        assert pane.result.effects[0].path == "options[API + prompting].review_rate"
        first = pane.result
        view.commit(edit.apply_text(view.doc.scenario, ("overheads", "cost_per_review"), "0"), "no review")
        for _ in range(200):
            await pilot.pause(0.02)
            if pane.result is not first and pane.result is not None:
                break
        assert pane.result is not first
        assert pane.result.effects[0].path != "options[API + prompting].review_rate"


THROUGHPUT = "options[Fine-tuned 7B, H100 (RunPod)].requests_per_second_per_gpu"


@pytest.mark.parametrize("preset", [LOAN, ROOT / "presets" / "calculus-tutor.toml"], ids=lambda p: p.stem)
def test_every_ranked_move_is_one_validation_accepts_and_a_refused_one_is_listed_apart(preset):
    """--step 1 moves a throughput to 0, which no edit may make: that input is listed with the reason."""
    s = files.load(preset)
    res = sensitivity(s, step=1)
    assert res.not_moved, "a ±100% step takes a self-hosted throughput to 0"
    for m in res.not_moved:
        assert m.path not in {e.path for e in res.effects}
        assert m.refused == ["low"] and m.low == 0 and "needs a throughput" in m.reason
        with pytest.raises(edit.EditError):
            edit.apply(s, cell_path(s, columns.parse(m.path)), 0.0)
    for e in res.effects:
        p = columns.parse(e.path)
        for value in (e.low, e.high):
            edit.apply(s, cell_path(s, p), int(value) if e.integer else value)  # raises if refused


def test_cli_lists_the_moves_it_could_not_make():
    out = run_cli("sensitivity", str(LOAN), "--step", "1")
    assert out.returncode == 0, out.stderr
    assert "Not moved, not ranked: validation refuses the move (1):" in out.stdout
    data = json.loads(run_cli("sensitivity", str(LOAN), "--step", "1", "--format", "json").stdout)
    assert [m["path"] for m in data["not_moved"]] == [THROUGHPUT]
    assert {"path", "label", "base", "low", "high", "refused", "reason"} == set(data["not_moved"][0])
    assert THROUGHPUT not in {e["path"] for e in data["inputs"]}
    assert json.loads(run_cli("sensitivity", str(LOAN), "--format", "json").stdout)["not_moved"] == []
