"""Golden figures for every formula line of docs/model.md section 2, computed by hand.

Each expected number is a literal (or an expression of literals) with its arithmetic in a comment; the
engine is never used to produce an expected value. Scenarios are written as TOML so the tests also read
the contract's file format.
"""

from __future__ import annotations

import math

import pytest

from workbench.model.engine import compute
from workbench.store.files import parse_text

EXACT = dict(rel=1e-9, abs=1e-9)
VOLUME = dict(rel=0.01)


def run(toml: str):
    scenario = parse_text(toml, "golden.toml")
    return scenario, compute(scenario)


def approx_list(values, **kw):
    return pytest.approx(values, **(kw or EXACT))


GPT4O = """
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
cached_input = 1.25
"""

H100 = """
[[gpus]]
name = "H100"
hourly = 1.99
"""


# --- Inference: API ------------------------------------------------------------------------------


def test_loan_underwriting_api_inference():
    _, r = run(
        """
horizon_months = 3
[workload]
requests_per_day = 100000
input_tokens = 1000
output_tokens = 500
days_per_month = 30
"""
        + GPT4O
        + """
[[options]]
name = "API + prompting"
model = "GPT-4o"
"""
    )
    o = r.options[0]
    # per request: (1000 * 2.50 + 500 * 10.00) / 1e6 = (2500 + 5000) / 1e6 = 0.0075
    # req(m) = 100,000 * 30 = 3,000,000;  inference = 3,000,000 * 0.0075 = 22,500
    assert r.series(0, "inference") == approx_list([22500.0] * 3)
    assert r.series(0, "total") == approx_list([22500.0] * 3)
    assert r.series(0, "cumulative") == approx_list([22500.0, 45000.0, 67500.0])
    for col in ("retrieval", "review", "people", "fixed", "one_time", "retrain"):
        assert r.series(0, col) == approx_list([0.0] * 3)
    assert o.tco == pytest.approx(67500.0, **EXACT)  # 3 * 22,500
    assert o.month1 == pytest.approx(22500.0, **EXACT)
    assert o.average_monthly == pytest.approx(22500.0, **EXACT)  # 67,500 / 3
    assert o.cost_per_request == pytest.approx(0.0075, **EXACT)  # 67,500 / 9,000,000
    # 67,500 / (9,000,000 * 1,500) * 1e6 = 5.0 per 1M tokens
    assert o.cost_per_mtok == pytest.approx(5.0, **EXACT)
    assert o.breakeven_month is None  # the baseline itself
    assert o.gpus_at_horizon is None
    assert o.gpu_hours_at_horizon is None
    assert r.baseline == "API + prompting"


# --- Inference: self-hosted, always on -----------------------------------------------------------


def test_one_always_on_h100_low_volume():
    _, r = run(
        """
horizon_months = 2
[workload]
requests_per_day = 1000
output_tokens = 500
"""
        + H100
        + """
[[options]]
name = "Self-hosted 8B"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 1000
"""
    )
    o = r.options[0]
    # thr = 1000 / 500 = 2 req/s; peak = 1000 / 86400 * 2 = 0.023148 req/s; / (2 * 0.7) = 0.0165 -> ceil 1
    # gpus = max(min_gpus 1, 1) = 1;  hours = 1 * 24 * 30 = 720;  inference = 720 * 1.99 = 1,432.80
    assert r.series(0, "gpus") == approx_list([1.0, 1.0])
    assert r.series(0, "gpu_hours") == approx_list([720.0, 720.0])
    assert r.series(0, "inference") == approx_list([1432.80, 1432.80])
    assert o.tco == pytest.approx(2865.60, **EXACT)  # 2 * 1,432.80
    assert o.gpus_at_horizon == 1
    assert o.gpu_hours_at_horizon == pytest.approx(720.0, **EXACT)
    # 2,865.60 / (1000 * 30 * 2) = 0.04776 per request
    assert o.cost_per_request == pytest.approx(0.04776, **EXACT)
    # 2,865.60 / (60,000 * 1,500) * 1e6 = 31.84 (Tin default 1000 + Tout 500)
    assert o.cost_per_mtok == pytest.approx(31.84, **EXACT)


def test_zero_volume_always_on_pays_min_gpus():
    _, r = run(
        """
horizon_months = 1
[workload]
requests_per_day = 0
"""
        + H100
        + """
[[options]]
name = "Self-hosted"
serve = "self_hosted"
gpu = "H100"
requests_per_second_per_gpu = 1
min_gpus = 2
"""
    )
    # peak = 0 -> ceil(0) = 0; gpus = max(2, 0) = 2; 2 * 720 * 1.99 = 2,865.60
    assert r.series(0, "gpus") == approx_list([2.0])
    assert r.series(0, "inference") == approx_list([2865.60])
    o = r.options[0]
    assert o.tco == pytest.approx(2865.60, **EXACT)
    # no requests: cost per request and per 1M tokens are null
    assert o.cost_per_request is None
    assert o.cost_per_mtok is None


GPU_SIZING = """
horizon_months = 1
[workload]
requests_per_day = 1000000
output_tokens = 400
peak_to_average = 2.5
days_per_month = 28
[[gpus]]
name = "A100"
hourly = 2.50
[[options]]
name = "tokens"
serve = "self_hosted"
gpu = "A100"
tokens_per_second_per_gpu = 1200
output_reduction = 0.25
target_utilization = 0.8
min_gpus = 3
[[options]]
name = "tokens, floor binds"
serve = "self_hosted"
gpu = "A100"
tokens_per_second_per_gpu = 1200
output_reduction = 0.25
target_utilization = 0.8
min_gpus = 12
[[options]]
name = "requests override tokens"
serve = "self_hosted"
gpu = "A100"
tokens_per_second_per_gpu = 1200
requests_per_second_per_gpu = 10
output_reduction = 0.25
target_utilization = 0.8
min_gpus = 1
"""


def test_gpu_count_from_peak():
    _, r = run(GPU_SIZING)
    # peak_rps = 1,000,000 / 86400 * 2.5 = 28.935185 req/s
    # option 0: tout = 400 * (1 - 0.25) = 300; thr = 1200 / 300 = 4 req/s; thr * u = 3.2
    #           28.935185 / 3.2 = 9.042 -> ceil 10; max(3, 10) = 10
    #           hours = 10 * 24 * 28 = 6,720; inference = 6,720 * 2.50 = 16,800
    assert r.series(0, "gpus") == approx_list([10.0])
    assert r.series(0, "gpu_hours") == approx_list([6720.0])
    assert r.series(0, "inference") == approx_list([16800.0])
    # option 1: same 10 from the peak, but min_gpus = 12 -> 12; 12 * 24 * 28 * 2.50 = 20,160
    assert r.series(1, "gpus") == approx_list([12.0])
    assert r.series(1, "inference") == approx_list([20160.0])
    # option 2: requests_per_second_per_gpu = 10 > 0 wins; 10 * 0.8 = 8
    #           28.935185 / 8 = 3.617 -> ceil 4; 4 * 24 * 28 * 2.50 = 6,720
    assert r.series(2, "gpus") == approx_list([4.0])
    assert r.series(2, "inference") == approx_list([6720.0])
    assert [o.gpus_at_horizon for o in r.options] == [10, 12, 4]


def test_gpu_count_follows_growth_to_horizon():
    _, r = run(
        """
horizon_months = 4
[workload]
requests_per_day = 100000
growth_per_month = 0.5
peak_to_average = 2
"""
        + H100
        + """
[[options]]
name = "Self-hosted"
serve = "self_hosted"
gpu = "H100"
requests_per_second_per_gpu = 1
target_utilization = 0.5
"""
    )
    # rpd: 100,000; 150,000; 225,000; 337,500
    # peak = rpd / 86400 * 2: 2.3148, 3.4722, 5.2083, 7.8125; / (1 * 0.5): 4.63, 6.94, 10.42, 15.625
    # ceil: 5, 7, 11, 16
    assert r.series(0, "gpus") == approx_list([5.0, 7.0, 11.0, 16.0])
    # 720 h per GPU-month, $1.99 per hour -> 1,432.80 per GPU
    assert r.series(0, "inference") == approx_list([5 * 1432.80, 7 * 1432.80, 11 * 1432.80, 16 * 1432.80])
    o = r.options[0]
    assert o.gpus_at_horizon == 16
    assert o.gpu_hours_at_horizon == pytest.approx(11520.0, **EXACT)  # 16 * 720
    # tco = (5 + 7 + 11 + 16) * 1,432.80 = 39 * 1,432.80 = 55,879.20
    assert o.tco == pytest.approx(55879.20, **EXACT)


# --- Inference: self-hosted, on demand -----------------------------------------------------------


def test_on_demand_hours():
    _, r = run(
        """
horizon_months = 1
[workload]
requests_per_day = 50000
[[gpus]]
name = "L4"
hourly = 3.0
[[options]]
name = "on demand, volume binds"
serve = "self_hosted"
gpu = "L4"
hosting = "on_demand"
requests_per_second_per_gpu = 2
target_utilization = 0.5
min_gpu_hours_per_month = 300
[[options]]
name = "on demand, floor binds"
serve = "self_hosted"
gpu = "L4"
hosting = "on_demand"
requests_per_second_per_gpu = 2
target_utilization = 0.5
min_gpu_hours_per_month = 500
[[options]]
name = "on demand, from tokens"
serve = "self_hosted"
gpu = "L4"
hosting = "on_demand"
tokens_per_second_per_gpu = 800
output_reduction = 0.5
target_utilization = 1.0
"""
    )
    # req = 50,000 * 30 = 1,500,000
    # option 0: 1,500,000 / (2 * 3600 * 0.5) = 416.666..., max(300, 416.67) -> 416.67 h; * 3.0 = 1,250
    assert r.series(0, "gpu_hours") == approx_list([1500000 / 3600])
    assert r.series(0, "inference") == approx_list([1250.0])
    # option 1: max(500, 416.67) = 500 h; 500 * 3.0 = 1,500
    assert r.series(1, "gpu_hours") == approx_list([500.0])
    assert r.series(1, "inference") == approx_list([1500.0])
    # option 2: tout = 500 * 0.5 = 250; thr = 800 / 250 = 3.2 req/s; 1,500,000 / (3.2 * 3600 * 1.0)
    #           = 130.208333 h; * 3.0 = 390.625
    assert r.series(2, "gpu_hours") == approx_list([1500000 / 11520])
    assert r.series(2, "inference") == approx_list([390.625])
    # on demand has no GPU count
    assert [o.gpus_at_horizon for o in r.options] == [None, None, None]
    assert r.options[1].gpu_hours_at_horizon == pytest.approx(500.0, **EXACT)


# --- Tokens: caching, RAG, reductions ------------------------------------------------------------


def test_prompt_caching_cached_and_uncached_input():
    _, r = run(
        """
horizon_months = 1
[workload]
requests_per_day = 10000
input_tokens = 2000
output_tokens = 300
cacheable_share = 0.6
[[api_models]]
name = "Sonnet"
input = 3.0
output = 15.0
cached_input = 0.3
[[api_models]]
name = "No cache price"
input = 3.0
output = 15.0
[[options]]
name = "no caching"
model = "Sonnet"
[[options]]
name = "caching"
model = "Sonnet"
prompt_caching = true
[[options]]
name = "caching, cached_input absent"
model = "No cache price"
prompt_caching = true
"""
    )
    # req = 10,000 * 30 = 300,000
    # no caching: (2000 * 3 + 300 * 15) / 1e6 = 0.0105 per request -> 3,150
    assert r.series(0, "inference") == approx_list([3150.0])
    # caching: cached = 0.6 * 2000 = 1200, uncached = 800
    #          (800 * 3 + 1200 * 0.3 + 300 * 15) / 1e6 = (2400 + 360 + 4500) / 1e6 = 0.00726 -> 2,178
    assert r.series(1, "inference") == approx_list([2178.0])
    # cached_input absent = input price: (800 * 3 + 1200 * 3 + 4500) / 1e6 = 0.0105 -> 3,150
    assert r.series(2, "inference") == approx_list([3150.0])


def test_rag_with_caching_and_reductions():
    _, r = run(
        """
horizon_months = 2
[workload]
requests_per_day = 20000
input_tokens = 1000
output_tokens = 500
cacheable_share = 0.5
[rag]
context_tokens = 1500
cost_per_query = 0.0004
fixed_monthly = 250
"""
        + GPT4O
        + """
[[options]]
name = "plain"
model = "GPT-4o"
[[options]]
name = "RAG + caching + shorter prompts"
model = "GPT-4o"
rag = true
prompt_caching = true
prompt_reduction = 0.4
output_reduction = 0.2
[[options]]
name = "RAG only"
model = "GPT-4o"
rag = true
"""
    )
    # req = 20,000 * 30 = 600,000
    # plain: 0.0075 per request -> 4,500; no retrieval
    assert r.series(0, "inference") == approx_list([4500.0, 4500.0])
    assert r.series(0, "retrieval") == approx_list([0.0, 0.0])
    # option 1: tin = 1000 * (1 - 0.4) + 1500 = 2100; tout = 500 * (1 - 0.2) = 400
    #           cached = 0.5 * 2100 = 1050; uncached = 1050
    #           (1050 * 2.50 + 1050 * 1.25 + 400 * 10) / 1e6 = (2625 + 1312.5 + 4000) / 1e6 = 0.0079375
    #           inference = 600,000 * 0.0079375 = 4,762.50
    assert r.series(1, "inference") == approx_list([4762.5, 4762.5])
    # retrieval = 600,000 * 0.0004 + 250 = 240 + 250 = 490
    assert r.series(1, "retrieval") == approx_list([490.0, 490.0])
    # option 2: tin = 1000 + 1500 = 2500 (caching off); (2500 * 2.5 + 500 * 10) / 1e6 = 0.01125 -> 6,750
    assert r.series(2, "inference") == approx_list([6750.0, 6750.0])
    assert r.series(2, "retrieval") == approx_list([490.0, 490.0])
    # totals: 4,762.50 + 490 = 5,252.50 a month; cost_per_mtok uses the workload's 1000 + 500 tokens:
    # tco = 10,505; 10,505 / (1,200,000 * 1,500) * 1e6 = 5.836111...
    assert r.options[1].tco == pytest.approx(10505.0, **EXACT)
    assert r.options[1].cost_per_mtok == pytest.approx(10505.0 / 1800.0, **EXACT)


# --- Growth and price drift ----------------------------------------------------------------------


def test_growth_and_api_price_drift():
    _, r = run(
        """
horizon_months = 13
[workload]
requests_per_day = 10000
growth_per_month = 0.1
[market]
api_price_change_per_year = -0.5
"""
        + GPT4O
        + """
[[options]]
name = "API"
model = "GPT-4o"
"""
    )
    inf = r.series(0, "inference")
    # inference(m) = 10,000 * 1.1^(m-1) * 30 * 0.0075 * 0.5^((m-1)/12) = 2,250 * 1.1^(m-1) * 0.5^((m-1)/12)
    assert inf[0] == pytest.approx(2250.0, **EXACT)
    # m = 2: 2,250 * 1.1 * 0.5^(1/12) = 2,475 * 0.943874313 = 2,336.0889...
    assert inf[1] == pytest.approx(2475.0 * 0.5 ** (1 / 12), **EXACT)
    # m = 7: 2,250 * 1.771561 * 0.5^0.5 = 3,986.01225 * 0.70710678 = 2,818.54...
    assert inf[6] == pytest.approx(3986.01225 * 0.5**0.5, **EXACT)
    # m = 13: 2,250 * 1.1^12 * 0.5 = 2,250 * 3.138428376721 * 0.5 = 3,530.731923811125
    assert inf[12] == pytest.approx(3530.731923811125, **EXACT)


def test_gpu_price_drift():
    _, r = run(
        """
horizon_months = 13
[workload]
requests_per_day = 1000
growth_per_month = 0.05
[market]
gpu_price_change_per_year = 0.2
api_price_change_per_year = -0.9
"""
        + H100
        + """
[[options]]
name = "Self-hosted"
serve = "self_hosted"
gpu = "H100"
requests_per_second_per_gpu = 5
"""
    )
    inf = r.series(0, "inference")
    # one GPU throughout (growth 1.05^12 = 1.8 -> 1,796 req/day, far below capacity)
    # inference(m) = 1,432.80 * 1.2^((m-1)/12); the API drift does not apply
    assert inf[0] == pytest.approx(1432.80, **EXACT)
    assert inf[6] == pytest.approx(1432.80 * 1.2**0.5, **EXACT)  # 1,569.5577...
    assert inf[12] == pytest.approx(1719.36, **EXACT)  # 1,432.80 * 1.2


# --- Review, people, fixed -----------------------------------------------------------------------


def test_review_people_fixed():
    _, r = run(
        """
horizon_months = 2
[workload]
requests_per_day = 1000
growth_per_month = 1.0
[overheads]
cost_per_review = 2.0
engineer_annual_cost = 240000
"""
        + GPT4O
        + """
[[options]]
name = "API"
model = "GPT-4o"
review_rate = 0.05
ops_fte = 1.5
fixed_monthly = 800
"""
    )
    # req: 1000 * 30 = 30,000, then 60,000 (growth 100 %)
    # review = req * 0.05 * 2.0: 3,000 then 6,000
    assert r.series(0, "review") == approx_list([3000.0, 6000.0])
    # people = 1.5 * 240,000 / 12 = 30,000
    assert r.series(0, "people") == approx_list([30000.0, 30000.0])
    assert r.series(0, "fixed") == approx_list([800.0, 800.0])
    # inference = req * 0.0075: 225, 450
    assert r.series(0, "inference") == approx_list([225.0, 450.0])
    # total: 225 + 3,000 + 30,000 + 800 = 34,025; 450 + 6,000 + 30,000 + 800 = 37,250
    assert r.series(0, "total") == approx_list([34025.0, 37250.0])
    assert r.series(0, "cumulative") == approx_list([34025.0, 71275.0])
    o = r.options[0]
    assert o.tco == pytest.approx(71275.0, **EXACT)
    # 71,275 / 90,000 requests = 0.79194444...
    assert o.cost_per_request == pytest.approx(71275.0 / 90000.0, **EXACT)


# --- One-time and retrain ------------------------------------------------------------------------

ADAPT = """
horizon_months = 8
[workload]
requests_per_day = 1000
input_tokens = 1000
output_tokens = 500
[market]
gpu_price_change_per_year = 0.2
[overheads]
labeling_cost_per_example = 3.0
labeling_qa_overhead = 0.25
eval_setup = 2000
[training]
gpu = "A100"
gpus = 8
hours_per_run = 6
runs = 10
examples = 5000
already_labeled = 1000
retrain_every_months = 3
relabel_share = 0.2
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
[[api_models]]
name = "mini"
input = 0.0
output = 0.0
[[gpus]]
name = "A100"
hourly = 1.5
[[options]]
name = "API, setup only"
model = "GPT-4o"
setup_cost = 5000
[[options]]
name = "Fine-tuned"
model = "mini"
fine_tune = true
setup_cost = 5000
prompt_reduction = 0.5
[[options]]
name = "Distilled"
model = "mini"
distill = true
teacher = "GPT-4o"
prompt_reduction = 0.5
"""


def test_one_time_and_retrain_fine_tune_and_distill():
    _, r = run(ADAPT)
    z = [0.0] * 7
    # not adapting: one_time(1) = setup_cost only (no eval_setup, no training), never retrains
    assert r.series(0, "one_time") == approx_list([5000.0] + z)
    assert r.series(0, "retrain") == approx_list([0.0] * 8)
    # training_run = 8 GPUs * 6 h * 1.5 = 72
    # labeling = max(0, 5000 - 1000) * 3.0 * 1.25 = 4000 * 3.75 = 15,000
    # fine_tune one_time(1) = 5,000 + 10 * 72 + 15,000 + 2,000 = 22,720
    assert r.series(1, "one_time") == approx_list([22720.0] + z)
    # retrain every 3 months: m = 4 and m = 7 ((m-1) % 3 == 0, m > 1)
    # retrain(4) = 72 * 1.2^(3/12) + 0.2 * 15,000 = 72 * 1.2^0.25 + 3,000
    # retrain(7) = 72 * 1.2^(6/12) + 3,000
    ft = r.series(1, "retrain")
    assert ft == approx_list([0, 0, 0, 72 * 1.2**0.25 + 3000, 0, 0, 72 * 1.2**0.5 + 3000, 0])
    # distill: teacher_data = 5000 * (1000 * 2.50 + 500 * 10.00) / 1e6 = 5000 * 0.0075 = 37.5
    # (the workload's Tin, not the reduced prompt; already_labeled does not apply)
    # one_time(1) = 0 + 720 + 37.5 + 2,000 = 2,757.5
    assert r.series(2, "one_time") == approx_list([2757.5] + z)
    # retrain = 72 * fg(m) + 0.2 * 37.5 = 72 * fg(m) + 7.5
    assert r.series(2, "retrain") == approx_list(
        [0, 0, 0, 72 * 1.2**0.25 + 7.5, 0, 0, 72 * 1.2**0.5 + 7.5, 0]
    )
    # the free model has zero inference, so the fine-tuned TCO is its one-time plus retrains:
    # 22,720 + (72 * 1.2^0.25 + 3,000) + (72 * 1.2^0.5 + 3,000)
    assert r.options[1].tco == pytest.approx(28720.0 + 72 * 1.2**0.25 + 72 * 1.2**0.5, **EXACT)
    # per-component sum equals total
    for i in range(3):
        parts = [
            r.series(i, c)
            for c in ("inference", "retrieval", "review", "people", "fixed", "one_time", "retrain")
        ]
        assert r.series(i, "total") == approx_list([sum(p[m] for p in parts) for m in range(8)])


def test_training_gpu_empty_means_no_training_compute():
    text = ADAPT.replace('gpu = "A100"\ngpus = 8', 'gpu = ""\ngpus = 8')
    _, r = run(text)
    # training_run = 0; fine_tune one_time(1) = 5,000 + 0 + 15,000 + 2,000 = 22,000
    assert r.series(1, "one_time") == approx_list([22000.0] + [0.0] * 7)
    # retrain = 0 + 0.2 * 15,000 = 3,000 at m = 4, 7
    assert r.series(1, "retrain") == approx_list([0, 0, 0, 3000.0, 0, 0, 3000.0, 0])
    # distill: 0 + 37.5 + 2,000 = 2,037.5; retrain 7.5
    assert r.series(2, "one_time") == approx_list([2037.5] + [0.0] * 7)
    assert r.series(2, "retrain") == approx_list([0, 0, 0, 7.5, 0, 0, 7.5, 0])


def test_already_labeled_beyond_examples_costs_nothing():
    text = ADAPT.replace("already_labeled = 1000", "already_labeled = 9000")
    _, r = run(text)
    # labeling = max(0, 5000 - 9000) * ... = 0; one_time = 5,000 + 720 + 0 + 2,000 = 7,720
    assert r.series(1, "one_time") == approx_list([7720.0] + [0.0] * 7)
    # retrain = 72 * fg(m) + 0.2 * 0
    assert r.series(1, "retrain") == approx_list([0, 0, 0, 72 * 1.2**0.25, 0, 0, 72 * 1.2**0.5, 0])


def test_no_retrain_when_every_is_zero_and_every_one_is_monthly():
    _, r0 = run(ADAPT.replace("retrain_every_months = 3", "retrain_every_months = 0"))
    assert r0.series(1, "retrain") == approx_list([0.0] * 8)
    _, r1 = run(ADAPT.replace("retrain_every_months = 3", "retrain_every_months = 1"))
    # every month from m = 2: 72 * 1.2^((m-1)/12) + 3,000
    assert r1.series(1, "retrain") == approx_list(
        [0.0] + [72 * 1.2 ** ((m - 1) / 12) + 3000 for m in range(2, 9)]
    )


def test_fine_tuned_self_hosted_option():
    text = ADAPT + (
        """
[[options]]
name = "Fine-tuned, self-hosted"
serve = "self_hosted"
gpu = "A100"
fine_tune = true
requests_per_second_per_gpu = 5
"""
    )
    _, r = run(text)
    # one A100 always on: 720 h * 1.5 * 1.2^((m-1)/12)
    assert r.series(3, "inference") == approx_list([1080.0 * 1.2 ** ((m - 1) / 12) for m in range(1, 9)])
    # one_time(1) = 0 + 720 + 15,000 + 2,000 = 17,720
    assert r.series(3, "one_time") == approx_list([17720.0] + [0.0] * 7)


# --- Totals, per-option summary ------------------------------------------------------------------


def test_tco_cost_per_request_and_per_mtok_with_growth():
    _, r = run(
        """
horizon_months = 3
[workload]
requests_per_day = 1000
growth_per_month = 0.5
input_tokens = 600
output_tokens = 400
[[api_models]]
name = "M"
input = 1.0
output = 5.0
[[options]]
name = "API"
model = "M"
fixed_monthly = 100
"""
    )
    # per request: (600 * 1 + 400 * 5) / 1e6 = 0.0026
    # req: 30,000; 45,000; 67,500 -> inference 78; 117; 175.5
    # total: 178; 217; 275.5 -> cumulative 178; 395; 670.5
    assert r.series(0, "total") == approx_list([178.0, 217.0, 275.5])
    assert r.series(0, "cumulative") == approx_list([178.0, 395.0, 670.5])
    o = r.options[0]
    assert o.tco == pytest.approx(670.5, **EXACT)
    assert o.average_monthly == pytest.approx(223.5, **EXACT)  # 670.5 / 3
    # cost_per_request = 670.5 / 142,500
    assert o.cost_per_request == pytest.approx(670.5 / 142500, **EXACT)
    # cost_per_mtok = 670.5 / (142,500 * 1,000) * 1e6 = 4.70526...
    assert o.cost_per_mtok == pytest.approx(670.5 / 142500 * 1000, **EXACT)


def test_cost_per_mtok_null_when_workload_has_no_tokens():
    _, r = run(
        """
horizon_months = 1
[workload]
requests_per_day = 100
input_tokens = 0
output_tokens = 0
"""
        + GPT4O
        + """
[[options]]
name = "API"
model = "GPT-4o"
fixed_monthly = 30
"""
    )
    o = r.options[0]
    assert o.tco == pytest.approx(30.0, **EXACT)
    assert o.cost_per_request == pytest.approx(0.01, **EXACT)  # 30 / 3,000
    assert o.cost_per_mtok is None


# --- Breakeven month ------------------------------------------------------------------------------

BREAKEVEN = """
horizon_months = 6
[workload]
requests_per_day = 100000
"""
BREAKEVEN_MODELS = """
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
[[api_models]]
name = "tenth"
input = 0.25
output = 1.00
"""


def test_breakeven_month_first_option_is_baseline():
    _, r = run(
        BREAKEVEN
        + BREAKEVEN_MODELS
        + """
[[options]]
name = "baseline API"
model = "GPT-4o"
[[options]]
name = "cheap, pays back in 3"
model = "tenth"
setup_cost = 50000
[[options]]
name = "cheap, tie in 2"
model = "tenth"
setup_cost = 40500
[[options]]
name = "never"
model = "GPT-4o"
fixed_monthly = 1
[[options]]
name = "cheaper from month 1"
model = "tenth"
"""
    )
    # baseline: 22,500 a month -> cumulative 22,500 m
    # option 1: 50,000 + 2,250 m: m=1 52,250 > 22,500; m=2 54,500 > 45,000; m=3 56,750 <= 67,500 -> 3
    # option 2: 40,500 + 2,250 m: m=2 45,000 <= 45,000 (equal counts) -> 2
    # option 3: 22,501 m > 22,500 m always -> null
    # option 4: 2,250 m <= 22,500 m from m = 1 -> 1
    assert r.baseline == "baseline API"
    assert [o.breakeven_month for o in r.options] == [None, 3, 2, None, 1]
    assert [o.is_baseline for o in r.options] == [True, False, False, False, False]


def test_breakeven_month_marked_baseline():
    _, r = run(
        BREAKEVEN
        + BREAKEVEN_MODELS
        + """
[[options]]
name = "cheap, pays back in 3"
model = "tenth"
setup_cost = 50000
[[options]]
name = "baseline API"
model = "GPT-4o"
baseline = true
"""
    )
    assert r.baseline == "baseline API"
    # same figures as above with the baseline second
    assert [o.breakeven_month for o in r.options] == [3, None]
    assert [o.is_baseline for o in r.options] == [False, True]


# --- Breakeven volume -----------------------------------------------------------------------------

VOLUME_BASE = """
horizon_months = 12
[workload]
requests_per_day = 100000
input_tokens = 1000
output_tokens = 500
growth_per_month = 0.2
[market]
api_price_change_per_year = -0.5
gpu_price_change_per_year = 0.5
"""


def test_breakeven_volume_api_vs_one_always_on_gpu():
    _, r = run(
        VOLUME_BASE
        + GPT4O
        + H100
        + """
[training]
gpu = "H100"
retrain_every_months = 1
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "Self-hosted, one GPU covers it"
serve = "self_hosted"
gpu = "H100"
requests_per_second_per_gpu = 10
fine_tune = true
setup_cost = 1000000
"""
    )
    # month-1 prices (the drifts do not apply), no one-time or retrain costs, growth ignored:
    # API: 0.0075 * 30 = 0.225 per (request/day) per month; GPU: 1,432.80 flat while one GPU suffices
    # (one GPU carries 10 * 0.7 * 86400 / 2 = 302,400 req/day).
    # crossing: 1,432.80 / 0.225 = 6,368 req/day; above it the GPU is never dearer
    o = r.options[1]
    assert o.breakeven_requests_per_day == pytest.approx(6368.0, **VOLUME)
    # tokens per day = 6,368 * 1,500 = 9,552,000
    assert o.breakeven_tokens_per_day == pytest.approx(9552000.0, **VOLUME)
    assert r.options[0].breakeven_requests_per_day is None  # the baseline


def test_breakeven_volume_api_with_fixed_cost_and_edges():
    _, r = run(
        VOLUME_BASE
        + """
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
[[api_models]]
name = "third"
input = 0.50
output = 4.00
[[gpus]]
name = "H100"
hourly = 1.99
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "cheaper per request, fixed cost"
model = "third"
fixed_monthly = 3000
[[options]]
name = "never dearer"
model = "third"
[[options]]
name = "always dearer"
model = "GPT-4o"
fixed_monthly = 10
[[options]]
name = "GPU too slow to ever pay"
serve = "self_hosted"
gpu = "H100"
requests_per_second_per_gpu = 0.01
"""
    )
    # option 1: (1000 * 0.5 + 500 * 4) / 1e6 = 0.0025 per request; saves 0.005 * 30 = 0.15 per (req/day)
    #           a month; crossing 3,000 / 0.15 = 20,000 req/day
    assert r.options[1].breakeven_requests_per_day == pytest.approx(20000.0, **VOLUME)
    # option 2: never dearer -> 0
    assert r.options[2].breakeven_requests_per_day == 0
    # option 3: dearer by 10 at every volume, 1e9 included -> null
    assert r.options[3].breakeven_requests_per_day is None
    # option 4: one GPU per 0.01 * 0.7 * 86400 / 2 = 302.4 req/day costs 1,432.80, i.e. 4.74 per
    #           (req/day) a month against the API's 0.225 -> dearer at 1e9 -> null
    assert r.options[4].breakeven_requests_per_day is None


def test_breakeven_volume_gpu_step_function_many_gpus():
    """The crossing lies where many GPUs run: the last volume at which the GPU option is dearer is just
    after a GPU-count step, so the search must see every step (docs/model.md section 2: within 1% of the exact crossing).
    """
    _, r = run(
        """
horizon_months = 1
[workload]
requests_per_day = 1000
input_tokens = 1000
output_tokens = 500
peak_to_average = 2
[[api_models]]
name = "cheap"
input = 0.50
output = 3.00
[[gpus]]
name = "H100"
hourly = 1.99
[[options]]
name = "API"
model = "cheap"
[[options]]
name = "Self-hosted"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 400
"""
    )
    # API: (1000 * 0.5 + 500 * 3) / 1e6 = 0.002 per request -> a = 0.06 per (req/day) per month
    # GPU: thr = 400 / 500 = 0.8 req/s; one GPU carries s = 0.8 * 0.7 * 86400 / 2 = 24,192 req/day
    #      and costs c = 1,432.80 a month; at V the GPU option costs c * ceil(V / s).
    # Just above k * s it costs c * (k + 1) against a * k * s = 1,451.52 k: dearer while
    # k < c / (a * s - c) = 1,432.80 / 18.72 = 76.54, so the last dearer step is k = 76, where the option
    # is dearer from 76 * 24,192 = 1,838,592 up to V = 77 * 1,432.80 / 0.06 = 1,838,760 req/day.
    # Above 1,838,760 the GPU option is never dearer again.
    o = r.options[1]
    assert o.breakeven_requests_per_day == pytest.approx(1838760.0, **VOLUME)


STEP_BASELINE = """
horizon_months = 1
[workload]
requests_per_day = {rpd}
input_tokens = 1000
output_tokens = 500
peak_to_average = 2
[[api_models]]
name = "small"
input = 0.50
output = 1.00
[[gpus]]
name = "H100"
hourly = 1.99
[[options]]
name = "Self-hosted"
serve = "self_hosted"
gpu = "H100"
baseline = true
requests_per_second_per_gpu = 0.5
target_utilization = 0.6
[[options]]
name = "API + licence"
model = "small"
fixed_monthly = 7360.2
"""


def test_breakeven_volume_crossing_on_a_baseline_gpu_step():
    """The baseline is the step function: the option is dearer up to the volume where the baseline needs
    one more GPU, and cheaper from there on. The crossing is that GPU step."""
    # Baseline: one GPU carries s = 0.5 * 0.6 * 86400 / 2 = 12,960 req/day and costs c = 1,432.80 a month.
    # Option: (1000 * 0.50 + 500 * 1.00) / 1e6 = 0.001 per request -> a = 0.03 per (req/day) per month,
    #         plus 7,360.20 a month.
    # At the end of step k (V = k * s, k GPUs) the option is dearer by 7,360.20 + 0.03 * 12,960 k - 1,432.80 k
    # = 7,360.20 - 1,044 k: positive for k <= 7 (52.20 at k = 7), and it only falls within a step
    # (slope 0.03 < 1,432.80 / 12,960) and after each step (-1,432.80). The last volume at which the
    # option is dearer is the end of step 7: V = 7 * 12,960 = 90,720 req/day.
    _, r = run(STEP_BASELINE.format(rpd=90000))
    # at 90,000 req/day: API 0.03 * 90,000 + 7,360.20 = 10,060.20; GPUs ceil(90,000 / 12,960) = 7 -> 10,029.60
    assert r.options[0].month1 == pytest.approx(10029.60, **EXACT)
    assert r.options[1].month1 == pytest.approx(10060.20, **EXACT)
    # at 91,000: 8 GPUs -> 11,462.40 against 2,730 + 7,360.20 = 10,090.20: the option is cheaper
    _, r2 = run(STEP_BASELINE.format(rpd=91000))
    assert r2.options[0].month1 == pytest.approx(11462.40, **EXACT)
    assert r2.options[1].month1 == pytest.approx(10090.20, **EXACT)
    # so the option is dearer at 90,000 and the breakeven volume is 90,720 (not below 90,000)
    assert r.options[1].breakeven_requests_per_day == pytest.approx(90720.0, **VOLUME)


def test_breakeven_volume_self_hosted_baseline():
    _, r = run(
        VOLUME_BASE
        + GPT4O
        + H100
        + """
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "Self-hosted"
serve = "self_hosted"
gpu = "H100"
requests_per_second_per_gpu = 10
baseline = true
"""
    )
    # with the GPU as baseline, the API option is dearer above 6,368 req/day -> null (dearer at 1e9)
    assert r.options[0].breakeven_requests_per_day is None
    assert r.options[1].breakeven_requests_per_day is None  # the baseline


def test_breakeven_volume_on_demand_floor():
    _, r = run(
        VOLUME_BASE
        + GPT4O
        + """
[[gpus]]
name = "L4"
hourly = 1.0
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "On demand"
serve = "self_hosted"
gpu = "L4"
hosting = "on_demand"
requests_per_second_per_gpu = 1
target_utilization = 0.5
min_gpu_hours_per_month = 900
"""
    )
    # on demand: hours = max(900, 30 V / (1 * 3600 * 0.5)) = max(900, V / 60); cost = hours * 1.0
    # per request that is 1/60 per (req/day) a month = 0.016667 < API 0.225: cheaper beyond the floor;
    # below V = 54,000 (floor) the option costs 900: crossing 900 / 0.225 = 4,000 req/day
    assert r.options[1].breakeven_requests_per_day == pytest.approx(4000.0, **VOLUME)


def test_empty_scenario_has_no_options():
    _, r = run("name = 'empty'\n")
    assert r.options == []
    assert r.baseline is None


def test_breakeven_volume_is_finite_or_null():
    _, r = run(GPU_SIZING)
    for o in r.options:
        v = o.breakeven_requests_per_day
        assert v is None or (math.isfinite(v) and v >= 0)
