"""Explain on version-2 scenarios (docs/model.md section 6): the fallback and pre-training components
and s(o, m) down to the inputs, for an option before go-live, during its rollout and after, a provider
fine-tune, a pre-training run and the breakeven volume of a rolled-out option."""

from __future__ import annotations

import pytest
from scenarios_v2 import hybrid, scenarios

from workbench.model import inputs
from workbench.model.engine import compute
from workbench.model.explain import SUMMARY, explain


@pytest.fixture(scope="module")
def computed():
    return {name: compute(s) for name, s in scenarios().items()}


@pytest.fixture(scope="module")
def r(computed):
    return computed["hybrid"]


def test_the_new_intermediates_agree_every_month(computed):
    """The components of every option are checked with the presets' (tests/test_explain.py); here the
    quantities section 6 adds, s(o, m), the fallback's unit cost and the pre-training hours."""
    for name, r in computed.items():
        for o in r.options:
            for m in range(1, r.scenario.horizon_months + 1):
                for metric in ("share", "sreq", "srpd", "fb_unit", "pretrain_gpu_hours", "pretrain_days"):
                    e = explain(r, o.name, metric, m)
                    assert e.figure == pytest.approx(r.series(o.index, metric)[m - 1], rel=1e-12, abs=1e-12)
                    assert e.agrees, (name, o.name, metric, m, e.figure, e.computed)
            for metric in SUMMARY:
                e = explain(r, o.name, metric, r.scenario.horizon_months)
                assert e.agrees, (name, o.name, metric, e.figure, e.computed)


def test_every_listed_input_names_where_it_is_edited(computed):
    """No input line is left without its scenario path, the fallback's and the pre-training GPU's too."""
    for r in computed.values():
        for o in r.options:
            for metric in ("total", "fallback", "pretraining", "one_time", "retrain", "share"):
                for m in (1, 3, 5):
                    for label, path, _ in explain(r, o.name, metric, m).inputs:
                        assert path and path != label, (o.name, metric, label)
                        assert "[" in path or "." in path or path.startswith("("), path


def test_before_go_live_the_fallback_serves_everything(r):
    e = explain(r, "Tuned mini", "fallback", 1)
    text = e.text()
    assert e.figure > 0
    assert "Tuned mini serves none of it this month: API + RAG, cached serves every request" in text
    assert "not live yet: goes live in month 2" in text
    paths = {p for _, p, _ in e.inputs}
    # The fallback's own prices, caching and review, edited on the fallback's rows.
    assert {"options[Tuned mini].go_live_month", "api_models[big].input", "api_models[big].output"} <= paths
    assert {"api_models[big].cached_input", "options[API + RAG, cached].review_rate"} <= paths
    assert "rag.context_tokens" in paths and "rag.cost_per_query" in paths
    # Inference before go-live: nothing served.
    assert explain(r, "Tuned mini", "inference", 1).figure == 0


def test_during_the_rollout_the_share_is_the_rollout_entry(r):
    text = explain(r, "Tuned mini", "fallback", 3).text()
    assert "(1 − share of traffic served) × requests × fallback cost/request" in text
    assert "share of traffic served = rollout[2] = 25%" in text
    assert "options[Tuned mini].rollout" in text
    inference = explain(r, "Tuned mini", "inference", 3).text()
    assert "requests served = share of traffic served × requests" in inference


def test_after_the_rollout_all_but_the_fallback_share(r):
    text = explain(r, "Tuned mini", "fallback", 6).text()
    assert "share of traffic served = 1 − fallback share = 1 − 10% = 90%" in text
    assert "options[Tuned mini].fallback_share" in text


def test_a_live_month_serving_nothing_still_pays_its_floor(r):
    """On-demand 8B's rollout starts with 0: live, no requests served, the GPU-hour floor paid."""
    e = explain(r, "On-demand 8B", "gpu_hours", 1)
    assert e.figure == 10 and e.agrees
    assert "serves none of it this month" in explain(r, "On-demand 8B", "fallback", 1).text()
    assert explain(r, "On-demand 8B", "retrieval", 1).figure == pytest.approx(300)  # rag.fixed_monthly


def test_self_hosted_before_go_live_runs_no_gpus(r):
    text = explain(r, "Self 8B", "inference", 2).text()
    assert "not live yet: goes live in month 4" in text
    assert "options[Self 8B].go_live_month" in text


def test_provider_training_one_time_and_retrain(r):
    s = r.scenario
    one = explain(r, "Tuned mini", "one_time", 1)
    text = one.text()
    assert "trained by the provider: billed per training token and hour" in text
    assert "training examples × tokens/example × epochs × training price/1M / 1M" in text
    assert "tokens_per_example = 0: the workload's input + output tokens" in text
    paths = {p for _, p, _ in one.inputs}
    assert {"api_models[mini].training_per_mtok", "training.epochs", "training.examples"} <= paths
    run = 2000 * 1500 * 2 * 3.0 / 1e6
    assert r.series(2, "training_run")[0] == pytest.approx(run)
    # Per hour and per token: both terms, each with its price's path.
    rft = explain(r, "RFT", "training_run", 1)
    assert rft.figure == pytest.approx(2000 * 1500 * 2 * 2.0 / 1e6 + 5 * 100.0)
    assert "api_models[rl].training_per_hour" in {p for _, p, _ in rft.inputs}
    # Retraining drifts with API prices (fa), not GPU prices.
    m = 1 + s.training.retrain_every_months
    retrain = explain(r, "RFT", "retrain", m)
    assert retrain.figure > 0 and retrain.agrees
    assert "a provider's price drifts with API prices" in retrain.text()


def test_pretraining_explained_to_its_inputs(r):
    e = explain(r, "Continued", "pretraining", 1)
    assert e.figure == pytest.approx(1.5 * 6 * 8e9 * 50e9 / (989e12 * 0.4) / 3600 * 2.0)
    paths = {p for _, p, _ in e.inputs}
    assert paths >= {
        "pretraining.attempts",
        "pretraining.params",
        "pretraining.mfu",
        "gpus[H100].bf16_tflops",
        "gpus[H100].hourly",
        "options[Continued].pretrain_tokens",
    }
    assert explain(r, "Continued", "pretraining", 2).figure == 0
    hours = explain(r, "Scratch", "pretrain_gpu_hours", 1)
    assert "pretrain_tokens = 0: 20 tokens per parameter (compute-optimal)" in hours.text()
    days = explain(r, "Scratch", "pretrain_days", 1)
    assert days.figure == pytest.approx(hours.figure / 64 / 24)
    assert "pretraining.gpus" in {p for _, p, _ in days.inputs}


def test_breakeven_volume_of_a_rolled_out_option_counts_its_fallback(r):
    o = r.option("On-demand 8B")
    e = explain(r, "On-demand 8B", "breakeven_volume")
    assert e.figure == o.breakeven_requests_per_day and e.agrees
    text = e.text()
    assert "rolled out: live, serving all the traffic" in text
    tuned = explain(r, "Self 8B", "breakeven_volume").text()
    assert "serving all but its fallback share" in tuned
    assert "fallback = (1 − share of traffic served) × requests × fallback cost/request" in tuned
    assert "share of traffic served = 1 − fallback share = 1 − 20% = 80%" in tuned


def test_an_option_serving_all_its_traffic_reads_as_in_version_1(r):
    """s = 1 every month: "requests", not "requests served = 100% × requests"; no fallback tree."""
    text = explain(r, "API", "inference", 1).text()
    assert "requests served" not in text and "share of traffic" not in text
    assert "requests = requests/day × days/month" in text
    fb = explain(r, "Continued", "fallback", 1)
    assert fb.figure == 0 and fb.agrees
    assert "serves all its traffic itself every month" in fb.text() and not fb.inputs
    gpus = explain(r, "Continued", "gpus", 1).text()
    assert "requests/day served" not in gpus and "peak requests/s = requests/day / 86,400" in gpus


def test_fallback_rows_name_the_fallback_option_and_model():
    s = hybrid()
    k = next(i for i, o in enumerate(s.options) if o.name == "RFT")  # falls back to the baseline
    r = compute(s)
    e = explain(r, k + 1, "fb_unit", 1)
    paths = {p for _, p, _ in e.inputs}
    assert "api_models[big].input" in paths
    sources = {i.col: i.source for i in inputs.INPUTS}
    assert sources["fb_review_rate"] == "fallback_option"
    text = explain(r, "RFT", "fallback", 1).text()
    assert "goes to API, at its cost per request" in text
