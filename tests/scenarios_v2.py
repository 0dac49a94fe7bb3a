"""Version-2 scenarios built in code for the analysis tests (not a test module): every kind of option of
docs/model.md section 6 in one scenario, so explain, sensitivity, Monte Carlo and diff meet each formula.

Imported as `from scenarios_v2 import ...` (pytest puts tests/ on the path, as for helpers.py).
"""

from __future__ import annotations

import copy
from typing import Any

from workbench.model import columns
from workbench.model.scenario import Scenario, validate

# Options, by what they exercise:
#   API                  the baseline (an API option serving all its traffic)
#   API + RAG, cached    a named fallback that caches and retrieves (every fb_* input is non-zero)
#   Tuned mini           provider fine-tune billed per token; go-live 2, rollout 5%/25%, 10% fallback share
#   RFT                  provider fine-tune billed per hour and per token, falling back to the baseline
#   Self 8B              always-on, fine-tuned on GPUs; go-live 4, rollout 5%/25%/50%, fallback 20%
#   On-demand 8B         on-demand GPUs, a rollout entry of 0 (live, serving nothing), fallback_share 0
#   Continued            continued pre-training (50B tokens) that also fine-tunes
#   Scratch              pre-training from scratch (20 tokens per parameter)
HYBRID: dict[str, Any] = {
    "schema_version": 2,
    "name": "v2 hybrid",
    "horizon_months": 12,
    "workload": {
        "requests_per_day": 10_000,
        "input_tokens": 1000,
        "output_tokens": 500,
        "cacheable_share": 0.4,
        "growth_per_month": 0.03,
        "peak_to_average": 2,
    },
    "market": {"api_price_change_per_year": -0.2, "gpu_price_change_per_year": -0.1},
    "overheads": {"cost_per_review": 2.0, "eval_setup": 5000},
    "training": {
        "gpu": "A100",
        "gpus": 2,
        "hours_per_run": 5,
        "runs": 3,
        "examples": 2000,
        "retrain_every_months": 4,
        "epochs": 2,
    },
    "rag": {"context_tokens": 800, "cost_per_query": 0.001, "fixed_monthly": 300},
    "pretraining": {"gpu": "H100", "params": 8e9, "mfu": 0.4, "attempts": 1.5, "gpus": 64},
    "api_models": [
        {"name": "big", "input": 5.0, "output": 20, "cached_input": 2.5},
        {"name": "mini", "input": 0.3, "output": 1.2, "training_per_mtok": 3.0},
        {"name": "rl", "input": 1.1, "output": 4.4, "training_per_mtok": 2.0, "training_per_hour": 100.0},
    ],
    "gpus": [
        {"name": "H100", "hourly": 2.0, "bf16_tflops": 989},
        {"name": "A100", "hourly": 1.5},
    ],
    "options": [
        {"name": "API", "model": "big", "baseline": True},
        {
            "name": "API + RAG, cached",
            "model": "big",
            "rag": True,
            "prompt_caching": True,
            "review_rate": 0.02,
        },
        {
            "name": "Tuned mini",
            "model": "mini",
            "fine_tune": True,
            "train_on": "provider",
            "go_live_month": 2,
            "rollout": [0.05, 0.25],
            "fallback_share": 0.1,
            "fallback": "API + RAG, cached",
            "review_rate": 0.01,
        },
        {
            "name": "RFT",
            "model": "rl",
            "fine_tune": True,
            "train_on": "provider",
            "go_live_month": 3,
            "fallback_share": 0.05,
        },
        {
            "name": "Self 8B",
            "serve": "self_hosted",
            "gpu": "H100",
            "fine_tune": True,
            "tokens_per_second_per_gpu": 1000,
            "go_live_month": 4,
            "rollout": [0.05, 0.25, 0.5],
            "fallback_share": 0.2,
            "fixed_monthly": 400,
        },
        {
            "name": "On-demand 8B",
            "serve": "self_hosted",
            "gpu": "A100",
            "hosting": "on_demand",
            "min_gpu_hours_per_month": 10,
            "requests_per_second_per_gpu": 5,
            "rag": True,
            "rollout": [0.0, 0.5],
            "fallback": "API + RAG, cached",
        },
        {
            "name": "Continued",
            "serve": "self_hosted",
            "gpu": "H100",
            "fine_tune": True,
            "tokens_per_second_per_gpu": 1000,
            "pretrain": "continued",
            "pretrain_tokens": 50e9,
        },
        {
            "name": "Scratch",
            "serve": "self_hosted",
            "gpu": "H100",
            "tokens_per_second_per_gpu": 1000,
            "pretrain": "scratch",
            "go_live_month": 6,
        },
    ],
}


def hybrid(**changes: Any) -> Scenario:
    """The scenario above, validated; `changes` replace top-level keys (a deep copy is taken first)."""
    data = copy.deepcopy(HYBRID)
    data.update(copy.deepcopy(changes))
    return validate(data)


def scenarios() -> dict[str, Scenario]:
    """Version-2 scenarios for whole-suite checks: the hybrid, and variants of it."""
    return {
        "hybrid": hybrid(),
        # a month of zero growth and flat prices, and a horizon the rollouts outlast
        "short": hybrid(horizon_months=6, workload={**HYBRID["workload"], "growth_per_month": 0.0}),
    }


def with_value(s: Scenario, path: str, value: float) -> Scenario:
    """A copy of the scenario with one input path set, validated as a file would be."""
    p = columns.parse(path)
    data = s.model_dump(exclude_none=True)
    if p.row is None:
        box = data[p.table]
    else:
        box = next(r for r in data[p.table] if r["name"] == p.row)
    box[p.field] = int(value) if columns.bounds(p).integer else value
    return validate(data)
