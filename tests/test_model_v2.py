"""Golden figures for every formula line of docs/model.md section 6 (version 2), computed by hand.

The three scenarios are the worked examples of docs/model.md section 6: a rollout with fallbacks (6.1),
training bought from a provider (6.2) and pre-training (6.3); then 6.0's equal numbers. Each expected
number is plain arithmetic written from the contract, with its reasoning in a comment; the engine's
formulas are never called to produce one. The figures are read from the JSON report
(`to_json_dict(analyze(...))`, what `workbench report --format json` prints; one test goes through the CLI).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from workbench.model.report import analyze, to_json_dict
from workbench.store.files import dump_text, load, parse_text

EXACT = dict(rel=1e-9, abs=1e-9)
VOLUME = dict(rel=0.01)  # the contract accepts a breakeven volume within 1% of the exact crossing


def report(toml: str) -> dict:
    """The JSON report of a scenario, options by name."""
    out = to_json_dict(analyze(parse_text(toml, "v2.toml")))
    out["by_name"] = {o["name"]: o for o in out["options"]}
    return out


def close(values, expected, **kw):
    return values == pytest.approx(expected, **(kw or EXACT))


# --- 6.1 Going live, rolling out, falling back --------------------------------------------------------

ROLLOUT = """schema_version = 2
name = "Rollout with fallbacks"
horizon_months = 8
[workload]
requests_per_day = 100000
input_tokens = 1000
output_tokens = 500
cacheable_share = 0.6
peak_to_average = 2.0
days_per_month = 30
[overheads]
engineer_annual_cost = 250000
cost_per_review = 0.2
[rag]
context_tokens = 1500
cost_per_query = 0.001
fixed_monthly = 500
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
cached_input = 1.25
[[api_models]]
name = "mini"
input = 0.30
output = 1.20
[[gpus]]
name = "H100"
hourly = 1.99
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "Cached RAG"
model = "GPT-4o"
prompt_caching = true
rag = true
prompt_reduction = 0.2
review_rate = 0.01
[[options]]
name = "Self always on"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 2500
rag = true
review_rate = 0.01
fixed_monthly = 1000
ops_fte = 0.5
go_live_month = 4
rollout = [0.05, 0.25, 0.5]
fallback_share = 0.1
[[options]]
name = "Self on demand"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 2500
hosting = "on_demand"
min_gpu_hours_per_month = 50
go_live_month = 4
rollout = [0.05, 0.25, 0.5]
fallback_share = 0.1
fallback = "Cached RAG"
[[options]]
name = "Mini rollout"
model = "mini"
go_live_month = 2
rollout = [0.5]
fallback_share = 0.2
[[options]]
name = "Floor at s = 0"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 2500
min_gpus = 2
rag = true
fixed_monthly = 300
go_live_month = 2
rollout = [0, 0.5]
[[options]]
name = "All to fallback"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 2500
hosting = "on_demand"
min_gpu_hours_per_month = 100
fixed_monthly = 50
fallback_share = 1.0
"""

REQ = 3_000_000  # req(m) = 100,000 * 30, every month (no growth)
# s(o, m) of the two self-hosted options: 0 before go-live (months 1-3), the rollout list from month 4,
# then 1 - fallback_share = 0.9.
S_SELF = [0, 0, 0, 0.05, 0.25, 0.5, 0.9, 0.9]
UNIT_API = 0.0075  # (1000 * 2.50 + 500 * 10.00) / 1e6
# The fallback "Cached RAG": tin = 1000 * (1 - 0.2) + 1500 = 2300; cached = 0.6 * 2300 = 1380;
# uncached = 920; tokens (920 * 2.50 + 1380 * 1.25 + 500 * 10.00) / 1e6 = (2300 + 1725 + 5000) / 1e6
# = 0.009025; + retrieval 0.001 a query + review 0.01 * 0.2 = 0.002: unit = 0.012025.
UNIT_CACHED_RAG = 0.012025


@pytest.fixture(scope="module")
def rollout() -> dict:
    return report(ROLLOUT)


def test_the_share_served_before_during_and_after_the_rollout(rollout):
    """s(o, m) read back from the API inference of "Mini rollout": inference = sreq * 0.0009."""
    o = rollout["by_name"]["Mini rollout"]
    s = [0, 0.5, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]  # go-live 2, rollout [0.5], then 1 - 0.2
    # API inference on sreq(o, m) = s * 3,000,000, at (1000 * 0.30 + 500 * 1.20) / 1e6 = 0.0009 a request
    assert close(o["components"]["inference"], [x * REQ * 0.0009 for x in s])  # 0, 1350, 2160, ...
    # the rest goes to the baseline at 0.0075 a request: 22,500, 11,250, 4,500, ...
    assert close(o["components"]["fallback"], [(1 - x) * REQ * UNIT_API for x in s])
    assert close(o["monthly_total"], [22500, 1350 + 11250] + [2160 + 4500] * 6)


def test_self_hosted_always_on_is_off_until_live_then_sized_on_the_share(rollout):
    o = rollout["by_name"]["Self always on"]
    # not live in months 1-3: no GPUs (0, not null), no GPU-hours, no inference
    # live: peak = srpd / 86400 * 2, e.g. month 4: 5,000 / 86,400 * 2 = 0.1157 req/s; month 7: 90,000 ->
    # 2.0833 req/s; thr = 2500 / 500 = 5, capacity 5 * 0.7 = 3.5: ceil(0.033) = ceil(0.595) = 1 GPU
    assert o["gpus"] == [0, 0, 0, 1, 1, 1, 1, 1]
    assert close(o["gpu_hours"], [0, 0, 0, 720, 720, 720, 720, 720])  # 1 GPU * 24 * 30
    assert close(o["components"]["inference"], [0, 0, 0] + [1432.8] * 5)  # 720 * 1.99
    # retrieval = sreq * 0.001 + (500 if live): 0, 0, 0, 150 + 500, 750 + 500, 1500 + 500, 2700 + 500 ...
    assert close(o["components"]["retrieval"], [0, 0, 0, 650, 1250, 2000, 3200, 3200])
    # review = sreq * 0.01 * 0.2: 150,000 * 0.002 = 300; 750,000 -> 1500; 1.5M -> 3000; 2.7M -> 5400
    assert close(o["components"]["review"], [0, 0, 0, 300, 1500, 3000, 5400, 5400])
    assert close(o["components"]["fixed"], [0, 0, 0] + [1000] * 5)  # only when live
    # people from month 1: the team builds the option (0.5 * 250,000 / 12)
    assert close(o["components"]["people"], [250000 * 0.5 / 12] * 8)
    # fallback (baseline, 0.0075 a request): 22,500 * (1 - s) = 22,500 x3, 21,375, 16,875, 11,250, 2,250 x2
    assert close(o["components"]["fallback"], [22500, 22500, 22500, 21375, 16875, 11250, 2250, 2250])
    assert o["gpus_at_horizon"] == 1
    # Cumulative never reaches the baseline's 22,500 a month: month 7 alone costs
    # 1432.8 + 3200 + 5400 + 10,416.67 + 1000 + 2250 = 23,699.47.
    assert o["breakeven_month"] is None


def test_the_breakeven_volume_of_a_rolled_out_option_includes_its_fallback(rollout):
    """Steady state rolled out: live, s = 0.9, month-1 prices, at V requests a day (30 V a month):
    1432.8 (one GPU up to V = 3.5 * 86400 / 2 / 0.9 = 168,000) + 0.9 * 30 V * 0.001 + 500 (retrieval)
    + 0.9 * 30 V * 0.002 (review) + 10,416.67 (people) + 1000 (fixed) + 0.1 * 30 V * 0.0075 (fallback)
    = 13,349.47 + 0.1035 V, against the baseline's 0.225 V: they cross at 13,349.47 / 0.1215 = 109,872.
    Each further GPU (1432.8) comes with 168,000 more requests a day, worth 0.1215 * 168,000 = 20,412 a
    month to the option: it never becomes dearer again."""
    o = rollout["by_name"]["Self always on"]
    fixed = 1432.8 + 500 + 250000 * 0.5 / 12 + 1000
    assert o["breakeven_requests_per_day"] == pytest.approx(
        fixed / (0.225 - 0.027 - 0.054 - 0.0225), **VOLUME
    )
    # "Mini rollout": 0.8 * 30 V * 0.0009 + 0.2 * 30 V * 0.0075 = 0.0666 V < 0.225 V: never dearer
    assert rollout["by_name"]["Mini rollout"]["breakeven_requests_per_day"] == 0
    # "Self on demand": max(50, 0.9 * 30 V / 12,600) * 1.99 + 0.1 * 30 V * 0.012025 (its own fallback):
    # 99.50 + 0.036075 V against 0.225 V, crossing at 99.50 / 0.188925 = 526.66 (the 50-hour floor lasts
    # up to V = 50 * 12,600 / 27 = 23,333); above, 0.004264 V + 0.036075 V stays under 0.225 V
    assert rollout["by_name"]["Self on demand"]["breakeven_requests_per_day"] == pytest.approx(
        99.5 / (0.225 - 0.1 * 30 * UNIT_CACHED_RAG), **VOLUME
    )
    # "Floor at s = 0" rolled out serves everything (s = 1): 2 GPUs 2,865.60 + 300 + 500 + 30 V * 0.001,
    # crossing 0.225 V at 3,665.60 / 0.195 = 18,797.9
    assert rollout["by_name"]["Floor at s = 0"]["breakeven_requests_per_day"] == pytest.approx(
        3665.6 / 0.195, **VOLUME
    )
    # "All to fallback": s = 0, so 199 + 50 + 0.225 V: dearer than 0.225 V at every volume, 1e9 too
    assert rollout["by_name"]["All to fallback"]["breakeven_requests_per_day"] is None


def test_on_demand_hours_follow_the_requests_served_and_an_explicit_fallback(rollout):
    o = rollout["by_name"]["Self on demand"]
    # hours = max(50, sreq / (5 * 3600 * 0.7)) = max(50, sreq / 12,600) when live, else 0:
    # month 4: 150,000 / 12,600 = 11.90 -> 50; month 5: 750,000 / 12,600 = 59.52; 6: 119.05; 7: 214.29
    hours = [0, 0, 0, 50, 750000 / 12600, 1500000 / 12600, 2700000 / 12600, 2700000 / 12600]
    assert close(o["gpu_hours"], hours)
    assert o["gpus"] == [None] * 8  # on demand: no always-on GPU count
    assert close(o["components"]["inference"], [h * 1.99 for h in hours])
    # fallback "Cached RAG" (it caches, uses RAG and is reviewed): (1 - s) * 3,000,000 * 0.012025
    # = 36,075 before go-live, 34,271.25 at s = 0.05, ..., 3,607.50 at s = 0.9
    assert close(o["components"]["fallback"], [(1 - x) * REQ * UNIT_CACHED_RAG for x in S_SELF])
    assert close(o["components"]["fallback"][:4], [36075, 36075, 36075, 34271.25])
    # its own retrieval and review stay 0: it uses no RAG and reviews nothing itself
    assert o["components"]["retrieval"] == [0] * 8 and o["components"]["review"] == [0] * 8


def test_the_fallback_option_itself_is_priced_as_in_version_1(rollout):
    o = rollout["by_name"]["Cached RAG"]
    # inference 3,000,000 * 0.009025 = 27,075; retrieval 3,000,000 * 0.001 + 500 = 3,500; review 6,000
    assert close(o["components"]["inference"], [27075] * 8)
    assert close(o["components"]["retrieval"], [3500] * 8)
    assert close(o["components"]["review"], [6000] * 8)
    assert o["components"]["fallback"] == [0] * 8  # s = 1 every month


def test_a_live_month_with_no_traffic_still_pays_its_floors(rollout):
    o = rollout["by_name"]["Floor at s = 0"]
    # month 1 not live: nothing but the fallback; month 2 live with s = 0: min_gpus = 2 GPUs
    # (2 * 720 * 1.99 = 2,865.60), fixed 300, rag.fixed_monthly 500, and the fallback still carries it all
    assert o["gpus"] == [0, 2, 2, 2, 2, 2, 2, 2]
    assert close(o["components"]["inference"], [0] + [2865.6] * 7)
    assert close(o["components"]["fixed"], [0] + [300] * 7)
    # retrieval: 0; 0 + 500; 1,500,000 * 0.001 + 500 = 2,000; then 3,000,000 * 0.001 + 500 = 3,500
    assert close(o["components"]["retrieval"], [0, 500, 2000] + [3500] * 5)
    assert close(o["components"]["fallback"], [22500, 22500, 11250] + [0] * 5)
    # fallback_share = 1: live from month 1 with s = 0 every month: the on-demand floor of 100 hours
    # (199.00), fixed 50, and every request on the baseline (22,500)
    a = rollout["by_name"]["All to fallback"]
    assert close(a["gpu_hours"], [100] * 8)
    assert close(a["components"]["inference"], [199] * 8)
    assert close(a["components"]["fixed"], [50] * 8)
    assert close(a["monthly_total"], [22500 + 199 + 50] * 8)


def test_an_option_that_costs_the_baseline_in_month_1_breaks_even_then(rollout):
    """Before going live "Mini rollout" sends all traffic to the baseline: the same 22,500 (computed by
    another path), equal in 6.0's sense, so month 1 is its breakeven month."""
    assert rollout["by_name"]["Mini rollout"]["breakeven_month"] == 1


def test_the_report_of_the_cli_carries_the_same_figures(tmp_path):
    path = tmp_path / "rollout.toml"
    path.write_text(ROLLOUT, encoding="utf-8")
    done = run_cli("report", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["schema_version"] == 2
    o = next(x for x in data["options"] if x["name"] == "Self always on")
    assert close(o["components"]["fallback"], [22500, 22500, 22500, 21375, 16875, 11250, 2250, 2250])
    assert o["pretrain_gpu_hours"] is None and o["pretrain_days"] is None


# --- 6.2 Fine-tuning bought from a provider -----------------------------------------------------------

PROVIDER = """schema_version = 2
name = "Provider fine-tuning"
horizon_months = 13
[workload]
requests_per_day = 100000
input_tokens = 1000
output_tokens = 500
days_per_month = 30
[market]
api_price_change_per_year = -0.5
gpu_price_change_per_year = 0.44
[overheads]
labeling_cost_per_example = 3.0
labeling_qa_overhead = 0.25
eval_setup = 20000
[training]
gpu = "H100"
gpus = 1
hours_per_run = 6
runs = 10
examples = 5000
retrain_every_months = 6
relabel_share = 0.2
epochs = 3
tokens_per_example = TOKENS
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
[[api_models]]
name = "mini per token"
input = 0.30
output = 1.20
training_per_mtok = 25
[[api_models]]
name = "mini per hour"
input = 0.30
output = 1.20
training_per_hour = 100
[[api_models]]
name = "mini both"
input = 0.30
output = 1.20
training_per_mtok = 25
training_per_hour = 100
[[gpus]]
name = "H100"
hourly = 1.99
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "Per token"
model = "mini per token"
fine_tune = true
train_on = "provider"
[[options]]
name = "Per hour"
model = "mini per hour"
fine_tune = true
train_on = "provider"
[[options]]
name = "Both"
model = "mini both"
fine_tune = true
train_on = "provider"
[[options]]
name = "Distilled by provider"
model = "mini per token"
distill = true
teacher = "GPT-4o"
train_on = "provider"
[[options]]
name = "Tuned on GPUs"
model = "mini per token"
fine_tune = true
"""

FA7 = 0.5**0.5  # fa(7) = (1 - 0.5)^(6 / 12)
FA13 = 0.5  # fa(13) = 0.5^(12 / 12)
FG7 = 1.2  # fg(7) = 1.44^(6 / 12)
LABELING = 18750  # 5000 * 3.00 * 1.25
TEACHER = 37.5  # 5000 * (1000 * 2.50 + 500 * 10.00) / 1e6


@pytest.mark.parametrize(
    ("tokens", "per_token_run"),
    [
        (0, 562.5),  # ex = Tin + Tout = 1500: 5000 * 1500 * 3 = 22.5M training tokens * 25 / 1M
        (2000, 750.0),  # ex = 2000: 5000 * 2000 * 3 = 30M tokens * 25 / 1M
    ],
)
def test_provider_training_runs_in_one_time_and_retrain(tokens, per_token_run):
    r = report(PROVIDER.replace("TOKENS", str(tokens)))["by_name"]
    runs = {
        "Per token": per_token_run,
        "Per hour": 600.0,  # 6 hours * 100
        "Both": per_token_run + 600.0,  # a row with both prices is billed both
    }
    for name, run in runs.items():
        o = r[name]
        # one_time(1) = 10 runs + labeling 18,750 + eval 20,000; e.g. 10 * 562.5 + 38,750 = 44,375
        assert close(o["components"]["one_time"], [10 * run + LABELING + 20000] + [0] * 12), name
        # retrains in months 7 and 13, the run drifting with fa (not fg) + 0.2 * 18,750 = 3,750:
        # e.g. 562.5 * 0.70711 + 3,750 = 4,147.75 and 562.5 * 0.5 + 3,750 = 4,031.25
        expected = [0.0] * 13
        expected[6] = run * FA7 + 0.2 * LABELING
        expected[12] = run * FA13 + 0.2 * LABELING
        assert close(o["components"]["retrain"], expected), name
        # the tuned model is billed per token at its own price: 3,000,000 * 0.0009 * fa(m)
        assert close(o["components"]["inference"][6], 2700 * FA7), name
    d = r["Distilled by provider"]
    # distillation: the data bill is the teacher's, 37.50; one_time = 10 runs + 37.50 + 20,000
    assert close(d["components"]["one_time"][0], 10 * per_token_run + TEACHER + 20000)
    assert close(d["components"]["retrain"][6], per_token_run * FA7 + 0.2 * TEACHER)
    g = r["Tuned on GPUs"]
    # train_on = "gpu" (the default): 1 GPU * 6 h * 1.99 = 11.94 a run, retrains drift with fg(7) = 1.2
    assert close(g["components"]["one_time"][0], 10 * 11.94 + LABELING + 20000)
    assert close(g["components"]["retrain"][6], 11.94 * FG7 + 0.2 * LABELING)


# --- 6.3 Continued pre-training and training from scratch ---------------------------------------------

PRETRAIN = """schema_version = 2
name = "Pre-training"
horizon_months = 3
[workload]
requests_per_day = 100000
input_tokens = 1000
output_tokens = 500
[overheads]
eval_setup = 20000
[training]
gpu = "H100 SXM"
[pretraining]
gpu = "H100 SXM"
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
[[gpus]]
name = "H100 SXM"
hourly = 1.99
bf16_tflops = 989
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "Scratch"
serve = "self_hosted"
gpu = "H100 SXM"
tokens_per_second_per_gpu = 2500
pretrain = "scratch"
[[options]]
name = "Continued"
serve = "self_hosted"
gpu = "H100 SXM"
tokens_per_second_per_gpu = 2500
pretrain = "continued"
pretrain_tokens = 5e10
[[options]]
name = "Continued + fine-tune"
serve = "self_hosted"
gpu = "H100 SXM"
tokens_per_second_per_gpu = 2500
pretrain = "continued"
pretrain_tokens = 5e10
fine_tune = true
"""

# Defaults: N = 8e9, mfu = 0.4, attempts = 1.5, 64 GPUs. Scratch: Dp = 20 * 8e9 = 1.6e11 tokens;
# 1.5 * 6 * 8e9 * 1.6e11 = 1.152e22 FLOPs / (989e12 * 0.4) = 2.912e7 GPU-seconds / 3600 = 8,088.98 h.
SCRATCH_HOURS = 1.5 * 6 * 8e9 * 1.6e11 / (989e12 * 0.4) / 3600
# Continued on 5e10 tokens: 1.5 * 6 * 8e9 * 5e10 = 3.6e21 FLOPs -> 2,527.81 GPU-hours
CONTINUED_HOURS = 1.5 * 6 * 8e9 * 5e10 / (989e12 * 0.4) / 3600


def test_pretraining_compute_in_month_1_and_its_wall_clock():
    r = report(PRETRAIN)["by_name"]
    assert SCRATCH_HOURS == pytest.approx(8088.98, abs=0.01)
    assert CONTINUED_HOURS == pytest.approx(2527.81, abs=0.01)
    for name, hours in (("Scratch", SCRATCH_HOURS), ("Continued", CONTINUED_HOURS)):
        o = r[name]
        assert o["pretrain_gpu_hours"] == pytest.approx(hours, **EXACT)
        assert o["pretrain_days"] == pytest.approx(hours / 64 / 24, **EXACT)  # 5.27 days from scratch
        # 8,088.98 * 1.99 = 16,097.07 in month 1 only
        assert close(o["components"]["pretraining"], [hours * 1.99, 0, 0])
        assert o["components"]["one_time"] == [0, 0, 0]  # it trains nothing else
        # inference as in section 2: 1 GPU, 720 h * 1.99 = 1,432.80 a month
        assert close(o["monthly_total"], [hours * 1.99 + 1432.8, 1432.8, 1432.8])
    assert r["API"]["pretrain_gpu_hours"] is None and r["API"]["pretrain_days"] is None
    assert r["API"]["components"]["pretraining"] == [0, 0, 0]


def test_a_pretrained_option_that_also_fine_tunes_pays_both():
    o = report(PRETRAIN)["by_name"]["Continued + fine-tune"]
    assert close(o["components"]["pretraining"], [CONTINUED_HOURS * 1.99, 0, 0])
    # section 2's training on top: 10 runs * (1 * 6 h * 1.99) + labeling 5000 * 3.00 * 1.25 + eval 20,000
    assert close(o["components"]["one_time"], [10 * 11.94 + 18750 + 20000, 0, 0])
    assert close(o["monthly_total"][0], CONTINUED_HOURS * 1.99 + 119.4 + 18750 + 20000 + 1432.8)


def test_the_pretraining_gpus_set_only_the_wall_clock():
    text = PRETRAIN.replace('[pretraining]\ngpu = "H100 SXM"', '[pretraining]\ngpu = "H100 SXM"\ngpus = 8')
    o = report(text)["by_name"]["Scratch"]
    assert o["pretrain_days"] == pytest.approx(SCRATCH_HOURS / 8 / 24, **EXACT)  # 42.13 days on 8 GPUs
    assert close(o["components"]["pretraining"], [SCRATCH_HOURS * 1.99, 0, 0])  # the same bill


# --- 6.0 Equal numbers --------------------------------------------------------------------------------

HAIR = """schema_version = 1
horizon_months = 2
[workload]
requests_per_day = 27216
peak_to_average = 2.0
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
[[gpus]]
name = "H100"
hourly = 2.0
[[options]]
name = "API"
model = "GPT-4o"
[[options]]
name = "Self"
serve = "self_hosted"
gpu = "H100"
requests_per_second_per_gpu = 0.1
target_utilization = 0.7
min_gpus = 1
"""


def test_a_gpu_count_a_hair_above_a_whole_number_is_that_number():
    # peak = 27,216 / 86,400 * 2 = 0.63 req/s; capacity 0.1 * 0.7 = 0.07: exactly 9 GPUs, which
    # floating point computes as 9.000000000000002 (so a plain ceil would say 10)
    q = 27216 / 86400.0 * 2.0 / (0.1 * 0.7)
    assert q == 9.000000000000002
    o = report(HAIR)["by_name"]["Self"]
    assert o["gpus"] == [9, 9]
    assert o["gpus_at_horizon"] == 9
    assert close(o["components"]["inference"], [9 * 720 * 2.0] * 2)  # 12,960


EQUAL = """schema_version = 1
horizon_months = 12
[workload]
requests_per_day = 1
[overheads]
engineer_annual_cost = 12
[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
[[options]]
name = "API"
model = "GPT-4o"
fixed_monthly = 0.7
[[options]]
name = "Same, renamed"
model = "GPT-4o"
fixed_monthly = 0.7
[[options]]
name = "Same, summed otherwise"
model = "GPT-4o"
fixed_monthly = 0.4
ops_fte = 0.3
"""


def test_an_option_that_costs_what_the_baseline_costs_breaks_even_at_once():
    """Both cost 30 * 0.0075 = 0.225 of inference and 0.7 of fixed costs a month, 0.925 in all; the second
    copy pays its 0.7 as people 0.3 * 12 / 12 = 0.3 plus fixed 0.4, added in another order, which floating
    point makes dearer by one last bit. Equal in 6.0's sense, so breakeven in month 1 and at volume 0."""
    r = report(EQUAL)["by_name"]
    base = r["API"]["cumulative"]
    other = r["Same, summed otherwise"]["cumulative"]
    assert other[0] > base[0], "the case no longer differs in the last bits: pick other amounts"
    for name in ("Same, renamed", "Same, summed otherwise"):
        o = r[name]
        assert close(o["cumulative"], [0.925 * m for m in range(1, 13)])
        assert o["breakeven_month"] == 1, name
        assert o["breakeven_requests_per_day"] == 0, name


# --- Version 1 keeps its shape; what the workbench chooses where the contract is silent -----------------


def test_a_version_1_file_may_spell_a_version_2_key_at_its_default():
    """Only a value away from the default "uses" a version-2 key; saving writes no version-2 key back."""
    text = HAIR.replace('name = "Self"\n', 'name = "Self"\ngo_live_month = 1\nrollout = []\n')
    s = parse_text(text, "v1.toml")
    assert s.schema_version == 1
    saved = dump_text(s)
    for key in (
        "go_live_month",
        "rollout",
        "fallback",
        "train_on",
        "pretrain",
        "bf16_tflops",
        "[pretraining]",
    ):
        assert key not in saved, key
    r = report(text)
    assert r["schema_version"] == 1
    o = r["by_name"]["Self"]
    assert o["components"]["fallback"] == [0, 0] and o["components"]["pretraining"] == [0, 0]
    assert o["pretrain_gpu_hours"] is None and o["pretrain_days"] is None


def test_an_edit_that_sets_a_version_2_key_makes_the_scenario_version_2():
    from workbench.edits import edit

    s = parse_text(HAIR, "v1.toml")
    assert edit.apply(s, ("options", 1, "go_live_month"), 1).schema_version == 1  # the default
    raised = edit.apply(s, ("options", 1, "go_live_month"), 2)
    assert raised.schema_version == 2
    assert raised.options[1].go_live_month == 2


# --- Version-1 files keep their figures -------------------------------------------------------------------

V1_FIGURES = Path(__file__).parent / "v1_figures"
# Keys version 2 added to every report: the two components (zeros for a version-1 file) and the two
# pre-training figures (null).
V2_COMPONENTS = ("fallback", "pretraining")
V2_OPTION_KEYS = ("pretrain_gpu_hours", "pretrain_days")


@pytest.mark.parametrize("preset", sorted(p.stem for p in V1_FIGURES.glob("*.toml")))
def test_version_1_presets_keep_every_figure_to_the_last_bit(preset):
    """tests/v1_figures holds each preset as it was at the last version-1 commit (3ce3fdd) and the figures
    its JSON report had then: every key but the ladder, recommendation, risks and rungs, which section 6.3
    and 6.4 change on purpose. Today's report must equal them exactly, but for version 2's added keys."""
    old = json.loads((V1_FIGURES / f"{preset}.json").read_text(encoding="utf-8"))
    new = to_json_dict(analyze(load(V1_FIGURES / f"{preset}.toml")))
    assert new["schema_version"] == 1
    for o in new["options"]:
        for c in V2_COMPONENTS:
            assert o["components"].pop(c) == [0.0] * new["horizon_months"], (o["name"], c)
        for k in V2_OPTION_KEYS:
            assert o.pop(k) is None, (o["name"], k)
    assert {k: new[k] for k in old} == old
