"""Scenario diff: the inputs that differ and how the headline results moved; the Compare tab uses it."""

from __future__ import annotations

import json

from helpers import LOAN, STARTER, run_cli

from workbench.edits import edit
from workbench.model.compare import compare_rows, differing_rows
from workbench.model.diff import changed_paths, diff, flatten, input_changes
from workbench.model.report import analyze
from workbench.store import files


def loan():
    return files.load(LOAN)


def test_identical_scenarios_differ_in_nothing():
    a = analyze(loan())
    d = diff(a, a)
    assert d.same and d.inputs == []
    assert all(o.tco_change == 0 for o in d.options)
    assert "Inputs: identical." in d.text()


def test_changed_inputs_and_moved_results():
    s = loan()
    b = edit.apply(s, ("workload", "requests_per_day"), 150_000.0)
    b = edit.apply(b, ("overheads", "cost_per_review"), 0.0)
    b = edit.apply(b, ("options", 1, "review_rate"), 0.02)
    d = diff(analyze(s), analyze(b), "a.toml", "b.toml")
    assert [(c.path, c.a, c.b) for c in d.inputs] == [
        ("workload.requests_per_day", 100_000, 150_000),
        ("overheads.cost_per_review", 20, 0),
        ("options[Fine-tuned 7B, H100 (RunPod)].review_rate", 0.01, 0.02),
    ]
    api = next(o for o in d.options if o.name == "API + prompting")
    assert api.tco[1] < api.tco[0] and api.tco_change == api.tco[1] - api.tco[0]
    runpod = next(o for o in d.options if o.name.startswith("Fine-tuned 7B, H100 (RunPod)"))
    assert runpod.breakeven_month == (1, analyze(b).results.option(runpod.name).breakeven_month)
    text = d.text()
    assert "~ workload.requests_per_day" in text and "100,000 → 150,000" in text
    assert "--- a.toml" in text and "+++ b.toml" in text


def test_recommendation_move_is_reported():
    s = loan()
    b = edit.apply(s, ("overheads", "cost_per_review"), 0.0)
    b = edit.apply(b, ("options", 0, "review_rate"), 0.0)
    b = edit.apply(b, ("requirements", "consistency_target"), 0.85)
    d = diff(analyze(s), analyze(b))
    assert d.recommendation[0] != d.recommendation[1]
    assert "recommendation  step 4" in d.text() and "→ step 1" in d.text()


def test_rows_are_matched_by_name_not_position():
    s = loan()
    data = files.to_dict(s)
    rows = data["options"]
    rows[1], rows[2] = rows[2], rows[1]
    moved = edit.validated(data)
    assert input_changes(s, moved) == []
    fewer = edit.delete_row(s, "options", 2)
    changes = input_changes(s, fewer)
    assert [(c.path, c.kind) for c in changes] == [("options[Fine-tuned 7B, H100 (Lambda)]", "removed")]
    d = diff(analyze(s), analyze(fewer))
    lam = next(o for o in d.options if o.name == "Fine-tuned 7B, H100 (Lambda)")
    assert lam.tco[1] is None and "—" in d.text()


def test_flatten_covers_every_input_once():
    s = files.load(STARTER)
    flat = flatten(s)
    assert flat["workload.requests_per_day"] == 20000
    assert flat["options[API + prompting].model"] == "GPT-4o"
    assert flat["api_models[GPT-4o].input"] == 2.5
    assert flat["uncertainty[workload.requests_per_day]"].startswith("lognormal 8,000 .. 80,000")
    assert not any(k.startswith("uncertainty[") and k.endswith(".low") for k in flat)


def test_compare_tab_lists_every_differing_input():
    """The Compare rows include inputs outside their fixed list, found with the diff function."""
    s = loan()
    b = edit.apply(s, ("overheads", "cost_per_review"), 5.0)
    b = edit.apply(b, ("options", 0, "setup_cost"), 7000.0)
    rows = {r["key"]: r for r in compare_rows([("a", analyze(s)), ("b", analyze(b))])}
    assert rows["overheads.cost_per_review"]["values"] == ["20", "5"]
    assert rows["overheads.cost_per_review"]["differs"] == [False, True]
    assert rows["options[API + prompting].setup_cost"]["differs"] == [False, True]
    keys = {r["key"] for r in differing_rows(list(rows.values()))}
    assert set(changed_paths([s, b])) <= keys
    same = compare_rows([("a", analyze(s)), ("b", analyze(s))])
    assert not any(r["key"].startswith("overheads.cost_per_review") for r in same)


def test_cli_diff(tmp_path):
    b = edit.apply(loan(), ("workload", "requests_per_day"), 50_000.0)
    path = tmp_path / "b.toml"
    files.save(b, path)
    out = run_cli("diff", str(LOAN), str(path))
    assert out.returncode == 0, out.stderr
    assert "workload.requests_per_day" in out.stdout and "100,000 → 50,000" in out.stdout
    data = json.loads(run_cli("diff", str(LOAN), str(path), "--format", "json").stdout)
    assert data["inputs"] == [
        {"path": "workload.requests_per_day", "a": 100000.0, "b": 50000.0, "change": "changed"}
    ]
    assert {o["name"] for o in data["options"]} == {o.name for o in b.options}
    assert data["recommendation"]["changed"] is False
    missing = run_cli("diff", str(LOAN), str(tmp_path / "nope.toml"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
