"""Diff and Compare on version-2 scenarios: the section-6 keys show when they differ, and so does the
pre-training compute where figures are compared."""

from __future__ import annotations

import copy

from helpers import LOAN
from scenarios_v2 import HYBRID, hybrid

from workbench.model.compare import compare_rows, differing_rows, title
from workbench.model.diff import diff, input_changes, show
from workbench.model.report import analyze
from workbench.model.scenario import validate
from workbench.store import files


def changed_hybrid():
    data = copy.deepcopy(HYBRID)
    opts = {o["name"]: o for o in data["options"]}
    opts["Tuned mini"]["go_live_month"] = 3
    opts["Tuned mini"]["rollout"] = [0.05, 0.25, 0.5]
    opts["Tuned mini"]["fallback"] = ""
    opts["RFT"]["train_on"] = "gpu"
    opts["Scratch"]["pretrain"] = "continued"
    opts["Scratch"]["pretrain_tokens"] = 1e11
    data["pretraining"] = {**data["pretraining"], "params": 7e10}
    data["training"] = {**data["training"], "epochs": 3}
    data["api_models"][1] = {**data["api_models"][1], "training_per_mtok": 8.0}
    data["gpus"][0] = {**data["gpus"][0], "bf16_tflops": 700}
    return validate(data)


EXPECTED = {
    "options[Tuned mini].go_live_month": (2, 3),
    "options[Tuned mini].rollout": ([0.05, 0.25], [0.05, 0.25, 0.5]),
    "options[Tuned mini].fallback": ("API + RAG, cached", ""),
    "options[RFT].train_on": ("provider", "gpu"),
    "options[Scratch].pretrain": ("scratch", "continued"),
    "options[Scratch].pretrain_tokens": (0.0, 1e11),
    "pretraining.params": (8e9, 7e10),
    "training.epochs": (2.0, 3.0),
    "api_models[mini].training_per_mtok": (3.0, 8.0),
    "gpus[H100].bf16_tflops": (989.0, 700.0),
}


def test_every_new_key_that_differs_is_listed():
    a, b = hybrid(), changed_hybrid()
    got = {c.path: (c.a, c.b) for c in input_changes(a, b)}
    assert got == EXPECTED


def test_diff_text_and_json_show_the_new_keys_and_pretraining_compute():
    a, b = analyze(hybrid()), analyze(changed_hybrid())
    d = diff(a, b, "a.toml", "b.toml")
    text = d.text()
    assert "~ options[Tuned mini].rollout" in text and "0.05, 0.25 → 0.05, 0.25, 0.5" in text
    assert "~ options[Tuned mini].fallback" in text and "API + RAG, cached → " in text
    assert "~ pretraining.params" in text and "8,000,000,000 → 70,000,000,000" in text
    assert "Pre-training GPU-hours:" in text
    scratch = next(o for o in d.options if o.name == "Scratch")
    ha, hb = scratch.pretrain_gpu_hours
    assert ha is not None and hb is not None and hb != ha
    assert f"{ha:,.0f} → {hb:,.0f}" in text
    js = d.as_dict()
    by_name = {o["name"]: o for o in js["options"]}
    assert by_name["Scratch"]["pretrain_gpu_hours"] == {"a": ha, "b": hb}
    assert by_name["API"]["pretrain_gpu_hours"] == {"a": None, "b": None}
    assert show([]) == "none" and show([0.05, 0.25]) == "0.05, 0.25"


def test_version_1_diff_text_has_no_pretraining_section():
    loan = analyze(files.load(LOAN))
    assert "Pre-training" not in diff(loan, loan).text()


def test_compare_shows_new_keys_training_prices_and_pretraining():
    a, b = analyze(hybrid()), analyze(changed_hybrid())
    rows = {r["key"]: r for r in compare_rows([("a", a), ("b", b)])}
    for path in EXPECTED:
        assert path in rows, path
        assert rows[path]["differs"] == [False, True], path
    assert rows["options[Tuned mini].rollout"]["values"] == ["0.05, 0.25", "0.05, 0.25, 0.5"]
    assert rows["pretrain_gpu_hours:Scratch"]["differs"] == [False, True]
    assert rows["pretrain_gpu_hours:Continued"]["values"][0].endswith("GPU-h")
    assert "pretrain_gpu_hours:API" not in rows  # only options that pre-train somewhere
    keys = {r["key"] for r in differing_rows(list(rows.values()))}
    assert "api_models[mini].training_per_mtok" in keys


def test_compare_titles_come_from_the_input_table():
    assert title("workload.requests_per_day") == "Requests/day"
    assert title("training.retrain_every_months") == "Retrain every"
    assert title("requirements.consistency_target") == "Consistency target"
    assert title("requirements.latency_target_ms") == "Latency target"
    rows = compare_rows([("a", analyze(files.load(LOAN)))])
    labels = {r["key"]: r["label"] for r in rows}
    assert labels["workload.peak_to_average"] == "Peak/average traffic"
    assert labels["market.api_price_change_per_year"] == "API price change/year"
